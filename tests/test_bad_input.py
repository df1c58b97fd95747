"""Bad input: each kind fails with one ``KgError`` naming the file (and line), or is skipped with ``skip_bad``.

The library tests call ``iter_articles``; the CLI tests run ``python -m kg build``
and check the exit code, the one stderr line and that no output file is left behind.
"""

from __future__ import annotations

import builtins
import gzip
import io
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from kg import ingest
from kg.errors import KgError
from kg.ingest import MAX_CHARS, iter_articles, read_documents

GOOD = "川南智造科技有限公司党委书记、董事长周海峰表示,公司今年将加大研发投入。\n"
OTHER = "渝北云帆物流有限公司与重庆大学签约合作,共建联合实验室。\n"
MB = 1 << 20


def read(paths, **options) -> tuple[list, list[str]]:
    """(articles, skipped errors as their one-line text), reading with ``skip_bad``."""
    skipped: list[KgError] = []
    articles = list(iter_articles(paths, skip_bad=True, on_skip=skipped.append, **options))
    return articles, [str(err) for err in skipped]


def error(paths, **options) -> str:
    """The one-line text of the ``KgError`` reading ``paths`` raises without ``skip_bad``."""
    with pytest.raises(KgError) as err:
        list(iter_articles(paths, **options))
    return str(err.value)


def good_file(folder: Path, name: str = "good.txt") -> Path:
    path = folder / name
    path.write_text(GOOD, encoding="utf-8")
    return path


# -- empty, binary, NUL ---------------------------------------------------------


