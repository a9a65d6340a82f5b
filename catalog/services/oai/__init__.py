"""OAI-PMH 2.0 for harvesters: the protocol's verbs and errors (protocol.py), the metadata formats
(formats.py: oai_dc, and the catalog's own `testimony` with its testimony.xsd), resumption tokens
(tokens.py) and the datestamps that say when a record last changed for harvesters (datestamps.py).
What they read comes from queries/harvest.py, always as the public."""
