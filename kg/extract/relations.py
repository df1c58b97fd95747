"""Relations between the mentions of one sentence.

Each rule reads a shape of Chinese news prose: "X公司董事长Y", "X党员Y",
"Y是X派驻Z的党建指导员", "A与B签约", "A联合B共同组建C", "<owner>党委".
"""

from __future__ import annotations

import re

from ..lexicons import Lexicons
from ..model import ORG_TYPES, Mention, RelationMention

ORGS = frozenset(ORG_TYPES)
_JOINERS = re.compile(r"^\s*(?:与|和|同|及|、|联合|携手)\s*$")


def find_relations(text: str, sentence: int, mentions: list[Mention], lex: Lexicons,
                   context_org: Mention | None = None) -> list[RelationMention]:
    """Relations stated in one sentence. ``context_org`` is the organisation the
    article is talking about (for "该公司副总经理X" and bare titles)."""
    ms = sorted(mentions, key=lambda m: (m.start, m.end))
    out: list[RelationMention] = []
    out += _party_bodies(ms, sentence)
    out += _positions(text, ms, sentence, lex, context_org)
    out += _members(text, ms, sentence)
    out += _partners_and_founders(text, ms, sentence, lex)
    out += _guidance(text, ms, sentence, lex)
    return out


def _rel(s: Mention, p: str, o: Mention, sentence: int, conf: float, rule: str,
         role: str | None = None) -> RelationMention:
    return RelationMention(s, p, o, sentence, conf, rule, role)


def _party_bodies(ms: list[Mention], sentence: int) -> list[RelationMention]:
    out = []
    for body in ms:
        if body.label != "PartyOrganization":
            continue
        for owner in ms:
            if owner.rule == "owner" and owner.start == body.start and owner.end < body.end and owner.label in ORGS:
                out.append(_rel(owner, "hasPartyOrganization", body, sentence, 0.85, "owner+body"))
    return out


def _title_run(text: str, at: int, end: int, lex: Lexicons) -> tuple[list[str], int]:
    """Titles stacked from ``at`` (董事长、党委书记): the titles and where they end."""
    titles, pos = [], at
    ordered = sorted(lex.titles, key=lambda t: (-len(t), t))
    while pos < end:
        title = next((t for t in ordered if text.startswith(t, pos)), None)
        if title is None:
            break
        titles.append(title)
        pos += len(title)
        if pos < end and text[pos] in "、,":
            nxt = next((t for t in ordered if text.startswith(t, pos + 1)), None)
            if nxt:
                pos += 1
    return titles, pos


def _positions(text: str, ms: list[Mention], sentence: int, lex: Lexicons,
               context_org: Mention | None) -> list[RelationMention]:
    out = []
    orgs = [m for m in ms if m.label in ORGS]
    for person in (m for m in ms if m.label == "Person"):
        title_start = _title_start_before(text, person.start, lex)
        if title_start is None:
            continue
        titles, _ = _title_run(text, title_start, person.start, lex)
        if not titles:
            continue
        role = "、".join(titles)
        # "X党支部副书记Y": the title begins inside a party body's name -> the body, bare title.
        body = next((o for o in orgs if o.label == "PartyOrganization" and o.start < title_start < o.end), None)
        if body is not None:
            # 党委书记、董事长X: the party title at the body, the others at the body's owner.
            owner = next((o for o in orgs if o.rule == "owner" and o.start == body.start and o.end < body.end), None)
            party, other = [], []
            for title in text[body.end:person.start].strip(": ").split("、"):
                (other if owner is not None and lex.titles.get(title) not in ("party", None) else party).append(title)
            if party:
                out.append(_rel(person, "holdsPosition", body, sentence, 0.85, "body+title+name", "、".join(party)))
            if other:
                out.append(_rel(person, "holdsPosition", owner, sentence, 0.8, "body+title+name", "、".join(other)))
            continue
        org, conf = _org_before(text, orgs, title_start), 0.85
        if org is None:
            # "该公司副总经理Y": the company this part of the article is about.
            if not re.search(r"(该|本)?(公司|集团|企业)$", text[:title_start]):
                continue
            before = [o for o in orgs if o.label == "Company" and o.end <= title_start and o.rule != "owner"]
            org, conf = (before[0] if before else context_org), 0.6
        if org is not None:
            out.append(_rel(person, "holdsPosition", org, sentence, conf, "org+title+name", role))
    return out


