"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import heapq
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from .errors import KgError


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    with atomic_file(path) as handle:
        handle.write(data)


@contextmanager
def atomic_file(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through: it appears, complete, only when the block ends
    without error; until then the old file (if any) stays, and on error nothing is left behind."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise KgError("output folder does not exist", str(folder))
    if path.is_dir():
        raise KgError("output is a folder, not a file", str(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise KgError(f"cannot write output: {err.strerror}", str(path)) from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes owner-only files; outputs are ordinary files
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise KgError(f"cannot write output: {err.strerror or err}", str(path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sorted_unique(lines: Iterable[str], chunk: int = 400_000) -> Iterator[str]:
    """``sorted(set(lines))`` in bounded memory: runs of ``chunk`` lines are sorted and spilled to
    temporary files, then merged. Lines must not contain newlines."""
    runs: list[Path] = []
    folder = Path(tempfile.mkdtemp(prefix="kg-sort-"))
    try:
        it = iter(lines)
        while block := list(islice(it, chunk)):
            run = folder / f"run{len(runs):05d}"
            with open(run, "w", encoding="utf-8", newline="\n") as handle:
                handle.writelines(line + "\n" for line in sorted(set(block)))
            runs.append(run)
        handles = [open(run, encoding="utf-8", newline="\n") for run in runs]
        try:
            previous = None
            for line in heapq.merge(*((text[:-1] for text in handle) for handle in handles)):
                if line != previous:  # compared without the newline, which would sort before a tab
                    yield line
                    previous = line
        finally:
            for handle in handles:
                handle.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def replace_path(new: Path, target: Path) -> None:
    """Swap ``new`` in for ``target`` (a file or a folder); the old one is removed only after the swap."""
    if not (target.exists() or target.is_symlink()):
        os.replace(new, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        os.replace(old, target)
        raise
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)
