"""The extraction stage: ``extract(document) -> Extraction``.

Per sentence it finds mentions (``entities``), then per document it spreads
names found with confidence to their other occurrences, names party bodies
whose owner is left out ("该集团党委"), and only then reads relations
(``relations``) and events (``events``).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..lexicons import Lexicons, lexicons
from ..model import ORG_TYPES, Document, Extraction, Mention, RelationMention, Sentence
from ..segment import sentences as split_sentences
from ..segment import tokens as tokenize
from ..segment import word_frequency
from .dates import DateResolver
from .entities import (ZONE, SentenceContext, clean_name, find_mentions, settle, stacked_organs,
                       units_before_titles)
from .events import find_events
from .relations import find_relations

__all__ = ["extract"]

_SOURCE = re.compile(r"来源\s*[:：]\s*([^\s:：,，|/]{2,24}?)(?=\s|$|编辑|作者|记者|责任|发布|时间|\d)")
_BYLINE = re.compile(r"(?P<role>责任编辑|编辑|责编|记者|通讯员|作者|摄影)\s*[:：丨|]?\s*")
_COREF_BODY = "(?P<pre>该集团|该公司|该企业|集团|公司|企业)?(?P<qual>(?:{q}|第[一二三四五六七八九十0-9]+)*)(?P<body>{b})(?!织)"
ORG_LABELS = ("Company", "Organization", "GovernmentOrganization", "PartyOrganization")
PROPAGATE = ("Company", "Organization", "GovernmentOrganization", "PartyOrganization", "Person")


def extract(doc: Document, user_lexicons: tuple[str, ...] = ()) -> Extraction:
    lex = lexicons(user_lexicons)
    sents = split_sentences(doc)
    per_sentence: list[list[Mention]] = []
    all_tokens = []
    for sent in sents:
        toks = tokenize(sent.text, sent.start, user_lexicons)
        all_tokens.append(toks)
        ctx = SentenceContext(doc.text, sent.start, sent.end, sent.index, toks, lex)
        per_sentence.append(settle(find_mentions(ctx) + _source_mentions(doc.text, sent)))
    per_sentence = _defined_short_forms(doc.text, per_sentence)
    per_sentence = _propagate(doc.text, sents, per_sentence, lex)
    per_sentence = [units_before_titles(doc.text, ms, toks, lex) for ms, toks in zip(per_sentence, all_tokens)]
    per_sentence = _coreferent_bodies(doc.text, sents, per_sentence, lex)
    per_sentence = _level_bodies(doc.text, sents, per_sentence, all_tokens, lex)
    per_sentence = [settle(ms + stacked_organs(doc.text, s.start, s.end, s.index, ms, lex))
                    for s, ms in zip(sents, per_sentence)]

    relations: list[RelationMention] = []
    events = []
    dates = DateResolver(doc.published)
    source = next((m for ms in per_sentence for m in ms if m.rule == "source"), None) or _outlet(per_sentence)
    context: Mention | None = None
    main = _main_company(per_sentence)
    group: Mention | None = None
    for sent, ms in zip(sents, per_sentence):
        here = _topic_company(doc.text, sent, ms)
        group = next((c for c in reversed(ms) if c.label == "Company" and "集团" in c.name), None) or group
        relations += find_relations(doc.text, sent.index, ms, lex, context, main, group)
        relations += _byline_relations(doc.text, sent, ms, source)
        found_dates = dates.find(doc.text, sent.start, sent.end)
        events += find_events(doc.text, sent.start, sent.end, sent.index, ms, found_dates, lex)
        context = here or context
    relations += _located_in(doc.text, per_sentence, lex, main)
    relations += _branches_under_committees(per_sentence, lex)
    relations += _committees_of_zones(per_sentence)
    relations = _titles_at_named_bodies(doc.text, per_sentence, relations, lex)
    mentions = tuple(m for ms in per_sentence for m in ms)
    return Extraction(doc, tuple(sents), mentions, tuple(_dedupe(relations)), tuple(events))


_OUTLET = re.compile(r"(报|报社|网|客户端|电视台|广播电台|通讯社|新闻|频道)$")


def _main_company(per_sentence: list[list[Mention]]) -> Mention | None:
    """The company named most often (short forms included): what the story is about."""
    counts: dict[str, int] = {}
    first: dict[str, Mention] = {}
    for ms in per_sentence:
        for m in ms:
            if m.label == "Company" and m.name:
                counts[m.name] = counts.get(m.name, 0) + 1
                first.setdefault(m.name, m)
    if not counts:
        return None
    # Short and long forms (蓝鲸 / 蓝鲸科技) count together.
    # A one-character name (丁 of "丁.临时党支部") is its own root.
    root = {n: min((k for k in counts if (len(k) >= 2 or k == n) and n.startswith(k)), key=len) for n in counts}
    totals: dict[str, int] = {}
    for n, c in counts.items():
        totals[root[n]] = totals.get(root[n], 0) + c
    top = max(totals, key=lambda r: (totals[r], -min(first[n].start for n in counts if root[n] == r)))
    best = max((n for n in counts if root[n] == top), key=lambda n: (counts[n], -first[n].start))
    return first[best] if totals[top] >= 2 else None


_POINTER = re.compile(r"该(公司|集团|企业)")


def _topic_company(text: str, sent: Sentence, ms: list[Mention]) -> Mention | None:
    """The company a sentence is about: the first one named, unless the sentence
    points back (该公司与X签约 is still about the earlier company) or the company
    is only a partner (与X, 和X)."""
    companies = [m for m in ms if m.label == "Company" and m.rule not in ("owner", "partner-slot")
                 and text[m.start - 1:m.start] not in ("与", "和", "同", "向", "为", "跟", "及", "、")]
    pointer = _POINTER.search(text, sent.start, sent.end)
    if not companies or pointer and pointer.start() < companies[0].start:
        return None
    return companies[0]


def _outlet(per_sentence: list[list[Mention]]) -> Mention | None:
    """With no "来源" line, the first news outlet the article names (秦川日报-秦川网…讯)."""
    return next((m for ms in per_sentence for m in ms if m.label == "Organization" and _OUTLET.search(m.name)),
                None)


_DATELINE = re.compile(r"(?:^|(?<=[\s】\]]))([\u4e00-\u9fffA-Za-z0-9]{2,10}?(?:网|报|客户端|电视台|新闻|融媒|之声))(?:讯|消息)"
                       r"|[(（]([\u4e00-\u9fff]{2,10}?(?:网|报|客户端|电视台|社))(?=记者|通讯员|编辑)", re.M)


def _source_mentions(text: str, sent: Sentence) -> list[Mention]:
    """The outlet named in a "来源:" line, a dateline (某某客户端讯) or a closing
    byline (某某网记者 X) is an Organization."""
    out = []
    for m in _SOURCE.finditer(text, sent.start, sent.end):
        name = clean_name(m.group(1))
        out.append(Mention(m.start(1), m.end(1), m.group(1), "Organization", sent.index, name, 0.8, "source"))
    for m in _DATELINE.finditer(text, sent.start, sent.end):
        group = 1 if m.group(1) else 2
        if m.group(group).startswith(("本", "该")):
            continue  # 本网讯, 本报讯: the outlet is not named here
        out.append(Mention(m.start(group), m.end(group), m.group(group), "Organization", sent.index,
                           clean_name(m.group(group)), 0.8, "dateline"))
    return out


def _propagate(text: str, sents: list[Sentence], per_sentence: list[list[Mention]],
               lex: Lexicons) -> list[list[Mention]]:
    """A name found once with confidence is the same name wherever else it stands in the document."""
    known: dict[str, Mention] = {}
    for ms in per_sentence:
        for m in ms:
            if (m.label in PROPAGATE or m.rule == "district") and m.confidence >= 0.6 \
                    and len(m.name) >= 2 and (m.name == m.text or m.rule in ("short-form", "district")):
                for core in _short_names(text, m, lex):  # a name of its own; resolution joins them
                    if core not in known:
                        known[core] = replace(m, name=core)
                for form in (m.name, _unit_of(m), m.text if m.rule == "short-form" else None,
                             *(m.aliases if m.rule == "district" else ())):
                    best = known.get(form)
                    if form and (best is None or m.confidence > best.confidence):
                        known[form] = m
    body = re.compile("(?:{q})*(?:{b})(?![织员])".format(q="|".join(map(re.escape, lex.party_qualifiers)),
                                                         b="|".join(map(re.escape, lex.party_bodies))))
    out = []
    for sent, ms in zip(sents, per_sentence):
        extra = []
        sentence = text[sent.start:sent.end]
        for name, seen in known.items():
            at = sentence.find(name)
            while at >= 0:
                start, end = sent.start + at, sent.start + at + len(name)
                at = sentence.find(name, at + len(name))
                if any(m.start <= start and end <= m.end for m in ms):
                    continue
                conf = round(seen.confidence * 0.9, 3)
                owned = body.match(text, end, sent.end) if seen.label in ORG_TYPES else None
                if owned and not any(m.start <= end < m.end for m in ms):  # 安步体育党委: the short name's own body
                    extra.append(Mention(start, end, name, seen.label, sent.index, seen.name, conf, "owner"))
                    extra.append(Mention(start, owned.end(), text[start:owned.end()], "PartyOrganization",
                                         sent.index, seen.name + owned.group(), conf, "party-body"))
                    continue
                extra.append(Mention(start, end, name, seen.label, sent.index, seen.name, conf, "propagated"))
        out.append(settle(ms + extra) if extra else ms)
    return out


_SHORT_FORM = re.compile(r"[(（](?:以下|下文)?(?:简称|下称|称)[:：]?[“\"「]?([^”\"」()（）,，。]{2,12}?)[”\"」]?[)）]")


def _defined_short_forms(text: str, per_sentence: list[list[Mention]]) -> list[list[Mention]]:
    """"X有限公司(以下简称“X”)": the short form defined in brackets names the same thing."""
    out = []
    for ms in per_sentence:
        extra = []
        for m in ms:
            if m.label not in ORG_LABELS or m.rule == "owner":
                continue
            hit = _SHORT_FORM.match(text, m.end)
            if hit:
                extra.append(Mention(hit.start(1), hit.end(1), hit.group(1), m.label, m.sentence, m.name,
                                     m.confidence, "short-form"))
        out.append(settle(ms + extra) if extra else ms)
    return out


_FULL_LEGAL = re.compile(r"(股份有限公司|有限责任公司|有限公司|股份公司)$")


def _brand_core(m: Mention, lex: Lexicons) -> str | None:
    """The name a company goes by: its full legal name without the place, the legal
    ending and the trade words (某市好柿多电子商务有限公司 → 好柿多)."""
    if m.label != "Company" or not _FULL_LEGAL.search(m.name):
        return None
    name = _FULL_LEGAL.sub("", m.name)
    for i in range(min(len(name) - 2, 8), 1, -1):
        if lex.place(name[:i]):
            name = name[i:]
            break
    core = ""
    for tok in tokenize(name):
        if len(tok.text) > 1 and (word_frequency(tok.text) >= 100 or _compound_of_common(tok.text)):
            break
        core += tok.text
    if len(core) < 2 or core == name or lex.place(core) or word_frequency(core) >= 50:
        return None
    return core


def _compound_of_common(word: str) -> bool:
    """体育用品, 智能装备: two everyday words written as one token."""
    return len(word) == 4 and word_frequency(word[:2]) >= 100 and word_frequency(word[2:]) >= 100


def _short_names(text: str, m: Mention, lex: Lexicons) -> list[str]:
    """The brand core, and the longer forms of it the article also uses on their own
    (福建安步体育用品股份有限公司 → 安步, and 安步体育 where the text writes that)."""
    core = _brand_core(m, lex)
    if core is None:  # 苏州市观前街百货市场 → 观前街百货市场, where the text writes that
        place = next((m.name[:i] for i in range(min(len(m.name) - 3, 8), 1, -1) if lex.place(m.name[:i])), None)
        rest = m.name[len(place):] if place and m.label in ("Company", "Organization") else ""
        return [rest] if len(rest) >= 4 and text.count(rest) > text.count(m.name) and word_frequency(rest) == 0 \
            and not re.search(r"[委局厅办]", rest) else []
    rest = _FULL_LEGAL.sub("", m.name)
    rest = rest[rest.find(core):]
    longer = [rest[:i] for i in range(len(core) + 2, len(rest))
              if text.count(rest[:i]) > text.count(rest[:i + 1]) and text.count(rest[:i]) > text.count(m.name)]
    return [core, *longer[-1:]]


_UNIT_OF = re.compile(r"^.{2,}?(?:大学|学院)(.{2,}(?:学院|研究院|研究所|研究中心|中心))$")


def _unit_of(m: Mention) -> str | None:
    """The unit's own name inside "<university><unit>" (X大学经济学院 → 经济学院), which
    the article may use alone later."""
    hit = _UNIT_OF.match(m.name) if m.label == "Organization" else None
    return hit.group(1) if hit and len(hit.group(1)) >= 4 else None


def _coreferent_bodies(text: str, sents: list[Sentence], per_sentence: list[list[Mention]],
                       lex: Lexicons) -> list[list[Mention]]:
    """"该集团党委", "公司党委", "第一党支部": a party body of the company the article is about."""
    pattern = re.compile(_COREF_BODY.format(q="|".join(map(re.escape, lex.party_qualifiers)),
                                            b="|".join(map(re.escape, lex.party_bodies))))
    out = []
    context: Mention | None = None
    group: Mention | None = None  # the last company named as a group (X集团…)
    last_seen: dict[str, int] = {}
    main = _main_company(per_sentence)
    shared_bodies = [m for ms in per_sentence for m in ms if m.label == "PartyOrganization" and m.start < m.end]
    for sent, ms in zip(sents, per_sentence):
        here = _topic_company(text, sent, ms)
        nearest = here or next((m for m in ms if m.label == "Company"), None) or context
        extra = []
        for m in pattern.finditer(text, sent.start, sent.end):
            pre = m["pre"] or ""
            owner = context or nearest if pre.startswith("该") else nearest
            if pre == "集团" and group is not None and (owner is None or "集团" not in owner.name) and \
                    last_seen.get(group.name, -1) > last_seen.get(owner.name if owner else "", -1):
                owner = group  # 集团党委: the group named most recently, not a subsidiary
            elif pre in ("公司", "企业") and owner is None:
                owner = main
            founded_bare = text[max(sent.start, m.start() - 2):m.start()] in ("成立", "组建", "设立", "建立")
            if owner is None or not (m["pre"] or m["qual"] or founded_bare) or \
                    any(x.start <= m.start() < x.end for x in ms):
                continue
            if text[m.end():m.end() + 2] in ("书记", "副书") and not _unit_named(m["qual"], lex):
                continue  # "党委书记": a title, not a body (but "研发党支部书记": the unit's branch)
            suffix = "集团" if "集团" in pre and not owner.name.endswith("集团") else ""
            name = owner.name + suffix + (m["qual"] or "").replace("集团", "") + m["body"]
            shared = not pre and re.match(r"行业|联合|产业链", m["qual"] or "")
            if shared:  # "行业党委": a trade's committee, not the company's; the one the article names
                named = [b for b in shared_bodies if b.name.endswith(m["qual"] + m["body"])]
                before = [b for b in named if b.start < m.start()]
                if not named:
                    continue
                name = (before or named)[-1 if before else 0].name
            # 0.8: coreferent bodies were right 41 times in 45 on the development and a/b sets
            extra.append(Mention(m.start(), m.end(), m.group(), "PartyOrganization", sent.index, name, 0.8,
                                 "coref-body", aliases=(clean_name(m.group()),)))
            if not shared:
                extra.append(Mention(m.start(), m.start(), "", owner.label, sent.index, owner.name, 0.6,
                                     "owner"))
        out.append(settle(ms + extra) if extra else ms)
        context = here or context
        group = next((c for c in ms if c.label == "Company" and "集团" in c.name), None) or group
        last_seen.update({c.name: c.start for c in ms if c.label == "Company"})
    return out


def _unit_named(qualifiers: str | None, lex: Lexicons) -> bool:
    return bool(qualifiers) and (qualifiers in lex.party_units or qualifiers.startswith("第"))


_BRANCH = re.compile(r"(党支部|支部|党总支|党小组)$")


def _branches_under_committees(per_sentence: list[list[Mention]], lex: Lexicons) -> list[RelationMention]:
    """A branch (X研发党支部, X第三党支部) sits under the 党委 of the same owner when
    the article names that 党委 too."""
    bodies = [m for ms in per_sentence for m in ms if m.label == "PartyOrganization"]
    qualifiers = "|".join(map(re.escape, lex.party_qualifiers))
    units = "|".join(map(re.escape, sorted(lex.party_units)))
    out, seen = [], set()
    for branch in bodies:
        if branch.name in seen:
            continue
        if _BRANCH.search(branch.name):
            base = re.sub(rf"(?:{qualifiers}|第[一二三四五六七八九十0-9]+)+{_BRANCH.pattern}", "", branch.name)
        else:  # 机关党委: the committee of one department sits under the whole body's 党委
            base = re.sub(rf"(?:{units})+党委$", "", branch.name)
        if base == branch.name:
            continue  # X党支部 and X党委 in one story is usually the branch grown into a committee
        for committee in bodies:
            top = re.sub(r"(集团)?党委$", "", committee.name)
            if re.search(rf"({qualifiers})$", top):
                continue  # X行业党委 guides branches of many owners
            if committee.name.endswith("党委") and len(base) >= 2 and len(top) >= 2 and \
                    (base.startswith(top) or top.startswith(base) or len(base) >= 4 and base in top) \
                    and committee.name != branch.name:
                out.append(RelationMention(branch, "subOrganizationOf", committee, branch.sentence, 0.7,
                                           "branch+committee"))
                seen.add(branch.name)
                break
    return out


_ZONE_COMMITTEE = re.compile(r"(.{2,}?)(?:管理委员会|管委会)$")


def _committees_of_zones(per_sentence: list[list[Mention]]) -> list[RelationMention]:
    """"X高新区管委会" is the administration of the zone X高新区: it sits under
    that zone when the article names the zone as a place of its own."""
    places = {m.name for ms in per_sentence for m in ms if m.label == "Place"}
    out, seen = [], set()
    for m in (m for ms in per_sentence for m in ms):
        zone = _ZONE_COMMITTEE.match(m.name) if m.label == "GovernmentOrganization" else None
        if zone and zone[1] in places and m.name not in seen:
            seen.add(m.name)
            place = next(p for ms in per_sentence for p in ms if p.label == "Place" and p.name == zone[1])
            out.append(RelationMention(m, "subOrganizationOf", place, m.sentence, 0.75, "zone+committee"))
    return out


_BODY_TITLE = r"(?P<own>集团|公司|企业)?(?P<q>(?:{q}|第[一二三四五六七八九十0-9]+)*)(?P<b>党委|党总支|党支部|支部|党工委|纪委)" \
              r"(?P<t>专职副书记|副书记|书记|委员)$"


def _titles_at_named_bodies(text: str, per_sentence: list[list[Mention]], relations: list[RelationMention],
                            lex: Lexicons) -> list[RelationMention]:
    """"行业党委书记X", "研发党支部书记X", "集团党委副书记、纪委书记X": a title naming
    a party body without its owner is held at the body of that name the article
    names (the nearest before, else the first after); it replaces a binding of
    the same title to the body's owner."""
    pattern = re.compile(_BODY_TITLE.format(q="|".join(map(re.escape, lex.party_qualifiers))))
    bodies = sorted((m for ms in per_sentence for m in ms if m.label == "PartyOrganization"),
                    key=lambda m: m.start)
    orgs_ending = {m.end for ms in per_sentence for m in ms if m.label in ORG_TYPES and m.start < m.end}
    held = {(r.subject.name, r.object.name) for r in relations if r.predicate == "holdsPosition"}
    added, replaced = [], set()
    for person in (m for ms in per_sentence for m in ms if m.label == "Person"):
        at = person.start
        while (m := pattern.search(text, max(0, at - 24), at)) is not None:
            start = m.start("own") if m["own"] else m.start("q") if m["q"] else m.start("b")
            if start in orgs_ending or not (m["own"] or m["q"] or m["b"] in ("支部", "党支部", "纪委", "党总支")):
                break  # "X公司党委书记Y": bound to X in the sentence; a bare "党委书记" names no body
            ending = (m["own"] or "") + m["q"] + m["b"]
            named = [b for b in bodies if b.name.endswith(ending) and b.start < b.end]
            body = next((b for b in reversed(named) if b.start < person.start), None) or \
                next(iter(named), None)
            if body is not None and (person.name, body.name) not in held:
                held.add((person.name, body.name))
                added.append(RelationMention(person, "holdsPosition", body, person.sentence, 0.6,
                                             "title+named-body", m["t"]))
                replaced.add((person.name, text[start:m.end()]))
            if start == 0 or text[start - 1] not in "、兼":
                break
            at = start - 1
    kept = [r for r in relations if not (r.predicate == "holdsPosition" and r.object.label != "PartyOrganization"
                                         and (r.subject.name, r.role) in replaced)]
    return kept + added


