"""The ledger: what each document of a store contributed, kept in SQLite beside the triples.

A document is extracted once. Its ``DocFacts`` (things clustered within the document, relations
and events keyed by cluster, the sentences they cite) go into the ledger; entity ids are then
given from names alone (``resolve.IdAssigner``), and the triples of a thing are made from the
ledger rows that mention it. Adding or removing documents therefore touches only the things whose
rows changed, and a graph built in one go equals one built by updates: both are a function of the
set of documents in the ledger.

Tables: ``docs`` (metadata and cited sentences), ``clusters`` (one row per thing per document, with
its entity id), ``relations`` and ``events`` (one row per claim, with the key of the merged fact it
belongs to). Rows are JSON arrays of the dataclass fields. ``names`` and ``links`` hold what the
resolution of organisations and places reads, summed over documents (votes, first document, the
names each name is joined to), so that an update re-resolves one row per distinct name rather than
every cluster of every document. ``entities`` holds each entity's totals (``EntityTotals``), so an
update adds a new document's clusters to an entity named in thousands of documents without reading
the others.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from .errors import KgError
from .model import ClaimedEvent, ClaimedRelation, Cluster, DocFacts
from .rdf import Lines
from .resolve import (EntityTotals, IdAssigner, entity_of, entity_totals, event_id, event_key, event_of, person_ids,
                      relation_key, relation_of)

VERSION = "3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (id TEXT PRIMARY KEY, path TEXT NOT NULL, head TEXT NOT NULL, quotes TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clusters (doc TEXT NOT NULL, key TEXT NOT NULL, label TEXT NOT NULL, name TEXT NOT NULL,
    entity TEXT, names TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (doc, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS clusters_entity ON clusters (entity);
CREATE INDEX IF NOT EXISTS clusters_name ON clusters (label, name);
CREATE TABLE IF NOT EXISTS relations (doc TEXT NOT NULL, n INTEGER NOT NULL, data TEXT NOT NULL, fact TEXT,
    key TEXT, PRIMARY KEY (doc, n)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS relations_fact ON relations (fact);
CREATE TABLE IF NOT EXISTS events (doc TEXT NOT NULL, n INTEGER NOT NULL, data TEXT NOT NULL, fact TEXT,
    key TEXT, PRIMARY KEY (doc, n)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_fact ON events (fact);
CREATE TABLE IF NOT EXISTS names (label TEXT NOT NULL, name TEXT NOT NULL, votes INTEGER NOT NULL,
    docs INTEGER NOT NULL, first TEXT NOT NULL, entity TEXT, PRIMARY KEY (label, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS links (label TEXT NOT NULL, name TEXT NOT NULL, other TEXT NOT NULL,
    n INTEGER NOT NULL, PRIMARY KEY (label, name, other)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entities (id TEXT PRIMARY KEY, totals TEXT NOT NULL) WITHOUT ROWID;
"""
_HEAD = ("id", "path", "format", "encoding", "script", "title", "url", "published", "source")


def _dump(obj) -> str:
    """A dataclass as a JSON array of its fields (tuples become arrays)."""
    return json.dumps([getattr(obj, name) for name in obj.__slots__], ensure_ascii=False, separators=(",", ":"))


def _tuples(values: list) -> tuple:
    return tuple(tuple(_tuples(v)) if isinstance(v, list) else v for v in values)


def _cluster(data: str) -> Cluster:
    key, label, name, names, aliases, legal, first, eligible, confidences, sentences, orgs = json.loads(data)
    return Cluster(key, label, name, tuple(names), tuple(aliases), legal, tuple(first), eligible, tuple(confidences),
                   tuple(sentences), tuple(orgs))


def _relation(data: str) -> ClaimedRelation:
    return ClaimedRelation(*json.loads(data))


def _event(data: str) -> ClaimedEvent:
    kind, trigger, participants, sentence, confidence, date, quantities = json.loads(data)
    return ClaimedEvent(kind, trigger, tuple(participants), sentence, confidence, date, tuple(quantities))


