"""One facet of the browse index as rows (testimony position, value code): the rows of the last
full build sorted both ways (CSR), the rows written since kept aside, and each value's count, so
a patched facet answers like one built afresh."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

import numpy as np

if TYPE_CHECKING:
    from .browse_facts import Labels

#: Facet counts gather the chosen testimonies' rows when fewer than 1 in SPARSE_RATIO are chosen.
SPARSE_RATIO = 16
#: A facet whose base rows are outdated for more testimonies than this is rebuilt in memory.
COMPACT_AFTER = 2048


@dataclass
class Facet:
    """One facet's rows (testimony position, value code): the rows of the last full build (or
    compaction) sorted by code and by position, plus the rows written since, kept aside."""

    name: str
    values: list[str]
    labels: list[str]
    #: Lowest viewer rank allowed to see each value's label (restricted sources' titles).
    value_rank: np.ndarray
    lookup: dict[str, int]
    #: Base rows: testimony position and value code, sorted by code, with code offsets (CSR).
    positions: np.ndarray
    codes: np.ndarray
    offsets: np.ndarray
    #: The same rows sorted by testimony position, with position offsets: each testimony's codes.
    by_position_codes: np.ndarray
    by_position_offsets: np.ndarray
    #: Current rows per value code (a value left with none is no longer in the catalog).
    totals: np.ndarray
    #: Positions whose base rows no longer hold (changed, or added after the base); None: none.
    stale: Optional[np.ndarray] = None
    #: Current rows of the stale positions.
    added_positions: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    added_codes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def code_of(self, value: str) -> Optional[int]:
        """The value's code while some testimony has it."""
        code = self.lookup.get(value)
        return code if code is not None and self.totals[code] else None

    def rows_for(self, value: str) -> np.ndarray:
        code = self.code_of(value)
        if code is None:
            return np.empty(0, dtype=np.int64)
        # A value first seen after the base has no base rows.
        rows = self.positions[self.offsets[code]:self.offsets[code + 1]] if code + 1 < self.offsets.size else \
            self.positions[:0]
        if self.stale is None:
            return rows
        return np.concatenate((rows[~self.stale[rows]], self.added_positions[self.added_codes == code]))

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Rows per value code among the testimonies in mask."""
        width = len(self.values)
        if not width:
            return np.zeros(0, dtype=np.int64)
        base = mask if self.stale is None else mask & ~self.stale
        chosen = np.flatnonzero(base)
        if chosen.size * SPARSE_RATIO < mask.size:
            # Few testimonies (a search's hits): gather their own rows instead of scanning all.
            starts = self.by_position_offsets[chosen]
            lengths = self.by_position_offsets[chosen + 1] - starts
            rows = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            counts = np.bincount(self.by_position_codes[rows], minlength=width)
        else:
            counts = np.bincount(self.codes[base[self.positions]], minlength=width)
        if self.added_positions.size:
            counts = counts + np.bincount(self.added_codes[mask[self.added_positions]], minlength=width)
        return counts

    def rows_at(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The current rows (position, code) of the testimonies at these (distinct) positions."""
        base_size = len(self.by_position_offsets) - 1
        inside = positions[positions < base_size]
        if self.stale is not None:
            inside = inside[~self.stale[inside]]
        starts = self.by_position_offsets[inside]
        lengths = self.by_position_offsets[inside + 1] - starts
        gathered = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        at, codes = np.repeat(inside, lengths), self.by_position_codes[gathered]
        if self.added_positions.size:
            chosen = np.isin(self.added_positions, positions)
            at = np.concatenate((at, self.added_positions[chosen]))
            codes = np.concatenate((codes, self.added_codes[chosen]))
        return at, codes

    def patched(self, changed: np.ndarray, size: int, rows: list[tuple[int, str]], labels: "Labels") -> "Facet":
        """A copy in which the testimonies at `changed` positions have exactly `rows`."""
        new = copy.copy(self)
        base_size = len(self.by_position_offsets) - 1
        was_stale = self.stale if self.stale is not None else np.zeros(base_size, dtype=bool)
        stale = np.ones(size, dtype=bool)
        stale[:was_stale.size] = was_stale
        totals = self.totals.copy()
        leaving = changed[changed < base_size]
        leaving = leaving[~was_stale[leaving]]
        if leaving.size:
            starts = self.by_position_offsets[leaving]
            lengths = self.by_position_offsets[leaving + 1] - starts
            gathered = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            totals -= np.bincount(self.by_position_codes[gathered], minlength=totals.size)
        is_changed = np.zeros(size, dtype=bool)
        is_changed[changed] = True
        dropped = is_changed[self.added_positions]
        if dropped.any():
            totals -= np.bincount(self.added_codes[dropped], minlength=totals.size)
        stale[changed] = True
        if any(value not in self.lookup for _, value in rows):
            new.values, new.labels, new.lookup = list(self.values), list(self.labels), dict(self.lookup)
            ranks = list(self.value_rank)
            for _, value in rows:
                if value not in new.lookup:
                    new.lookup[value] = len(new.values)
                    new.values.append(value)
                    label, rank = labels.label(self.name, value)
                    new.labels.append(label)
                    ranks.append(rank)
            new.value_rank = np.array(ranks, dtype=np.int8)
            totals = np.concatenate((totals, np.zeros(len(new.values) - totals.size, dtype=totals.dtype)))
        codes = np.fromiter((new.lookup[value] for _, value in rows), dtype=np.int64, count=len(rows))
        positions = np.fromiter((position for position, _ in rows), dtype=np.int64, count=len(rows))
        totals += np.bincount(codes, minlength=totals.size)
        new.totals = totals
        new.stale = stale
        new.added_positions = np.concatenate((self.added_positions[~dropped], positions))
        new.added_codes = np.concatenate((self.added_codes[~dropped], codes))
        if int(stale.sum()) > COMPACT_AFTER:
            live = ~stale[self.positions]
            return build_facet(self.name, new.values, new.labels, new.value_rank, new.lookup, size,
                          np.concatenate((self.positions[live], new.added_positions)),
                          np.concatenate((self.codes[live], new.added_codes)))
        return new

    def relabelled(self, labels: "Labels") -> "Facet":
        """A copy with every label and label rank read again (places or sources changed)."""
        new = copy.copy(self)
        pairs = [labels.label(self.name, value) for value in self.values]
        new.labels = [label for label, _ in pairs]
        new.value_rank = np.array([rank for _, rank in pairs], dtype=np.int8)
        return new


def build_facet(name: str, values: list[str], labels: list[str], value_rank: np.ndarray, lookup: dict[str, int],
           size: int, positions: np.ndarray, codes: np.ndarray) -> Facet:
    """A facet whose rows (positions, codes) are all base rows, sorted both ways."""
    order = np.argsort(codes, kind="stable")
    codes, positions = codes[order], positions[order]
    offsets = np.searchsorted(codes, np.arange(len(values) + 1))
    by_position = np.argsort(positions, kind="stable")
    by_position_offsets = np.searchsorted(positions[by_position], np.arange(size + 1))
    totals = np.diff(offsets).astype(np.int64)
    return Facet(name, values, labels, value_rank, lookup, positions, codes, offsets,
                 codes[by_position], by_position_offsets, totals)
