"""The ``kg`` command: thin wrappers over the library functions."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import KgError


class _Group(click.Group):
    """Turns a ``KgError`` into one ``kg: error: ...`` line and exit code 1, and a bug into one
    ``kg: internal error: ...`` line and exit code 2 (the traceback with ``KG_DEBUG=1``)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as err:
            click.echo(f"kg: error: {err}", err=True)
            sys.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except MemoryError:
            click.echo("kg: error: out of memory", err=True)
            sys.exit(1)
        except Exception as err:
            if os.environ.get("KG_DEBUG"):
                raise
            message = " ".join(str(err).split()) or "(no message)"
            click.echo(f"kg: internal error: {type(err).__name__}: {message[:300]} "
                       "(a bug: please report it; KG_DEBUG=1 shows the traceback)", err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Turn Chinese news text into a queryable knowledge graph."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))  # kept as typed, for messages
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Graph file to write: .ttl (Turtle), .nt (N-Triples) or .jsonld.")
@click.option("--store", "store_dir", type=click.Path(path_type=Path),
              help="Oxigraph store directory for fast queries: created, or updated with the new articles.")
@click.option("--replace", is_flag=True, help="With --store: start the store afresh instead of adding to it.")
@click.option("-j", "--jobs", default=1, type=click.IntRange(1), show_default=True,
              help="Processes that extract at once; the output is the same bytes for any number.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="dask: extract on the workers of a Dask cluster (see --scheduler).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="With --engine dask: the scheduler, e.g. tcp://10.0.0.5:8786 [default: a local cluster of --jobs workers].")
@click.option("--base", default=None, help="Base IRI of entity IRIs (default https://w3id.org/kg/id/).")
@click.option("--encoding", default=None, help="Force the input encoding (default: detect).")
@click.option("--lexicon", "lexicons", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra names, one 'name<TAB>type' a line (repeatable).")
@click.option("--min-confidence", default=0.0, type=click.FloatRange(0, 1), show_default=True,
              help="Leave out facts below this confidence.")
@click.option("--skip-bad", is_flag=True, help="Report a bad file or JSON line on stderr and go on, instead of stopping.")
@click.option("--max-chars", default=None, type=click.IntRange(1),
              help="Longest document accepted, in characters [default: 2,000,000].")
@click.option("--quiet", is_flag=True, help="No progress or summary.")
def build(paths, output, store_dir, replace, jobs, engine, scheduler, base, encoding, lexicons, min_confidence,
          skip_bad, max_chars, quiet):
    """Extract a knowledge graph from files or folders of articles (or - for standard input).

    Folders are read recursively: .txt, .md, .html, .jsonl and .jsonl.gz. With --store, an
    existing store gets the new articles added; an article already there changes nothing.

    Example: kg build data/samples -o out.ttl --store out.store
    """
    from .pipeline import build_into

    if output is None and store_dir is None:
        raise click.UsageError("give -o FILE, --store DIR, or both")
    if replace and store_dir is None:
        raise click.UsageError("--replace goes with --store")
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler goes with --engine dask")
    show = not quiet and sys.stderr.isatty()

    def progress(summary):
        if show and summary.added % 50 == 0:
            click.echo(f"\rextracted {summary.added} documents", err=True, nl=False)

    def skipped(err):
        click.echo(f"kg: skipped: {err}", err=True)

    summary = build_into(list(paths), output=output, store=store_dir, replace=replace, jobs=jobs,
                         engine=engine, scheduler=scheduler, base=base, encoding=encoding,
                         lexicon_files=tuple(lexicons), min_confidence=min_confidence, skip_bad=skip_bad,
                         on_skip=skipped, max_chars=max_chars, progress=progress)
    if show:
        click.echo("\r", err=True, nl=False)
    if not quiet:
        click.echo(summary.line(), err=True)


@main.command()
@click.argument("store_dir", type=click.Path(path_type=Path))
@click.option("--doc", "docs", multiple=True, required=True, metavar="ID",
              help="Document to take out: its content hash (8+ characters), IRI or path (repeatable).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Also write the resulting graph to this file.")
@click.option("--quiet", is_flag=True, help="No summary.")
def remove(store_dir, docs, output, quiet):
    """Take documents out of a store, with every fact that only they supported.

    Example: kg remove out.store --doc 3f2a9c1d
    """
    from .pipeline import build_into
    from .store import open_store

    open_store(store_dir)  # one clear line if it is not a store
    summary = build_into([], store=store_dir, output=output, remove=docs)
    if not quiet:
        click.echo(summary.line(), err=True)


@main.command()
@click.argument("store_dir", type=click.Path(path_type=Path))
def check(store_dir):
    """Check a store: its ledger is sound and the triples are exactly those its documents give."""
    from .store import check_store

    report = check_store(store_dir)
    click.echo(report)


class _Null:
    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


@main.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.argument("query")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "nt"]),
              default=None, help="Results format [default: table; turtle for CONSTRUCT and DESCRIBE].")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE (a string, <iri> or kg:/data: name), safely (repeatable).")
