"""Relations between the mentions of one sentence.

Each rule reads a shape of Chinese news prose: "X公司董事长Y", "X党员Y",
"Y是X派驻Z的党建指导员", "A与B签约", "A联合B共同组建C", "<owner>党委".
"""

from __future__ import annotations

import re

from ..lexicons import Lexicons, alternation
from ..model import ORG_TYPES, Mention, RelationMention

ORGS = frozenset(ORG_TYPES)
_JOINERS = re.compile(r"^\s*(?:还|也|又|已|已经|则|再次|正式)?(?:与|和|同|及|、|联合|携手)\s*$")


def find_relations(text: str, sentence: int, mentions: list[Mention], lex: Lexicons,
                   context_org: Mention | None = None, main_org: Mention | None = None,
                   group_org: Mention | None = None) -> list[RelationMention]:
    """Relations stated in one sentence. ``context_org`` is the company the text
    was just talking about (for "该公司副总经理X"), ``main_org`` the one the whole
    article is about (for "公司副总经理X"), ``group_org`` the group named last
    (for "集团副总裁X")."""
    ms = sorted(mentions, key=lambda m: (m.start, m.end))
    out: list[RelationMention] = []
    out += _party_bodies(ms, sentence)
    out += _positions(text, ms, sentence, lex, context_org, main_org, group_org)
    out += _members(text, ms, sentence)
    out += _partners_and_founders(text, ms, sentence, lex)
    out += _story_partners(text, ms, sentence, lex, context_org, main_org)
    out += _subsidiaries(text, ms, sentence, main_org)
    out += _guidance(text, ms, sentence, lex)
    out += _done_by(text, ms, sentence)
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
                if owner.label == "PartyOrganization":  # 纪委 of a 党委
                    out.append(_rel(body, "subOrganizationOf", owner, sentence, 0.75, "organ+department"))
                else:
                    out.append(_rel(owner, "hasPartyOrganization", body, sentence, 0.85, "owner+body"))
    for dept in (m for m in ms if m.label == "GovernmentOrganization" and m.rule == "department"):
        for organ in ms:
            if organ.rule == "owner" and organ.start == dept.start and organ.end < dept.end:
                out.append(_rel(dept, "subOrganizationOf", organ, sentence, 0.75, "organ+department"))
    return out


_BODY_WORDS = re.compile(r"^(党委|党工委|党总支|党支部|支部|党组|纪委|监委)")
_APPOINTED = re.compile(r"^(?:当选为?|担任|出任|兼任|任)")


def _positions(text: str, ms: list[Mention], sentence: int, lex: Lexicons,
               context_org: Mention | None, main_org: Mention | None = None,
               group_org: Mention | None = None) -> list[RelationMention]:
    """Titles before a name, each bound to the organisation written before it:
    "浙江省委常委、丽水市委书记X", "X党委书记、董事长Y" (董事长 at the body's owner),
    "X公司董事长Y"; and titles after a name: "Y当选党委书记", "Y担任X董事长"."""
    out = []
    orgs = [m for m in ms if m.label in ORGS]
    previous: tuple[Mention, list] | None = None
    for person in (m for m in ms if m.label == "Person"):
        segments = _title_segments(text, person.start, orgs, lex)
        if not segments and previous is not None and text[previous[0].end:person.start] in ("、", "和", "与", "及"):
            segments = previous[1]  # 副总经理张明、李华: one title shared by a list
        segments += _titles_after(text, person, orgs, ms, lex)
        if not segments:
            continue
        bound = [(org, title) for org, title in segments if org is not None]
        first_title = text.rfind(segments[0][1], 0, person.start)
        if not bound and previous is not None and text[previous[0].end:first_title] in (",", ",", ";", " ", "、"):
            bound = [b for b in previous[1] if b[0] is not None]  # A书记、董事长X,副书记、总经理Y
        previous = (person, segments if any(o for o, _ in segments) else segments + bound)
        for org, title in segments:
            if title == "通讯员":
                continue  # a correspondent writes for the outlet from another unit: no post there
            if org is None and bound:
                org = bound[0][0]  # 党委书记、董事长Y: the organisation of the other titles
                if org.label == "PartyOrganization" and lex.titles.get(title) != "party":
                    org = _owner_of(org, orgs) or org
            conf = 0.85
            if org is None:
                org, conf = _org_for_bare_title(text, person, orgs, context_org, main_org, segments, lex,
                                                  group_org)
            if org is None:
                continue
            if org.label == "PartyOrganization" and lex.titles.get(title) == "corporate":
                org = _owner_of(org, orgs) or org  # X党支部党员、总工程师Y: the engineer of X
            role = _BODY_WORDS.sub("", title) if org.label == "PartyOrganization" and title not in (
                "党建指导员", "党务工作者") else title
            out.append(_rel(person, "holdsPosition", org, sentence, conf, "org+title+name", role or title))
    return out


