"""Text folding shared by indexing and querying, so both engines see the very same tokens.

Folding: Unicode NFKC, case folded, Latin (and other) combining marks removed (Garcés -> garces),
Persian/Arabic variants unified (ي/ى -> ی, ك -> ک, ة -> ه, أ/إ/آ/ٱ -> ا, ؤ -> و, ئ -> ی), tatweel,
harakat and zero-width joiners dropped, Arabic-Indic digits read as ASCII digits. A token is a run
of letters and digits (what SQLite's unicode61 tokenizer also calls a token), so the tokens we
store are the ones FTS5 and our PostgreSQL tsvector literals hold.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

_LETTER_MAP = {
    "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ؤ": "و",
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ـ": "",  # tatweel
    "\u200c": "", "\u200d": "", "\u200b": "", "\u2060": "", "\ufeff": "",  # ZWNJ, ZWJ, ZWSP, WJ, BOM
}
_LETTER_MAP.update({chr(0x06F0 + n): str(n) for n in range(10)})  # Persian digits
_LETTER_MAP.update({chr(0x0660 + n): str(n) for n in range(10)})  # Arabic-Indic digits
_TRANSLATE = str.maketrans(_LETTER_MAP)
#: Letters and digits; underscore and punctuation separate tokens.
_TOKEN = re.compile(r"[^\W_]+")


class _Marks(dict):
    """A str.translate table that drops combining marks (category Mn or a combining class), each
    code point looked up once and remembered."""

    def __missing__(self, code: int):
        char = chr(code)
        kept = None if unicodedata.combining(char) or unicodedata.category(char) == "Mn" else code
        self[code] = kept
        return kept


_MARKS = _Marks()


def _strip_marks(text: str) -> str:
    return unicodedata.normalize("NFKD", text).translate(_MARKS)


def fold(text: str) -> str:
    """The searchable form of a text (same length semantics are not kept; see fold_with_map)."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).casefold()
    if not text.isascii():
        text = _strip_marks(text).translate(_TRANSLATE)
    return text


def tokens(text: str) -> list[str]:
    """The tokens of a text, folded, in order."""
    return _TOKEN.findall(fold(text))


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    return fold(char)


class Token(NamedTuple):
    """A token and where it lies in the original text (a tuple: a snippet makes hundreds)."""

    text: str
    #: Character offsets into the original text, end exclusive.
    start: int
    end: int


def tokens_with_offsets(text: str) -> list[Token]:
    """Tokens with their place in the original text, for highlighting (slower than tokens())."""
    if text.isascii():
        # ASCII folds to lower case of the same length: offsets carry over unchanged.
        return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text.lower())]
    folded_chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = _fold_char(char)
        folded_chars.append(piece)
        origin.extend([index] * len(piece))
    folded = "".join(folded_chars)
    found = []
    for match in _TOKEN.finditer(folded):
        start = origin[match.start()]
        end = origin[match.end() - 1] + 1
        found.append(Token(match.group(), start, end))
    return found
