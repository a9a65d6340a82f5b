"""The reader's query language: words, "exact phrases", -exclusions and prefix* — parsed once,
checked, and handed to either engine as the same structure.

Every term must occur in a passage (AND); a term preceded by `-` must not. Alternate names of
people, organisations and places widen a term into alternatives (OR), see `expand`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...text import has_hidden_controls
from .normalise import tokens

#: Longest query accepted, in characters.
MAX_QUERY_LENGTH = 500
#: Most terms (words, phrases, exclusions) in one query.
MAX_TERMS = 20
#: Shortest prefix accepted before `*` (shorter ones would match half the dictionary).
MIN_PREFIX = 2

_PIECE = re.compile(r'(-?)"([^"]*)("?)|(\S+)')


class QueryError(ValueError):
    """A query we cannot run; the message tells the reader what to change."""


@dataclass(frozen=True)
class Alternative:
    """One way a term may be matched: a token sequence (a phrase when longer than one)."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Term:
    typed: str
    alternatives: tuple[Alternative, ...]
    negated: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.alternatives[0].tokens) > 1


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    terms: tuple[Term, ...]
    #: Notes for the reader about how the query was read ("the closing quotation mark was missing").
    notes: tuple[str, ...] = field(default=())

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.negated)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if term.negated)


def parse(text: str) -> ParsedQuery:
    """Parse a query or raise QueryError with a message a reader can act on."""
    if text is None:
        raise QueryError("Type a word or a phrase to search for.")
    if has_hidden_controls(text):
        raise QueryError("The query contains control or text-direction characters; please retype it.")
    text = text.strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"The query is {len(text):,} characters long; please keep it under {MAX_QUERY_LENGTH} "
            "characters (a few distinctive words work best)."
        )
    if not text:
        raise QueryError("Type a word or a phrase to search for.")
    notes: list[str] = []
    if text.count('"') % 2:
        notes.append("A closing quotation mark was missing; the phrase was read to the end of the query.")
    terms: list[Term] = []
    for match in _PIECE.finditer(text):
        negated_quote, phrase, _closing, bare = match.groups()
        if phrase is not None:
            words = tuple(tokens(phrase))
            if words:
                terms.append(Term(f'"{phrase}"', (Alternative(words),), negated=bool(negated_quote)))
            continue
        negated = bare.startswith("-") and len(bare) > 1
        word = bare[1:] if negated else bare
        prefix = word.endswith("*")
        words = tuple(tokens(word.rstrip("*")))
        if not words:
            continue
        if prefix:
            if len(words[-1]) < MIN_PREFIX:
                raise QueryError(
                    f"“{word}” is too short to search by its beginning: give at least {MIN_PREFIX} letters before *."
                )
            terms.append(Term(word, (Alternative(words, prefix=True),), negated=negated))
        else:
            # A hyphenated or dotted word ("Pour-Mohammadi") is searched as the phrase it tokenizes to.
            terms.append(Term(word, (Alternative(words),), negated=negated))
    if not terms:
        raise QueryError("The query has no words to look for, only punctuation or operators. Type a word or a phrase.")
    if len(terms) > MAX_TERMS:
        raise QueryError(f"The query has {len(terms)} terms; please use at most {MAX_TERMS}.")
    if all(term.negated for term in terms):
        raise QueryError("The query only says what to leave out (-word). Add at least one word to look for.")
    return ParsedQuery(text, tuple(terms), tuple(notes))
