"""The extraction stage: ``extract(document) -> Extraction``.

Per sentence it finds mentions (``entities``), then per document it spreads
names found with confidence to their other occurrences, names party bodies
whose owner is left out ("该集团党委"), and only then reads relations
(``relations``) and events (``events``).
"""

from __future__ import annotations

import re

from ..lexicons import Lexicons, lexicons
from ..model import Document, Extraction, Mention, RelationMention, Sentence
from ..segment import sentences as split_sentences
from ..segment import tokens as tokenize
from .dates import DateResolver
from .entities import SentenceContext, clean_name, find_mentions, settle
from .events import find_events
from .relations import find_relations

__all__ = ["extract"]

_SOURCE = re.compile(r"来源\s*[:：]\s*([^\s:：,，|/]{2,24}?)(?=\s|$|编辑|作者|记者|责任|发布|时间|\d)")
_BYLINE = re.compile(r"(?P<role>责任编辑|编辑|责编|记者|通讯员|作者|摄影)\s*[:：丨|]?\s*")
_COREF_BODY = "(?P<pre>该集团|该公司|该企业|集团|公司|企业)?(?P<qual>(?:{q})*)(?P<body>{b})(?!织)"
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
    per_sentence = _propagate(doc.text, sents, per_sentence)
    per_sentence = _coreferent_bodies(doc.text, sents, per_sentence, lex)

    relations: list[RelationMention] = []
    events = []
    dates = DateResolver(doc.published)
    source = next((m for ms in per_sentence for m in ms if m.rule == "source"), None)
    context: Mention | None = None
    for sent, ms in zip(sents, per_sentence):
        here = next((m for m in ms if m.label == "Company" and m.rule != "owner"), None)
        relations += find_relations(doc.text, sent.index, ms, lex, context)
        relations += _byline_relations(doc.text, sent, ms, source)
        found_dates = dates.find(doc.text, sent.start, sent.end)
        events += find_events(doc.text, sent.start, sent.end, sent.index, ms, found_dates, lex)
        context = here or context
    relations += _located_in(per_sentence, lex)
    mentions = tuple(m for ms in per_sentence for m in ms)
    return Extraction(doc, tuple(sents), mentions, tuple(_dedupe(relations)), tuple(events))


def _source_mentions(text: str, sent: Sentence) -> list[Mention]:
    """The outlet named in a "来源:" line is an Organization."""
    out = []
    for m in _SOURCE.finditer(text, sent.start, sent.end):
        name = clean_name(m.group(1))
        out.append(Mention(m.start(1), m.end(1), m.group(1), "Organization", sent.index, name, 0.8, "source"))
    return out


def _propagate(text: str, sents: list[Sentence], per_sentence: list[list[Mention]]) -> list[list[Mention]]:
    """A name found once with confidence is the same name wherever else it stands in the document."""
    known: dict[str, Mention] = {}
    for ms in per_sentence:
        for m in ms:
            if m.label in PROPAGATE and m.confidence >= 0.6 and len(m.name) >= 2 and m.name == m.text:
                best = known.get(m.name)
                if best is None or m.confidence > best.confidence:
                    known[m.name] = m
    out = []
    for sent, ms in zip(sents, per_sentence):
        extra = []
        for name, seen in known.items():
            for hit in re.finditer(re.escape(name), text[sent.start:sent.end]):
                start = sent.start + hit.start()
                end = start + len(name)
                if any(m.start <= start and end <= m.end for m in ms):
                    continue
                extra.append(Mention(start, end, name, seen.label, sent.index, name,
                                     round(seen.confidence * 0.9, 3), "propagated"))
        out.append(settle(ms + extra) if extra else ms)
    return out


def _coreferent_bodies(text: str, sents: list[Sentence], per_sentence: list[list[Mention]],
                       lex: Lexicons) -> list[list[Mention]]:
    """"该集团党委", "公司党委", "第一党支部": a party body of the company the article is about."""
    pattern = re.compile(_COREF_BODY.format(q="|".join(map(re.escape, lex.party_qualifiers)),
                                            b="|".join(map(re.escape, lex.party_bodies))))
    out = []
    context: Mention | None = None
    for sent, ms in zip(sents, per_sentence):
        here = next((m for m in ms if m.label == "Company" and m.rule != "owner"), None)
        owner = here or context
        extra = []
        for m in pattern.finditer(text, sent.start, sent.end):
            founded_bare = text[max(sent.start, m.start() - 2):m.start()] in ("成立", "组建", "设立", "建立")
            if owner is None or not (m["pre"] or m["qual"] or founded_bare) or \
                    any(x.start <= m.start() < x.end for x in ms):
                continue
            if text[m.end():m.end() + 2] in ("书记", "副书"):
                continue  # "党委书记": a title, not a body
            group = "集团" if "集团" in (m["pre"] or "") and not owner.name.endswith("集团") else ""
            name = owner.name + group + (m["qual"] or "").replace("集团", "") + m["body"]
            extra.append(Mention(m.start(), m.end(), m.group(), "PartyOrganization", sent.index, name, 0.6,
                                 "coref-body", aliases=(clean_name(m.group()),)))
            extra.append(Mention(m.start(), m.start(), "", owner.label, sent.index, owner.name, 0.6,
                                 "owner"))
        out.append(settle(ms + extra) if extra else ms)
        context = here or context
    return out


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


def _located_in(per_sentence: list[list[Mention]], lex: Lexicons) -> list[RelationMention]:
    """A place inside another place mentioned in the same article (by the gazetteer)."""
    places = [m for ms in per_sentence for m in ms if m.label == "Place"]
    by_entry = {}
    for m in places:
        entry = _gazetteer_entry(m.name, lex)
        if entry:
            by_entry.setdefault(entry.name, m)
    out = []
    for m in places:
        entry = _gazetteer_entry(m.name, lex)
        parent = entry.parent if entry else ""
        if entry and entry.name != m.name and not lex.place(m.name):
            parent = entry.name  # a zone inside a city: the city first
        while parent:
            if parent in by_entry and by_entry[parent].name != m.name:
                out.append(RelationMention(m, "locatedIn", by_entry[parent], m.sentence, 0.6, "gazetteer"))
                break
            up = lex.place(parent)
            parent = up.parent if up else ""
    return out


def _gazetteer_entry(name: str, lex: Lexicons):
    for length in range(len(name), 1, -1):
        place = lex.place(name[:length])
        if place:
            return place
    return None


def _dedupe(relations: list[RelationMention]) -> list[RelationMention]:
    seen, out = set(), []
    for r in relations:
        key = (r.subject.name, r.subject.label, r.predicate, r.object.name, r.object.label, r.sentence, r.role)
        if key not in seen and r.subject.name != r.object.name:
            seen.add(key)
            out.append(r)
    return out