def query(graph, query, fmt, params):
    """Run a SPARQL query (text, or a .rq file) over a graph file or a store.

    SELECT, ASK, CONSTRUCT and DESCRIBE; the prefixes kg:, data:, rdfs:, skos:,
    prov:, org:, schema:, dcterms: and xsd: are known without PREFIX lines.

    Example: kg query out.ttl ontology/queries/positions.rq --param person=王海峰
    """
    from .query import parse_params, read_query, render, run_query
    from .store import open_graph

    text, where = read_query(query)
    bindings = parse_params(params, text)
    store = open_graph(graph)
    result = run_query(store, text, where, bindings, fmt)
    click.echo(render(result, fmt), nl=False)


@main.command()
@click.argument("graph", type=click.Path(path_type=Path))
def stats(graph):
    """Count entities by type, relations by predicate, events, documents in a graph file or store."""
    from .query import STATS, run_query, term_text
    from .store import open_graph

    store = open_graph(graph)
    result = run_query(store, STATS)
    click.echo(f"triples {len(store)}")
    for kind, name, n in result.rows:
        click.echo(f"{term_text(kind):<9} {term_text(name):<24} {int(term_text(n)):>6}")


@main.command("eval")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--gold", type=click.Path(path_type=Path), help="Gold JSON for a single document.")
@click.option("--lexicon", "lexicons", multiple=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-v", "--verbose", is_flag=True, help="List missed and spurious entities and relations.")
def evaluate(paths, gold, lexicons, verbose):
    """Score extraction against gold annotations.

    kg eval --gold doc.gold.json doc.txt    (one document)
    kg eval FOLDER                          (every NAME.txt with a NAME.gold.json beside it)
    """
    from .evaluate import format_report, load_gold, predictions, score
    from .pipeline import run_one

    pairs = _eval_pairs(paths, gold)
    reports = []
    for doc, g in pairs:
        resolved = run_one(doc, tuple(lexicons))
        ents, rels, n_events = predictions(resolved)
        reports.append(score(Path(doc).name, load_gold(g), ents, rels, n_events))
    click.echo(format_report(reports, verbose))


def _eval_pairs(paths: tuple[Path, ...], gold: Path | None) -> list[tuple[str, Path]]:
    """(document, gold file) pairs: the gold's own "doc" field names its document (``a.jsonl:2`` for a line)."""
    from .evaluate import load_gold

    if gold is not None:
        if len(paths) != 1:
            raise click.UsageError("--gold takes exactly one document")
        return [(str(paths[0]), gold)]
    pairs = []
    for folder in paths:
        if not folder.is_dir():
            raise KgError("expected a folder of NAME.txt + NAME.gold.json (or use --gold)", str(folder))
        for g in sorted(folder.glob("*.gold.json")):
            named = load_gold(g).get("doc")
            stem = g.name[: -len(".gold.json")]
            if named and (folder / named.rsplit(":", 1)[0]).is_file():
                pairs.append((str(folder / named), g))
            elif doc := next((d for d in sorted(folder.glob(stem + ".*")) if not d.name.endswith(".gold.json")), None):
                pairs.append((str(doc), g))
    if not pairs:
        raise KgError("no NAME.gold.json with a matching document found", ", ".join(map(str, paths)))
    return pairs


# -- serve: the SPARQL endpoint (kg/serve.py) --------------------------------
@main.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens the endpoint to other machines.")
@click.option("--port", default=7878, type=click.IntRange(0, 65535), show_default=True,
              help="Port to listen on; 0 picks a free one.")
@click.option("--timeout", default=10.0, type=click.FloatRange(0, min_open=True), show_default=True,
              help="Seconds a query may run; past that it is stopped and answered 503.")
@click.option("--max-rows", default=10_000, type=click.IntRange(1), show_default=True,
              help="Rows (or triples) sent at most; a longer answer is cut and says so (X-Kg-Truncated: true).")
@click.option("--max-query-length", default=20_000, type=click.IntRange(1), show_default=True,
              help="Longest query accepted, in characters (413, or 414 for GET, beyond).")
@click.option("--allow-service", is_flag=True, help="Let queries call other endpoints with SERVICE (refused otherwise).")
@click.option("--workers", default=None, type=click.IntRange(1),
              help="Queries answered at once, each in its own process [default: CPUs, 2 to 4].")
@click.option("--memory", is_flag=True,
              help="Copy a store directory into RAM at start: whole-graph queries run 3-5x faster; "
                   "a rebuilt store is then served after a restart.")
@click.option("--quiet", is_flag=True, help="No request log on stderr.")
def serve(graph, host, port, timeout, max_rows, max_query_length, allow_service, workers, memory, quiet):
    """Answer SPARQL queries over HTTP at /sparql (read-only), with a query page at /.

    GRAPH is a graph file (.ttl, .nt, .jsonld) or a store directory (kg build --store).

    Example: kg serve out.store --port 7878
    """
    from .serve import serve as run_server

    run_server(graph, host, port, timeout=timeout, max_rows=max_rows, max_query_length=max_query_length,
               allow_service=allow_service, workers=workers, quiet=quiet, memory=memory)


# -- viz: pictures of the graph (kg/viz/) --------------------------------------
@main.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="graph.html (interactive, self-contained), graph.png or graph.svg.")
@click.option("--focus", "focus", multiple=True, metavar="NAME",
              help="Draw only what is near this entity (name, alias or IRI); may be repeated.")
