"""The rule book for single values: every door's text, names, dates, keys, numbers and choices are
checked here and nowhere else.

Each rule takes the problems collector, the field's path and the value as it came (a form's string,
a JSON value, a CSV cell), adds a problem a person can act on when the value is refused, and returns
the value as it will be stored (or None).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Optional, TypeVar, Union
from urllib.parse import urlsplit

from ... import dates
from ...sanitize import sanitize_html
from ...text import TextRejected, clean_text
from .problems import Path, Problems

#: Longest text accepted per kind of field.
MAX_NAME = 300
MAX_TITLE = 500
MAX_NOTE = 20_000
MAX_HTML = 100_000
MAX_SEGMENT = 200_000
MAX_LOCATION = 2_000
MAX_LANGUAGE = 35
#: Largest whole number a field may hold (the databases' 32-bit integers).
MAX_INTEGER = 2**31 - 1
#: Longest time into a recording, in seconds (a week: far beyond any recording).
MAX_SECONDS = 7 * 24 * 3600

#: A record's key, and a testimony's public identifier (`\Z`: a trailing newline is no part of one).
KEY_SHAPE = r"[a-z0-9][a-z0-9-]{0,119}"
PUBLIC_ID_SHAPE = r"T-\d{4,}"
KEY = re.compile(rf"^{KEY_SHAPE}\Z")
PUBLIC_ID = re.compile(rf"^{PUBLIC_ID_SHAPE}\Z")
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")
SHA256 = re.compile(r"^[0-9a-f]{64}\Z")
#: Something that looks like an HTML tag: names and titles are plain text and never need one.
_TAG = re.compile(r"<\s*[A-Za-z/!?]")
#: What editorial HTML may never carry; named back to the archivist instead of silently dropped.
_UNSAFE_HTML = re.compile(
    r"<\s*(?P<tag>script|style|iframe|object|embed|svg|math|form|input|link|meta|base|frame|img)\b"
    r"|\s(?P<handler>on[a-z]+)\s*="
    r"|(?:href|src|action|xlink:href)\s*=\s*[\"']?\s*(?P<scheme>javascript|data|vbscript)\s*:",
    re.IGNORECASE,
)
#: URL schemes a link may use; javascript:, data:, vbscript: and the rest are refused.
SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto"})
_INVISIBLE = re.compile(r"[\s\x00-\x1f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")

E = TypeVar("E")
Where = Union[str, Path]

REQUIRED = "Required."


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(problems: Problems, where: Where, value: Any, *, max_length: int = MAX_NOTE,
         required: bool = False, is_name: bool = False) -> Optional[str]:
    """Plain text as given, in NFC: no NUL or control characters, at most `max_length` characters;
    with `is_name`, no bidi controls either (they can disguise a name)."""
    if is_blank(value):
        if required:
            problems.add(where, REQUIRED)
        return None if value is None else ("" if not required else None)
    if not isinstance(value, str):
        problems.add(where, f"Must be text, not {_kind_of(value)}.")
        return None
    try:
        return clean_text(value, "", max_length=max_length, is_name=is_name)
    except TextRejected as error:
        problems.add(where, _sentence(str(error)[2:]))
        return None


def name(problems: Problems, where: Where, value: Any, *, max_length: int = MAX_NAME,
         required: bool = False) -> Optional[str]:
    """A name, title, key or short label: plain text on one line, no bidi controls, no markup."""
    cleaned = text(problems, where, value, max_length=max_length, required=required, is_name=True)
    if cleaned and _TAG.search(cleaned):
        problems.add(where, "Plain text only: remove the markup (text starting with “<”).")
        return None
    if cleaned and ("\n" in cleaned or "\r" in cleaned):
        problems.add(where, "Must fit on one line.")
        return None
    return cleaned.strip() if cleaned else cleaned


def title(problems: Problems, where: Where, value: Any, *, required: bool = True) -> Optional[str]:
    return name(problems, where, value, max_length=MAX_TITLE, required=required)


def note(problems: Problems, where: Where, value: Any, *, required: bool = False) -> str:
    """A short editorial note on one line (relation to the events, how a link passed the words on)."""
    return name(problems, where, value, max_length=MAX_NOTE, required=required) or ""


def html(problems: Problems, where: Where, value: Any) -> str:
    """Editorial rich text: markup that could run is refused by name; the rest is cleaned by the
    one sanitizer."""
    cleaned = text(problems, where, value, max_length=MAX_HTML)
    if not cleaned:
        return ""
    match = _UNSAFE_HTML.search(cleaned)
    if match:
        if match["tag"]:
            what = f"the <{match['tag'].lower()}> element"
        elif match["handler"]:
            what = f"the event-handler attribute {match['handler'].lower()}="
        else:
            what = f"a {match['scheme'].lower()}: link"
        problems.add(
            where,
            f"Editorial text may not contain {what}. Allowed: paragraphs, emphasis, lists, quotations, "
            "citations and http, https or mailto links.",
        )
        return ""
    return sanitize_html(cleaned)


def edtf(problems: Problems, where: Where, value: Any) -> Optional[dates.EDTFDate]:
    """An EDTF date, with its bounds; the problem says what is wrong ("1988-13 is not a valid month")."""
    if is_blank(value):
        return None
    if not isinstance(value, str):
        problems.add(where, "Must be an EDTF date such as 1988-07-16.")
        return None
    checked = text(problems, where, value, max_length=100, is_name=True)
    if checked is None:
        return None
    try:
        return dates.parse(checked, "")
    except dates.InvalidDate as error:
        problems.add(where, f"“{error.value}” is not a valid EDTF date: {error.problem}.")
        return None


def day(problems: Problems, where: Where, value: Any) -> Optional[dt.date]:
    """A calendar day, as ISO 8601 (2027-01-31) or a date object."""
    if is_blank(value):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        parsed = dt.date.fromisoformat(value) if isinstance(value, str) and len(value.strip()) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        problems.add(where, f"Must be a day such as 2027-01-31, not {shown(value)}.")
    return parsed


def language(problems: Problems, where: Where, value: Any, *, required: bool = False) -> Optional[str]:
    """A BCP 47 language tag such as en, fa, fa-Latn or pt-BR."""
    if is_blank(value):
        if required:
            problems.add(where, "Give a language tag such as en or fa.")
        return None
    if not isinstance(value, str) or len(value) > MAX_LANGUAGE or not LANGUAGE.match(value.strip()):
        problems.add(where, f"“{shown(value)}” is not a language tag; use one such as en, fa or fa-Latn.")
        return None
    return value.strip()


def key(problems: Problems, where: Where, value: Any, *, required: bool = True) -> Optional[str]:
    """A record's stable key: lower-case letters, digits and hyphens."""
    if is_blank(value):
        if required:
            problems.add(where, REQUIRED)
        return None
    if not isinstance(value, str) or not KEY.match(value.strip()):
        problems.add(where, "Use lower-case letters, digits and hyphens, starting with a letter or digit "
                            "(at most 120).")
        return None
    return value.strip()