def _title_segments(text: str, at: int, orgs: list[Mention], lex: Lexicons) -> list[tuple[Mention | None, str]]:
    """Read "[org]title、[org]title" backwards from a name: (organisation or None, title) pairs."""
    ordered = sorted(lex.titles, key=len, reverse=True)
    pos = at
    while pos > 0 and text[pos - 1] in ": :":
        pos -= 1
    segments = []
    while True:
        title = next((t for t in ordered if text.endswith(t, 0, pos)), None)
        if title is None:
            break
        t_start = pos - len(title)
        inside = next((o for o in orgs if o.start <= t_start < o.end <= pos), None)
        if inside is not None:  # 丽水市委书记: the org took 市委 out of the title
            org, title, seg_start = inside, text[inside.end:pos], inside.start
        else:
            org = next((o for o in orgs if o.end == t_start or o.end == t_start - 1 and text[o.end] == "的"), None)
            sent_to = org is not None and text[org.end:t_start] == "的" and _SENT_TO.search(text, 0, org.start)
            if sent_to:  # A派驻B的指导员C: C works for A, B is where C is sent
                org = next((o for o in orgs if o.end == sent_to.start()), None)
            if org is None and not sent_to:
                org = _org_before_unit(text, orgs, t_start)
                if org is not None:  # X公司材料研究所所长: the unit is part of the title
                    title = text[org.end:pos]
            seg_start = org.start if org is not None else t_start
        if title:
            segments.append((org, title))
        if seg_start > 0 and text[seg_start - 1] in "、 兼":  # 董事长兼党委书记
            pos = seg_start - 1
            continue
        break
    return segments[::-1]


_CLAUSE_END = re.compile(r"[,，;；:：。)）]")
_SENT_TO = re.compile(r"(?:派驻|选派|派往|下派|入驻|驻|联系|帮扶|结对)(?:到|至)?$")
_UNIT = re.compile(r"[\u4e00-\u9fff]{2,18}?(?:研究所|研究院|研究中心|中心|教研室|实验室|学院|系|部|处|科|室|所)")


def _org_before_unit(text: str, orgs: list[Mention], at: int) -> Mention | None:
    """The organisation right before "<unit>" that ends at ``at`` (a department,
    lab or centre inside it, written without punctuation)."""
    for o in orgs:
        if o.end < at and _UNIT.fullmatch(text, o.end, at):
            return o
    return None


def _titles_after(text: str, person: Mention, orgs: list[Mention], ms: list[Mention],
                  lex: Lexicons) -> list[tuple[Mention | None, str]]:
    """"Y当选党委书记" / "Y担任X公司董事长": a title after the name and an appointing verb."""
    verb = _APPOINTED.match(text[person.end:person.end + 3])
    if verb is None:
        return []
    at = person.end + verb.end()
    org = next((o for o in orgs if o.start == at), None)
    t_at = org.end if org is not None else at
    title = next((t for t in sorted(lex.titles, key=len, reverse=True) if text.startswith(t, t_at)), None)
    if title is None:
        return []
    if org is None and lex.titles.get(title) == "party":
        # The body named nearest before in the sentence (小米成立党委,由…刘德担任党委书记).
        bodies = [o for o in orgs if o.label == "PartyOrganization" and o.end <= person.start]
        org = bodies[-1] if bodies else None
    return [(org, title)]


