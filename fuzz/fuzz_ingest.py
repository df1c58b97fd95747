"""Coverage-guided fuzzing of ingest -> normalise -> metadata (-> extract) with atheris.

For long runs on a developer machine, outside CI (CI runs the bounded hypothesis
properties in tests/test_fuzz.py). Any exception other than ``KgError`` is a
crash: atheris stops and writes the input to ``crash-<sha1>``. The first byte
of an input picks the file suffix; the rest is the file's content.

    .venv/bin/pip install atheris            # 3.0.0 installs from PyPI on Python 3.11
    mkdir -p ~/kg-fuzz-corpus                 # outside the repository
    .venv/bin/python fuzz/fuzz_ingest.py ~/kg-fuzz-corpus -max_total_time=3600 -max_len=4096
    .venv/bin/python fuzz/fuzz_ingest.py crash-<sha1>       # replay one crash
    KG_FUZZ_EXTRACT=1 .venv/bin/python fuzz/fuzz_ingest.py ~/kg-fuzz-corpus   # also run extraction (slower)

Turn each crash into an ``@example`` in tests/test_fuzz.py before fixing it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from kg.errors import KgError
    from kg.extract import extract
    from kg.ingest import iter_articles
    from kg.metadata import enrich
    from kg.normalise import normalise

SUFFIXES = (".txt", ".md", ".html", ".jsonl", ".jsonl.gz")
# One scratch file, removed after each input: libFuzzer exits without running Python's atexit.
WORK = Path(tempfile.gettempdir()) / f"kg-fuzz-{os.getpid()}"
EXTRACT = os.environ.get("KG_FUZZ_EXTRACT") == "1"


def one_input(data: bytes) -> None:
    """Write ``data`` as one input file and push every article it gives through the early stages."""
    if not data:
        return
    path = WORK.with_name(WORK.name + SUFFIXES[data[0] % len(SUFFIXES)])
    path.write_bytes(data[1:])
    try:
        for article in iter_articles([path], skip_bad=True):
            doc = enrich(normalise(article))
            if EXTRACT:
                extract(doc)
    except KgError:
        pass
    finally:
        path.unlink()


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
