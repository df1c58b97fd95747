"""Ingest: formats, encodings, metadata and the errors a user sees."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import KgError
from kg.ingest import decode, expand_paths, iter_articles, read_documents, read_file, strip_markdown

TEXT = "川南智造科技有限公司党委书记、董事长周海峰表示,公司今年将加大研发投入。"


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("gb18030", "gb18030"),
    ("gbk", "gb18030"),
])
def test_simplified_encodings_are_detected(encoding, expected):
    text, used = decode(TEXT.encode(encoding), "x.txt")
    assert text == TEXT
    assert used == expected


def test_big5_traditional_is_detected():
    traditional = "川南智造科技有限公司黨委書記周海峰表示,公司將加大研發投入,與成都大學簽約合作。"
    text, used = decode(traditional.encode("big5"), "x.txt")
    assert text == traditional
    assert used == "big5"


@pytest.mark.parametrize("data, message", [
    (b"", "x.txt: empty file"),
    (b"  \n\t \n", "x.txt: empty file"),
    (b"\x00\x01\x02binary\x00", "x.txt: binary file, not text (contains NUL bytes)"),
])
def test_unreadable_input_is_named(data, message):
    with pytest.raises(KgError) as err:
        decode(data, "x.txt")
    assert str(err.value) == message


def test_wrong_forced_encoding_names_line_and_column():
    data = "第一行\n第二行".encode("gb18030")
    with pytest.raises(KgError) as err:
        decode(data, "x.txt", encoding="utf-8")
    assert str(err.value).startswith("x.txt:1:1: not valid utf-8")


def test_undecodable_bytes_name_their_position():
    data = b"abc\n" + bytes(range(0x80, 0x100)) * 3
    with pytest.raises(KgError) as err:
        decode(data, "x.txt")
    assert str(err.value).startswith("x.txt:2:1: ")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_decode_never_fails_other_than_with_kgerror(data):
    try:
        text, used = decode(data, "fuzz.bin")
    except KgError:
        return
    assert isinstance(text, str) and used


PAGE = """<!doctype html><html><head><title>山东企业党建_齐鲁新闻网</title>
<meta property="og:title" content="鲁西化工党委获表彰">
<meta property="article:published_time" content="2023-06-12T09:30:00+08:00">
<meta name="source" content="齐鲁新闻网">
<script>var tracker = "党委书记张三";</script><style>.x{color:red}</style></head>
<body><nav class="top-nav"><a href="/">返回首页</a> <a>国内</a> <a>国际</a></nav>
<div class="breadcrumb">当前位置: 首页 > 新闻</div>
<div class="share">分享到: 微信 微博</div>
<div id="main"><div class="article">
<p>6月11日,聊城鲁西化工集团党委被评为先进基层党组织。</p>
<p>集团党委书记、董事长王立新表示,将继续推动党建与生产深度融合。</p>
<p>该集团现有党员1260名,下设党支部42个。</p>
</div></div>
<aside class="sidebar"><ul><li>济南高新区行业党委召开会议</li><li>青岛新闻</li></ul></aside>
<footer>版权所有 齐鲁新闻网 <a>返回首页</a></footer></body></html>"""


def test_html_keeps_the_body_and_drops_boilerplate(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    (article,) = read_documents([page])
    assert article.raw.splitlines() == [
        "6月11日,聊城鲁西化工集团党委被评为先进基层党组织。",
        "集团党委书记、董事长王立新表示,将继续推动党建与生产深度融合。",
        "该集团现有党员1260名,下设党支部42个。",
    ]
    assert article.title == "鲁西化工党委获表彰"
    assert article.published == "2023-06-12T09:30:00+08:00"
    assert article.source == "齐鲁新闻网"


def test_html_with_no_text_is_an_error(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<html><body><div><script>x()</script></div><nav>首页</nav>", encoding="utf-8")
    with pytest.raises(KgError, match="broken.html: no article text found in HTML"):
        list(read_documents([page]))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="<>/=\"' abcdivpscrt党委公司。\n", max_size=200))
def test_malformed_html_never_raises_anything_but_kgerror(tmp_path_factory, markup):
    page = tmp_path_factory.mktemp("html") / "x.html"
    page.write_text(markup or "x", encoding="utf-8")
    try:
        list(read_documents([page]))
    except KgError:
        pass


def test_jsonl_gives_one_article_a_line_with_metadata(tmp_path):
    lines = [{"text": "甲公司与乙公司签约。", "title": "签约", "url": "http://example.org/1", "date": "2022-05-01",
              "source": "某报"}, {"text": "第二篇。"}]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", encoding="utf-8")
    first, second = read_documents([path])
    assert (first.path, first.title, first.url, first.published, first.source) == (
        f"{path}:1", "签约", "http://example.org/1", "2022-05-01", "某报")
    assert second.path == f"{path}:2" and second.raw == "第二篇。"


@pytest.mark.parametrize("content, message", [
    ('{"text": "好"}\n{"text": 1}\n', ":2: each line must be a JSON object with a string 'text'"),
    ('{"text": "好"}\n{broken\n', ":2:2: invalid JSON: Expecting property name enclosed in double quotes"),
    ('{"text": "  "}\n', ":1: empty 'text'"),
])
def test_bad_jsonl_lines_are_reported_with_their_number(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KgError) as err:
        list(read_documents([path]))
    assert str(err.value) == f"{path}{message}"


def test_folders_are_read_recursively_in_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("乙", encoding="utf-8")
    (tmp_path / "1.md").write_text("# 标题\n**甲**", encoding="utf-8")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    docs = list(read_documents([tmp_path]))
    assert [d.raw for d in docs] == ["标题\n甲", "乙"]


def test_missing_and_unsupported_paths(tmp_path):
    with pytest.raises(KgError, match="nope.txt: no such file or folder"):
        list(read_documents([tmp_path / "nope.txt"]))
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF")
    with pytest.raises(KgError, match="unsupported file type '.pdf'"):
        list(read_documents([pdf]))


def test_html_source_from_a_content_source_meta_tag(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<html><head><meta name="ContentSource" content="鄂尔多斯新闻网"></head>'
                    "<body><p>伊金霍洛旗一家氢能企业与嘎查党支部结成对子,帮扶牧民增收。</p></body></html>",
                    encoding="utf-8")
    (article,) = read_documents([page])
    assert article.source == "鄂尔多斯新闻网"


def test_read_file_and_expand_paths_still_serve_the_old_callers(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "甲"}\n{"text": "乙"}\n', encoding="utf-8")
    files = expand_paths([tmp_path])
    assert files == [tmp_path / "a.txt", tmp_path / "b.jsonl"]
    assert [a.raw for f in files for a in read_file(f)] == [TEXT, "甲", "乙"]
    assert [a.raw for a in iter_articles([tmp_path])] == [TEXT, "甲", "乙"]


def test_utf16_and_bom_json_lines_are_read(tmp_path):
    utf16 = tmp_path / "a.jsonl"
    utf16.write_text('{"text": "甲公司"}\n\n{"text": "乙公司"}\n', encoding="utf-16")
    bom = tmp_path / "b.jsonl"
    bom.write_text('{"text": "丙公司"}\n', encoding="utf-8-sig")
    found = [(a.path, a.raw, a.encoding) for a in read_documents([utf16, bom])]
    assert found == [(f"{utf16}:1", "甲公司", "utf-16"), (f"{utf16}:3", "乙公司", "utf-16"),
                     (f"{bom}:1", "丙公司", "utf-8-sig")]


def test_gzip_is_read_only_for_json_lines(tmp_path):
    import gzip

    packed = tmp_path / "a.txt.gz"
    packed.write_bytes(gzip.compress(TEXT.encode()))
    with pytest.raises(KgError, match=r"unsupported file type '\.gz'; use .txt, .md, .html, .htm, .jsonl or .jsonl.gz"):
        list(read_documents([packed]))
    lines = tmp_path / "b.JSONL.GZ"
    lines.write_bytes(gzip.compress(json.dumps({"text": TEXT}, ensure_ascii=False).encode()))
    assert [a.raw for a in read_documents([tmp_path])] == [TEXT]  # the .txt.gz in the folder is ignored


@pytest.mark.parametrize("markdown, plain", [
    ("见[新闻链接](http://example.org/a_(b))和![配图](x.png)。", "见新闻链接和配图。"),
    ("**加粗** `代码` __下划__", "加粗 代码 下划"),
    ("[" * 50_000 + "公司", "[" * 50_000 + "公司"),  # brackets that never close: kept, and read in linear time
    ("[甲[乙](u)", "[甲乙"),
    ("[x](" * 20_000 + "(", "[x](" * 20_000 + "("),
])
def test_markdown_keeps_the_words(markdown, plain):
    assert strip_markdown(markdown) == plain


def test_a_mixed_file_names_the_line_neither_encoding_reads(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(TEXT.encode("utf-8") + b"\n" + "公司".encode("gb18030") + b"\x81\x20\n")
    with pytest.raises(KgError) as err:
        list(read_documents([path]))
    assert str(err.value).startswith(f"{path}:2:")
