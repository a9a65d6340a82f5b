"""The API's query parameters, checked before any query runs: a bad one is a 400 problem naming it.

Reading pages forgive (an unknown sort shows the default order); programs are better told, so the
API refuses what it cannot honour instead of answering something else. Values are checked by the
catalog's rule book (services/write/rules.py) where it has the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from flask import request
from werkzeug.exceptions import BadRequest

from ...models import AccessLevel, AccountKind, CorroborationStatus
from ...services import search as search_service
from ...services.search.facts import FACETS
from ...services.write import rules
from ...services.write.problems import Problems
from ...viewer import Viewer
from ..reading import MAX_PAGE

#: Longest value a facet filter takes (longer ones name nothing).
MAX_FILTER = 200
#: A year as the year facets hold it.
YEAR = re.compile(r"\d{1,4}\Z")
#: The paging parameter, taken by every list.
PAGING = ("page",)
#: What browse takes beside the facets.
BROWSE = ("sort", "page", "more")
#: What search takes beside the facets.
SEARCH = ("q", "scope", "page", "more")
#: What the claims index takes beside its facets (its words are optional).
CLAIMS = ("q", "page", "more")


class BadParameters(BadRequest):
    """A 400 whose problem details also list each parameter's problem (`errors`)."""

    def __init__(self, problems: Problems) -> None:
        errors = [{"parameter": str(p.path[0]), "detail": p.message} for p in problems]
        #: Extension members of the problem details (errors.problem_response).
        self.problem_members = {"errors": errors}
        super().__init__(" ".join(f"{e['parameter']}: {e['detail']}" for e in errors))


class QueryRefused(BadRequest):
    """A search query that cannot run, with the search's own words on what to change."""

    def __init__(self, message: str) -> None:
        self.problem_members = {"errors": [{"parameter": "q", "detail": message}]}
        super().__init__(message)


@dataclass(frozen=True)
class Listing:
    page: int
    sort: str = search_service.catalog_index.DEFAULT_SORT
    scope: str = "all"
    text: str = ""
    expanded: tuple[str, ...] = ()


def _once(problems: Problems, name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        problems.add(name, "Give this parameter once.")
    return values[0] if values else None


def _one_of(problems: Problems, name: str, value: str | None, allowed: Iterable[str], default: str) -> str:
    if value is None:
        return default
    allowed = list(allowed)
    if value not in allowed:
        problems.add(name, f"“{rules.shown(value)}” is not one of: {', '.join(allowed)}.")
        return default
    return value


def _check_facet(problems: Problems, name: str, value: str) -> None:
    if not value.strip() or len(value) > MAX_FILTER:
        problems.add(name, f"Give a value of 1 to {MAX_FILTER} characters.")
    elif name == "kind":
        rules.choice(problems, name, value, AccountKind)
    elif name == "status":
        rules.choice(problems, name, value, CorroborationStatus)
    elif name == "access":
        rules.choice(problems, name, value, AccessLevel)
    elif name in ("place", "about", "source"):
        rules.key(problems, name, value)
    elif name == "lang":
        rules.language(problems, name, value)
    elif name in ("year", "given") and not YEAR.match(value.strip()):
        problems.add(name, f"“{rules.shown(value)}” is not a year; give one such as 1988.")


def read(viewer: Viewer, allowed: Iterable[str] = PAGING, *, facets: bool = False) -> Listing:
    """The request's parameters, or BadParameters naming every one that cannot be honoured."""
    problems = Problems()
    allowed = set(allowed) | (set(FACETS) if facets else set())
    for name in dict.fromkeys(request.args):
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            problems.add(name, f"This address takes no parameter “{rules.shown(name)}” (it takes: {known}).")
    page = 1
    if "page" in allowed:
        raw = _once(problems, "page")
        if raw is not None:
            page = rules.integer(problems, "page", raw, minimum=1, maximum=MAX_PAGE, required=True) or 1
    sort = _one_of(problems, "sort", _once(problems, "sort"), search_service.SORTS,
                   search_service.catalog_index.DEFAULT_SORT)
    scope = _one_of(problems, "scope", _once(problems, "scope"), search_service.SCOPES, "all")
    text = ""
    if "q" in allowed:
        text = _once(problems, "q") or ""
        if not text.strip():
            problems.add("q", "Give the words to search for, such as q=evin or q=\"mass grave\".")
    shown_facets = search_service.visible_facets(viewer)
    expanded = []
    for value in request.args.getlist("more") if "more" in allowed else ():
        expanded.append(_one_of(problems, "more", value, shown_facets, ""))
    if facets:
        for name in FACETS:
            for value in request.args.getlist(name):
                _check_facet(problems, name, value)
    if problems:
        raise BadParameters(problems)
    return Listing(page=page, sort=sort, scope=scope, text=text, expanded=tuple(expanded))


def read_claims() -> Listing:
    """The claims index's parameters (its facets are those of `queries.CLAIM_FACETS`), or
    BadParameters naming every one that cannot be honoured."""
    from ... import queries
    from ...models import ClaimKind

    problems = Problems()
    allowed = set(CLAIMS) | set(queries.CLAIM_FACETS)
    for name in dict.fromkeys(request.args):
        if name not in allowed:
            problems.add(name, f"This address takes no parameter “{rules.shown(name)}” (it takes: "
                               f"{', '.join(sorted(allowed))}).")
    page = 1
    raw = _once(problems, "page")
    if raw is not None:
        page = rules.integer(problems, "page", raw, minimum=1, maximum=MAX_PAGE, required=True) or 1
    text = _once(problems, "q") or ""
    if len(text) > MAX_FILTER:
        problems.add("q", f"Give at most {MAX_FILTER} characters.")
    expanded = [_one_of(problems, "more", value, queries.CLAIM_FACETS, "") for value in request.args.getlist("more")]
    for name in queries.CLAIM_FACETS:
        for value in request.args.getlist(name):
            if not value.strip() or len(value) > MAX_FILTER:
                problems.add(name, f"Give a value of 1 to {MAX_FILTER} characters.")
            elif name == "kind":
                rules.choice(problems, name, value, ClaimKind)
            elif name == "status":
                rules.choice(problems, name, value, CorroborationStatus)
            elif name == "place":
                rules.key(problems, name, value)
            elif name == "year" and not YEAR.match(value.strip()):
                problems.add(name, f"“{rules.shown(value)}” is not a year; give one such as 1988.")
    if problems:
        raise BadParameters(problems)
    return Listing(page=page, text=text, expanded=tuple(expanded))