def _org_before(text: str, orgs: list[Mention], at: int) -> Mention | None:
    """The organisation named right before a title (X董事长, X的董事长), or a little earlier in the clause."""
    for o in reversed(orgs):
        if o.end == at or o.end < at and text[o.end:at] == "的":
            return o
    for o in reversed(orgs):
        if o.end <= at and at - o.end <= 12 and not re.search(r"[,。;:“”]", text[o.end:at]):
            return o
    return None


def _title_start_before(text: str, at: int, lex: Lexicons) -> int | None:
    """Start of the stacked titles that end at ``at`` (allowing ':' or a space before the name)."""
    end = at
    while end > 0 and text[end - 1] in ": ":
        end -= 1
    start = None
    while True:
        found = next((t for t in sorted(lex.titles, key=len, reverse=True) if text.endswith(t, 0, end)), None)
        if found is None:
            break
        start = end - len(found)
        end = start
        if end > 0 and text[end - 1] in "、":
            prev = next((t for t in lex.titles if text.endswith(t, 0, end - 1)), None)
            if prev:
                end -= 1
                continue
        break
    return start


def _members(text: str, ms: list[Mention], sentence: int) -> list[RelationMention]:
    out = []
    for person in (m for m in ms if m.label == "Person"):
        if text[max(0, person.start - 2):person.start] != "党员":
            continue
        org = next((o for o in reversed(ms) if o.label in ORGS and o.end == person.start - 2), None)
        if org is not None:
            out.append(_rel(person, "memberOf", org, sentence, 0.8, "org+党员+name"))
    return out


def _triggers(text: str, start: int, end: int, lex: Lexicons, relation: str) -> list[tuple[int, int, str]]:
    words = sorted((w for w, (_, r) in lex.triggers.items() if r == relation), key=len, reverse=True)
    if not words:
        return []
    pattern = re.compile("|".join(re.escape(w) for w in words))
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text, start, end)]


def _partners_and_founders(text: str, ms: list[Mention], sentence: int, lex: Lexicons) -> list[RelationMention]:
    out = []
    orgs = [m for m in ms if m.label in ORGS and m.rule != "owner"]
    if len(orgs) < 2:
        return out
    s_start, s_end = min(m.start for m in ms), max(m.end for m in ms)
    # A与B / A联合B: pairs joined by a conjunction, when the sentence has a partnership word.
    if _triggers(text, s_start, s_end + 12, lex, "partnerOf") or _triggers(text, s_start, s_end + 12, lex, "founded"):
        for a, b in zip(orgs, orgs[1:]):
            if _JOINERS.match(text[a.end:b.start]):
                out.append(_rel(a, "partnerOf", b, sentence, 0.7, "A与B+trigger"))
    # A成为B…合作伙伴
    for a, b in zip(orgs, orgs[1:]):
        between = text[a.end:b.start]
        if between in ("成为", "与", "和") and "合作伙伴" in text[b.end:b.end + 12]:
            out.append(_rel(a, "partnerOf", b, sentence, 0.8, "A成为B合作伙伴"))
    # A(联合B)(等)(共同)组建C
    for t_start, t_end, _ in _triggers(text, s_start, s_end, lex, "founded"):
        after = next((o for o in orgs if o.start >= t_end and o.start - t_end <= 4), None)
        if after is None:
            continue
        for founder in (o for o in orgs if o.end <= t_start and t_start - o.end <= 24):
            out.append(_rel(founder, "founded", after, sentence, 0.7, "A组建C"))
    return out


def _guidance(text: str, ms: list[Mention], sentence: int, lex: Lexicons) -> list[RelationMention]:
    out = []
    if not ms:
        return out
    s_start, s_end = min(m.start for m in ms), max(m.end for m in ms)
    for t_start, t_end, _ in _triggers(text, s_start, s_end, lex, "guides"):
        target = next((o for o in ms if o.label in ORGS and o.rule != "owner" and t_end <= o.start <= t_end + 6), None)
        if target is None:
            continue
        agents = [m for m in ms if m.end <= t_start and (m.label == "Person" or m.label in ORGS) and m.rule != "owner"]
        person = next((m for m in agents if m.label == "Person"), None)
        agent = person or (agents[-1] if agents else None)
        if agent is not None and agent.name != target.name:
            out.append(_rel(agent, "guides", target, sentence, 0.65, "agent+trigger+target"))
    return out
