"""Normalisation keeps every character traceable to the raw text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.model import Article
from kg.normalise import detect_script, normalise, normalise_text, to_simplified


@pytest.mark.parametrize("raw, text", [
    ("ＡＢＣ１２３，", "ABC123,"),
    ("拓維資訊董事長", "拓维资讯董事长"),
    ("經(jīng)開區(qū)黨工委", "经开区党工委"),
    ("已经是简体的文字。", "已经是简体的文字。"),
])
def test_normalised_text(raw, text):
    assert normalise_text(raw)[0] == text


def test_offsets_point_back_to_the_raw_characters():
    raw = "黨委（２０１９年）經(jīng)開區"
    text, offsets = normalise_text(raw)
    assert len(offsets) == len(text) + 1 and offsets[-1] == len(raw)
    for i, ch in enumerate(text):
        source = raw[offsets[i]]
        assert to_simplified(unicodedata.normalize("NFKC", source)) .count(ch) or ch in to_simplified(source)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_offsets_are_monotone_and_in_bounds(raw):
    text, offsets = normalise_text(raw)
    assert len(offsets) == len(text) + 1
    assert list(offsets) == sorted(offsets)
    assert all(0 <= o <= len(raw) for o in offsets)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Lo", "Nd", "Po", "Zs", "Lu", "Ll"]), max_size=80))
def test_a_second_pass_changes_nothing(raw):
    once, _ = normalise_text(raw)
    assert normalise_text(once)[0] == once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="党委公司董事长华为长沙湖南集团合作成立签约记者编辑说。,", max_size=60))
def test_simplified_text_passes_through(raw):
    assert normalise_text(raw)[0] == raw


def test_raw_span_maps_a_text_span_back():
    doc = normalise(Article("x.txt", "ＸＹ公司黨委書記", "txt", "utf-8"))
    start = doc.text.index("党委")
    a, b = doc.raw_span(start, start + 2)
    assert doc.raw[a:b] == "黨委"


def test_script_and_id():
    trad = normalise(Article("t.txt", "臺灣積體電路製造公司與華為簽約,雙方將擴大合作。", "txt", "big5"))
    simp = normalise(Article("s.txt", "台湾积体电路制造公司与华为签约。", "txt", "utf-8"))
    assert (trad.script, simp.script) == ("traditional", "simplified")
    assert len(trad.id) == 64 and trad.id != simp.id
    assert detect_script("") == "simplified"