class DocHead:
    """A document's metadata as the ledger keeps it (what ``Lines.document_lines`` reads)."""

    __slots__ = _HEAD

    def __init__(self, values) -> None:
        for name, value in zip(_HEAD, values):
            setattr(self, name, value)


def _bare(doc_id: str, index: int) -> tuple[str, int]:
    return doc_id, index


def _relation_fact(key) -> str:
    """Relations that share subject, predicate and object share their direct triple, so they are
    rewritten together: this is the unit of an update."""
    return "\t".join(key[:3])


class Ledger:
    """One SQLite file. Writes happen in one transaction, committed by ``commit``.

    A store's ledger is ``durable``: SQLite's rollback journal makes each commit all or nothing
    whenever the process dies, and the commit is on disk when it returns. A ledger in a temporary
    folder, thrown away after one build, needs neither."""

    def __init__(self, path: str | Path, base: str, min_confidence: float = 0.0, durable: bool = False):
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(str(self.path), isolation_level=None)
            if not durable:
                self.db.execute("PRAGMA journal_mode=OFF")
                self.db.execute("PRAGMA synchronous=OFF")
            self.db.executescript(_SCHEMA)
            self.db.execute("BEGIN")
        except sqlite3.OperationalError:
            raise  # cannot write (a full disk, say): the caller names the store
        except sqlite3.DatabaseError as err:
            raise KgError(f"the store's ledger is damaged: {err}", str(path)) from None
        stored = dict(self.db.execute("SELECT key, value FROM meta"))
        settings = {"version": VERSION, "base": base, "min_confidence": repr(float(min_confidence))}
        if stored and stored.get("version") != VERSION:
            raise KgError(f"store written by another version of kg (ledger {stored.get('version')})", str(path),
                          hint="rebuild it with --replace")
        for key in ("base", "min_confidence"):
            if stored and stored.get(key) != settings[key]:
                raise KgError(f"the store was built with {key.replace('_', '-')} {stored.get(key)}, not {settings[key]}",
                              str(path), hint="use the same option, or rebuild with --replace")
        if not stored:
            self.db.executemany("INSERT INTO meta VALUES (?, ?)", settings.items())
        self.committed = "generation" in stored  # an earlier build committed into this ledger
        self.triples = int(stored.get("triples", 0))  # in the graph (kept up to date by writers)
        self.counts = json.loads(stored.get("counts", '{"entities": {}, "relations": 0, "events": 0}'))
        self.lines = Lines(base)
        self.min_confidence = float(min_confidence)
        self.added: list[str] = []
        self.removed: list[str] = []

    # -- documents ------------------------------------------------------------------------------

    def __contains__(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone() is not None

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def add(self, facts: DocFacts) -> bool:
        """Record a document's facts; False (and nothing changes) if a document with its content is here."""
        if facts.id in self:
            return False
        head = json.dumps([getattr(facts, k) for k in _HEAD], ensure_ascii=False)
        quotes = json.dumps([(q.index, q.start, q.end, q.text) for q in facts.quotes], ensure_ascii=False)
        self.db.execute("INSERT INTO docs VALUES (?, ?, ?, ?)", (facts.id, facts.path, head, quotes))
        self.db.executemany("INSERT INTO clusters VALUES (?, ?, ?, ?, NULL, ?, ?)",
                            [(facts.id, c.key, c.label, c.name, _names(c), _dump(c)) for c in facts.clusters])
        votes, links = _tally((c.label, c.name, c.names) for c in facts.clusters if c.label != "Person")
        self.db.executemany("INSERT INTO names VALUES (?, ?, ?, 1, ?, NULL) ON CONFLICT (label, name) DO UPDATE "
                            "SET votes = votes + excluded.votes, docs = docs + 1, first = min(first, excluded.first)",
                            [(label, name, n, facts.id) for (label, name), n in votes.items()])
        self.db.executemany("INSERT INTO links VALUES (?, ?, ?, ?) ON CONFLICT (label, name, other) DO UPDATE "
                            "SET n = n + excluded.n", [(*link, n) for link, n in links.items()])
        self.db.executemany("INSERT INTO relations VALUES (?, ?, ?, NULL, NULL)",
                            [(facts.id, n, _dump(r)) for n, r in enumerate(facts.relations)])
        self.db.executemany("INSERT INTO events VALUES (?, ?, ?, NULL, NULL)",
                            [(facts.id, n, _dump(e)) for n, e in enumerate(facts.events)])
        self.added.append(facts.id)
        return True

    def find(self, ref: str) -> str:
        """The id of the document ``ref`` names: its content hash (or a prefix of 8+ characters), its
        IRI, or the path it was read from."""
        ref = ref.strip()
        tail = ref.rstrip("/").rsplit("/doc/", 1)[-1] if "/doc/" in ref else ref
        rows = []
        if len(tail) >= 8 and all(c in "0123456789abcdef" for c in tail.lower()):
            rows = self.db.execute("SELECT id FROM docs WHERE id >= ? AND id < ? ORDER BY id",
                                   (tail.lower(), tail.lower() + "g")).fetchall()
        if not rows:
            rows = self.db.execute("SELECT id FROM docs WHERE path = ? ORDER BY id", (ref,)).fetchall()
        if not rows:
            raise KgError("no such document in the store", ref, hint="give its content hash, IRI or path")
        if len(rows) > 1:
            raise KgError(f"{len(rows)} documents match; give more of the content hash", ref)
        return rows[0][0]

    def remove(self, doc_id: str) -> None:
        """Mark a document for removal; its rows go in ``update``, once their old triples are known."""
        if doc_id not in self.removed:
            self.removed.append(doc_id)

    # -- resolution and the triples it changes -------------------------------------------------

    def _pages(self, query: str, columns: str, params: tuple = (), size: int = 20_000) -> Iterator[tuple]:
        """The rows of ``query`` (which ends ``WHERE … AND``) in ``columns`` order, fetched a page at a
        time by key, so no read stays open while rows are written."""
        names = [c.strip() for c in columns.split(",")]
        last = None
        while True:
            after = f"({columns}) > ({', '.join('?' * len(names))})" if last else "1"
            rows = self.db.execute(f"{query} {after} ORDER BY {columns} LIMIT {size}", (*params, *(last or ()))).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][:len(names)]

    def _forget_names(self, docs: list[str]) -> None:
        """Take the documents about to be removed out of ``names`` and ``links`` (their cluster rows
        stay until the old lines have been made)."""
        gone = set(docs)
        votes: dict[tuple[str, str], int] = {}
        counts: dict[tuple[str, str], int] = {}
        links: dict[tuple[str, str, str], int] = {}
        by_doc: dict[str, list] = {}
        for doc, label, name, names in self._rows("SELECT doc, label, name, names FROM clusters "
                                                  "WHERE label != 'Person' AND doc IN ({})", docs):
            by_doc.setdefault(doc, []).append((label, name, json.loads(names)))
        for rows in by_doc.values():
            doc_votes, doc_links = _tally(rows)
            for name, n in doc_votes.items():
                votes[name] = votes.get(name, 0) + n
                counts[name] = counts.get(name, 0) + 1
            for link, n in doc_links.items():
                links[link] = links.get(link, 0) + n
        self.db.executemany("UPDATE names SET votes = votes - ?, docs = docs - ? WHERE label = ? AND name = ?",
                            [(votes[name], counts[name], *name) for name in sorted(votes)])
        self.db.executemany("UPDATE links SET n = n - ? WHERE label = ? AND name = ? AND other = ?",
                            [(n, *link) for link, n in sorted(links.items())])
        self.db.execute("DELETE FROM names WHERE votes <= 0")
        self.db.execute("DELETE FROM links WHERE n <= 0")
        for label, name in sorted(votes):
            row = self.db.execute("SELECT first FROM names WHERE label = ? AND name = ?", (label, name)).fetchone()
            if row and row[0] in gone:
                rest = (d for (d,) in self.db.execute("SELECT doc FROM clusters WHERE label = ? AND name = ? "
                                                      "ORDER BY doc", (label, name)) if d not in gone)
                self.db.execute("UPDATE names SET first = ? WHERE label = ? AND name = ?", (next(rest), label, name))

    def _changes(self, everything: bool) -> Iterator[tuple[str, str, str | None, str]]:
        """(doc, key, stored id, new id) of every cluster whose entity id is not what resolution now
        gives: the clusters of the documents added, and of every name whose id moved. With
        ``everything``, every cluster is looked at (a first build). Memory: one entry per distinct
        name, plus the persons of one name at a time."""
        gone = set(self.removed)
        assigner = IdAssigner()
        for label, name, votes, docs, first in self._pages(
                "SELECT label, name, votes, docs, first FROM names WHERE", "label, name"):
            assigner.add_summary(label, name, votes, first, docs > 1)
        for label, name, other in self._pages("SELECT label, name, other FROM links WHERE", "label, name, other"):
            assigner.join(label, name, other)
        assigner.finish()
        moved = []
        for label, name, entity in self._pages("SELECT label, name, entity FROM names WHERE", "label, name"):
            if (new := assigner.name_id(label, name)) != entity:
                moved.append((new, label, name))
        self.db.executemany("UPDATE names SET entity = ? WHERE label = ? AND name = ?", moved)
        if everything:
            things = self._pages("SELECT doc, key, label, name, entity FROM clusters WHERE label != 'Person' AND",
                                 "doc, key")
        else:
            things = [row for new, label, name in moved for row in self.db.execute(
                "SELECT doc, key, label, name, entity FROM clusters WHERE label = ? AND name = ?", (label, name))]
            moved_names = {(label, name) for _, label, name in moved}
            things += [row for row in self._rows("SELECT doc, key, label, name, entity FROM clusters "
                                                 "WHERE label != 'Person' AND doc IN ({})", self.added)
                       if (row[2], row[3]) not in moved_names]
        for doc, key, label, name, entity in things:
            if doc not in gone and (new := assigner.name_id(label, name)) != entity:
                yield doc, key, entity, new
        if everything:
            people = [name for (name,) in self.db.execute(
                "SELECT DISTINCT name FROM clusters WHERE label = 'Person' ORDER BY name")]
        else:
            people = sorted({name for (name,) in self._rows(
                "SELECT DISTINCT name FROM clusters WHERE label = 'Person' AND doc IN ({})",
                [*self.added, *self.removed])})
        for name in people:
            group, stored = [], {}
            for doc, key, entity, orgs in self.db.execute(
                    "SELECT doc, key, entity, names FROM clusters WHERE label = 'Person' AND name = ?", (name,)):
                if doc not in gone:
                    group.append((doc, key, tuple(json.loads(orgs))))
                    stored[(doc, key)] = entity
            for (doc, key), new in person_ids(name, group).items():
                if new != stored[(doc, key)]:
                    yield doc, key, stored[(doc, key)], new

    def update(self) -> tuple[set[str], set[str], bool]:
        """Apply the documents added and removed since the last commit: returns the N-Triples lines
        to delete from and to add to the graph, and whether the graph must instead be written whole
        (a first build, or a confidence threshold, which can hide or show anything)."""
        first = not self.db.execute("SELECT 1 FROM clusters WHERE entity IS NOT NULL LIMIT 1").fetchone()
        self._forget_names(self.removed)
        if first or self.min_confidence > 0:
            changes = self._changes(first)
            while chunk := list(islice(changes, 10_000)):
                self._set_ids(chunk)
            self._delete(self.removed)
            docs = [d for (d,) in self.db.execute("SELECT id FROM docs ORDER BY id")]
            for i in range(0, len(docs), 500):
                self._write_keys(self._rekey(docs[i:i + 500], {}))
            self.counts = self.recount()
            self.db.execute("DELETE FROM entities")  # summed again as the graph is written: all_lines(remember=True)
            return set(), set(), True
        changed = list(self._changes(False))
        touched_docs = sorted({doc for doc, *_ in changed} | set(self.removed))
        entities = {e for _, _, old, new in changed for e in (old, new) if e}
        entities |= {e for (e,) in self._rows("SELECT DISTINCT entity FROM clusters WHERE doc IN ({})", self.removed)}
        overrides: dict[str, dict[str, str]] = {}
        for doc, key, _, new in changed:
            overrides.setdefault(doc, {})[key] = new
        rekeyed = self._rekey(sorted(overrides), overrides)
        relation_facts = self._facts("relations", touched_docs) | {f for f, *_ in rekeyed["relations"] if f}
        event_facts = self._facts("events", touched_docs) | {f for f, *_ in rekeyed["events"] if f}
        # Evidence links from documents the update does not touch are the same before and after: an
        # entity or fact whose id changes has every one of its rows in a touched document.
        only = sorted(set(touched_docs) | set(self.added))
        members = {(doc, key): (entity, _cluster(data)) for doc, key, entity, data in
                   self._rows("SELECT doc, key, entity, data FROM clusters WHERE doc IN ({})", only)}
        totals = {eid: self._totals(eid) for eid in sorted(entities)}
        old = set(self._lines(relation_facts, event_facts, self.removed, set(only)))
        old.update(self._totals_lines(totals, members, lambda doc, key, entity: entity))
        before = self._census(entities, relation_facts, event_facts)
        self._set_ids(changed)
        self._delete(self.removed)
        self._write_keys(rekeyed)
        gone = set(self.removed)

        def now(doc: str, key: str, entity: str | None) -> str | None:
            return None if doc in gone else overrides.get(doc, {}).get(key, entity)

        totals = self._new_totals(totals, members, now)
        new = set(self._lines(relation_facts, event_facts, self.added, set(only)))
        new.update(self._totals_lines(totals, members, now))
        after = self._census(entities, relation_facts, event_facts)
        types = self.counts["entities"]
        for label in set(before["entities"]) | set(after["entities"]):
            types[label] = types.get(label, 0) + after["entities"].get(label, 0) - before["entities"].get(label, 0)
            if not types[label]:
                del types[label]
        for kind in ("relations", "events"):
            self.counts[kind] += after[kind] - before[kind]
        return old - new, new - old, False

    def _totals(self, eid: str) -> EntityTotals | None:
        """An entity's totals as stored, else summed from its rows (None: there is no such entity)."""
        row = self.db.execute("SELECT totals FROM entities WHERE id = ?", (eid,)).fetchone()
        if row:
            return EntityTotals.from_json(json.loads(row[0]))
        rows = self.db.execute("SELECT doc, data FROM clusters WHERE entity = ?", (eid,))
        members = [(doc, _cluster(data)) for doc, data in rows]
        return entity_totals(members) if members else None

    def _new_totals(self, totals: dict[str, EntityTotals | None], members: dict, now) -> dict:
        """The totals of the touched entities once the update's ids are set (``now`` gives a touched
        cluster's new entity), stored: an entity that only gains clusters adds theirs to what it had;
        one that lost any is summed again from all its rows."""
        gains: dict[str, list] = {eid: [] for eid in totals}
        lost = set()
        for (doc, key), (entity, cluster) in members.items():
            new = now(doc, key, entity)
            if new != entity:
                if entity in totals:
                    lost.add(entity)
                if new in gains:
                    gains[new].append((doc, cluster))
        out = {}
        for eid, had in totals.items():
            if eid in lost:
                self.db.execute("DELETE FROM entities WHERE id = ?", (eid,))
                out[eid] = self._totals(eid)
            elif gains[eid]:
                added = entity_totals(gains[eid])
                out[eid] = had.merge(added) if had else added
            else:
                out[eid] = had
        self.db.executemany("DELETE FROM entities WHERE id = ?", [(eid,) for eid, t in out.items() if t is None])
        self.db.executemany("INSERT OR REPLACE INTO entities VALUES (?, ?)",
                            [(eid, _json(t.to_json())) for eid, t in out.items() if t is not None])
        return out

    def _totals_lines(self, totals: dict[str, EntityTotals | None], members: dict, entity_of_member) -> Iterator[str]:
        """The lines of the touched entities, with the evidence of the touched documents' clusters
        (``entity_of_member`` gives a cluster's entity: before the update, or after it)."""
        by_entity: dict[str, list] = {}
        for (doc, key), (entity, cluster) in sorted(members.items()):
            eid = entity_of_member(doc, key, entity)
            if eid in totals:
                by_entity.setdefault(eid, []).append((doc, cluster))
        for eid, t in totals.items():
            if t is not None:
                e = entity_of(eid, by_entity.get(eid, []), _bare, t)
                yield from self.lines.entity(e.id, e.type, e.name, e.aliases, e.confidence, e.evidence)

    def _census(self, entities: Iterable[str], relation_facts: Iterable[str], event_facts: Iterable[str]) -> dict:
        """How many of the given things exist now (what ``counts`` holds, for these alone)."""
        by_type: dict[str, int] = {}
        for eid in entities:
            row = self.db.execute("SELECT label FROM clusters WHERE entity = ? LIMIT 1", (eid,)).fetchone()
            if row:
                by_type[row[0]] = by_type.get(row[0], 0) + 1
        relations = sum(self.db.execute("SELECT count(DISTINCT key) FROM relations WHERE fact = ?", (f,)).fetchone()[0]
                        for f in relation_facts)
        events = sum(bool(self.db.execute("SELECT 1 FROM events WHERE fact = ? LIMIT 1", (f,)).fetchone())
                     for f in event_facts)
        return {"entities": by_type, "relations": relations, "events": events}

    def recount(self) -> dict:
        """Entities by type (before any confidence threshold), distinct relations and events."""
        by_type = dict(self.db.execute("SELECT label, count(DISTINCT entity) FROM clusters WHERE entity IS NOT NULL "
                                       "GROUP BY label ORDER BY label"))
        relations = self.db.execute("SELECT count(DISTINCT key) FROM relations WHERE key IS NOT NULL").fetchone()[0]
        events = self.db.execute("SELECT count(DISTINCT fact) FROM events WHERE fact IS NOT NULL").fetchone()[0]
        return {"entities": by_type, "relations": relations, "events": events}

    def _rows(self, query: str, values: list) -> Iterator[tuple]:
        for i in range(0, len(values), 500):
            chunk = values[i:i + 500]
            yield from self.db.execute(query.format(",".join("?" * len(chunk))), chunk)

    def _facts(self, table: str, docs: list[str]) -> set[str]:
        return {f for (f,) in self._rows(f"SELECT DISTINCT fact FROM {table} WHERE doc IN ({{}})", docs) if f}

    def _rekey(self, docs: list[str], overrides: dict[str, dict[str, str]]) -> dict[str, list[tuple]]:
        """The merged fact each claim of ``docs`` belongs to, under the stored ids updated by
        ``overrides`` ({doc: {key: new id}}): ``{table: [(fact, key, doc, n), ...]}``."""
        ids: dict[str, dict[str, str]] = {}
        for doc, key, entity in self._rows("SELECT doc, key, entity FROM clusters WHERE doc IN ({})", docs):
            ids.setdefault(doc, {})[key] = entity
        for doc, new in overrides.items():
            ids.setdefault(doc, {}).update(new)
        out: dict[str, list[tuple]] = {"relations": [], "events": []}
        for doc, n, data in self._rows("SELECT doc, n, data FROM relations WHERE doc IN ({})", docs):
            key = relation_key(doc, _relation(data), lambda d, k: ids[d].get(k))
            out["relations"].append((_relation_fact(key) if key else None, _json(key), doc, n))
        for doc, n, data in self._rows("SELECT doc, n, data FROM events WHERE doc IN ({})", docs):
            key = event_key(doc, _event(data), lambda d, k: ids[d].get(k))
            out["events"].append((event_id(key) if key else None, _json(key), doc, n))
        return out

    def _set_ids(self, changed) -> None:
        self.db.executemany("UPDATE clusters SET entity = ? WHERE doc = ? AND key = ?",
                            [(new, doc, key) for doc, key, _, new in changed])

    def _write_keys(self, rekeyed: dict[str, list[tuple]]) -> None:
        for table, rows in rekeyed.items():
            self.db.executemany(f"UPDATE {table} SET fact = ?, key = ? WHERE doc = ? AND n = ?", rows)

    def _delete(self, docs: list[str]) -> None:
        for table in ("docs", "clusters", "relations", "events"):
            column = "id" if table == "docs" else "doc"
            self.db.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(d,) for d in docs])

    def commit(self, generation: int = 0) -> None:
        """Make this transaction's changes permanent, recording the store generation they belong to
        and the graph's triple count."""
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            [("generation", str(generation)), ("triples", str(self.triples)),
                             ("counts", json.dumps(self.counts, ensure_ascii=False, sort_keys=True))])
        self.db.execute("COMMIT")
        self.committed = True
        self.added, self.removed = [], []
        self.db.execute("BEGIN")

    def close(self) -> None:
        """Close without committing: a durable ledger rolls back; any other may be left half written,
        and is thrown away (``build_into`` keeps such ledgers in a temporary folder)."""
        self.db.close()

    # -- lines ----------------------------------------------------------------------------------

    def _lines(self, relation_facts: Iterable[str], event_facts: Iterable[str], docs: Iterable[str],
               only: set[str] | None = None) -> Iterator[str]:
        """The lines of the given facts and documents, as the ledger holds them now."""
        for fact in sorted(relation_facts):
            rows = self.db.execute("SELECT key, doc, data FROM relations WHERE fact = ? ORDER BY doc, n", (fact,))
            yield from self._relation_lines(list(rows), only)
        for fact in sorted(event_facts):
            rows = self.db.execute("SELECT key, doc, data FROM events WHERE fact = ? ORDER BY doc, n", (fact,))
            yield from self._event_lines(list(rows), only)
        for doc in sorted(docs):
            row = self.db.execute("SELECT head, quotes FROM docs WHERE id = ?", (doc,)).fetchone()
            if row:
                yield from self._doc_lines(*row)

    def all_lines(self, remember: bool = False) -> Iterator[str]:
        """Every line of the graph, streamed thing by thing (unsorted, no duplicates). ``remember``
        stores each entity's totals on the way, for the updates to come."""
        totals: list[tuple[str, str]] = []
        for eid, rows in _groups(self.db.execute(
                "SELECT entity, doc, data FROM clusters WHERE entity IS NOT NULL ORDER BY entity, doc, key")):
            yield from self._entity_lines(eid, [(doc, _cluster(data)) for doc, data in rows],
                                          totals if remember else None)
            if len(totals) >= 10_000:
                self.db.executemany("INSERT OR REPLACE INTO entities VALUES (?, ?)", totals)
                totals.clear()
        self.db.executemany("INSERT OR REPLACE INTO entities VALUES (?, ?)", totals)
        for _, rows in _groups(self.db.execute(
                "SELECT fact, key, doc, data FROM relations WHERE fact IS NOT NULL ORDER BY fact, doc, n")):
            yield from self._relation_lines(rows)
        for _, rows in _groups(self.db.execute(
                "SELECT fact, key, doc, data FROM events WHERE fact IS NOT NULL ORDER BY fact, doc, n")):
            yield from self._event_lines(rows)
        for head, quotes in self.db.execute("SELECT head, quotes FROM docs ORDER BY id"):
            yield from self._doc_lines(head, quotes)

    def _entity_lines(self, eid: str, members: list[tuple[str, Cluster]], remember: list | None = None) -> list[str]:
        if not members:
            return []
        totals = entity_totals(members)
        if remember is not None:
            remember.append((eid, _json(totals.to_json())))
        e = entity_of(eid, members, _bare, totals)
        if e.confidence < self.min_confidence:
            return []
        return self.lines.entity(e.id, e.type, e.name, e.aliases, e.confidence, e.evidence)

    def _visible(self, eid: str) -> bool:
        if self.min_confidence <= 0:
            return True
        rows = self.db.execute("SELECT doc, data FROM clusters WHERE entity = ?", (eid,))
        members = [(doc, _cluster(data)) for doc, data in rows]
        return bool(members) and entity_of(eid, members, _bare).confidence >= self.min_confidence

    def _relation_lines(self, rows, only: set[str] | None = None) -> list[str]:
        """Lines of the relations of one subject, predicate and object (rows: key, doc, data)."""
        by_key: dict[tuple, list] = {}
        for key, doc, data in rows:
            if key:
                by_key.setdefault(_key(key), []).append((doc, _relation(data)))
        out = []
        for key in sorted(by_key, key=lambda k: (*k[:3], k[3] or "")):
            rel = relation_of(key, by_key[key], _bare)
            if rel.confidence >= self.min_confidence and self._visible(rel.subject) and self._visible(rel.object):
                out += self.lines.relation(rel.subject, rel.predicate, rel.object, rel.role, rel.confidence,
                                           _from(rel.evidence, only))
        return sorted(set(out))

    def _event_lines(self, rows, only: set[str] | None = None) -> list[str]:
        by_key: dict[tuple, list] = {}
        for key, doc, data in rows:
            if key:
                by_key.setdefault(_key(key), []).append((doc, _event(data)))
        out = []
        for key in sorted(by_key, key=repr):
            ev = event_of(key, by_key[key], _bare)
            if ev.confidence >= self.min_confidence and all(self._visible(p) for p in ev.participants):
                out += self.lines.event(ev.id, ev.type, f"{ev.type} {ev.date or ''}".strip(), ev.trigger, ev.date,
                                        ev.quantities, ev.participants, ev.confidence, _from(ev.evidence, only))
        return out

    def _doc_lines(self, head: str, quotes: str) -> list[str]:
        quotes = [tuple(q) for q in json.loads(quotes)]
        return self.lines.document_lines(DocHead(json.loads(head)), quotes) if quotes else []

    def entity_counts(self) -> dict[str, int]:
        """Entities by type (before any confidence threshold), as of the last ``update``."""
        return dict(sorted(self.counts["entities"].items()))

    def fact_counts(self) -> tuple[int, int]:
        """Distinct relations and events, as of the last ``update``."""
        return self.counts["relations"], self.counts["events"]



