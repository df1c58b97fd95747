"""Read files, folders and standard input into ``Article`` objects, one at a time.

Formats: ``.txt``, ``.md``, ``.html``/``.htm`` (article body only), ``.jsonl`` and
``.jsonl.gz`` (one article a line, read line by line). The encoding is detected
(UTF-8 with or without BOM, GB18030/GBK, Big5, or UTF-8 with some GB18030/Big5
lines) and recorded; anything that is not text fails with a ``KgError`` naming
the file and, where there is one, the line.

``iter_articles`` streams: it walks folders lazily and never holds more than one
document (or one JSON line) in memory, so memory does not grow with the number or
the size of the inputs. With ``skip_bad`` it reports a bad input and goes on.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from .errors import KgError
from .model import Article

SUFFIXES = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
GZIP_SUFFIX = ".jsonl.gz"
STDIN = "-"
STDIN_NAME = "<stdin>"
# 2 million characters is about 6 MB of Chinese UTF-8, some 200 times a long news
# article. A document that long already peaks at about 260 MB while it is normalised
# (offset map and copies) and takes about a minute to extract, all at once, in one
# process; a longer one is almost always a dump or a scraping accident, better refused
# by name (--max-chars raises the limit).
MAX_CHARS = 2_000_000
HTML_MARKUP_FACTOR = 5  # a page may carry this many times MAX_CHARS of markup (scripts, inline images)
_JSON_LINE_SLACK = 65_536  # bytes of a JSON line beyond the text itself (other fields, syntax)
_CHUNK = 1 << 20
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NOT_TEXT = re.compile(r"[\x00\ud800-\udfff]")  # NUL or a lone surrogate: cannot be written out as UTF-8


def iter_articles(paths: Iterable[str | Path], encoding: str | None = None, *, skip_bad: bool = False,
                  on_skip: Callable[[KgError], None] | None = None,
                  max_chars: int = MAX_CHARS) -> Iterator[Article]:
    """Yield the articles of ``paths`` one at a time, in a deterministic order.

    ``paths`` holds files, folders (read recursively, names sorted by code point at
    each level) and ``"-"`` for standard input (JSON lines if it starts with ``{``,
    else one plain-text article named ``<stdin>``). A bad input raises ``KgError``
    naming the file (and line and column where there are); with ``skip_bad`` it is
    passed to ``on_skip`` instead and reading goes on with the next line or file.
    A document longer than ``max_chars`` characters is a bad input.

    >>> next(iter_articles(["data/samples"])).format
    'txt'
    """
    _check_options(encoding, max_chars)
    given = [os.fspath(p) for p in paths]
    read = skipped = 0
    for source in _sources(given):
        items = (source,) if isinstance(source, KgError) else _file_items(source, encoding, max_chars)
        for item in items:
            if isinstance(item, Article):
                read += 1
                yield item
            elif not skip_bad:
                raise item
            else:
                skipped += 1
                if on_skip is not None:
                    on_skip(item)
    if not read:
        raise _nothing_read(given, skipped)


def read_documents(paths: Iterable[str | Path], encoding: str | None = None) -> Iterator[Article]:
    """Yield the articles in ``paths`` (files or folders, folders read recursively, sorted)."""
    return iter_articles(paths, encoding)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus the supported files found below each folder."""
    given = [os.fspath(p) for p in paths]
    files: list[Path] = []
    for source in _sources(given):
        if isinstance(source, KgError):
            raise source
        files.append(Path(source))
    if not files:
        raise _nothing_read(given, 0)
    return files


def read_file(path: str | Path, encoding: str | None = None, *, max_chars: int = MAX_CHARS) -> Iterator[Article]:
    """The articles of one file (``"-"``: standard input); the first bad line or file raises ``KgError``."""
    _check_options(encoding, max_chars)
    for item in _file_items(os.fspath(path), encoding, max_chars):
        if isinstance(item, KgError):
            raise item
        yield item


def _check_options(encoding: str | None, max_chars: int) -> None:
    """Fail on a bad option before any file is read: it would fail for every file."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise KgError(f"unknown encoding '{encoding}'", hint="try utf-8, gb18030 or big5") from None
    if max_chars < 1:
        raise KgError(f"--max-chars must be at least 1, not {max_chars}")


def _nothing_read(given: list[str], skipped: int) -> KgError:
    if skipped:
        return KgError(f"no articles read: all {skipped} bad input(s) were skipped", ", ".join(given) or None)
    return KgError("no input documents found", ", ".join(given) or None,
                   hint="give .txt, .md, .html, .jsonl or .jsonl.gz files or folders holding them")


# -- finding the files ---------------------------------------------------------


def _kind(name: str) -> str | None:
    """The format a file name says, or None for files we do not read."""
    lower = name.lower()
    if lower.endswith(GZIP_SUFFIX):
        return "jsonl.gz"
    return SUFFIXES.get(os.path.splitext(lower)[1])


def _sources(given: list[str]) -> Iterator[str | KgError]:
    """Each input file as the user wrote it (or as found below a folder), or the error of a bad path."""
    for path in given:
        if path == STDIN:
            yield STDIN
            continue
        try:
            info = os.stat(path)
        except OSError as err:
            yield _stat_error(path, err)
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path, info)
        elif not stat.S_ISREG(info.st_mode):
            yield KgError("not a regular file or folder", path)
        elif _kind(path) is None:
            suffix = os.path.splitext(path)[1]
            yield KgError(f"unsupported file type '{suffix or '(none)'}'", path,
                          hint="use .txt, .md, .html, .htm, .jsonl or .jsonl.gz")
        else:
            yield path


def _stat_error(path: str, err: OSError) -> KgError:
    if isinstance(err, FileNotFoundError):
        if os.path.islink(path):
            return KgError("broken symbolic link: its target does not exist", path)
        return KgError("no such file or folder", path)
    return KgError(f"cannot open: {err.strerror or err}", path)


def _walk(top: str, info: os.stat_result) -> Iterator[str | KgError]:
    """The supported files below ``top``, depth first, names sorted by code point at each level.

    Symbolic links to folders are followed (people link corpora into a folder),
    but a link back to a folder on the current path, a loop, is passed over
    silently: everything below it is being read already, so following it would
    only read the same files again or never end, and reporting it would stop a
    build (or print a line) over something that loses no article. Loops are
    found by the (device, inode) of the folders on the current path; a folder
    reached twice through two different links is read twice (the pipeline drops
    duplicate articles by content). Only a per-folder list of names is held.
    """
    try:
        entries = _listing(top)
    except OSError as err:
        yield KgError(f"cannot read folder: {err.strerror or err}", top)
        return
    on_path = {(info.st_dev, info.st_ino)}
    stack = [(entries, (info.st_dev, info.st_ino))]
    while stack:
        entries, folder_id = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            on_path.discard(folder_id)
            continue
        try:
            is_dir = entry.is_dir()
        except OSError as err:  # a link to itself, or a loop of links
            if _kind(entry.name) is not None:
                yield _stat_error(entry.path, err)
            continue
        if is_dir:
            try:
                found = entry.stat()
                key = (found.st_dev, found.st_ino)
                if key in on_path:
                    continue  # a symbolic-link loop
                children = _listing(entry.path)
            except OSError as err:
                yield KgError(f"cannot read folder: {err.strerror or err}", entry.path)
                continue
            on_path.add(key)
            stack.append((children, key))
        elif _kind(entry.name) is not None:
            if entry.is_file():
                yield entry.path
            elif entry.is_symlink():  # its target is gone
                yield KgError("broken symbolic link: its target does not exist", entry.path)


def _listing(folder: str) -> Iterator[os.DirEntry]:
    with os.scandir(folder) as found:
        return iter(sorted(found, key=lambda entry: entry.name))


# -- reading one input ---------------------------------------------------------


def _file_items(path: str, encoding: str | None, max_chars: int) -> Iterator[Article | KgError]:
    """Articles of one input and the errors of its bad lines; a whole-file error comes last."""
    try:
        if path == STDIN:
            yield from _stdin_items(encoding, max_chars)
        elif _kind(path) in ("jsonl", "jsonl.gz"):
            yield from _jsonl_file(path, encoding, max_chars)
        else:
            yield _document_file(path, encoding, max_chars)
    except KgError as err:
        yield err


def _document_file(path: str, encoding: str | None, max_chars: int) -> Article:
    """A .txt, .md or .html file: read whole, but never more than the size limit allows."""
    fmt = _kind(path) or "txt"
    limit = _byte_limit(fmt, max_chars)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise _too_long_bytes(size, max_chars, path)
            data = _read_at_most(handle, limit)
    except OSError as err:
        raise KgError(f"cannot read file: {err.strerror or err}", path) from None
    if len(data) > limit:
        raise _too_long_bytes(None, max_chars, path)
    return _document(data, path, fmt, encoding, max_chars)


def _read_at_most(stream, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes, in chunks: one ``read(n)`` sets aside all ``n`` bytes first."""
    chunks, got = [], 0
    while got <= limit and (chunk := stream.read(min(_CHUNK, limit + 1 - got))):
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _byte_limit(fmt: str, max_chars: int) -> int:
    """No encoding we read takes more than 4 bytes a character (plus a BOM): a bigger file is too long."""
    chars = max_chars * HTML_MARKUP_FACTOR if fmt == "html" else max_chars
    return 4 * chars + 4


def _document(data: bytes, path: str, fmt: str, encoding: str | None, max_chars: int) -> Article:
    text, used = decode(data, path, encoding)
    if fmt == "html":
        if len(text) > max_chars * HTML_MARKUP_FACTOR:
            raise KgError(f"HTML page too long: {len(text):,} characters; the limit is "
                          f"{max_chars * HTML_MARKUP_FACTOR:,} ({HTML_MARKUP_FACTOR} × --max-chars)", path)
        article = html_article(text, path, used)
    else:
        article = Article(path=path, raw=strip_markdown(text) if fmt == "md" else text, format=fmt, encoding=used)
    if not article.raw.strip():  # only ideographic spaces, or only Markdown markup
        raise KgError("empty file", path)
    if len(article.raw) > max_chars:
        raise _too_long(len(article.raw), max_chars, path)
    return article


def _too_long(chars: int, max_chars: int, path: str, line: int | None = None) -> KgError:
    return KgError(f"document too long: {chars:,} characters; the limit is {max_chars:,} (--max-chars)", path, line)


def _too_long_bytes(size: int | None, max_chars: int, path: str, line: int | None = None) -> KgError:
    what = f"{size:,} bytes, more than" if size is not None else "more than"
    return KgError(f"document too long: {what} {max_chars:,} characters; the limit is {max_chars:,} (--max-chars)",
                   path, line)


# -- standard input ------------------------------------------------------------


def _stdin_items(encoding: str | None, max_chars: int) -> Iterator[Article | KgError]:
    """Standard input: JSON lines when its first non-blank byte is ``{``, else one plain-text article."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise KgError("standard input is closed", STDIN_NAME)
    head = _blank_prefix(stream)
    reader = io.BufferedReader(_Prefixed(head, stream), _CHUNK)
    if head.removeprefix(codecs.BOM_UTF8).lstrip()[:1] == b"{":
        yield from _jsonl_items(reader, STDIN_NAME, encoding, max_chars)
        return
    limit = _byte_limit("txt", max_chars)
    data = _read_at_most(reader, limit)
    if len(data) > limit:
        raise _too_long_bytes(None, max_chars, STDIN_NAME)
    yield _document(data, STDIN_NAME, "txt", encoding, max_chars)


def _blank_prefix(stream) -> bytes:
    """Read up to the first non-blank byte (or 1 MiB of blanks, or the end) to tell the format."""
    head = b""
    while len(head) < _CHUNK:
        chunk = stream.read1(65_536) if hasattr(stream, "read1") else stream.read(65_536)
        head += chunk
        if not chunk or head.removeprefix(codecs.BOM_UTF8).strip():
            break
    return head


class _Prefixed(io.RawIOBase):
    """A byte stream that gives back ``head`` (already read to tell the format), then the rest."""

    def __init__(self, head: bytes, rest) -> None:
        super().__init__()
        self.head = memoryview(head)
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read1(len(buffer)) if hasattr(self.rest, "read1") else self.rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


# -- JSON lines ----------------------------------------------------------------


def _jsonl_file(path: str, encoding: str | None, max_chars: int) -> Iterator[Article | KgError]:
    gz = _kind(path) == "jsonl.gz"
    try:
        handle = open(path, "rb")
    except OSError as err:
        raise KgError(f"cannot read file: {err.strerror or err}", path) from None
    with handle:
        stream = gzip.GzipFile(fileobj=handle, mode="rb") if gz else handle
        yield from _jsonl_items(stream, path, encoding, max_chars, gz)


def _jsonl_items(stream, path: str, encoding: str | None, max_chars: int,
                 gz: bool = False) -> Iterator[Article | KgError]:
    """One article a non-blank line; a bad line gives its ``KgError`` and reading goes on."""
    lines = 0
    for number, text, used in _decoded_lines(stream, path, encoding, max_chars, gz):
        lines += 1
        if isinstance(text, KgError):
            yield text
            continue
        try:
            yield _jsonl_article(text, path, number, used, max_chars)
        except KgError as err:
            yield err
    if not lines:
        raise KgError("empty file", path)


def _jsonl_article(text: str, path: str, number: int, used: str, max_chars: int) -> Article:
    try:
        record = json.loads(text.removesuffix("\n").removesuffix("\r"))
    except json.JSONDecodeError as err:
        raise KgError(f"invalid JSON: {err.msg}", path, number, err.colno) from None
    except RecursionError:
        raise KgError("invalid JSON: nested too deeply", path, number) from None
    except ValueError as err:  # a number past Python's digit limit
        raise KgError(f"invalid JSON: {str(err).split(';')[0]}", path, number) from None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise KgError("each line must be a JSON object with a string 'text'", path, number)
    if not record["text"].strip():
        raise KgError("empty 'text'", path, number)
    if len(record["text"]) > max_chars:
        raise _too_long(len(record["text"]), max_chars, path, number)
    for field in ("text", "title", "url", "date", "source"):
        value = record.get(field)
        if isinstance(value, str) and (bad := _NOT_TEXT.search(value)):
            raise KgError(f"'{field}' holds \\u{ord(bad.group()):04x}, which is not text "
                          "(a NUL or an unpaired surrogate)", path, number)
    return Article(
        path=f"{path}:{number}", raw=record["text"], format="jsonl", encoding=used,
        title=_str_or_none(record.get("title")), url=_str_or_none(record.get("url")),
        published=_str_or_none(record.get("date")), source=_str_or_none(record.get("source")),
    )


def _str_or_none(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _decoded_lines(stream, path: str, encoding: str | None, max_chars: int,
                   gz: bool) -> Iterator[tuple[int, str | KgError, str]]:
    """(line number, text or the line's error, encoding) of each non-blank line, read with a bounded buffer."""
    limit = 6 * max_chars + _JSON_LINE_SLACK  # every character escaped as \\uXXXX, plus the other fields
    wide = _wide_encoding(stream, path, encoding, gz)
    if wide:
        readline, newline = io.TextIOWrapper(stream, encoding=wide, errors="strict", newline="\n").readline, "\n"
    else:
        readline, newline = stream.readline, b"\n"
    decode_line = _LineDecoder(path, encoding, wide, max_chars)
    number = 0
    try:
        for number, line in _lines(readline, limit, newline):
            if (item := decode_line(number, line)) is not None:
                yield item
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as err:
        raise _read_error(err, path, number + 1, gz, wide) from None


class _LineDecoder:
    """Decodes the lines of one JSON-lines file; remembers its legacy encoding (most files hold one)."""

    def __init__(self, path: str, encoding: str | None, wide: str | None, max_chars: int) -> None:
        self.path, self.encoding, self.wide, self.max_chars = path, encoding, wide, max_chars
        self.known: str | None = None
        self.bom = self.started = False

    def __call__(self, number: int, line: bytes | str | int) -> tuple[int, str | KgError, str] | None:
        """None for a blank line."""
        if isinstance(line, int):  # the size of an over-long line: bytes, or characters when decoded already
            size = None if self.wide else line
            return number, _too_long_bytes(size, self.max_chars, self.path, number), ""
        if isinstance(line, str):  # decoded already (UTF-16 and the like)
            return (number, line.removeprefix("\ufeff"), self.wide or "") if line.strip() else None
        if number == 1 and not self.encoding and line.startswith(codecs.BOM_UTF8):
            line, self.bom = line[3:], True
        if not line.strip():
            return None
        if b"\x00" in line and not self.encoding:
            if not self.started:
                raise KgError("binary file, not text (contains NUL bytes)", self.path)
            return number, KgError("binary data, not text (contains NUL bytes)", self.path, number), ""
        self.started = True
        try:
            text, used = _decode_line(line, self.path, number, self.encoding, self.known)
        except KgError as err:
            return number, err, ""
        if not self.encoding and used != "utf-8":
            self.known = used
        return number, text, "utf-8-sig" if self.bom and used == "utf-8" else used


def _lines(readline, limit: int, newline) -> Iterator[tuple[int, bytes | str | int]]:
    """Numbered lines of at most ``limit`` bytes; a longer line is skipped in chunks and given as its size."""
    number = 0
    while line := readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(newline):
            size = len(line)
            while not line.endswith(newline) and (line := readline(_CHUNK)):
                size += len(line)
            yield number, size
        else:
            yield number, line


def _wide_encoding(stream, path: str, encoding: str | None, gz: bool) -> str | None:
    """The encoding when lines cannot be split on the byte 0x0a (UTF-16 and the like), else None.

    Also refuses a binary file from its first block, before its first "line" is
    taken for text in some legacy encoding.
    """
    if encoding:
        return encoding if "\n".encode(encoding) != b"\n" else None
    try:
        head = stream.peek(8192) if hasattr(stream, "peek") else b""
    except (OSError, EOFError, zlib.error) as err:
        raise _read_error(err, path, 1, gz, None) from None
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    if b"\x00" in head:
        raise KgError("binary file, not text (contains NUL bytes)", path)
    return None


def _read_error(err: Exception, path: str, line: int, gz: bool, encoding: str | None) -> KgError:
    if isinstance(err, UnicodeDecodeError):  # decoded a block at a time: the bad byte may be further on
        return KgError(f"not valid {encoding} (byte 0x{err.object[err.start]:02x}) on this line or a later one",
                       path, line)
    if gz:
        return KgError(f"corrupt gzip file: {err}", path, line)
    return KgError(f"cannot read file: {getattr(err, 'strerror', None) or err}", path, line)


def _decode_line(raw: bytes, path: str, number: int, encoding: str | None, known: str | None) -> tuple[str, str]:
    """One JSON line: the forced encoding, else UTF-8, else the file's legacy encoding (or a new guess)."""
    if encoding:
        return _decode_forced(raw, path, encoding, number), encoding.lower()
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = err
    _refuse_damaged_utf8(raw, path, utf8_error, number)
    if known:
        try:
            text = raw.decode(known)
        except UnicodeDecodeError:
            pass
        else:
            if _looks_like_text(text):
                return text, known
    guess = _guess_encoding(raw)
    if guess is None:
        raise _undecodable(raw, path, utf8_error.start, number)
    return guess


# -- decoding -----------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_WIDE_CHAR = re.compile(r"[^\x00-\u07ff]")  # a character UTF-8 writes in 3 or 4 bytes (all of Chinese)


def decode(data: bytes, where: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and say which encoding was used.

    Raises ``KgError`` for empty, binary or undecodable input, naming the place.
    """
    if not data.strip():
        raise KgError("empty file", where)
    if encoding:
        return _decode_forced(data, where, encoding), encoding.lower()
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode_strict(data, where, name), name
    if b"\x00" in data:
        raise KgError("binary file, not text (contains NUL bytes)", where)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        return _decode_lines(data, where, err)


def _decode_lines(data: bytes, where: str, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    """Text that is not all UTF-8: GB18030 or Big5, or UTF-8 with some lines in one of them.

    Files stitched together from several sources hold both, and decoding the
    whole file one way turns the other part into silent mojibake, so each line is
    read its own way: as UTF-8 when it is valid UTF-8 with a character from
    U+0800 up (Chinese always is), else in the legacy encoding guessed from the
    other lines. (A short GB18030 line such as 图片 is also valid two-byte UTF-8,
    "ͼƬ", hence the U+0800 rule.) A mixed file is recorded as ``utf-8+gb18030``.
    A UTF-8 line with a few damaged bytes fails with its line and column rather
    than being read as GB18030.
    """
    lines = data.splitlines(keepends=True)
    as_utf8 = [_utf8_line(line) for line in lines]
    for number, (line, text) in enumerate(zip(lines, as_utf8, strict=True), 1):
        if text is None:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as err:
                _refuse_damaged_utf8(line, where, err, number)
    guess = _guess_encoding(b"".join(line for line, text in zip(lines, as_utf8, strict=True) if text is None))
    if guess is None:
        raise _undecodable(data, where, utf8_error.start)
    name = guess[1]
    pieces, mixed, at = [], False, 0
    for line, text in zip(lines, as_utf8, strict=True):
        if text is not None:
            mixed = mixed or not text.isascii()
        else:
            text = _legacy_or_narrow_utf8(line, name, data, where, at)
        pieces.append(text)
        at += len(line)
    return "".join(pieces), f"utf-8+{name}" if mixed else name


def _utf8_line(line: bytes) -> str | None:
    """The line read as UTF-8 when that is surely right: ASCII, or valid UTF-8 holding a wide character."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.isascii() or _WIDE_CHAR.search(text) else None


def _legacy_or_narrow_utf8(line: bytes, name: str, data: bytes, where: str, at: int) -> str:
    try:
        return line.decode(name)
    except UnicodeDecodeError as err:
        legacy_error = err
    try:
        return line.decode("utf-8")  # valid UTF-8 of accented Latin, Greek…: not GB18030 after all
    except UnicodeDecodeError:
        raise _undecodable(data, where, at + legacy_error.start) from None


def _refuse_damaged_utf8(line: bytes, where: str, err: UnicodeDecodeError, number: int) -> None:
    """A line of UTF-8 Chinese with a few bad bytes: name the byte instead of guessing a legacy encoding.

    Read as UTF-8, a GB18030 or Big5 line gives about one error a character and
    next to no valid wide characters; damaged UTF-8 gives many more of those than errors.
    """
    text = line.decode("utf-8", "replace")
    wide = len(_WIDE_CHAR.findall(text)) - text.count("\ufffd")
    if wide >= 4 * text.count("\ufffd"):
        col = err.start + 1
        raise KgError(f"invalid UTF-8 (byte 0x{line[err.start]:02x}) in a UTF-8 line", where, number, col,
                      hint="fix or remove the damaged bytes")


def _undecodable(data: bytes, where: str, index: int, first_line: int = 1) -> KgError:
    line, col = _line_col(data, index)
    return KgError(f"not UTF-8, GB18030 or Big5 text (byte 0x{data[index]:02x})", where, line + first_line - 1, col,
                   hint="try --encoding")


def _decode_forced(data: bytes, where: str, encoding: str, first_line: int = 1) -> str:
    """Decode as the user said; refuse when the bytes are plainly UTF-8 Chinese instead of silent mojibake."""
    if not codecs.lookup(encoding).name.startswith("utf") and not data.isascii():
        for number, line in enumerate(data.splitlines(), first_line):
            if not line.isascii() and (utf8 := _utf8_line(line)) is not None and not utf8.isascii():
                raise KgError(f"this is UTF-8 text, not {encoding}", where, number,
                              hint="leave out --encoding to detect it (files mixing encodings are read line by line)")
    return _decode_strict(data, where, encoding, first_line)


def _decode_strict(data: bytes, where: str, encoding: str, first_line: int = 1) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise KgError(f"unknown encoding '{encoding}'", where) from None
    except UnicodeDecodeError as err:
        line, col = _line_col(data, err.start)
        raise KgError(f"not valid {encoding} (byte 0x{data[err.start]:02x})", where, line + first_line - 1,
                      col) from None


def _guess_encoding(data: bytes) -> tuple[str, str] | None:
    """Try the Chinese legacy encodings; keep the one charset-normalizer prefers that reads as Chinese."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_8"]).best()
    candidates = [best.encoding] if best is not None else []
    candidates += [c for c in ("gb18030", "big5") if c not in candidates]
    for name in candidates:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, name.replace("_", "-")
    return None


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    return controls / len(text) < 0.01 and bool(_CJK.search(text) or text.isascii())


def _line_col(data: bytes, index: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, index) + 1
    return line, index - (data.rfind(b"\n", 0, index) + 1) + 1


# -- Markdown ------------------------------------------------------------------

# Link text holds no bracket, a URL at most one level of parentheses (wiki/a_(b)): with
# ``[^\]]*`` a line of many "[" and no "]" took quadratic time (each "[" scanned to the end).
_MD_URL = r"\((?:[^()]|\([^()]*\))*\)"
_MD_RULES = (
    (re.compile(r"!\[([^\[\]]*)\]" + _MD_URL), r"\1"),
    (re.compile(r"\[([^\[\]]*)\]" + _MD_URL), r"\1"),
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),
    (re.compile(r"(\*\*|__|\*|`)"), ""),
)


def strip_markdown(text: str) -> str:
    """Markdown to plain text: keep the words, drop the markup."""
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return text


# -- HTML ----------------------------------------------------------------------

_SKIP_TAGS = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
              "iframe", "button", "select", "svg", "canvas", "head"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4",
               "h5", "h6", "table", "tr", "td", "th", "blockquote", "pre", "br", "dd", "dt", "body",
               "figure", "figcaption", "center"}
_VOID_TAGS = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source",
              "track", "wbr", "param"}
_BOILERPLATE_ATTR = re.compile(
    r"(^|[-_\s])(nav|navbar|menu|footer|header|share|sharing|social|sidebar|side|breadcrumb|crumb|"
    r"comment|comments|related|recommend|advert|ads?|banner|toolbar|copyright|login|search|hot|"
    r"rank|pagination|pager)([-_\s]|$)", re.I)
_BOILERPLATE_TEXT = re.compile(
    r"^(当前位置|您的位置|首页|返回首页|返回.{0,8}首页|分享到?|扫一扫|上一篇|下一篇|相关阅读|相关新闻|"
    r"责任编辑|打印|关闭|收藏|版权所有|copyright|©)", re.I)
_META_DATE = ("article:published_time", "og:published_time", "pubdate", "publishdate", "publish_date",
              "date", "dc.date", "dc.date.issued", "dcterms.created", "datepublished")
_META_SOURCE = ("source", "contentsource", "og:site_name", "site_name", "article:publisher", "publisher")


class _BodyParser(HTMLParser):
    """Collects text blocks with the element that holds them; notes title and meta tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # (tag, element id, skipped, id and tag of the nearest block element: the text's holder)
        self.stack: list[tuple[str, int, bool, int, str]] = []
        self.open_tags: dict[str, int] = {}  # how many of each tag are open: end tags check it in O(1)
        self.parents: dict[int, int] = {}
        self.next_id = 1
        self.blocks: list[tuple[int, str, str]] = []  # (holder element id, tag, text)
        self.buffer: list[str] = []
        self.title_parts: list[str] = []
        self.in_title = False
        self.meta: dict[str, str] = {}

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][2]

    def _holder(self) -> tuple[int, str]:
        return (self.stack[-1][3], self.stack[-1][4]) if self.stack else (0, "body")

    def flush(self) -> None:
        text = re.sub(r"[ \t\r\f\v\u3000\xa0]+", " ", "".join(self.buffer)).strip()
        self.buffer.clear()
        if text:
            ident, tag = self._holder()
            self.blocks.append((ident, tag, text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict((k.lower(), v or "") for k, v in attrs)
        if tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
            if key and values.get("content"):
                self.meta.setdefault(key, values["content"].strip())
            return
        if tag == "title":
            self.in_title = True
        if tag in _BLOCK_TAGS:
            self.flush()
        if tag in _VOID_TAGS:
            return
        marker = f"{values.get('class', '')} {values.get('id', '')} {values.get('role', '')}"
        skipped = self._skipped() or tag in _SKIP_TAGS or bool(_BOILERPLATE_ATTR.search(marker))
        ident = self.next_id
        self.next_id += 1
        self.parents[ident] = self.stack[-1][1] if self.stack else 0
        holder, holder_tag = (ident, tag) if tag in _BLOCK_TAGS else self._holder()
        self.stack.append((tag, ident, skipped, holder, holder_tag))
        self.open_tags[tag] = self.open_tags.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _VOID_TAGS:
            if tag == "br":
                self.flush()
            return
        if not self.open_tags.get(tag):
            return  # stray end tag in broken HTML: ignore it
        if tag in _BLOCK_TAGS:
            self.flush()
        while self.stack:  # each element is popped once: linear over the page however deep it nests
            top = self.stack.pop()[0]
            self.open_tags[top] -= 1
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if not self._skipped():
            self.buffer.append(data)


def html_article(text: str, path: str, used: str) -> Article:
    """The article body of an HTML page (boilerplate dropped) with its title, date and source."""
    parser = _BodyParser()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as err:  # html.parser is lenient; these are rare
        raise KgError(f"cannot parse HTML: {err}", path) from None
    parser.flush()
    blocks = _main_blocks(parser)
    if not blocks:
        raise KgError("no article text found in HTML", path)
    meta = parser.meta
    title = meta.get("og:title") or " ".join("".join(parser.title_parts).split()) or None
    published = next((meta[k] for k in _META_DATE if k in meta), None)
    source = next((meta[k] for k in _META_SOURCE if k in meta), None)
    url = meta.get("og:url")
    return Article(path=path, raw="\n".join(blocks), format="html", encoding=used, title=title, url=url,
                   published=published, source=source)


def _main_blocks(parser: _BodyParser) -> list[str]:
    """Choose the element that holds most of the paragraph text, then keep its blocks.

    A block's text counts for its holder and, half, for the holder's parent (so a
    div of many <p> wins over a sidebar of short links).
    """
    blocks = [(h, tag, t) for h, tag, t in parser.blocks if not _BOILERPLATE_TEXT.match(t)]
    if not blocks:
        return []
    score: dict[int, float] = {}
    for holder, _tag, text in blocks:
        weight = len(_CJK.findall(text)) + 0.3 * len(text)
        if len(text) < 12 and not re.search(r"[。!?]", text):
            weight *= 0.3
        score[holder] = score.get(holder, 0.0) + weight
        parent = parser.parents.get(holder, 0)
        score[parent] = score.get(parent, 0.0) + weight / 2
    best = max(sorted(score), key=lambda k: score[k])
    inside = {best}
    for ident in sorted(parser.parents):  # ids grow with depth-first order: parents come first
        if parser.parents[ident] in inside:
            inside.add(ident)
    return [t for h, _tag, t in blocks if h in inside]