_LEVEL_BODY = re.compile(r"(?P<level>街道|社区|嘎查|苏木|省|市|州|县|区|旗|盟|镇|乡|村)(?P<rest>委(?:组织部|宣传部|统战部|政法委|人才办|网信办)?"
                         r"|党委|党工委|党总支|党支部|人民政府|政府|[\u4e00-\u9fff]{1,2}局|村委会|居委会)(?![\u4e00-\u9fff]{0,1}员)")
_TOWN_LEVELS = ("街道", "社区", "嘎查", "苏木", "镇", "乡", "村")


def _level_bodies(text: str, sents: list[Sentence], per_sentence: list[list[Mention]], all_tokens,
                  lex: Lexicons) -> list[list[Mention]]:
    """"县委", "县政府", "乡党委", "区教育局" with the place left out: the place of that
    level the article names nearest before (else after). A city-level organ with
    no such place keeps its bare name (县委宣传部)."""
    places = sorted((m for ms in per_sentence for m in ms if m.label == "Place"), key=lambda m: m.start)
    out = []
    for sent, ms, toks in zip(sents, per_sentence, all_tokens):
        starts = {t.start for t in toks}
        extra = []
        for m in _LEVEL_BODY.finditer(text, sent.start, sent.end):
            if m.start() not in starts or any(x.start < m.end() and m.start() < x.end for x in ms):
                continue
            level, rest = m["level"], m["rest"]
            town = level in _TOWN_LEVELS
            if town and not rest.startswith("党") and rest not in ("村委会", "居委会", "政府", "人民政府"):
                continue
            party = town and rest.startswith("党")
            label = "PartyOrganization" if party else "GovernmentOrganization"
            place = _place_of_level(places, level, m.start(), lex)
            if place is None and town:
                continue
            base = place and (place.aliases[-1] if place.aliases else place.name)
            if base and not base.endswith(level):
                base = base + level if not town else None
            name = base + rest if base else m.group()
            conf = 0.8 if base else 0.5  # named after the article's place: 9 right in 9 on dev and a/b
            extra.append(Mention(m.start(), m.end(), m.group(), label, sent.index, clean_name(name), conf,
                                 "level-body", aliases=(m.group(),) if base else ()))
        for m in re.finditer("管委会|管理委员会", text[sent.start:sent.end]):
            a, b = sent.start + m.start(), sent.start + m.end()
            zones = [p for p in places if ZONE.search(p.name)]
            zone = ([p for p in zones if p.start < a] or zones or [None])[-1] if zones else None
            if zone is not None and not any(x.start < b and a < x.end for x in ms):
                extra.append(Mention(a, b, m.group(), "GovernmentOrganization", sent.index, zone.name + "管委会",
                                     0.6, "level-body", aliases=(m.group(),)))
        out.append(settle(ms + extra) if extra else ms)
    return out


