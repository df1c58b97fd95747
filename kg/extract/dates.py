"""Date expressions and their ISO values (absolute, or relative to the article date)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10}
_NUM = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
DATE = re.compile(
    r"(?P<abs>(?P<y>(?:19|20)\d{2})\s*年\s*(?:(?P<m>" + _NUM + r")\s*月\s*(?:(?P<d>" + _NUM + r")\s*[日号])?)?)"
    r"|(?P<iso>(?P<iy>(?:19|20)\d{2})-(?P<im>\d{1,2})(?:-(?P<id>\d{1,2}))?)(?![\d:])"
    r"|(?P<rel>今年|去年|前年|明年|同年|次年|翌年|当年)(?:\s*(?P<rm>" + _NUM + r")\s*月(?:\s*(?P<rd>" + _NUM + r")\s*[日号])?)?"
    r"|(?P<day>昨天|昨日|今天|今日|前天|前日|当天|当日)"
    r"|(?P<md>(?P<mm>" + _NUM + r")\s*月\s*(?:(?P<dd>" + _NUM + r")\s*[日号])?)")


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    text: str
    value: str | None  # YYYY, YYYY-MM or YYYY-MM-DD; None when the year is unknown


def _num(text: str | None) -> int | None:
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + (_CN_DIGITS.get(text[1:], 0) if len(text) > 1 else 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS.get(tens, 0) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text)


def _iso(year: int | None, month: int | None = None, day: int | None = None) -> str | None:
    if year is None:
        return None
    if month is None or not 1 <= month <= 12:
        return f"{year:04d}"
    if day is None or not 1 <= day <= 31:
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}"


class DateResolver:
    """Resolves dates in reading order, remembering the last year for 同年/次年."""

    def __init__(self, published: str | None):
        self.published = _parse_published(published)
        self.last_year: int | None = None

    @property
    def ref_year(self) -> int | None:
        return self.published.year if self.published else None

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
        out = []
        for m in DATE.finditer(text, start, len(text) if end is None else end):
            value = self._value(m)
            out.append(DateMention(m.start(), m.end(), m.group(), value))
        return out

    def _value(self, m: re.Match) -> str | None:
        if m["abs"]:
            year = int(m["y"])
            self.last_year = year
            return _iso(year, _num(m["m"]), _num(m["d"]))
        if m["iso"]:
            year = int(m["iy"])
            self.last_year = year
            return _iso(year, int(m["im"]), _num(m["id"]))
        if m["rel"]:
            word = m["rel"]
            base = {"今年": self.ref_year, "当年": self.last_year or self.ref_year, "同年": self.last_year}.get(word)
            if word in ("去年", "前年", "明年") and self.ref_year:
                base = self.ref_year + {"去年": -1, "前年": -2, "明年": 1}[word]
            if word in ("次年", "翌年") and self.last_year:
                base = self.last_year + 1
            if base is not None:
                self.last_year = base
            return _iso(base, _num(m["rm"]), _num(m["rd"]))
        if m["day"]:
            if not self.published:
                return None
            shift = {"昨天": -1, "昨日": -1, "前天": -2, "前日": -2}.get(m["day"], 0)
            return (self.published + dt.timedelta(days=shift)).isoformat()
        # A bare month (and day): the article's own year, else unknown.
        return _iso(self.ref_year, _num(m["mm"]), _num(m["dd"])) if self.ref_year else None


def _parse_published(published: str | None) -> dt.date | None:
    if not published:
        return None
    m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", published)
    if not m:
        return None
    try:
        return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return None
