"""Events: a trigger word, its date and the named participants of its sentence."""

from __future__ import annotations

import re

from ..lexicons import Lexicons, alternation
from ..model import EventMention, Mention
from .dates import DateMention

QUANTITY = re.compile(
    r"[\u4e00-\u9fff]{1,6}?\d+(?:\.\d+)?(?:万|亿|千|百)?(?:名|个|只|家|人|元|万元|亿元|吨|件|份|台|套|所|座)"
    r"|\d+(?:\.\d+)?(?:万|亿)?(?:名|个|只|家|人|元|吨|件|份|台|套)[\u4e00-\u9fff]{1,4}")
# Plans and wishes are not events.
_IRREALIS = re.compile(r"(将|计划|拟|准备|希望|力争|有望|争取|要)$")


def find_events(text: str, start: int, end: int, sentence: int, mentions: list[Mention],
                dates: list[DateMention], lex: Lexicons) -> list[EventMention]:
    pattern = alternation(tuple(sorted((w for w, (e, _) in lex.triggers.items() if e), key=lambda w: (-len(w), w))))
    out: list[EventMention] = []
    used: list[tuple[int, int]] = []
    for m in pattern.finditer(text, start, end):
        if any(a <= m.start() < b for a, b in used) or _IRREALIS.search(text[max(start, m.start() - 3):m.start()]):
            continue
        if _inside_name(m.start(), m.end(), mentions):
            continue
        kind = lex.triggers[m.group()][0]
        date = _nearest_date(dates, m.start())
        participants = tuple(x for x in mentions if x.label != "Person" and x.rule != "owner")
        if not participants:
            continue
        if date is None and len(participants) < 2 and kind not in ("Donation", "Other"):
            continue  # no date and one participant: too weak to call it an event
        quantities = tuple(q.group() for q in QUANTITY.finditer(text, start, end))
        conf = 0.5 + (0.2 if date and date.value else 0) + (0.1 if len(participants) >= 2 else 0)
        out.append(EventMention(kind, m.group(), sentence, participants, round(conf, 2),
                                date.value if date else None, date.text if date else None, quantities))
        used.append((m.start(), m.end()))
        break  # one event per sentence: the first trigger is the main verb in this genre
    return out


def _inside_name(start: int, end: int, mentions: list[Mention]) -> bool:
    return any(x.start <= start and end <= x.end for x in mentions)


def _nearest_date(dates: list[DateMention], at: int) -> DateMention | None:
    before = [d for d in dates if d.end <= at]
    if before:
        return before[-1]
    after = [d for d in dates if d.start >= at]
    return after[0] if after else None
