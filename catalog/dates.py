"""EDTF dates: validation, bounds for sorting and filtering, and wording for readers."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from edtf import EDTFParseException, parse_edtf, struct_time_to_date
from edtf.parser.parser_classes import Date, Unspecified

SEASONS = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]


class InvalidDate(ValueError):
    """An EDTF string that does not parse; the message names the field and the value."""

    def __init__(self, field: str, value: str, problem: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"{field}: {value!r} is not a valid EDTF date ({problem}).")


@dataclass(frozen=True)
class EDTFDate:
    """A validated EDTF string with its inclusive calendar bounds."""

    text: str
    lower: dt.date | None
    upper: dt.date | None

    @property
    def words(self) -> str:
        return describe(self.text)


def _problem(text: str) -> str:
    """A reader's explanation of why an EDTF-looking string is wrong."""
    parts = text.split("-")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        month = int(parts[1])
        if not 1 <= month <= 12 and month < 21:
            return f"{parts[0]}-{parts[1]} is not a valid month"
        if len(parts) >= 3 and parts[2][:2].isdigit():
            day = int(parts[2][:2])
            try:
                dt.date(int(parts[0]), month, day)
            except ValueError:
                return f"{parts[0]}-{parts[1]}-{parts[2][:2]} is not a day of the calendar"
    return "expected a form such as 1988, 1988-07, 1988-07-16, 2018-07-16?, 1988~, 198X or 1988-07/1988-09"


def parse(value: str | None, field: str = "date") -> EDTFDate | None:
    """Validate an EDTF string; empty means unknown (None). Raises InvalidDate."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    parsed = _parse_text(text)
    if isinstance(parsed, str):
        raise InvalidDate(field, text, parsed)
    return parsed


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> EDTFDate | str:
    """The date a stripped EDTF string stands for, or why it is not one. Cached: the EDTF parser
    takes milliseconds a call, and a form or an import names the same few dates over and over."""
    try:
        parsed = parse_edtf(text)
        lower = _bound(parsed.lower_strict())
        upper = _bound(parsed.upper_strict())
    except EDTFParseException:
        return _problem(text)
    except (ValueError, OverflowError, TypeError) as error:
        return str(error) or "out of range"
    if isinstance(parsed, Date) and not isinstance(parsed, Unspecified):
        # The parser accepts some impossible calendar dates (1988-02-30); refuse them here.
        problem = _problem(text)
        if "calendar" in problem or "month" in problem:
            return problem
    return EDTFDate(text=text, lower=lower, upper=upper)


def _bound(value) -> dt.date | None:
    if value is None:
        return None
    try:
        return struct_time_to_date(value)
    except (ValueError, OverflowError):
        return None


def _date_words(text: str) -> str:
    text = text.rstrip("?~%")
    parts = text.split("-")
    if any("X" in part for part in parts):
        if len(parts) == 1:
            return f"the {parts[0].replace('X', '0')}s" if parts[0].endswith("X") else parts[0]
        return text
    if len(parts) == 1:
        return parts[0]
    if parts[1].isdigit() and int(parts[1]) in SEASONS:
        return f"{SEASONS[int(parts[1])]} {parts[0]}"
    month = MONTHS[int(parts[1]) - 1] if parts[1].isdigit() and 1 <= int(parts[1]) <= 12 else parts[1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{int(parts[2])} {month} {parts[0]}"


def describe(text: str | None) -> str:
    """An EDTF string in words: '2018-07-16?' -> '16 July 2018 (uncertain)'."""
    if not text:
        return "date unknown"
    if "/" in text:
        start, end = text.split("/", 1)
        start_words = describe(start) if start not in ("", "..") else "an unknown date"
        end_words = describe(end) if end not in ("", "..") else "an unknown date"
        return f"{start_words} to {end_words}"
    qualifiers = []
    if text.endswith("%"):
        qualifiers.append("uncertain and approximate")
    elif text.endswith("?"):
        qualifiers.append("uncertain")
    elif text.endswith("~"):
        qualifiers.append("approximate")
    words = _date_words(text)
    return f"{words} ({', '.join(qualifiers)})" if qualifiers else words



def now() -> dt.datetime:
    """The present moment (aware UTC) as embargoes count it: what compares a date or moment with
    the present calls this (through `today`), so the present can be set in one place."""
    return dt.datetime.now(dt.timezone.utc)


def today() -> dt.date:
    """The day as the catalog counts days (UTC): an embargo lifts when this reaches its date."""
    return now().date()