@pytest.mark.parametrize("name, data, message", [
    ("empty.txt", b"", "empty file"),
    ("blank.md", b" \n\t\r\n", "empty file"),
    ("ideographic-spaces.txt", "\u3000\u3000\n".encode(), "empty file"),
    ("markup-only.md", b"# \n**", "empty file"),
    ("empty.html", b"", "empty file"),
    ("blank.jsonl", b"\n  \n\n", "empty file"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file, not text (contains NUL bytes)"),
    ("nul.txt", GOOD.encode() + b"\x00" + OTHER.encode(), "binary file, not text (contains NUL bytes)"),
    ("image.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not text (contains NUL bytes)"),
])
def test_empty_and_binary_files_are_named_and_can_be_skipped(tmp_path, name, data, message):
    bad = tmp_path / name
    bad.write_bytes(data)
    good = good_file(tmp_path, "z.txt")
    assert error([bad, good]) == f"{bad}: {message}"
    articles, skipped = read([bad, good])
    assert skipped == [f"{bad}: {message}"]
    assert [a.path for a in articles] == [str(good)]


def test_a_nul_inside_a_json_text_is_refused_with_its_line(tmp_path):
    path = tmp_path / "nul.jsonl"
    path.write_text('{"text": "甲公司"}\n{"text": "乙\\u0000公司"}\n', encoding="utf-8")
    articles, skipped = read([path])
    assert [a.raw for a in articles] == ["甲公司"]
    assert skipped == [f"{path}:2: 'text' holds \\u0000, which is not text (a NUL or an unpaired surrogate)"]


# -- encodings -------------------------------------------------------------------


def test_a_utf8_file_with_one_gb18030_paragraph_is_read_line_by_line(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes(GOOD.encode("utf-8") + OTHER.encode("gb18030") + GOOD.encode("utf-8"))
    (article,) = read_documents([path])
    assert article.raw == GOOD + OTHER + GOOD  # no mojibake in either part
    assert article.encoding == "utf-8+gb18030"


def test_mixed_json_lines_record_each_line_s_own_encoding(tmp_path):
    path = tmp_path / "mixed.jsonl"
    lines = [json.dumps({"text": text}, ensure_ascii=False) + "\n" for text in (GOOD, OTHER)]
    path.write_bytes(lines[0].encode("utf-8") + lines[1].encode("gb18030"))
    first, second = read_documents([path])
    assert (first.raw, first.encoding) == (GOOD, "utf-8")
    assert (second.raw, second.encoding) == (OTHER, "gb18030")


def test_a_whole_gb18030_file_with_a_short_line_is_still_gb18030(tmp_path):
    # 图片 in GB18030 is also valid two-byte UTF-8 ("ͼƬ"): it must not make the file "mixed".
    path = tmp_path / "gb.txt"
    path.write_bytes(("图片\n" + OTHER).encode("gb18030"))
    (article,) = read_documents([path])
    assert (article.raw, article.encoding) == ("图片\n" + OTHER, "gb18030")


def test_a_damaged_byte_in_utf8_text_is_named_not_guessed(tmp_path):
    data = bytearray((GOOD + OTHER).encode("utf-8"))
    data[len(GOOD.encode()) + 6] = 0xFF  # the first byte of the third character of line 2
    path = tmp_path / "damaged.txt"
    path.write_bytes(bytes(data))
    message = error([path])
    assert message == f"{path}:2:7: invalid UTF-8 (byte 0xff) in a UTF-8 line; fix or remove the damaged bytes"


def test_a_wrong_encoding_option_fails_with_the_line(tmp_path):
    gb = tmp_path / "gb.txt"
    gb.write_bytes(("标题\n" + OTHER).encode("gb18030"))
    assert error([gb], encoding="utf-8").startswith(f"{gb}:1:1: not valid utf-8 (byte 0xb1)")
    utf8 = tmp_path / "utf8.txt"
    utf8.write_text("title\n" + GOOD, encoding="utf-8")
    # GB18030 would decode these bytes into silent mojibake: refused instead.
    assert error([utf8], encoding="gb18030").startswith(f"{utf8}:2: this is UTF-8 text, not gb18030")
    jsonl = tmp_path / "utf8.jsonl"
    jsonl.write_text(json.dumps({"text": GOOD}, ensure_ascii=False), encoding="utf-8")
    assert error([jsonl], encoding="big5").startswith(f"{jsonl}:1: this is UTF-8 text, not big5")


def test_an_unknown_encoding_fails_before_any_file_is_read(tmp_path):
    assert error([good_file(tmp_path)], encoding="no-such-codec") == (
        "unknown encoding 'no-such-codec'; try utf-8, gb18030 or big5")


# -- size limits -------------------------------------------------------------------


def write_in_chunks(path: Path, head: bytes, chunk: bytes, count: int, tail: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(head)
        for _ in range(count):
            handle.write(chunk)
        handle.write(tail)


def peak_memory_while(function) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_200_mb_single_line_text_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "huge.txt"
    write_in_chunks(big, b"", "党委".encode() * (MB // 6), 201, b"")
    size = big.stat().st_size
    assert size > 200 * MB
    try:
        (articles, skipped), peak = peak_memory_while(lambda: read([big, good_file(tmp_path)]))
    finally:
        big.unlink()
    assert skipped == [f"{big}: document too long: {size:,} bytes, more than 2,000,000 characters; "
                       "the limit is 2,000,000 (--max-chars)"]
    assert [a.raw for a in articles] == [GOOD]
    assert peak < 64 * MB


def test_a_200_mb_json_line_is_skipped_in_chunks_and_the_next_line_read(tmp_path):
    big = tmp_path / "huge.jsonl"
    write_in_chunks(big, b'{"text": "' + GOOD.encode()[:-1], b"x" * MB, 200, b'"}\n{"text": "after"}\n')
    size = big.stat().st_size - len(b'{"text": "after"}\n')
    try:
        (articles, skipped), peak = peak_memory_while(lambda: read([big]))
    finally:
        big.unlink()
    assert skipped == [f"{big}:1: document too long: {size:,} bytes, more than 2,000,000 characters; "
                       "the limit is 2,000,000 (--max-chars)"]
    assert [(a.path, a.raw) for a in articles] == [(f"{big}:2", "after")]
    assert peak < 64 * MB


@pytest.mark.parametrize("name, content, where", [
    ("long.txt", "公司" * 6, ""),
    ("long.md", "# " + "公司" * 6, ""),
    ("long.html", "<p>" + "公司" * 6 + "</p>", ""),
    ("long.jsonl", json.dumps({"text": "公司" * 6}), ":1"),
])
def test_a_document_over_max_chars_gives_its_length(tmp_path, name, content, where):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert error([path], max_chars=10) == (
        f"{path}{where}: document too long: 12 characters; the limit is 10 (--max-chars)")
    assert [a.raw for a in read_documents([path])] == ["公司" * 6]  # the default limit is far above


def test_the_default_limit_is_two_million_characters():
    assert MAX_CHARS == 2_000_000


def test_max_chars_must_be_positive(tmp_path):
    assert error([good_file(tmp_path)], max_chars=0) == "--max-chars must be at least 1, not 0"


# -- HTML ----------------------------------------------------------------------------


def test_100000_nested_divs_are_parsed(tmp_path):
    page = tmp_path / "deep.html"
    depth = 100_000
    page.write_text("<html><body>" + "<div>" * depth + "<p>" + GOOD.strip() + "</p>"
                    + "<span>" * depth + OTHER.strip() + "<br>" + "</span>" * depth
                    + "</div>" * depth + "</body></html>", encoding="utf-8")
    (article,) = read_documents([page])
    assert article.raw.splitlines() == [GOOD.strip(), OTHER.strip()]


@pytest.mark.parametrize("markup", [
    "<html><body><div><p>" + GOOD,  # nothing closed
    "<div><p>" + GOOD + "</p><p>" + OTHER + "<table><tr><td>",
    "<p>" + GOOD + "</p><!-- a comment that never ends " + "x" * 10_000,
    "<p>" + GOOD + '</p><a href="never closed' + "x" * 10_000,
    "<p>" + GOOD + "</p><script>var s = '" + "x" * 10_000,
    "<p>" + GOOD + "</p><" + "<" * 10_000,
    "<p>" + GOOD + "</p>" + "</div>" * 10_000 + "</p></span>",
])
def test_unclosed_html_gives_its_text(tmp_path, markup):
    page = tmp_path / "broken.html"
    page.write_text(markup, encoding="utf-8")
    (article,) = read_documents([page])
    assert GOOD.strip() in article.raw.splitlines()


# -- JSON lines -------------------------------------------------------------------------

BROKEN_LINES = [
    ('{broken', "2:2: invalid JSON: Expecting property name enclosed in double quotes"),
    ('{"text": "半截', "3:10: invalid JSON: Unterminated string starting at"),
    ('["text"]', "4: each line must be a JSON object with a string 'text'"),
    ('{"text": 42}', "5: each line must be a JSON object with a string 'text'"),
    ('{"text": " "}', "6: empty 'text'"),
    ('{"text": "x", "n": ' + "9" * 5000 + "}", "7: invalid JSON: Exceeds the limit (4300 digits) for integer"),
    ("[" * 100_000 + "]" * 100_000, "8: invalid JSON: nested too deeply"),
    ('{"text": "\\ud800公司"}', "9: 'text' holds \\ud800, which is not text (a NUL or an unpaired surrogate)"),
    ('{"text": "好", "title": "\\udfff"}', "10: 'title' holds \\udfff, which is not text"),
    (b"\xff\xfe\xfd\xfc\x80", "11:1: not UTF-8, GB18030 or Big5 text (byte 0xff)"),
]


def test_every_broken_json_line_is_reported_and_the_good_ones_kept(tmp_path):
    path = tmp_path / "broken.jsonl"
    lines = [json.dumps({"text": "第一篇"}).encode()]
    lines += [line if isinstance(line, bytes) else line.encode() for line, _ in BROKEN_LINES]
    lines += [b"", json.dumps({"text": "最后一篇"}, ensure_ascii=False).encode()]
    path.write_bytes(b"\n".join(lines) + b"\n")
    articles, skipped = read([path])
    assert [(a.path, a.raw) for a in articles] == [(f"{path}:1", "第一篇"), (f"{path}:13", "最后一篇")]
    assert len(skipped) == len(BROKEN_LINES)
    for message, (_, expected) in zip(skipped, BROKEN_LINES, strict=True):
        assert message.startswith(f"{path}:{expected}")
    assert error([path]) == f"{path}:2:2: invalid JSON: Expecting property name enclosed in double quotes"


# -- names, links, permissions ----------------------------------------------------------


def test_names_with_spaces_and_chinese_characters_are_kept_exactly(tmp_path):
    folder = tmp_path / "新 闻 稿"
    folder.mkdir()
    good = good_file(folder, "第 1 篇 报道.txt")
    bad = folder / "坏 文件.jsonl"
    bad.write_text('{"text": "好"}\n{oops\n', encoding="utf-8")
    articles, skipped = read([folder])
    assert [a.path for a in articles] == [f"{bad}:1", str(good)]
    assert skipped == [f"{bad}:2:2: invalid JSON: Expecting property name enclosed in double quotes"]
    written = f"{folder}{os.sep}.{os.sep}第 1 篇 报道.txt"  # as typed, "./" and all
    assert error([written + ".missing"]) == f"{written}.missing: no such file or folder"
    assert [a.path for a in read_documents([written])] == [written]


def test_a_symlink_loop_is_walked_once_and_never_reported(tmp_path):
    top = tmp_path / "corpus"
    (top / "a" / "b").mkdir(parents=True)
    good_file(top, "1.txt")
    good_file(top / "a", "2.txt")
    good_file(top / "a" / "b", "3.txt")
    (top / "a" / "b" / "up").symlink_to("..")  # back to a: a loop
    (top / "a" / "top").symlink_to(top)  # back to the root
    (top / "self").symlink_to(".")
    articles, skipped = read([top])
    assert [a.path for a in articles] == [str(top / "1.txt"), str(top / "a" / "2.txt"), str(top / "a" / "b" / "3.txt")]
    assert skipped == []


def test_a_linked_folder_that_is_no_loop_is_read(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    good_file(elsewhere, "linked.txt")
    top = tmp_path / "corpus"
    top.mkdir()
    (top / "more").symlink_to(elsewhere)
    assert [a.path for a in read_documents([top])] == [str(top / "more" / "linked.txt")]


def test_dangling_and_looping_file_links_are_reported(tmp_path):
    top = tmp_path / "corpus"
    top.mkdir()
    good = good_file(top, "b.txt")
    (top / "a.txt").symlink_to(top / "gone.txt")
    (top / "c.txt").symlink_to("c.txt")  # a link to itself
    (top / "d.pdf").symlink_to(top / "gone.pdf")  # not an article: ignored like any other .pdf
    articles, skipped = read([top])
    assert [a.path for a in articles] == [str(good)]
    assert skipped == [f"{top / 'a.txt'}: broken symbolic link: its target does not exist",
                       f"{top / 'c.txt'}: cannot open: Too many levels of symbolic links"]
    assert error([top / "a.txt"]) == f"{top / 'a.txt'}: broken symbolic link: its target does not exist"


def test_an_unreadable_file_is_named(tmp_path, monkeypatch):
    locked = good_file(tmp_path, "locked.txt")
    locked.chmod(0o000)
    if os.geteuid() == 0:  # root reads anything: make the open fail as it would for a user
        real_open = builtins.open

        def refusing_open(path, *args, **kwargs):
            if os.fspath(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(ingest, "open", refusing_open, raising=False)
    good = good_file(tmp_path, "z.txt")
    articles, skipped = read([tmp_path])
    assert skipped == [f"{locked}: cannot read file: Permission denied"]
    assert [a.path for a in articles] == [str(good)]


def test_an_unreadable_folder_is_named(tmp_path, monkeypatch):
    locked = tmp_path / "a-locked"
    locked.mkdir()
    good_file(locked)
    locked.chmod(0o000)
    if os.geteuid() == 0:
        real_scandir = os.scandir

        def refusing_scandir(path="."):
            if os.fspath(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr(ingest.os, "scandir", refusing_scandir)
    good = good_file(tmp_path, "z.txt")
    try:
        articles, skipped = read([tmp_path])
    finally:
        locked.chmod(0o755)
    assert skipped == [f"{locked}: cannot read folder: Permission denied"]
    assert [a.path for a in articles] == [str(good)]


# -- gzip ---------------------------------------------------------------------------------


def test_jsonl_gz_is_streamed(tmp_path):
    path = tmp_path / "news.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for text in (GOOD, OTHER):
            handle.write(json.dumps({"text": text, "source": "某报"}, ensure_ascii=False) + "\n")
    articles = list(read_documents([tmp_path]))
    assert [(a.path, a.raw, a.source) for a in articles] == [(f"{path}:1", GOOD, "某报"), (f"{path}:2", OTHER, "某报")]


def test_a_truncated_jsonl_gz_keeps_the_lines_before_the_damage(tmp_path):
    whole = gzip.compress(b"".join(json.dumps({"text": f"第{i}篇"}).encode() + b"\n" for i in range(50_000)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    articles, skipped = read([path])
    assert len(skipped) == 1
    assert skipped[0] == (f"{path}:{len(articles) + 1}: corrupt gzip file: "
                          "Compressed file ended before the end-of-stream marker was reached")
    assert 0 < len(articles) < 50_000
    assert [a.raw for a in articles[:2]] == ["第0篇", "第1篇"]


@pytest.mark.parametrize("data, message", [
    (b"plain text, not gzip", "1: corrupt gzip file: Not a gzipped file (b'pl')"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 40, "1: corrupt gzip file: "),
])
def test_a_corrupt_jsonl_gz_is_named(tmp_path, data, message):
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(data)
    good = good_file(tmp_path, "z.txt")
    assert error([path, good]).startswith(f"{path}:{message}")
    articles, skipped = read([path, good])
    assert [a.path for a in articles] == [str(good)] and len(skipped) == 1


# -- standard input and the walk ------------------------------------------------------------


def feed_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_json_lines_keep_their_line_numbers(monkeypatch):
    feed_stdin(monkeypatch, b"\n  \n" + json.dumps({"text": GOOD}, ensure_ascii=False).encode() + b"\n{bad\n")
    articles, skipped = read(["-"])
    assert [(a.path, a.raw) for a in articles] == [("<stdin>:3", GOOD)]
    assert skipped == ["<stdin>:4:2: invalid JSON: Expecting property name enclosed in double quotes"]


def test_stdin_plain_text_is_one_article(monkeypatch):
    feed_stdin(monkeypatch, b"\n" + OTHER.encode("gb18030"))
    (article,) = read_documents(["-"])
    assert (article.path, article.raw, article.encoding, article.format) == ("<stdin>", "\n" + OTHER, "gb18030", "txt")


def test_empty_stdin_is_an_error(monkeypatch):
    feed_stdin(monkeypatch, b" \n")
    assert error(["-"]) == "<stdin>: empty file"


def test_folders_are_walked_in_code_point_order(tmp_path):
    for name in ("b.txt", "B.txt", "中.txt", "a/z.txt", "a0.txt", "a/b/c.md", "Z/1.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name, encoding="utf-8")
    found = [a.raw for a in read_documents([tmp_path])]
    assert found == ["B.txt", "Z/1.txt", "a/b/c.md", "a/z.txt", "a0.txt", "b.txt", "中.txt"]


def test_folders_are_walked_lazily(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    good_file(tmp_path / "a", "1.txt")
    articles = iter_articles([tmp_path])
    assert next(articles).path == str(tmp_path / "a" / "1.txt")
    good_file(tmp_path / "b", "2.txt")  # b is listed only when the walk gets there
    assert [a.path for a in articles] == [str(tmp_path / "b" / "2.txt")]


def test_when_every_input_is_bad_nothing_is_read(tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text("{nope\n", encoding="utf-8")
    with pytest.raises(KgError, match=r"no articles read: all 2 bad input\(s\) were skipped"):
        read([bad, tmp_path / "missing.txt"])
    empty = tmp_path / "empty"
    empty.mkdir()
    assert error([empty]).startswith(f"{empty}: no input documents found")


# -- the command line ------------------------------------------------------------------------


def kg_build(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", "build", *args], cwd=cwd, input=stdin,
                          capture_output=True, timeout=300)


def bad_corpus(folder: Path) -> dict[str, str]:
    """A folder with two good articles and three bad inputs; returns what each bad one reports."""
    folder.mkdir()
    good_file(folder, "1 good.txt")
    (folder / "2 好.jsonl").write_text(json.dumps({"text": OTHER}, ensure_ascii=False) + "\n{broken\n",
                                      encoding="utf-8")
    (folder / "3 empty.txt").write_bytes(b"")
    (folder / "4 not.jsonl.gz").write_bytes(b"plain text, not gzip")
    return {"2 好.jsonl": ":2:2: invalid JSON: Expecting property name enclosed in double quotes",
            "3 empty.txt": ": empty file",
            "4 not.jsonl.gz": ":1: corrupt gzip file: Not a gzipped file (b'pl')"}


def test_cli_stops_at_the_first_bad_input_with_one_line_and_no_output(tmp_path):
    bad_corpus(tmp_path / "in")
    (tmp_path / "out").mkdir()
    done = kg_build(tmp_path, "in", "-o", "out/graph.ttl")
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == [
        "kg: error: in/2 好.jsonl:2:2: invalid JSON: Expecting property name enclosed in double quotes"]
    assert list((tmp_path / "out").iterdir()) == []  # no graph, no temporary file


def test_cli_skip_bad_reports_each_bad_input_and_builds_the_rest(tmp_path):
    expected = bad_corpus(tmp_path / "in")
    (tmp_path / "out").mkdir()
    done = kg_build(tmp_path, "in", "-o", "out/graph.ttl", "--skip-bad")
    assert done.returncode == 0, done.stderr.decode()
    skipped = [line for line in done.stderr.decode().splitlines() if line.startswith("kg: skipped: ")]
    assert len(skipped) == len(expected)
    for line, (name, message) in zip(skipped, expected.items(), strict=True):
        assert line.startswith(f"kg: skipped: in/{name}{message}")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["graph.ttl"]
    graph = (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")
    assert "川南智造" in graph and "云帆" in graph


def test_cli_max_chars_and_stdin(tmp_path):
    (tmp_path / "out").mkdir()
    done = kg_build(tmp_path, "-", "-o", "out/graph.ttl", "--max-chars", "10", stdin=GOOD.encode())
    assert done.returncode == 1
    # Standard input is read no further than 4 bytes a character allow: its exact length stays unknown.
    assert done.stderr.decode().splitlines() == [
        "kg: error: <stdin>: document too long: more than 10 characters; the limit is 10 (--max-chars)"]
    assert list((tmp_path / "out").iterdir()) == []
    done = kg_build(tmp_path, "-", "-o", "out/graph.ttl", stdin=json.dumps({"text": GOOD}).encode())
    assert done.returncode == 0, done.stderr.decode()
    assert "川南智造" in (tmp_path / "out" / "graph.ttl").read_text(encoding="utf-8")