def public_id(problems: Problems, where: Where, value: Any, *, required: bool = True) -> Optional[str]:
    """A testimony's public identifier, T-0001."""
    if is_blank(value):
        if required:
            problems.add(where, REQUIRED)
        return None
    if not isinstance(value, str) or not PUBLIC_ID.match(value.strip()) or len(value.strip()) > 20:
        problems.add(where, "Use the form T-0001.")
        return None
    return value.strip()


def url(problems: Problems, where: Where, value: Any) -> str:
    """An http(s) or mailto address, or a shelf mark (no scheme); never javascript:, data: and the like."""
    cleaned = text(problems, where, value, max_length=MAX_LOCATION, is_name=True) or ""
    probe = _INVISIBLE.sub("", cleaned).lower()
    if re.match(r"^[a-z][a-z0-9+.-]*:", probe):
        scheme = urlsplit(probe).scheme
        if scheme not in SAFE_URL_SCHEMES:
            problems.add(where, f"Links may use http, https or mailto only; “{scheme}:” links are refused.")
            return ""
    return name(problems, where, cleaned, max_length=MAX_LOCATION) or ""


def integer(problems: Problems, where: Where, value: Any, *, minimum: int = 0,
            maximum: int = MAX_INTEGER, required: bool = False) -> Optional[int]:
    """A whole number within bounds; a form's digits are read as one."""
    if is_blank(value):
        if required:
            problems.add(where, REQUIRED)
        return None
    number = value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,12}\s*", value):
        number = int(value)
    if isinstance(number, bool) or not isinstance(number, int) or not minimum <= number <= maximum:
        problems.add(where, f"Must be a whole number from {minimum:,} to {maximum:,}.")
        return None
    return number


