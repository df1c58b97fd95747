"""Normalise text: NFKC (full width to half width), Traditional to Simplified.

Every character of the output keeps the index of the raw character it came
from, so evidence can always point back into the original text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache

from .model import Article, Document

# Pinyin glosses some sites add after characters: 經(jīng)開區(qū) -> 經開區
_PINYIN_GLOSS = re.compile(r"\(([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*)\)")


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional to Simplified Chinese (OpenCC ``t2s``); other text passes through."""
    return _converter().convert(text)


def normalise_text(raw: str) -> tuple[str, tuple[int, ...]]:
    """Return the normalised text and, per output character, its index in ``raw``.

    The offset tuple has one more entry than the text: ``len(raw)``.
    """
    chars: list[str] = []
    offsets: list[int] = []
    for start, cluster in _clusters(_mask_glosses(raw)):
        if cluster == "\x00":
            continue  # a masked pinyin gloss: dropped, offsets stay exact
        piece = unicodedata.normalize("NFKC", cluster)
        chars.append(piece)
        offsets.extend([start] * len(piece))
    nfkc = "".join(chars)
    simplified = _simplify_keeping_length(nfkc)
    offsets.append(len(raw))
    return simplified, tuple(offsets)


def _mask_glosses(raw: str) -> str:
    """Replace pinyin glosses with NULs of the same length so offsets are kept."""
    return _PINYIN_GLOSS.sub(lambda m: "\x00" * len(m.group(0)), raw)


def _clusters(text: str):
    """Yield (index, base character plus its combining marks)."""
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        yield i, text[i:j]
        i = j


def _simplify_keeping_length(text: str) -> str:
    """Convert line by line; where OpenCC changes a line's length, convert it character by character."""
    out = []
    for line in text.split("\n"):
        converted = to_simplified(line)
        if len(converted) != len(line):
            converted = "".join(c if len(s := to_simplified(c)) != 1 else s for c in line)
        out.append(converted)
    return "\n".join(out)


def detect_script(text: str) -> str:
    """``traditional`` when a noticeable share of the Han characters change under t2s."""
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return "simplified"
    sample = "".join(han[:4000])
    changed = sum(1 for a, b in zip(sample, to_simplified(sample)) if a != b)
    return "traditional" if changed / len(sample) > 0.05 else "simplified"


def normalise(article: Article) -> Document:
    """Turn an ``Article`` into a ``Document`` with normalised text and stable id."""
    text, offsets = normalise_text(article.raw)
    digest = hashlib.sha256(article.raw.encode("utf-8")).hexdigest()
    return Document(
        id=digest, path=article.path, raw=article.raw, text=text, offsets=offsets,
        format=article.format, encoding=article.encoding, script=detect_script(article.raw),
        title=article.title, url=article.url, published=article.published, source=article.source,
    )