@click.option("--hops", default=1, show_default=True, type=click.IntRange(0), help="How far from --focus to go.")
@click.option("--types", "kinds", default=None, metavar="KIND,...",
              help="Keep only nodes of these kinds, e.g. Person,Company,PartyOrganization.")
@click.option("--predicates", default=None, metavar="NAME,...",
              help="Keep only these relations, e.g. holdsPosition,guides.")
@click.option("--title", default=None, help="Title of the page or picture [default: the graph's file name].")
def viz(graph, output, focus, hops, kinds, predicates, title):
    """Draw a graph file or store: an HTML page that works offline, or a PNG/SVG picture.

    Example: kg viz out.ttl --focus 星河科技 --hops 2 -o star.html
    """
    from .explore import load, neighbourhood
    from .viz import write_drawing

    g = load(graph)
    kinds = [k.strip() for k in kinds.split(",") if k.strip()] if kinds else None
    predicates = [p.strip() for p in predicates.split(",") if p.strip()] if predicates else None
    if focus:
        centres = sorted({iri for name in focus for iri in g.resolve(name)})
        G = neighbourhood(g.networkx, centres, hops, kinds=kinds, predicates=predicates)
    elif kinds or predicates:
        G = neighbourhood(g.networkx, [n for n, d in g.networkx.nodes(data=True)
                                       if kinds is None or d.get("kind") in kinds], 0, predicates=predicates)
    else:
        G = g.networkx
    write_drawing(G, output, title=title or Path(graph).name)
    click.echo(f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges -> {output}", err=True)


# -- export: graph-database and file exports (kg/export/) ---------------------
_EXPORT_FORMATS = ("neo4j", "ladybug", "graphml", "gexf", "csv", "jsonld", "nt", "nquads")  # kept equal to kg.export.FORMATS


@main.command("export")
@click.argument("graph", type=click.Path(path_type=Path))
@click.argument("out", required=False, type=click.Path(path_type=Path))
@click.option("--to", "fmt", required=True, type=click.Choice(_EXPORT_FORMATS),
              help="neo4j: CSV for neo4j-admin + load.cypher (folder); ladybug: LadybugDB database; "
                   "graphml, gexf: for Gephi/Cytoscape; csv: nodes.csv + edges.csv (folder); jsonld, nt: RDF; "
                   "nquads: one named graph per document, for Virtuoso, Oxigraph server, QLever.")
@click.option("--force", is_flag=True, help="Replace OUT if it exists (only once the new export is complete).")
@click.option("--bolt", metavar="URI", default=None,
              help="With --to neo4j: also MERGE the graph into a running server (bolt://host:7687) with the "
                   "official driver. Tested only against a fake driver; no Neo4j server was available.")
@click.option("--user", default="neo4j", show_default=True, envvar="NEO4J_USER", help="Neo4j user for --bolt.")
@click.option("--password", default=None, envvar="NEO4J_PASSWORD",
              help="Neo4j password for --bolt (or set NEO4J_PASSWORD).")
@click.option("--database", default=None, help="Neo4j database for --bolt (default: the server's default).")
def export_cmd(graph, out, fmt, force, bolt, user, password, database):
    """Export a graph file or store directory for graph databases, graph tools or spreadsheets.

    OUT is a file (graphml, gexf, jsonld, nt), a folder (neo4j, csv) or a database
    file (ladybug). Nodes are entities and events, keyed by IRI; edges are the
    relations (with title, date, confidence, evidence) and event participants.

    Example: kg export out.ttl --to ladybug out.lbdb
    """
    from .export import export

    if out is None and not bolt:
        raise click.UsageError("missing argument 'OUT' (only --to neo4j --bolt URI may leave it out)")
    summary = export(graph, fmt, out, force=force, bolt=bolt, user=user, password=password, database=database)
    click.echo(summary.line(), err=True)
