"""EDTF dates: validation with clear messages, bounds, and words for readers."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog import dates


@pytest.mark.parametrize(
    "text,lower,upper,words",
    [
        ("2018-07-16?", dt.date(2018, 7, 16), dt.date(2018, 7, 16), "16 July 2018 (uncertain)"),
        ("1988-07/1988-09", dt.date(1988, 7, 1), dt.date(1988, 9, 30), "July 1988 to September 1988"),
        ("1988~", dt.date(1988, 1, 1), dt.date(1988, 12, 31), "1988 (approximate)"),
        ("198X", dt.date(1980, 1, 1), dt.date(1989, 12, 31), "the 1980s"),
        ("1989-03", dt.date(1989, 3, 1), dt.date(1989, 3, 31), "March 1989"),
        ("1988-22", dt.date(1988, 6, 1), dt.date(1988, 8, 31), "Summer 1988"),
    ],
)
def test_parse_gives_bounds_and_words(text, lower, upper, words):
    parsed = dates.parse(text, "occasion date")
    assert (parsed.lower, parsed.upper) == (lower, upper)
    assert parsed.words == words


@pytest.mark.parametrize(
    "text,problem",
    [
        ("1988-13", "1988-13 is not a valid month"),
        ("1988-02-30", "1988-02-30 is not a day of the calendar"),
        ("July 1988", "expected a form such as"),
        ("", None),
    ],
)
def test_invalid_dates_name_the_field_and_value(text, problem):
    if problem is None:
        assert dates.parse(text, "events date") is None
        return
    with pytest.raises(dates.InvalidDate) as error:
        dates.parse(text, "events date")
    message = str(error.value)
    assert message.startswith("events date: ")
    assert repr(text) in message
    assert problem in message


def test_unknown_date_in_words():
    assert dates.describe(None) == "date unknown"
    assert dates.describe("../1988") == "an unknown date to 1988"
