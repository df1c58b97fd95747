"""Neo4j: CSV files for ``neo4j-admin database import``, a LOAD CSV script, and a push over Bolt.

Every node has two labels, ``Entity`` or ``Event`` plus its kind (``Person``,
``Founding``...), and its IRI as the ``iri`` property (the import id). A relation
is a relationship type in Neo4j's upper snake case (``kg:holdsPosition`` ->
``HOLDS_POSITION``, ``participant`` -> ``PARTICIPANT``) keeping the assertion's
IRI, title, date, confidence and evidence. List properties are written with the
array delimiter ``|``; the import command below says so.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

from ..errors import KgError
from .model import LIST_COLUMNS, PARTICIPANT, Edge, Node, PropertyGraph, join, values

ARRAY_DELIMITER = "|"
TYPES = {"confidence": "float"} | {c: "string[]" for c in LIST_COLUMNS}
REL_COLUMNS = ("iri", "title", "date", "confidence", "evidence", "evidence_text", "evidence_path")


def rel_type(predicate: str) -> str:
    """``holdsPosition`` -> ``HOLDS_POSITION``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", predicate).upper()


def group(node: Node) -> str:
    return "Event" if node.is_event else "Entity"


def _header(column: str) -> str:
    return f"{column}:{TYPES[column]}" if column in TYPES else column


def _cells(item: Node | Edge, columns: tuple[str, ...]) -> list[str]:
    return [join(v, ARRAY_DELIMITER) if c in LIST_COLUMNS else "" if v is None else str(v)
            for c, v in zip(columns, values(item, columns))]


def _by(items, key) -> dict[str, list]:
    out: dict[str, list] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return dict(sorted(out.items()))


def write_neo4j(graph: PropertyGraph, folder: Path) -> None:
    """``nodes_<Kind>.csv``, ``rels_<TYPE>.csv``, ``import.sh``, ``load.cypher`` and ``README.txt`` in a new folder."""
    folder.mkdir()
    node_files, rel_files = [], []
    for kind, nodes in _by(graph.nodes, lambda n: n.kind).items():
        columns = nodes[0].columns[2:]  # iri and kind become the :ID and :LABEL columns
        name = f"nodes_{kind}.csv"
        _write(folder / name, ["iri:ID", ":LABEL"] + [_header(c) for c in columns],
               ([n.iri, f"{group(n)}{ARRAY_DELIMITER}{kind}"] + _cells(n, columns) for n in nodes))
        node_files.append((name, group(nodes[0]), kind, columns))
    for predicate, edges in _by(graph.edges, lambda e: e.predicate).items():
        name = f"rels_{rel_type(predicate)}.csv"
        _write(folder / name, [":START_ID", ":END_ID", ":TYPE"] + [_header(c) for c in REL_COLUMNS],
               ([e.source, e.target, rel_type(predicate)] + _cells(e, REL_COLUMNS) for e in edges))
        rel_files.append((name, predicate))
    command = import_command([f for f, *_ in node_files], [f for f, _ in rel_files])
    (folder / "import.sh").write_text(_IMPORT_SH.format(command=command), encoding="utf-8")
    (folder / "load.cypher").write_text(load_cypher(node_files, rel_files), encoding="utf-8")
    (folder / "README.txt").write_text(_README.format(command=command), encoding="utf-8")