def _from(evidence, only: set[str] | None):
    """The evidence from the documents in ``only`` (all of it when ``only`` is None)."""
    return evidence if only is None else [(doc, index) for doc, index in evidence if doc in only]


def _tally(rows: Iterable[tuple[str, str, Iterable[str]]]) -> tuple[dict, dict]:
    """One document's organisation and place clusters, (label, name, joined names), as ``names``
    and ``links`` count them: {(label, name): clusters} and {(label, name, other): clusters}."""
    votes: dict[tuple[str, str], int] = {}
    links: dict[tuple[str, str, str], int] = {}
    for label, name, names in rows:
        votes[(label, name)] = votes.get((label, name), 0) + 1
        for other in names:
            links[(label, name, other)] = links.get((label, name, other), 0) + 1
    return votes, links


def _names(c: Cluster) -> str:
    """What resolution reads of a cluster: the names joining it to others, or a person's organisations."""
    return json.dumps(c.orgs if c.label == "Person" else c.names, ensure_ascii=False, separators=(",", ":"))


def _groups(rows) -> Iterator[tuple[str, list]]:
    """Consecutive rows with the same first column: (key, [rest of each row, ...])."""
    key, group = None, []
    for k, *rest in rows:
        if k != key and group:
            yield key, group
            group = []
        key = k
        group.append(rest)
    if group:
        yield key, group


def _json(key) -> str | None:
    return None if key is None else json.dumps(key, ensure_ascii=False, separators=(",", ":"))


def _key(text: str) -> tuple:
    return _tuples(json.loads(text))
