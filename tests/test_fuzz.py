"""Property tests over arbitrary input: ingest, normalise and extract raise only ``KgError``.

Bounded (``max_examples``) so the file runs in well under a minute; longer runs:
``KG_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py``, or ``fuzz/fuzz_ingest.py``. Each crash
found once is kept as an ``@example``.
"""

from __future__ import annotations

import os
from functools import cache

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg.errors import KgError
from kg.extract import extract
from kg.ingest import iter_articles
from kg.metadata import enrich
from kg.model import Article
from kg.normalise import normalise

# KG_FUZZ_EXAMPLES=5000 for a longer hunt on a developer machine; CI keeps the default.
FUZZ = settings(max_examples=int(os.environ.get("KG_FUZZ_EXAMPLES", "120")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# Byte fragments that steer random input towards the interesting cases: BOMs, NULs,
# line ends, JSON and HTML syntax, UTF-8, GB18030 and Big5 Chinese.
BYTE_PIECES = [
    b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\n", b"\r\n", b" ", b"{", b"}", b'"text"', b":", b'"', b"\\u", b"\\ud800",
    b'{"text": "', b'"}\n', b"[", b"]", b"<p>", b"</p>", b"<div>", b"</div>", b"<!--", b"<script>", b"&#", b";",
    b"<meta name=\"source\" content=\"", b"# ", b"**", b"[", b"](", b")", b"1" * 5000,
    "公司党委书记".encode(), "公司党委书记".encode("gb18030"), "公司黨委書記".encode("big5"),
]
RAW_BYTES = st.lists(st.one_of(st.binary(max_size=12), st.sampled_from(BYTE_PIECES)), max_size=30).map(b"".join)


@FUZZ
@given(data=RAW_BYTES, suffix=st.sampled_from([".txt", ".md", ".html", ".jsonl"]))
@example(data=b'{"text": "x", "n": ' + b"1" * 5000 + b"}", suffix=".jsonl")  # ValueError from int()
@example(data=b"[" * 100_000, suffix=".jsonl")  # RecursionError from json
@example(data=b'{"text": "\\ud800"}', suffix=".jsonl")  # lone surrogate: UnicodeEncodeError in normalise
@example(data=b"\x89PNG\r\n\x1a\n\x00\x00", suffix=".jsonl")  # binary, first line valid GB18030
def test_ingest_gives_articles_or_kgerror(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(data)
    skipped: list[KgError] = []
    try:
        articles = list(iter_articles([path], skip_bad=True, on_skip=skipped.append))
    except KgError:
        articles = []
    for article in articles:
        article.raw.encode("utf-8")  # no lone surrogates: every later stage writes UTF-8
        doc = enrich(normalise(article))
        assert doc.raw == article.raw
    for err in skipped:
        assert str(err).startswith(str(path))


# -- normalise ---------------------------------------------------------------------

TEXT_PIECES = ["㍿", "ﷺ", "ﬃ", "①", "㈱", "Ⅻ", "ｶﾞ", "ＡＢＣ１２３", "，。！？", "\u3000", "\ufeff", "\u200b",
               "\r\n", "\n", "e\u0301", "\u0301", "\u0308\u0301", "經(jīng)開區(qū)", "(ā)", "黨委書記", "發展", "㊣",
               "\x00", "\U0002070e"]
TEXT = st.lists(st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=8),
    st.text(alphabet=st.characters(min_codepoint=0x3000, max_codepoint=0x9FFF), max_size=8),
    st.text(alphabet=st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF), max_size=4),
    st.sampled_from(TEXT_PIECES),
), max_size=20).map("".join)


def article(text: str) -> Article:
    return Article(path="fuzz.txt", raw=text, format="txt", encoding="utf-8")


@FUZZ
@given(raw=TEXT, cut=st.tuples(st.floats(0, 1), st.floats(0, 1)))
@example(raw="㍿ﷺ經(jīng)開區", cut=(0.2, 0.9))
def test_normalise_keeps_an_exact_offset_map(raw, cut):
    doc = normalise(article(raw))
    assert len(doc.offsets) == len(doc.text) + 1
    assert all(a <= b for a, b in zip(doc.offsets, doc.offsets[1:], strict=False))
    assert doc.offsets[-1] == len(raw) and all(0 <= at <= len(raw) for at in doc.offsets)
    start, end = sorted(round(c * len(doc.text)) for c in cut)
    raw_start, raw_end = doc.raw_span(start, end)
    assert 0 <= raw_start <= raw_end <= len(raw)
    assert normalise(article(raw)) == doc


# -- extract -------------------------------------------------------------------------


@cache
def lexicon_pieces() -> list[str]:
    """Every 7th title, suffix, party word and place (sorted): a fixed sample of names the rules key on."""
    from kg.lexicons import lexicons

    lex = lexicons()
    words = set(lex.titles) | {s for s, _, _ in lex.org_suffixes} | set(lex.party_bodies)
    words |= set(lex.party_qualifiers) | set(lex.triggers)
    places = sorted(lex.places)[::7]
    return sorted(words)[::3] + places[:400]


GLUE = ["有限公司", "党委", "书记", "董事长", "记者", "来源：", "该公司", "与", "和", "签约", "成立于", "2023年5月",
        "去年", "今年3月", "12日", "、", "，", "。", "：", "“", "”", "（", "）", "\n", " ", "第一", "1", "20", "集团",
        "市委", "#source: http://example.org/2023-05-06/x", "张", "王", "李", "海峰", "建国"]


@st.composite
def news_text(draw) -> str:
    pieces = st.one_of(
        st.sampled_from(lexicon_pieces()), st.sampled_from(GLUE),
        st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=4),
        st.text(alphabet="0123456789年月日号.-/:：,，。！？、；（）()《》“”", min_size=1, max_size=3),
    )
    return "".join(draw(st.lists(pieces, min_size=1, max_size=40)))


@FUZZ
@given(text=news_text())
@example(text="川南智造科技有限公司党委书记、董事长周海峰表示，该公司与渝北云帆物流有限公司签约。")
@example(text="丁.临时党支部")  # a one-character company name: min() of nothing in _main_company
def test_extract_mentions_match_the_text_and_relations_their_mentions(text):
    doc = enrich(normalise(article(text)))
    found = extract(doc)
    for m in found.mentions:  # zero-width "owner" mentions mark the company a party body belongs to
        assert 0 <= m.start <= m.end <= len(doc.text)
        assert m.text == doc.text[m.start:m.end]
    mentions = set(found.mentions)
    for r in found.relations:
        assert r.subject in mentions and r.object in mentions
    for ev in found.events:
        assert all(p in mentions for p in ev.participants)
