"""Plain-text rules shared by every write path: what is stored, and what is refused."""

from __future__ import annotations

import re
import unicodedata

#: C0/C1 control characters other than tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Explicit bidi embedding, override and isolate controls: they can disguise a name.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
#: Unpaired UTF-16 surrogates: not text at all; no database or terminal can take them.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
#: Scripts written right to left, by their BCP 47 primary language subtag.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "yi", "dv", "sd", "ug"})
#: Languages the seed material and its likely additions use, by primary subtag; any other is shown
#: as its code.
LANGUAGE_NAMES = {
    "en": "English", "fa": "Persian", "ar": "Arabic", "fr": "French", "de": "German", "es": "Spanish",
    "ku": "Kurdish", "az": "Azerbaijani", "tr": "Turkish", "ckb": "Central Kurdish", "it": "Italian",
    "sq": "Albanian", "nl": "Dutch", "sv": "Swedish", "ru": "Russian", "he": "Hebrew", "ur": "Urdu",
}


def language_name(code: str) -> str:
    """A BCP 47 code as readers see it: "Persian (fa)", or the code itself when it is not named."""
    name = LANGUAGE_NAMES.get(code.split("-")[0].lower())
    return f"{name} ({code})" if name else code


class TextRejected(ValueError):
    """Input refused for a reason a person can act on."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


def has_hidden_controls(value: str) -> bool:
    """Whether text holds control characters (other than tab and line breaks), bidi controls or
    unpaired surrogates: what no name, title or query may carry."""
    return bool(_CONTROL.search(value) or _BIDI_CONTROLS.search(value) or _SURROGATES.search(value))


def nfc(value: str) -> str:
    """Text as stored: Unicode NFC, nothing else changed."""
    return unicodedata.normalize("NFC", value)


def clean_text(value: str, field: str, *, max_length: int, is_name: bool = False) -> str:
    """Validate plain text and return it in NFC; raise TextRejected naming the problem."""
    if "\x00" in value:
        raise TextRejected(field, "contains a NUL character.")
    if _SURROGATES.search(value):
        raise TextRejected(field, "contains an unpaired surrogate code point, which is not valid Unicode text.")
    match = _CONTROL.search(value)
    if match:
        raise TextRejected(field, f"contains the control character U+{ord(match.group()):04X}.")
    if is_name and _BIDI_CONTROLS.search(value):
        raise TextRejected(field, "contains a bidirectional override character, which can disguise a name.")
    text = nfc(value)
    if len(text) > max_length:
        raise TextRejected(field, f"is {len(text):,} characters long; the limit is {max_length:,}.")
    return text


def direction_of(language: str | None) -> str:
    """'rtl' or 'ltr' for a BCP 47 language tag."""
    if not language:
        return "ltr"
    primary = language.split("-")[0].lower()
    return "rtl" if primary in RTL_LANGUAGES else "ltr"