def _place_of_level(places: list[Mention], level: str, at: int, lex: Lexicons) -> Mention | None:
    def fits(m: Mention) -> bool:
        name = m.aliases[-1] if m.aliases else m.name
        entry = lex.place(name)
        if level in _TOWN_LEVELS:
            return name.endswith(level)
        wanted = {"省": ("province",), "市": ("prefecture", "county"), "州": ("prefecture",),
                  "县": ("county",), "区": ("county",), "旗": ("county",), "盟": ("prefecture",)}[level]
        if entry is None or entry.level not in wanted:
            return False
        return entry.name.endswith(level) or level in ("省", "市") and not entry.name.endswith(("县", "区", "旗"))
    before = [m for m in places if m.start < at and fits(m)]
    if before:
        return before[-1]
    return next((m for m in places if fits(m)), None)


def _byline_relations(text: str, sent: Sentence, ms: list[Mention], source: Mention | None) -> list[RelationMention]:
    """记者/编辑 X: X holds that post at the outlet named by "来源"."""
    out = []
    if source is None:
        return out
    for person in (m for m in ms if m.label == "Person"):
        role = _BYLINE.search(text, max(sent.start, person.start - 6), person.start)
        if role and role.end() == person.start and role["role"] in ("编辑", "责任编辑", "责编", "记者"):
            out.append(RelationMention(person, "holdsPosition", source, sent.index, 0.75, "byline",
                                       role["role"].replace("责任编辑", "编辑").replace("责编", "编辑")))
    return out


