"""LadybugDB (the maintained fork of Kùzu): an embedded property-graph database queried with Cypher.

One node table per entity or event kind present (``Person``, ``Founding``...),
keyed by ``iri``; one relationship table per predicate present
(``holdsPosition``, ``participant``...) with a FROM/TO pair for each pair of kinds
it joins, and the columns iri, title, date, confidence, evidence, evidence_text,
evidence_path. Dates stay strings ("2019-07"): a month or a year is not a DATE.
Tables are bulk-loaded with ``COPY ... FROM (LOAD WITH HEADERS ...)`` over CSV
files written to a scratch folder; lists travel joined with U+001F, a character
no text of ours holds, and are split back into ``STRING[]`` while copying.

Example::

    import ladybug
    conn = ladybug.Connection(ladybug.Database("sample.lbdb", read_only=True))
    conn.execute("MATCH (p:Person)-[h:holdsPosition]->(o) RETURN p.label, h.title, o.label")
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from .model import LIST_COLUMNS, Edge, Node, PropertyGraph, join, values

SEPARATOR = "\x1f"
TYPES = {"confidence": "DOUBLE"}
REL_COLUMNS = ("iri", "title", "date", "confidence", "evidence", "evidence_text", "evidence_path")


def _type(column: str) -> str:
    return "STRING[]" if column in LIST_COLUMNS else TYPES.get(column, "STRING")


def _cells(item: Node | Edge, columns: tuple[str, ...]) -> list[str]:
    return [join(v, SEPARATOR) if c in LIST_COLUMNS else "" if v is None else str(v)
            for c, v in zip(columns, values(item, columns))]


def _load(path: Path, columns: tuple[str, ...]) -> str:
    """A LOAD subquery reading every column as text (no type sniffing), lists split, numbers parsed."""
    typed = ", ".join(f"{c} {TYPES.get(c, 'STRING')}" for c in columns)
    out = [f"CASE WHEN {c} IS NULL THEN CAST([] AS STRING[]) ELSE string_split({c}, '{SEPARATOR}') END"
           if c in LIST_COLUMNS else c for c in columns]
    return (f"LOAD WITH HEADERS ({typed}) FROM '{_quoted(path)}' (header=true, parallel=false) "
            f"RETURN {', '.join(out)}")


def _quoted(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace("'", "\\'")


def _write(path: Path, header: tuple[str, ...], rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


def write_ladybug(graph: PropertyGraph, path: Path) -> None:
    """Create a new LadybugDB database at ``path`` holding the graph."""
    import ladybug

    kinds = graph.kinds()
    nodes: dict[str, list] = {}
    for n in graph.nodes:
        nodes.setdefault(n.kind, []).append(n)
    edges: dict[str, dict[tuple[str, str], list]] = {}
    for e in graph.edges:
        edges.setdefault(e.predicate, {}).setdefault((kinds[e.source], kinds[e.target]), []).append(e)

    with tempfile.TemporaryDirectory(prefix=".csv-", dir=path.parent) as scratch:
        db = ladybug.Database(str(path), auto_checkpoint=False)  # one checkpoint at the end, not one per COPY
        conn = ladybug.Connection(db)
        try:
            for kind, items in sorted(nodes.items()):
                columns = tuple(c for c in items[0].columns if c != "kind")
                schema = ", ".join(f"{c} {_type(c)}" for c in columns)
                conn.execute(f"CREATE NODE TABLE {kind}({schema}, PRIMARY KEY (iri))")
                csv_path = Path(scratch) / f"{kind}.csv"
                _write(csv_path, columns, (_cells(n, columns) for n in items))
                conn.execute(f"COPY {kind} FROM ({_load(csv_path, columns)})")
            for predicate, pairs in sorted(edges.items()):
                ends = ", ".join(f"FROM {a} TO {b}" for a, b in sorted(pairs))
                schema = ", ".join(f"{c} {_type(c)}" for c in REL_COLUMNS)
                conn.execute(f"CREATE REL TABLE {predicate}({ends}, {schema})")
                for (a, b), items in sorted(pairs.items()):
                    csv_path = Path(scratch) / f"{predicate}-{a}-{b}.csv"
                    columns = ("source", "target") + REL_COLUMNS
                    _write(csv_path, columns, (_cells(e, columns) for e in items))
                    conn.execute(f"COPY {predicate} FROM ({_load(csv_path, columns)}) (from='{a}', to='{b}')")
            conn.execute("CHECKPOINT")
        finally:
            conn.close()
            db.close()
