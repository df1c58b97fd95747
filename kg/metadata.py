"""Article metadata found in the text itself: source URL line, title, 来源, date line.

Structured metadata (HTML meta tags, JSONL fields) wins; the text fills the gaps.
"""

from __future__ import annotations

import dataclasses
import re

from .model import Document

_SOURCE_URL = re.compile(r"^#\s*source:\s*(\S+)", re.I)
_DATETIME = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*-?\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})-?(\d{2})[-/]?(\d{2})/")
_SOURCE_NAME = re.compile(r"来源\s*[:：]\s*([^\s:：,，|/]{2,24}?)(?=\s|$|编辑|作者|记者|责任|发布|时间|\d)")
BOILERPLATE_LINE = re.compile(
    r"^\s*(当前位置|您的位置|你的位置|首页\s*>|—?分享—?|分享到|阅读下一篇|上一篇|下一篇|返回.{0,10}首页|"
    r"评论一下|还没有评论|最热评论|最新评论|已有\d+人参与|评论\s*\d+人参与|相关阅读|相关新闻|打印本页|关闭窗口|"
    r"大字号|中字号|小字号|扫一扫|广告|版权所有|Copyright)", re.I)


def enrich(doc: Document) -> Document:
    """Fill title, url, published and source from the text where the input had none."""
    url = doc.url
    lines = doc.text.splitlines()
    body = doc.text
    if lines and (m := _SOURCE_URL.match(lines[0])):
        url = url or m.group(1)
        body = doc.text[len(lines[0]):]
    head = body[:600]
    published = doc.published or _date_line(head) or _url_date(url)
    source = doc.source or _source_name(doc.text)
    title = doc.title or _title_line(lines)
    return dataclasses.replace(doc, url=url, published=published, source=source, title=title)


def _date_line(head: str) -> str | None:
    m = _DATETIME.search(head)
    if not m:
        return None
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    date = f"{y:04d}-{mo:02d}-{d:02d}"
    if m["H"] is not None:
        return f"{date}T{int(m['H']):02d}:{int(m['M']):02d}:{int(m['S'] or 0):02d}"
    return date


def _url_date(url: str | None) -> str | None:
    m = _URL_DATE.search(url or "")
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None


def _source_name(text: str) -> str | None:
    m = _SOURCE_NAME.search(text)
    return m.group(1) if m else None


def _title_line(lines: list[str]) -> str | None:
    for line in lines[:12]:
        line = line.strip()
        if not line or _SOURCE_URL.match(line) or BOILERPLATE_LINE.match(line) or line.endswith((":", "：")):
            continue
        if 4 <= len(line) <= 60 and not re.search(r"[。;；]|来源|http", line):
            return line
        return None
    return None


def reference_year(doc: Document) -> int | None:
    """The article's own year, for resolving 今年/去年 and bare month-day dates."""
    if doc.published and (m := re.match(r"(\d{4})", doc.published)):
        return int(m.group(1))
    return None
