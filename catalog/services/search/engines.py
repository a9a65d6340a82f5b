"""The two search engines behind one interface: SQLite FTS5 and PostgreSQL tsvector + GIN.

Both receive the same folded tokens from Python and the same parsed query, and both keep
visibility, kind and facet values in the index as tag tokens, so a count is one index lookup with
no join. Only the SQL differs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import Connection

from .documents import IndexRow
from .query import Alternative, ParsedQuery

#: FTS5's buffer of pending terms, in bytes: its default, and what a full rebuild uses.
FTS_DEFAULT_HASH_BYTES = 1024 * 1024
FTS_REBUILD_HASH_BYTES = 64 * 1024 * 1024
#: Memory PostgreSQL may use to build the full-text GIN indexes after a full rebuild.
GIN_BUILD_MEMORY = "512MB"
#: PostgreSQL keeps positions up to this number in a tsvector.
PG_MAX_POSITION = 16383


@dataclass(frozen=True)
class Constraints:
    """What besides the words a hit must satisfy: the viewer's rank, kinds of text, facets."""

    rank: int
    kind_tags: tuple[str, ...] = ()
    #: Every tag here must be present (facet filters combine with AND).
    required_tags: tuple[str, ...] = ()
    #: Passages with any of these tags are hidden too (embargoes not yet over, for non-staff).
    excluded_tags: tuple[str, ...] = ()

    @property
    def hidden_tags(self) -> tuple[str, ...]:
        """Tags of the passages this viewer may not read."""
        return (f"h{self.rank}", *self.excluded_tags)


@dataclass(frozen=True)
class Hit:
    doc_id: int
    segment_id: int
    testimony_id: Optional[int]
    source_id: Optional[int]


class Engine:
    name = ""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # maintenance
    def clear(self) -> None: ...
    def delete_segments(self, segment_ids: Sequence[int]) -> None: ...
    def insert(self, rows: Sequence[IndexRow], bulk: bool = False) -> None: ...
    def before_bulk(self) -> None: ...
    def after_bulk(self) -> None: ...

    # reading
    def count(self, query: ParsedQuery, constraints: Constraints) -> int: ...
    def hits(self, query: ParsedQuery, constraints: Constraints, limit: int, offset: int, ranked: bool) -> list[Hit]: ...
    def sample(self, query: ParsedQuery, constraints: Constraints, limit: int) -> list[tuple]:
        """(testimony_id, source_id) of the first `limit` hits in index order."""
    def hits_after(self, query: ParsedQuery, constraints: Constraints, after: int, limit: int) -> list[Hit]:
        """The next `limit` hits in index order after the index row `after` (every hit, a batch at
        a time: each batch is one look-up from where the last ended, however deep)."""