_LOCATED = re.compile(r"(?:总部|地址|厂区)?(?:位于|坐落于|坐落在|地处|落户于|落户|落户在|扎根)")


def _located_in(text: str, per_sentence: list[list[Mention]], lex: Lexicons,
                main: Mention | None = None) -> list[RelationMention]:
    """Locations the text states: "X位于P", "位于P的X", "X落户P", and a chain of
    places written together (杭州市江干区四季青街道) whose parent the article
    also names on its own."""
    out = []
    places = [m for ms in per_sentence for m in ms if m.label == "Place"]
    for ms in per_sentence:
        ordered = sorted(ms, key=lambda m: m.start)
        if not ordered:
            continue
        for verb in _LOCATED.finditer(text, max(0, ordered[0].start - 5), ordered[-1].end):
            place = next((m for m in ordered if m.label == "Place" and 0 <= m.start - verb.end() <= 1), None)
            if place is None:
                continue
            modifier = text[place.end:place.end + 1] == "的"  # "位于P的X": X is what the clause is about
            after = next((m for m in ordered if (m.label in ORG_LABELS or m.label == "Place") and m.rule != "owner"
                          and m.start > place.end and _THE_ONE_AT.fullmatch(text, place.end, m.start)), None)
            if after is not None and after.label == "PartyOrganization":  # 位于P的X公司党支部: the company
                after = next((o for o in ordered if o.rule == "owner" and o.start == after.start
                              and o.end < after.end and o.label != "PartyOrganization"), after)
            before = [m for m in ordered if m.end <= verb.start() and (m.label in ORG_LABELS or m.label == "Place")
                      and m.rule != "owner" and not re.search(r"[。;!?]", text[m.end:verb.start()])
                      and verb.start() - m.end <= 30]
            if verb.group().startswith(("总部", "地址", "厂区")):  # a place has no headquarters
                before = [m for m in before if m.label in ORG_LABELS]
            else:
                before = [m for m in before if verb.start() - m.end <= 12]
            subject = after or (None if modifier else before[-1] if before else None)
            if after is None and re.search(r"(公司|集团|企业)(总部)?$", text[:verb.start()]):
                # "公司位于P": the company this sentence names, else the one the story is about
                named = [m for m in ordered if m.label == "Company" and m.end <= verb.start()]
                subject = named[-1] if named else main
            if subject is not None and subject.name != place.name:
                out.append(RelationMention(subject, "locatedIn", place, place.sentence, 0.75, "located-verb"))
    for m in places:
        if not m.aliases or not m.text.endswith(m.aliases[-1]):
            continue
        head = m.text[:len(m.text) - len(m.aliases[-1])]
        parent = _last_place_in(head, lex)
        target = next((p for p in places if p is not m and parent and
                       (p.name == parent or lex.place(p.name) is not None and lex.place(p.name) == lex.place(parent))
                       and not p.aliases), None)
        if target is not None:
            out.append(RelationMention(m, "locatedIn", target, m.sentence, 0.5, "place-chain"))
    for district in (p for p in places if p.rule == "district"):
        child = next((p for p in places if p.start == district.end and p.sentence == district.sentence), None)
        alone = any(p.name == district.name and p.start != district.start for p in places)
        if child is not None and alone:
            out.append(RelationMention(child, "locatedIn", district, child.sentence, 0.5, "place-chain"))
    return out


_THE_ONE_AT = re.compile(r"的(?:[\u4e00-\u9fff]{1,6}[「“\"])?")


def _last_place_in(head: str, lex: Lexicons) -> str | None:
    for i in range(len(head) - 1):
        if lex.place(head[i:]):
            return head[i:]
    return None


def _dedupe(relations: list[RelationMention]) -> list[RelationMention]:
    seen, out = set(), []
    for r in relations:
        key = (r.subject.name, r.subject.label, r.predicate, r.object.name, r.object.label, r.sentence, r.role)
        if key not in seen and r.subject.name != r.object.name:
            seen.add(key)
            out.append(r)
    return out
