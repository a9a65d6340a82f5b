"""What a refused write says: problems keyed by field path, and the one exception that carries them.

A path is a tuple of field names and list indexes, in the names of the catalog's JSON format:
("segments", 2, "redactions", 0, "start"). Each door shows it in its own way: the JSON import as
`testimonies[3].segments[2].redactions[0].start`, a form under the field `segments-2-redactions-0-start`,
the CSV import as a row and a column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Union

Path = tuple[Union[str, int], ...]


def json_path(path: Path, prefix: str = "") -> str:
    """`testimonies[3].segments[2].kind` from ("segments", 2, "kind") under "testimonies[3]"."""
    out = prefix
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(file)"


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    #: What sort of refusal it is, when a door treats it apart ("sealed": a sealed identity
    #: named, which an archivist may override); not part of what makes two problems the same.
    kind: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{json_path(self.path)}: {self.message}"

    def under(self, prefix: Path) -> "Problem":
        return Problem((*prefix, *self.path), self.message, self.kind)


class Rejected(ValueError):
    """The input breaks the catalog's rules; nothing was written. `problems` says what and where."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems) or "refused")

    @classmethod
    def one(cls, path: Union[str, Path], message: str) -> "Rejected":
        return cls([Problem(path if isinstance(path, tuple) else (path,), message)])

    @property
    def overridable(self) -> bool:
        """Whether every problem is one an archivist may override (a sealed identity named)."""
        return bool(self.problems) and all(p.kind == "sealed" for p in self.problems)

    @property
    def sealed(self) -> bool:
        """Whether any problem is a sealed identity named."""
        return any(p.kind == "sealed" for p in self.problems)

    def by_field(self, name: Callable[[Path], str] = json_path) -> dict[str, list[str]]:
        """Messages grouped by the door's own name for each field path."""
        grouped: dict[str, list[str]] = {}
        for problem in self.problems:
            grouped.setdefault(name(problem.path), []).append(problem.message)
        return grouped


@dataclass
class Problems:
    """Collects problems while an input is checked; `raise_any()` refuses the write if there are any."""

    found: list[Problem] = field(default_factory=list)
    prefix: Path = ()

    def add(self, path: Union[str, Path], message: str, kind: str = "") -> None:
        path = path if isinstance(path, tuple) else (path,)
        problem = Problem((*self.prefix, *path), message, kind)
        if problem not in self.found:
            self.found.append(problem)

    def under(self, *prefix: Union[str, int]) -> "Problems":
        """A view that adds below `prefix` (a segment's problems below ("segments", 2))."""
        return _Nested(self, (*self.prefix, *prefix))

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem.path, problem.message, problem.kind)

    def __bool__(self) -> bool:
        return bool(self.found)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.found)

    def raise_any(self) -> None:
        if self.found:
            raise Rejected(self.found)


class _Nested(Problems):
    def __init__(self, parent: Problems, prefix: Path) -> None:
        self.parent = parent
        self.prefix = prefix

    @property
    def found(self) -> list[Problem]:  # type: ignore[override]
        return self.parent.found
