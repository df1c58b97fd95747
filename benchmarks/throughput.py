"""Throughput of the whole extraction against raw jieba.posseg on the same text, in one run.

    python benchmarks/throughput.py [--repeat 5]

Prints characters per second for both and their ratio (kg is slower: it runs
jieba.posseg plus its rules). Never used by the tests: these machines are noisy.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import jieba
import jieba.posseg

from kg.extract import extract
from kg.pipeline import documents
from kg.resolve import resolve

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "data" / "samples"), str(ROOT / "tests" / "corpus")])
    args = parser.parse_args()
    docs = documents(args.paths)
    chars = sum(len(d.text) for d in docs)
    jieba.setLogLevel(logging.WARNING)
    jieba.posseg.lcut("预热")
    extract(docs[0])  # warm both: dictionaries and lexicons load once

    start = time.perf_counter()
    for _ in range(args.repeat):
        for d in docs:
            jieba.posseg.lcut(d.text)
    raw = time.perf_counter() - start

    start = time.perf_counter()
    for _ in range(args.repeat):
        resolve([extract(d) for d in docs])
    full = time.perf_counter() - start

    total = chars * args.repeat
    print(f"{len(docs)} documents, {chars} characters, repeated {args.repeat}x")
    print(f"jieba.posseg.lcut     {total / raw:10.0f} chars/s")
    print(f"kg extract + resolve  {total / full:10.0f} chars/s")
    print(f"ratio kg / jieba      {raw / full:10.2f}")


if __name__ == "__main__":
    main()