def _write(path: Path, header: list[str], rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


def import_command(node_files: list[str], rel_files: list[str], database: str = "neo4j") -> str:
    """The ``neo4j-admin`` (Neo4j 5 and later) command that loads these files into a new database."""
    parts = ["neo4j-admin database import full", f"--array-delimiter='{ARRAY_DELIMITER}'", "--multiline-fields=true"]
    parts += [f"--nodes={f}" for f in node_files] + [f"--relationships={f}" for f in rel_files] + [database]
    return " \\\n  ".join(parts)


_IMPORT_SH = """#!/bin/sh
# Load this export into a new, stopped Neo4j database (Neo4j 5 or later), written by kg export.
# Run from anywhere: sh import.sh   (add --overwrite-destination to replace an existing database)
set -e
cd "$(dirname "$0")"
{command}
"""

_README = """Neo4j export written by kg export.

nodes_<Kind>.csv   one file per entity or event kind; labels Entity or Event plus the kind; id = the IRI
rels_<TYPE>.csv    one file per relation (HOLDS_POSITION, PARTICIPANT, ...) with iri, title, date,
                   confidence and evidence (sentence IRIs, the first sentence's text and its document)
Lists (aliases, quantities, evidence) are joined with the array delimiter '|'.

1. Bulk import into a new database (Neo4j stopped), from this folder:

{command}

   (sh import.sh runs exactly this; add --overwrite-destination to replace an existing database.)

2. Or, into a running server: copy the .csv files into its import folder, then
   cypher-shell -u neo4j -p PASSWORD -f load.cypher
   It creates a uniqueness constraint on iri per label and MERGEs, so running it twice changes nothing.
"""


def _set(var: str, columns: tuple[str, ...]) -> str:
    """SET items that read a LOAD CSV row: empty cells become no property, lists are split, numbers parsed."""
    items = []
    for c in columns:
        cell = f"row.`{_header(c)}`"
        if c in LIST_COLUMNS:
            expr = f"CASE coalesce({cell}, '') WHEN '' THEN [] ELSE split({cell}, '{ARRAY_DELIMITER}') END"
        elif c == "confidence":
            expr = f"toFloat({cell})"
        else:
            expr = f"CASE {cell} WHEN '' THEN null ELSE {cell} END"
        items.append(f"{var}.{c} = {expr}")
    return ",\n    ".join(items)


def load_cypher(node_files: list[tuple[str, str, str, tuple[str, ...]]], rel_files: list[tuple[str, str]]) -> str:
    """Constraints, then one LOAD CSV + MERGE statement per file."""
    labels = sorted({g for _, g, _, _ in node_files} | {k for _, _, k, _ in node_files})
    out = ["// Load this export into a running Neo4j (5 or later), written by kg export.",
           "// Copy the .csv files into the server's import folder, then: cypher-shell -f load.cypher", ""]
    out += [f"CREATE CONSTRAINT {label.lower()}_iri IF NOT EXISTS FOR (n:{label}) REQUIRE n.iri IS UNIQUE;"
            for label in labels]
    for name, grp, kind, columns in node_files:
        out += ["", f"LOAD CSV WITH HEADERS FROM 'file:///{name}' AS row",
                f"MERGE (n:{grp} {{iri: row.`iri:ID`}})", f"SET n:{kind},\n    {_set('n', columns)};"]
    for name, predicate in rel_files:
        start = "Event" if predicate == PARTICIPANT else "Entity"
        key = "" if predicate == PARTICIPANT else " {iri: row.iri}"
        columns = REL_COLUMNS[1:] if predicate == PARTICIPANT else REL_COLUMNS
        out += ["", f"LOAD CSV WITH HEADERS FROM 'file:///{name}' AS row",
                f"MATCH (a:{start} {{iri: row.`:START_ID`}})", "MATCH (b:Entity {iri: row.`:END_ID`})",
                f"MERGE (a)-[r:{rel_type(predicate)}{key}]->(b)", f"SET {_set('r', columns)};"]
    return "\n".join(out) + "\n"


# -- Bolt ---------------------------------------------------------------------

BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def check_uri(uri: str) -> None:
    """Refuse anything but a Bolt URI early, before any work (the driver would also try HTTP)."""
    if uri.split("://", 1)[0].lower() not in BOLT_SCHEMES or "://" not in uri:
        raise KgError("not a Bolt URI", uri, hint="use bolt://HOST:7687 or neo4j://HOST:7687")


def _node_props(n: Node) -> dict:
    return {c: (list(v) if c in LIST_COLUMNS else v) for c, v in zip(n.columns[2:], values(n, n.columns[2:]))}


def _edge_props(e: Edge) -> dict:
    columns = REL_COLUMNS[1:] if e.predicate == PARTICIPANT else REL_COLUMNS
    return {c: (list(v) if c in LIST_COLUMNS else v) for c, v in zip(columns, values(e, columns))}


def bolt_statements(graph: PropertyGraph, batch: int = 1000) -> list[tuple[str, list[dict]]]:
    """(Cypher, rows) pairs: constraints first, then UNWIND batches of nodes and of relationships."""
    kinds = graph.kinds()
    labels = sorted({group(n) for n in graph.nodes} | set(kinds.values()))
    out: list[tuple[str, list[dict]]] = [
        (f"CREATE CONSTRAINT {label.lower()}_iri IF NOT EXISTS FOR (n:{label}) REQUIRE n.iri IS UNIQUE", [])
        for label in labels]
    for kind, nodes in _by(graph.nodes, lambda n: n.kind).items():
        query = f"UNWIND $rows AS row MERGE (n:{group(nodes[0])} {{iri: row.iri}}) SET n:{kind}, n += row.props"
        rows = [{"iri": n.iri, "props": _node_props(n)} for n in nodes]
        out += [(query, rows[i:i + batch]) for i in range(0, len(rows), batch)]
    for predicate, edges in _by(graph.edges, lambda e: e.predicate).items():
        start = "Event" if predicate == PARTICIPANT else "Entity"
        key = "" if predicate == PARTICIPANT else " {iri: row.iri}"
        query = (f"UNWIND $rows AS row MATCH (a:{start} {{iri: row.source}}) MATCH (b:Entity {{iri: row.target}}) "
                 f"MERGE (a)-[r:{rel_type(predicate)}{key}]->(b) SET r += row.props")
        rows = [{"source": e.source, "target": e.target, "iri": e.iri, "props": _edge_props(e)} for e in edges]
        out += [(query, rows[i:i + batch]) for i in range(0, len(rows), batch)]
    return out


def push_bolt(graph: PropertyGraph, uri: str, user: str, password: str | None, *, database: str | None = None,
              driver_factory: Callable | None = None, batch: int = 1000) -> int:
    """MERGE the graph into a running Neo4j over Bolt with the official driver; returns the statements run.

    MERGE on ``iri`` makes a second push update rather than duplicate. An unreachable
    server or a refused login is one ``KgError`` line. Tested here only against a
    fake driver that records the calls: no Neo4j server can run on the test machine.
    """
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable

    check_uri(uri)
    factory = driver_factory or GraphDatabase.driver
    statements = bolt_statements(graph, batch)
    try:
        with factory(uri, auth=(user, password or "")) as driver:
            driver.verify_connectivity()
            for query, rows in statements:
                driver.execute_query(query, {"rows": rows}, database_=database)
    except ServiceUnavailable as err:
        raise KgError(f"cannot reach Neo4j: {_one_line(err)}", uri) from None
    except AuthError as err:
        raise KgError(f"Neo4j refused the login: {_one_line(err)}", uri,
                      hint="give --user and --password (or NEO4J_PASSWORD)") from None
    except (Neo4jError, DriverError, ValueError) as err:
        raise KgError(f"Neo4j push failed: {_one_line(err)}", uri) from None
    return len(statements)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__
