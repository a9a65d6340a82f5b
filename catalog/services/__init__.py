"""Operations free of Flask: they take a session and an explicit actor, and never commit."""
