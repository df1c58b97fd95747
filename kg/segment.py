"""Sentences, clauses and jieba tokens with character offsets.

Scraped pages often lose their sentence-ending punctuation, so long stretches
are also cut before a date or a discourse opener ("据了解", "2019年3月") that
starts a new statement.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from .lexicons import lexicons
from .metadata import BOILERPLATE_LINE
from .model import Document, Sentence, Token

_END = re.compile(r"[。!?;！？；]+[”’」』\"']?|……[”’」』]?")
_SOURCE_LINE = re.compile(r"^#\s*source:", re.I)
# Where a run-on stretch most likely starts a new sentence.
_OPENER = re.compile(
    r"(?<=[\u4e00-\u9fff\w”’」)])(?<![于在从自至到和与及或、的年月日是为前后起止])"
    r"(?=(?:(?:19|20)\d{2}年(?:\d{1,2}月)?|今年|去年|近年来|近期|目前|截至目前|据了解|据介绍|据记者|此外|同时,|另外|随后|"
    r"记者在|以[^,。]{2,8}为例))")
_CLAUSE = re.compile(r"[,:，：、]")
LONG = 48


def sentences(doc: Document) -> list[Sentence]:
    """Split the document text into sentences, skipping page boilerplate lines."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in doc.text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip() or _SOURCE_LINE.match(line) or BOILERPLATE_LINE.match(line) and len(line) < 40:
            continue
        spans.extend(_split_line(doc.text, start, end))
    out = []
    for start, end in spans:
        while start < end and doc.text[start].isspace():
            start += 1
        while end > start and doc.text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append(Sentence(doc.id, len(out), start, end, doc.text[start:end]))
    return out


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    cut = start
    for m in _END.finditer(text, start, end):
        pieces.append((cut, m.end()))
        cut = m.end()
    if cut < end:
        pieces.append((cut, end))
    out = []
    for a, b in pieces:
        out.extend(_split_run_on(text, a, b) if b - a > LONG else [(a, b)])
    return out


def _split_run_on(text: str, start: int, end: int) -> list[tuple[int, int]]:
    cuts = [start]
    for m in _OPENER.finditer(text, start, end):
        if m.start() - cuts[-1] >= 8 and end - m.start() >= 6 and not _inside_quote(text, start, m.start()):
            cuts.append(m.start())
    cuts.append(end)
    return list(zip(cuts, cuts[1:]))


def _inside_quote(text: str, start: int, at: int) -> bool:
    stretch = text[start:at]
    return stretch.count("“") > stretch.count("”") or stretch.count("「") > stretch.count("」")


def clauses(sentence: Sentence) -> list[tuple[int, int]]:
    """Comma-separated clauses of a sentence, as document offsets."""
    out, cut = [], sentence.start
    for m in _CLAUSE.finditer(sentence.text):
        if m.group() == "、":
            continue
        out.append((cut, sentence.start + m.start()))
        cut = sentence.start + m.end()
    out.append((cut, sentence.end))
    return [(a, b) for a, b in out if b > a]


@cache
def _tokenizer(user_files: tuple[str, ...] = ()):
    """A private jieba tokenizer with the shipped lexicons as user words (global jieba untouched)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    base = jieba.Tokenizer()
    base.initialize()
    for word, tag in lexicons(user_files).user_words():
        base.add_word(word, freq=max(base.suggest_freq(word, tune=False), 2000), tag=tag)
    return jieba.posseg.POSTokenizer(base)


def tokens(text: str, offset: int = 0, user_files: tuple[str, ...] = ()) -> list[Token]:
    """jieba words with part-of-speech tags and offsets (``offset`` is added to each)."""
    out, pos = [], offset
    for pair in _tokenizer(user_files).lcut(text):
        word, tag = pair.word, pair.flag
        out.append(Token(word, pos, pos + len(word), tag))
        pos += len(word)
    return out


def word_frequency(word: str) -> int:
    """How common a word is in jieba's dictionary (0 when unknown): common words are rarely names."""
    return _tokenizer().tokenizer.FREQ.get(word, 0)


def sub_words(word: str) -> list[str]:
    """The dictionary words inside ``word`` (no HMM guessing): 大力加强 -> 大力, 加强."""
    return _tokenizer().tokenizer.lcut(word, HMM=False)
