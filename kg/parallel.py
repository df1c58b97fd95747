"""Extraction over many processes or a Dask cluster, in input order, with bounded memory.

Workers turn an ``Article`` into its ``DocFacts`` (normalise, enrich, extract, digest): the
expensive, independent part of a build. Resolution and writing stay in the calling process, which
receives results in the order the articles came in, so the graph is the same bytes whatever the
number of workers. At most ``window`` articles are in flight, so memory does not grow with the
number of documents.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from .errors import KgError
from .model import Article, DocFacts

BATCH = 8  # articles per task: large enough to hide inter-process overhead, small enough to balance


def facts_of(article: Article, lexicon_files: tuple[str, ...] = ()) -> DocFacts:
    """One article's facts: what a worker computes."""
    from .extract import extract
    from .metadata import enrich
    from .normalise import normalise
    from .resolve import digest

    return digest(extract(enrich(normalise(article)), lexicon_files))


_Failure = tuple  # (message, path, line, column, hint): a KgError that crosses a process boundary intact


def _facts_of_batch(articles: list[Article], lexicon_files: tuple[str, ...]) -> list[DocFacts | _Failure]:
    out: list[DocFacts | _Failure] = []
    for article in articles:
        try:
            out.append(facts_of(article, lexicon_files))
        except KgError as err:
            out.append((err.message, err.path or article.path, err.line, err.column, err.hint))
        except Exception as err:  # a bug in extraction: name the document, keep the message to one line
            message = " ".join(str(err).split())[:200]
            out.append((f"internal error while extracting ({type(err).__name__}: {message})", article.path,
                        None, None, "a bug: please report it with this document"))
    return out


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(articles)
    while batch := list(islice(it, size)):
        yield batch


def _unpack(results: list[DocFacts | _Failure]) -> Iterator[DocFacts]:
    for r in results:
        if isinstance(r, tuple):
            raise KgError(*r)
        yield r


def extract_all(articles: Iterable[Article], jobs: int = 1, lexicon_files: tuple[str, ...] = (),
                engine: str = "local", scheduler: str | None = None) -> Iterator[DocFacts]:
    """The facts of every article, in input order.

    ``jobs``: worker processes (1 extracts in this process). ``engine="dask"`` sends batches to the
    Dask scheduler at ``scheduler`` (``tcp://host:8786``), or to a local cluster of ``jobs`` workers
    when no address is given."""
    if engine == "dask":
        yield from _dask(articles, jobs, lexicon_files, scheduler)
    elif jobs <= 1:
        for article in articles:
            yield from _unpack(_facts_of_batch([article], lexicon_files))
    else:
        yield from _processes(articles, jobs, lexicon_files)


def _ordered(submit: Callable[[list[Article]], object], wait: Callable[[object], list], articles: Iterable[Article],
             window: int) -> Iterator[DocFacts]:
    """Keep ``window`` batches in flight; yield results in submission order."""
    pending: deque = deque()
    for batch in _batches(articles, BATCH):
        pending.append(submit(batch))
        if len(pending) >= window:
            yield from _unpack(wait(pending.popleft()))
    while pending:
        yield from _unpack(wait(pending.popleft()))


def _processes(articles: Iterable[Article], jobs: int, lexicon_files: tuple[str, ...]) -> Iterator[DocFacts]:
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    with context.Pool(jobs) as pool:
        yield from _ordered(lambda batch: pool.apply_async(_facts_of_batch, (batch, lexicon_files)),
                            lambda result: result.get(), articles, window=4 * jobs)


def _dask(articles: Iterable[Article], jobs: int, lexicon_files: tuple[str, ...],
          scheduler: str | None) -> Iterator[DocFacts]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise KgError("the dask engine needs Dask distributed", hint="pip install 'kg[dask]'") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=10)
        else:
            cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                                   dashboard_address=None, host="127.0.0.1")
            client = Client(cluster)
    except OSError as err:
        raise KgError(f"cannot reach the Dask scheduler: {err}", scheduler) from None
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        yield from _ordered(lambda batch: client.submit(_facts_of_batch, batch, lexicon_files, pure=False),
                            lambda future: future.result(), articles, window=4 * workers)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