def _owner_of(body: Mention, orgs: list[Mention]) -> Mention | None:
    return next((o for o in orgs if o.rule == "owner" and o.start == body.start and o.end < body.end), None)


def _org_for_bare_title(text: str, person: Mention, orgs: list[Mention], context_org: Mention | None,
                        main_org: Mention | None, segments, lex: Lexicons,
                        group_org: Mention | None = None) -> tuple[Mention | None, float]:
    """A title with no organisation before it: "该公司副总经理Y" (the company the
    article is about), or the one company the sentence names before the title."""
    first_title = segments[0][1]
    t_start = text.rfind(first_title, 0, person.start)
    org = _org_before(text, orgs, t_start)
    if org is not None:
        return org, 0.75
    pointer = re.search(r"(该|本)?(公司|集团|企业)$", text[:t_start])
    if pointer:
        before = [o for o in orgs if o.label == "Company" and o.end <= t_start and o.rule != "owner"]
        story = context_org if pointer.group(1) else (main_org or context_org)
        if pointer.group(2) == "集团":  # "集团副总裁X": the group, when the story is about one of its firms
            story = next((o for o in (story, group_org) if o is not None and "集团" in o.name), story)
        return (story or (before[0] if before else None)), 0.75
    companies = {o.name: o for o in orgs if o.label == "Company" and o.rule != "owner" and o.end <= t_start}
    if len(companies) == 1 and all(lex.titles.get(t) == "corporate" for _, t in segments):
        return next(iter(companies.values())), 0.55
    return None, 0.0


def _org_before(text: str, orgs: list[Mention], at: int) -> Mention | None:
    """The organisation named right before a title (X董事长, X的董事长), or a little earlier in the clause."""
    for o in reversed(orgs):
        if o.end == at or o.end < at and text[o.end:at] == "的":
            return o
    for o in reversed(orgs):
        if o.end <= at and at - o.end <= 12 and not re.search(r"[,。;:“”]", text[o.end:at]):
            return o
    return None


def _members(text: str, ms: list[Mention], sentence: int) -> list[RelationMention]:
    """"X党员Y", "X党员、青年工程师Y", "X党员Y、Z": Y (and Z) are members of X."""
    out = []
    previous: tuple[Mention, Mention] | None = None  # the last (person, organisation) found
    for person in (m for m in ms if m.label == "Person"):
        marker = _MEMBER.search(text, max(0, person.start - 12), person.start)
        org = next((o for o in reversed(ms) if o.label in ORGS and marker and o.end == marker.start()), None)
        if org is None and previous is not None and text[previous[0].end:person.start] in ("、", "和", "及"):
            org = previous[1]  # 党员王磊、孙丽娟: the list shares the organisation
        if org is not None:
            out.append(_rel(person, "memberOf", org, sentence, 0.8, "org+党员+name"))
            previous = (person, org)
        else:
            previous = None
    return out


_MEMBER = re.compile(r"(?:的)?(?:老|优秀|普通|青年)?党员(?:、[\u4e00-\u9fff]{2,8})?$")


def _triggers(text: str, start: int, end: int, lex: Lexicons, relation: str) -> list[tuple[int, int, str]]:
    words = tuple(sorted((w for w, (_, r) in lex.triggers.items() if r == relation), key=len, reverse=True))
    if not words:
        return []
    return [(m.start(), m.end(), m.group()) for m in alternation(words).finditer(text, start, end)]


