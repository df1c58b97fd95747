"""Sentences, including scraped text that lost its sentence-ending punctuation."""

from __future__ import annotations

from kg.metadata import enrich
from kg.model import Article
from kg.normalise import normalise
from kg.segment import clauses, sentences, tokens


def doc_of(raw: str):
    return enrich(normalise(Article("x.txt", raw, "txt", "utf-8")))


def test_punctuated_text_splits_at_sentence_ends():
    doc = doc_of("甲公司成立于2010年。乙公司与甲公司签约!双方将合作?")
    assert [s.text for s in sentences(doc)] == ["甲公司成立于2010年。", "乙公司与甲公司签约!", "双方将合作?"]


def test_run_on_text_splits_before_dates_and_openers():
    raw = ("秦岭数据于2008年成立2012年该公司即成立党支部同年成立公司党委据了解该公司现有党员86名"
           "2021年5月秦岭数据与西安交通大学签约共建实验室")
    texts = [s.text for s in sentences(doc_of(raw))]
    assert texts == ["秦岭数据于2008年成立", "2012年该公司即成立党支部同年成立公司党委",
                     "据了解该公司现有党员86名", "2021年5月秦岭数据与西安交通大学签约共建实验室"]


def test_boilerplate_lines_are_not_sentences_but_offsets_stay_exact():
    raw = "当前位置:\n\n蓉城建工党委召开大会。\n—分享—\n返回首页\n"
    doc = doc_of(raw)
    (only,) = sentences(doc)
    assert only.text == "蓉城建工党委召开大会。"
    assert doc.text[only.start:only.end] == only.text


def test_clauses_and_tokens_carry_document_offsets():
    doc = doc_of("前言。甲公司董事长李明,乙公司总经理王芳")
    second = sentences(doc)[1]
    parts = [doc.text[a:b] for a, b in clauses(second)]
    assert parts == ["甲公司董事长李明", "乙公司总经理王芳"]
    toks = tokens(second.text, second.start)
    assert all(doc.text[t.start:t.end] == t.text for t in toks)
    assert "董事长" in [t.text for t in toks]


def test_metadata_from_the_text():
    doc = doc_of("# source: http://example.org/2021-03/05/a.html\n\n今日要闻\n\n来源:秦川日报 编辑:张三 2021-03-05 10:20:00\n正文。")
    assert doc.url == "http://example.org/2021-03/05/a.html"
    assert doc.published == "2021-03-05T10:20:00"
    assert doc.source == "秦川日报"
    assert doc.title == "今日要闻"