def number(problems: Problems, where: Where, value: Any, *, minimum: float, maximum: float) -> Optional[float]:
    """A finite decimal number within bounds; a form's text is read as one."""
    if is_blank(value):
        return None
    candidate = value
    if isinstance(value, str):
        try:
            candidate = float(value) if len(value) <= 40 else None
        except ValueError:
            candidate = None
    if isinstance(candidate, bool) or not isinstance(candidate, (int, float)) or not math.isfinite(candidate) \
            or not minimum <= candidate <= maximum:
        problems.add(where, f"Must be a number from {minimum:g} to {maximum:g}.")
        return None
    return float(candidate)


def seconds(problems: Problems, where: Where, value: Any) -> Optional[float]:
    """A time into a recording, in seconds."""
    return number(problems, where, value, minimum=0, maximum=MAX_SECONDS)


def choice(problems: Problems, where: Where, value: Any, enum_class: type[E], default: Optional[E] = None,
           *, required: bool = False) -> Optional[E]:
    """One value of a vocabulary; the problem lists the allowed values."""
    if is_blank(value):
        if required:
            problems.add(where, REQUIRED)
        return default
    if isinstance(value, enum_class):
        return value
    try:
        # A term keyed with a stray space (a spreadsheet cell) is still the term.
        return enum_class(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError):
        allowed = ", ".join(member.value for member in enum_class)
        problems.add(where, f"“{shown(value)}” is not one of: {allowed}.")
        return default


def flag(problems: Problems, where: Where, value: Any) -> bool:
    """Yes or no: JSON true/false, a ticked box ("y", "on", "1", "true")."""
    if value in (None, "", False, 0):
        return False
    if value is True or value == 1:
        return True
    if isinstance(value, str) and value.strip().lower() in ("y", "yes", "on", "1", "true"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("n", "no", "off", "0", "false"):
        return False
    problems.add(where, "Must be true or false.")
    return False


def sha256(problems: Problems, where: Where, value: Any) -> Optional[str]:
    if not isinstance(value, str) or not SHA256.match(value):
        problems.add(where, "Must be 64 lower-case hexadecimal digits (a SHA-256).")
        return None
    return value


def items(problems: Problems, where: Where, value: Any) -> list[tuple[int, dict]]:
    """The entries of a list of objects (roles, segments, names), or of inputs a door already built;
    anything else is a problem."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(where, "Must be a list.")
        return []
    out = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) and not hasattr(item, "check"):
            path = (*((where,) if isinstance(where, str) else where), index)
            problems.add(path, "Must be an object.")
            continue
        out.append((index, item))
    return out


def shown(value: Any, limit: int = 40) -> str:
    """A refused value quoted back safely: cut short, with unpaired surrogates escaped (they
    cannot be printed or stored)."""
    text_value = value if isinstance(value, str) else repr(value)
    return text_value[:limit].encode("utf-8", "backslashreplace").decode("utf-8")


def _kind_of(value: Any) -> str:
    return {bool: "true or false", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] if message else message