def _chunks(values: Sequence, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


# --- SQLite FTS5 ----------------------------------------------------------------------------


def _fts_alternative(alt: Alternative) -> str:
    phrase = '"' + " ".join(alt.tokens) + '"'
    return phrase + " *" if alt.prefix else phrase


def _fts_term(term) -> str:
    return "(" + " OR ".join(_fts_alternative(alt) for alt in term.alternatives) + ")"


def fts5_match(query: ParsedQuery, constraints: Constraints, visibility: bool = True) -> str:
    body = " AND ".join(_fts_term(term) for term in query.positive)
    for term in query.negative:
        body = f"({body}) NOT {_fts_term(term)}"
    parts = [f"body:({body})"]
    if constraints.kind_tags:
        parts.append("tags:(" + " OR ".join(constraints.kind_tags) + ")")
    parts.extend(f"tags:{tag}" for tag in constraints.required_tags)
    matched = "(" + " AND ".join(parts) + ")"
    return f"{matched} NOT {fts5_hidden(constraints)}" if visibility else matched


def fts5_hidden(constraints: Constraints) -> str:
    """The FTS5 expression of the passages hidden from this viewer."""
    return "tags:(" + " OR ".join(constraints.hidden_tags) + ")"


class SQLiteEngine(Engine):
    name = "sqlite"

    def _hash_size(self, size: int) -> None:
        try:
            self.connection.exec_driver_sql(f"INSERT INTO search_fts(search_fts, rank) VALUES('hashsize', {int(size)})")
        except DBAPIError:
            pass  # an SQLite without the setting: the rebuild is only slower

    def clear(self) -> None:
        self.connection.exec_driver_sql("DELETE FROM search_documents")
        self.connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES('delete-all')")

    def delete_segments(self, segment_ids: Sequence[int]) -> None:
        for chunk in _chunks(list(segment_ids)):
            marks = ",".join("?" * len(chunk))
            self.connection.exec_driver_sql(
                "INSERT INTO search_fts(search_fts, rowid, body, tags) SELECT 'delete', id, body, tags "
                f"FROM search_documents WHERE segment_id IN ({marks})",
                tuple(chunk),
            )
            self.connection.exec_driver_sql(f"DELETE FROM search_documents WHERE segment_id IN ({marks})", tuple(chunk))

    def insert(self, rows: Sequence[IndexRow], bulk: bool = False) -> None:
        if not rows:
            return
        values = [(r.id, r.segment_id, r.testimony_id, r.source_id, " ".join(r.tokens), " ".join(r.tags)) for r in rows]
        self.connection.exec_driver_sql(
            "INSERT INTO search_documents (id, segment_id, testimony_id, source_id, body, tags) VALUES (?, ?, ?, ?, ?, ?)",
            values,
        )
        if not bulk:
            self.connection.exec_driver_sql(
                "INSERT INTO search_fts(rowid, body, tags) VALUES (?, ?, ?)", [(v[0], v[4], v[5]) for v in values]
            )

    def after_bulk(self) -> None:
        # One pass over the content table builds the full-text index far faster than row inserts.
        # With FTS5's default 1 MB of pending terms it writes (and later merges) thousands of
        # small segments; a larger buffer for the rebuild alone halves its time.
        self._hash_size(FTS_REBUILD_HASH_BYTES)
        self.connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES('rebuild')")
        self.connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES('optimize')")
        self._hash_size(FTS_DEFAULT_HASH_BYTES)
        # Fresh statistics let the planner pick primary-key lookups for paged reads.
        self.connection.exec_driver_sql("ANALYZE")

    def count(self, query: ParsedQuery, constraints: Constraints) -> int:
        # All matches minus those hidden from this rank: two index counts, each cheaper than one
        # NOT over a long doclist (the hidden list is short, so the second count is quick).
        everything = fts5_match(query, constraints, visibility=False)
        total = self.connection.exec_driver_sql(
            "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (everything,)
        ).scalar_one()
        if not total:
            return 0
        hidden = self.connection.exec_driver_sql(
            "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (f"({everything}) AND {fts5_hidden(constraints)}",)
        ).scalar_one()
        return total - hidden

    def hits(self, query, constraints, limit, offset, ranked) -> list[Hit]:
        select_hits = (
            "SELECT d.id, d.segment_id, d.testimony_id, d.source_id FROM search_fts "
            "JOIN search_documents d INDEXED BY ix_search_documents_lookup ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH ? "
        )
        if not ranked:
            rows = self.connection.exec_driver_sql(
                select_hits + "ORDER BY search_fts.rowid LIMIT ? OFFSET ?",
                (fts5_match(query, constraints), limit, offset),
            )
            return [Hit(*row) for row in rows]
        # bm25 weighs every phrase of the expression, and the visibility phrase (NOT tags:hN)
        # names a large part of the index: ranking with it costs 15-20 ms however few the hits.
        # So the hits are ranked without it, and the few hidden from this rank (listed by one
        # unranked look-up) are dropped from that ranked list.
        everything = fts5_match(query, constraints, visibility=False)
        hidden = {row[0] for row in self.connection.exec_driver_sql(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH ?", (f"({everything}) AND {fts5_hidden(constraints)}",)
        )}
        rows = self.connection.exec_driver_sql(
            select_hits + "ORDER BY bm25(search_fts, 1.0, 0.0), search_fts.rowid LIMIT ?",
            (everything, offset + limit + len(hidden)),
        )
        return [Hit(*row) for row in rows if row[0] not in hidden][offset:offset + limit]

    def hits_after(self, query, constraints, after, limit) -> list[Hit]:
        rows = self.connection.exec_driver_sql(
            "SELECT d.id, d.segment_id, d.testimony_id, d.source_id FROM search_fts "
            "JOIN search_documents d INDEXED BY ix_search_documents_lookup ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH ? AND search_fts.rowid > ? ORDER BY search_fts.rowid LIMIT ?",
            (fts5_match(query, constraints), after, limit),
        )
        return [Hit(*row) for row in rows]

    def sample(self, query, constraints, limit) -> list[tuple]:
        return self.connection.exec_driver_sql(
            "SELECT d.testimony_id, d.source_id FROM search_fts "
            "JOIN search_documents d INDEXED BY ix_search_documents_lookup ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH ? ORDER BY search_fts.rowid LIMIT ?",
            (fts5_match(query, constraints), limit),
        ).all()


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_alternative(alt: Alternative) -> str:
    words = [f"'{token}'" for token in alt.tokens]
    if alt.prefix:
        words[-1] += ":*"
    return "(" + " <-> ".join(words) + ")"


def _pg_term(term) -> str:
    return "(" + " | ".join(_pg_alternative(alt) for alt in term.alternatives) + ")"


def pg_queries(query: ParsedQuery, constraints: Constraints) -> tuple[str, str]:
    """The tsquery on the passage's words, and the tsquery its tags must match ('' for none).

    The viewer's visibility is not in these: a negated tag (!hN) is a query the GIN index cannot
    answer, so it would turn every search into a scan of the table. It is checked on the rows the
    word index finds instead (see `_pg_where`)."""
    body = " & ".join([_pg_term(t) for t in query.positive] + [f"!{_pg_term(t)}" for t in query.negative])
    tags = []
    if constraints.kind_tags:
        tags.append("(" + " | ".join(constraints.kind_tags) + ")")
    tags.extend(constraints.required_tags)
    return body, " & ".join(tags)


def _pg_where(query: ParsedQuery, constraints: Constraints) -> tuple[str, dict]:
    body, tags = pg_queries(query, constraints)
    where = "body @@ CAST(:b AS tsquery) AND NOT (tags @@ CAST(:h AS tsquery))"
    params = {"b": body, "h": " | ".join(constraints.hidden_tags)}
    if tags:
        where += " AND tags @@ CAST(:t AS tsquery)"
        params["t"] = tags
    return where, params


def tsvector_literal(tokens: Iterable[str], positions: bool = True) -> str:
    if not positions:
        return " ".join(f"'{token}'" for token in dict.fromkeys(tokens))
    where: dict[str, list[int]] = {}
    for index, token in enumerate(tokens, 1):
        where.setdefault(token, []).append(min(index, PG_MAX_POSITION))
    return " ".join(f"'{token}':{','.join(map(str, sorted(set(spots))[:256]))}" for token, spots in where.items())


class PostgresEngine(Engine):
    name = "postgresql"

    def clear(self) -> None:
        self.connection.exec_driver_sql("TRUNCATE search_documents")

    def delete_segments(self, segment_ids: Sequence[int]) -> None:
        for chunk in _chunks(list(segment_ids), 5000):
            self.connection.execute(
                text("DELETE FROM search_documents WHERE segment_id = ANY(:ids)"), {"ids": list(chunk)}
            )

    def insert(self, rows: Sequence[IndexRow], bulk: bool = False) -> None:
        if not rows:
            return
        if bulk:
            buffer = io.StringIO()
            for r in rows:
                fields = [str(r.id), str(r.segment_id), _copy_value(r.testimony_id), _copy_value(r.source_id),
                          tsvector_literal(r.tokens), tsvector_literal(r.tags, positions=False)]
                buffer.write("\t".join(fields) + "\n")
            cursor = self.connection.connection.driver_connection.cursor()
            with cursor.copy(
                "COPY search_documents (id, segment_id, testimony_id, source_id, body, tags) FROM STDIN"
            ) as copy:
                copy.write(buffer.getvalue())
            return
        self.connection.execute(
            text(
                "INSERT INTO search_documents (id, segment_id, testimony_id, source_id, body, tags) "
                "VALUES (:id, :segment_id, :testimony_id, :source_id, CAST(:body AS tsvector), CAST(:tags AS tsvector))"
            ),
            [
                {"id": r.id, "segment_id": r.segment_id, "testimony_id": r.testimony_id, "source_id": r.source_id,
                 "body": tsvector_literal(r.tokens), "tags": tsvector_literal(r.tags, positions=False)}
                for r in rows
            ],
        )

    def before_bulk(self) -> None:
        self.connection.exec_driver_sql("DROP INDEX IF EXISTS ix_search_documents_body_gin")
        self.connection.exec_driver_sql("DROP INDEX IF EXISTS ix_search_documents_tags_gin")

    def after_bulk(self) -> None:
        # A GIN index built in one pass is built in memory as far as it fits: the server's default
        # 64 MB spills a 100,000-testimony index to disk many times. For this transaction only.
        self.connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{GIN_BUILD_MEMORY}'")
        self.connection.exec_driver_sql("CREATE INDEX ix_search_documents_body_gin ON search_documents USING gin (body)")
        self.connection.exec_driver_sql("CREATE INDEX ix_search_documents_tags_gin ON search_documents USING gin (tags)")
        self.connection.exec_driver_sql("ANALYZE search_documents")

    def count(self, query, constraints) -> int:
        where, params = _pg_where(query, constraints)
        return self.connection.execute(text(f"SELECT count(*) FROM search_documents WHERE {where}"), params).scalar_one()

    def hits(self, query, constraints, limit, offset, ranked) -> list[Hit]:
        where, params = _pg_where(query, constraints)
        order = "ts_rank(body, CAST(:b AS tsquery)) DESC, id" if ranked else "id"
        rows = self.connection.execute(
            text(f"SELECT id, segment_id, testimony_id, source_id FROM search_documents WHERE {where} "
                 f"ORDER BY {order} LIMIT :limit OFFSET :offset"),
            {**params, "limit": limit, "offset": offset},
        )
        return [Hit(*row) for row in rows]

    def hits_after(self, query, constraints, after, limit) -> list[Hit]:
        where, params = _pg_where(query, constraints)
        rows = self.connection.execute(
            text(f"SELECT id, segment_id, testimony_id, source_id FROM search_documents WHERE {where} "
                 "AND id > :after ORDER BY id LIMIT :limit"),
            {**params, "after": after, "limit": limit},
        )
        return [Hit(*row) for row in rows]

    def sample(self, query, constraints, limit) -> list[tuple]:
        where, params = _pg_where(query, constraints)
        return self.connection.execute(
            text(f"SELECT testimony_id, source_id FROM search_documents WHERE {where} ORDER BY id LIMIT :limit"),
            {**params, "limit": limit},
        ).all()


def _copy_value(value) -> str:
    return "\\N" if value is None else str(value)


def engine_for(connection: Connection) -> Engine:
    if connection.dialect.name == "sqlite":
        return SQLiteEngine(connection)
    return PostgresEngine(connection)


# --- the record index: testimonies matched by their metadata ----------------------------------


@dataclass(frozen=True)
class RecordHit:
    doc_id: int
    testimony_id: int


class RecordEngine:
    """The record index (`record_documents`): one row per testimony and distinct audience form of
    its details. The same folded tokens, query syntax and tag constraints as the passage index."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def clear(self) -> None: ...
    def delete(self, testimony_ids: Sequence[int]) -> None: ...
    def insert(self, rows: Sequence, bulk: bool = False) -> None: ...
    def before_bulk(self) -> None: ...
    def after_bulk(self) -> None: ...
    def count(self, query: ParsedQuery, constraints: Constraints) -> int: ...
    def hits(self, query: ParsedQuery, constraints: Constraints, limit: int, offset: int,
             ranked: bool) -> list[RecordHit]: ...


class SQLiteRecords(RecordEngine):
    def clear(self) -> None:
        self.connection.exec_driver_sql("DELETE FROM record_documents")
        self.connection.exec_driver_sql("INSERT INTO record_fts(record_fts) VALUES('delete-all')")

    def delete(self, testimony_ids: Sequence[int]) -> None:
        for chunk in _chunks(list(testimony_ids)):
            marks = ",".join("?" * len(chunk))
            self.connection.exec_driver_sql(
                "INSERT INTO record_fts(record_fts, rowid, body, tags) SELECT 'delete', id, body, tags "
                f"FROM record_documents WHERE testimony_id IN ({marks})",
                tuple(chunk),
            )
            self.connection.exec_driver_sql(f"DELETE FROM record_documents WHERE testimony_id IN ({marks})", tuple(chunk))

    def insert(self, rows, bulk: bool = False) -> None:
        if not rows:
            return
        values = [(r.id, r.testimony_id, " ".join(r.tokens), " ".join(r.tags)) for r in rows]
        self.connection.exec_driver_sql(
            "INSERT INTO record_documents (id, testimony_id, body, tags) VALUES (?, ?, ?, ?)", values)
        if not bulk:
            self.connection.exec_driver_sql(
                "INSERT INTO record_fts(rowid, body, tags) VALUES (?, ?, ?)", [(v[0], v[2], v[3]) for v in values])

    def after_bulk(self) -> None:
        self.connection.exec_driver_sql("INSERT INTO record_fts(record_fts) VALUES('rebuild')")
        self.connection.exec_driver_sql("INSERT INTO record_fts(record_fts) VALUES('optimize')")

    def count(self, query, constraints) -> int:
        return self.connection.exec_driver_sql(
            "SELECT count(*) FROM record_fts WHERE record_fts MATCH ?", (fts5_match(query, constraints),)
        ).scalar_one()

    def hits(self, query, constraints, limit, offset, ranked) -> list[RecordHit]:
        order = "bm25(record_fts, 1.0, 0.0), record_fts.rowid" if ranked else "record_fts.rowid"
        rows = self.connection.exec_driver_sql(
            "SELECT d.id, d.testimony_id FROM record_fts JOIN record_documents d ON d.id = record_fts.rowid "
            f"WHERE record_fts MATCH ? ORDER BY {order} LIMIT ? OFFSET ?",
            (fts5_match(query, constraints), limit, offset),
        )
        return [RecordHit(*row) for row in rows]


class PostgresRecords(RecordEngine):
    def clear(self) -> None:
        self.connection.exec_driver_sql("TRUNCATE record_documents")

    def delete(self, testimony_ids: Sequence[int]) -> None:
        for chunk in _chunks(list(testimony_ids), 5000):
            self.connection.execute(
                text("DELETE FROM record_documents WHERE testimony_id = ANY(:ids)"), {"ids": list(chunk)})

    def insert(self, rows, bulk: bool = False) -> None:
        if not rows:
            return
        if bulk:
            buffer = io.StringIO()
            for r in rows:
                buffer.write("\t".join([str(r.id), str(r.testimony_id), tsvector_literal(r.tokens),
                                        tsvector_literal(r.tags, positions=False)]) + "\n")
            cursor = self.connection.connection.driver_connection.cursor()
            with cursor.copy("COPY record_documents (id, testimony_id, body, tags) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            return
        self.connection.execute(
            text("INSERT INTO record_documents (id, testimony_id, body, tags) "
                 "VALUES (:id, :testimony_id, CAST(:body AS tsvector), CAST(:tags AS tsvector))"),
            [{"id": r.id, "testimony_id": r.testimony_id, "body": tsvector_literal(r.tokens),
              "tags": tsvector_literal(r.tags, positions=False)} for r in rows],
        )

    def before_bulk(self) -> None:
        self.connection.exec_driver_sql("DROP INDEX IF EXISTS ix_record_documents_body_gin")
        self.connection.exec_driver_sql("DROP INDEX IF EXISTS ix_record_documents_tags_gin")

    def after_bulk(self) -> None:
        self.connection.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{GIN_BUILD_MEMORY}'")
        self.connection.exec_driver_sql("CREATE INDEX ix_record_documents_body_gin ON record_documents USING gin (body)")
        self.connection.exec_driver_sql("CREATE INDEX ix_record_documents_tags_gin ON record_documents USING gin (tags)")
        self.connection.exec_driver_sql("ANALYZE record_documents")

    def count(self, query, constraints) -> int:
        where, params = _pg_where(query, constraints)
        return self.connection.execute(text(f"SELECT count(*) FROM record_documents WHERE {where}"), params).scalar_one()

    def hits(self, query, constraints, limit, offset, ranked) -> list[RecordHit]:
        where, params = _pg_where(query, constraints)
        order = "ts_rank(body, CAST(:b AS tsquery)) DESC, id" if ranked else "id"
        rows = self.connection.execute(
            text(f"SELECT id, testimony_id FROM record_documents WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset"),
            {**params, "limit": limit, "offset": offset},
        )
        return [RecordHit(*row) for row in rows]


def records_for(connection: Connection) -> RecordEngine:
    if connection.dialect.name == "sqlite":
        return SQLiteRecords(connection)
    return PostgresRecords(connection)