def _partners_and_founders(text: str, ms: list[Mention], sentence: int, lex: Lexicons) -> list[RelationMention]:
    out = []
    orgs = [m for m in ms if m.label in ORGS and m.rule != "owner"]
    if len(orgs) < 2:
        return out
    s_start, s_end = min(m.start for m in ms), max(m.end for m in ms)
    # A与B / A联合B: pairs joined by a conjunction, when the sentence has a partnership word.
    if _triggers(text, s_start, s_end + 12, lex, "partnerOf") or _triggers(text, s_start, s_end + 12, lex, "founded"):
        listed: set[int] = set()  # A与B、C、D等…结对: A pairs with each, not B with C
        for i, (a, b) in enumerate(zip(orgs, orgs[1:])):
            between = text[a.end:b.start]
            if not _JOINERS.match(between) or between.strip() == "、" and i + 1 in listed:
                continue
            if _MODIFIES.match(text, b.end):  # 与X下属的Y合资: Y is the partner, X only says whose Y is
                b = next((o for o in orgs if o.start == _MODIFIES.match(text, b.end).end()), b)
            partners = _listed_from(text, orgs, b) if between.strip() != "、" else [b]
            listed.update(orgs.index(p) for p in partners[1:])
            out += [_rel(a, "partnerOf", p, sentence, 0.7, "A与B+trigger") for p in partners]
    # A党委与B党委…结为共建企业: the companies are partners too.
    if re.search(r"(共建|结对|合作|签约)企业|双方企业|两家企业", text[s_start:s_end + 60].split("。")[0]):
        for rel in [r for r in out if r.subject.label == r.object.label == "PartyOrganization"]:
            owners = [next((o for o in ms if o.rule == "owner" and o.start == body.start and o.end < body.end
                            and o.label == "Company"), None) for body in (rel.subject, rel.object)]
            if all(owners):
                out.append(_rel(owners[0], "partnerOf", owners[1], sentence, 0.65, "bodies+企业"))
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
        for founder in (o for o in orgs if o.end <= t_start and t_start - o.end <= 24 and not _MODIFIES.match(text, o.end)):
            out.append(_rel(founder, "founded", after, sentence, 0.55, "A组建C"))
    return out


_MODIFIES = re.compile(r"(?:下属|旗下|所属)?的")
_STORY_SUBJECT = re.compile(r"(?:(该|本)|(?<![\u4e00-\u9fff]))(公司|集团|企业)(?:还|也|又|已|先后|分别|正式)?(?:与|和|同|携手|联合)$")


def _listed_from(text: str, orgs: list[Mention], first: Mention) -> list[Mention]:
    """``first`` and the organisations written after it with 、 or 和 between."""
    items = [first]
    for o in orgs:
        if o.start > items[-1].end and text[items[-1].end:o.start] in ("、", "和", "及", "以及"):
            items.append(o)
    return items


def _story_partners(text: str, ms: list[Mention], sentence: int, lex: Lexicons,
                    context_org: Mention | None, main_org: Mention | None) -> list[RelationMention]:
    """"该公司与X签订合作协议", "集团与A、B共同组建C": the story's company, named only
    by 该公司 / 集团, is the partner or a founder."""
    out = []
    orgs = [m for m in ms if m.label in ORGS and m.rule != "owner"]
    for o in orgs:
        pointer = _STORY_SUBJECT.search(text, max(0, o.start - 10), o.start)
        if pointer is None or any(m.end == pointer.end(2) for m in ms):
            continue
        subject = context_org if pointer.group(1) else (main_org or context_org)
        if subject is None:
            continue
        partners = [p for p in _listed_from(text, orgs, o) if p.name != subject.name]
        clause = text[partners[-1].end if partners else o.end:].split("。")[0][:40] if partners else ""
        founded = re.match(r"(?:等)?(?:共同|联合|合资)?(?:组建|成立|创办|设立|创立)", clause)
        if founded:
            child = next((c for c in orgs if 0 <= c.start - (partners[-1].end + founded.end()) <= 2), None)
            if child is not None:
                out += [_rel(f, "founded", child, sentence, 0.65, "story+founders")
                        for f in [subject, *partners] if f.name != child.name]
                partners = [p for p in partners if p is not child]
        if partners and (founded or _triggers(text, partners[-1].end, partners[-1].end + len(clause), lex,
                                              "partnerOf")):
            out += [_rel(subject, "partnerOf", p, sentence, 0.75, "story+partner") for p in partners]
    return out


def _subsidiaries(text: str, ms: list[Mention], sentence: int, main_org: Mention | None) -> list[RelationMention]:
    """"X旗下的Y", "X下属的Y公司", "(集团)旗下有A、B等子公司": Y belongs to X."""
    out = []
    orgs = [m for m in ms if m.label in ORGS and m.rule != "owner"]
    for o in orgs:
        head = re.search(r"(?:旗下|下属|下辖)(?:的|有|、)?$", text[max(0, o.start - 4):o.start])
        if head is None:
            continue
        at = o.start - len(head.group())
        parent = next((p for p in orgs if p.end == at), None)
        if parent is None and re.match(r"[\u4e00-\u9fff]", text[at - 1:at]):
            continue  # some other word before 旗下: not a clause of its own
        if parent is None:  # "…,旗下有A、B": the company the sentence or story is about
            parent = next((p for p in orgs if p.label == "Company" and p.end <= at), None) or main_org
        if parent is None:
            continue
        for child in _listed_from(text, orgs, o):
            if child.name != parent.name:
                out.append(_rel(child, "subOrganizationOf", parent, sentence, 0.7, "X旗下Y"))
    return out


def _guidance(text: str, ms: list[Mention], sentence: int, lex: Lexicons) -> list[RelationMention]:
    out = []
    if not ms:
        return out
    s_start, s_end = min(m.start for m in ms), max(m.end for m in ms)
    for t_start, t_end, _ in _triggers(text, s_start, s_end, lex, "guides"):
        target = next((o for o in ms if o.label in ORGS and o.rule != "owner" and t_end <= o.start <= t_end + 6
                       and not _CLAUSE_END.search(text, t_end, o.start)), None)
        toward = next((o for o in ms if o.label in ORGS and o.rule != "owner" and o.end <= t_start
                       and re.fullmatch(r"向|对", text[o.start - 1:o.start])
                       and not _CLAUSE_END.search(text, o.end, t_start)), None)
        if target is None and toward is not None:  # A向B选派…, A对B进行指导
            target = toward
        if target is None:
            continue
        clause = max((p.end() for p in _CLAUSE_END.finditer(text, s_start, t_start)), default=s_start)
        agents = [m for m in ms if clause <= m.start and m.end <= t_start and m is not target
                  and (m.label == "Person" or m.label in ORGS) and m.rule != "owner"
                  and not (target is toward and m.start > target.start)]
        person = next((m for m in agents if m.label == "Person"), None)
        agent = person or (agents[-1] if agents else None)
        if agent is not None and agent.name != target.name:
            out.append(_rel(agent, "guides", target, sentence, 0.7, "agent+trigger+target"))
        if target is toward:  # A向B选派党建指导员C: C guides B
            sent = next((m for m in ms if m.label == "Person" and 0 < m.start - t_end <= 8
                         and text[t_end:m.start] in lex.titles), None)
            if sent is not None:
                out.append(_rel(sent, "guides", target, sentence, 0.7, "agent+trigger+target"))
        sent = next((m for m in ms if m.label == "Person" and text[target.end:target.end + 1] == "的"
                     and 0 < m.start - target.end <= 10 and text[target.end + 1:m.start] in lex.titles), None)
        if person is None and sent is not None:  # A派驻B的党建指导员C: C guides B too
            out.append(_rel(sent, "guides", target, sentence, 0.7, "agent+trigger+target"))
    return out


_BY = re.compile(r"(?:负责|牵头|具体|全程|联合)*(?:(?P<guides>指导|帮扶|联系)|(?P<founded>组建|成立|设立|创办|发起成立))")


def _done_by(text: str, ms: list[Mention], sentence: int) -> list[RelationMention]:
    """"X成立于2020年,由A牵头组建,日常工作由B负责指导": A founded X, B guides X.
    X is the organisation the sentence opens with."""
    orgs = [m for m in ms if m.label in ORGS and m.rule != "owner"]
    out = []
    for agent in orgs:
        if text[agent.start - 1:agent.start] != "由":
            continue
        done = _BY.match(text, agent.end)
        subject = orgs[0] if orgs and orgs[0].end < agent.start - 1 else None
        if done is None or subject is None or subject.name == agent.name:
            continue
        predicate = "guides" if done["guides"] else "founded"
        out.append(_rel(agent, predicate, subject, sentence, 0.7, "由A+verb"))
    return out
