"""Mentions to entities: one entity per real-world thing, within and across documents.

Within a document, short and long forms of a company (X / X信息 / X信息股份有限公司)
and the forms of a place (湖南 / 湖南省) are one entity. Across documents,
organisations and places with the same canonical name are one entity; persons
are merged only when they also share an organisation.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

from .lexicons import lexicons
from .model import (Entity, Event, Evidence, Extraction, Mention, Relation, Resolved)

LEGAL_ENDINGS = re.compile(r"(股份有限公司|有限责任公司|集团有限公司|集团股份有限公司|有限公司|股份公司|公司)$")


def resolve(extractions: Iterable[Extraction]) -> Resolved:
    extractions = sorted(extractions, key=lambda x: x.document.id)
    docs, sentences = [], []
    # doc-local clusters: (doc id, local key) -> list of mentions
    local: dict[tuple[str, str], list[Mention]] = {}
    mention_key: dict[tuple[str, Mention], tuple[str, str]] = {}
    for ex in extractions:
        docs.append(ex.document)
        sentences.extend(ex.sentences)
        for m, key in _local_clusters(ex.mentions).items():
            local.setdefault((ex.document.id, key), []).append(m)
            mention_key[(ex.document.id, m)] = (ex.document.id, key)

    # Person context: organisations a person is related to in their document.
    person_orgs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ex in extractions:
        for r in ex.relations:
            if r.subject.label == "Person":
                okey = mention_key.get((ex.document.id, r.object))
                if okey:
                    person_orgs[mention_key[(ex.document.id, r.subject)]].add(_canonical(local[okey])[1])

    # Global ids.
    global_of: dict[tuple[str, str], str] = {}
    persons_by_name: dict[str, list[tuple[tuple[str, str], set[str]]]] = defaultdict(list)
    for key in sorted(local):
        label, name = _canonical(local[key])
        if label == "Person":
            persons_by_name[name].append((key, person_orgs.get(key, set())))
        else:
            global_of[key] = f"{label.lower()}/{name}"
    for name, group in sorted(persons_by_name.items()):
        clusters: list[tuple[set[str], list[tuple[str, str]]]] = []
        for key, orgs in group:
            home = next((c for c in clusters if orgs and c[0] & orgs), None)
            if home is None:
                clusters.append((set(orgs), [key]))
            else:
                home[0].update(orgs)
                home[1].append(key)
        for i, (_, keys) in enumerate(clusters):
            suffix = "" if len(clusters) == 1 else "~" + _short_hash("|".join(sorted(k[0] for k in keys)))
            for key in keys:
                global_of[key] = f"person/{name}{suffix}"

    sentence_of = {(s.doc_id, s.index): s for s in sentences}
    doc_of = {d.id: d for d in docs}

    def evidence(doc_id: str, index: int) -> Evidence:
        s = sentence_of[(doc_id, index)]
        start, end = doc_of[doc_id].raw_span(s.start, s.end)
        return Evidence(doc_id, index, start, end, doc_of[doc_id].raw[start:end])

    entities = _entities(local, global_of, evidence)
    relations = _relations(extractions, mention_key, global_of, evidence)
    events = _events(extractions, mention_key, global_of, evidence)
    return Resolved(tuple(docs), tuple(sentences), entities, relations, events)


def _local_clusters(mentions: Iterable[Mention]) -> dict[Mention, str]:
    """Group one document's mentions; the key is "Type|canonical name"."""
    lex = lexicons()
    by_label: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.name:
            by_label[m.label].append(m)
    out: dict[Mention, str] = {}
    for label, ms in by_label.items():
        roots: dict[str, str] = {}
        names = sorted({m.name for m in ms}, key=lambda n: (-len(n), n))
        for name in names:
            roots[name] = name
        for name in names:
            for longer in names:
                if longer == name or len(longer) <= len(name):
                    continue
                if _same_thing(label, name, longer, lex):
                    roots[name] = roots[longer]
                    break
        for m in ms:
            out[m] = f"{label}|{roots[m.name]}"
    return out


def _same_thing(label: str, short: str, long: str, lex) -> bool:
    if label == "Company":
        core = LEGAL_ENDINGS.sub("", long)
        return len(short) >= 2 and (long.startswith(short) or core == short or core.startswith(short))
    if label == "Place":
        a, b = lex.place(short), lex.place(long)
        return a is not None and a == b
    return False


def _canonical(ms: list[Mention]) -> tuple[str, str]:
    """The entity's type and name: the first mention of three characters or more."""
    ordered = sorted(ms, key=lambda m: (m.start, -len(m.name)))
    first = next((m for m in ordered if len(m.name) >= 3 and m.rule != "owner"), ordered[0])
    return first.label, first.name


def _noisy_or(values: Iterable[float]) -> float:
    miss = 1.0
    for v in values:
        miss *= 1.0 - v
    return round(min(0.99, 1.0 - miss), 3)


def _entities(local, global_of, evidence) -> tuple[Entity, ...]:
    grouped: dict[str, list[tuple[str, list[Mention]]]] = defaultdict(list)
    for key, ms in local.items():
        grouped[global_of[key]].append((key[0], ms))
    out = []
    for eid in sorted(grouped):
        label = eid.split("/", 1)[0]
        all_ms = [(doc, m) for doc, ms in grouped[eid] for m in ms]
        name = _canonical([m for _, ms in grouped[eid] for m in ms])[1]
        aliases = {m.name for _, m in all_ms} | {a for _, m in all_ms for a in m.aliases}
        aliases |= {m.text for _, m in all_ms if m.text and m.text != m.name and len(m.text) >= 2}
        aliases.discard(name)
        ev = sorted({evidence(doc, m.sentence) for doc, m in all_ms}, key=lambda e: (e.doc_id, e.sentence))
        out.append(Entity(eid, _TYPES[label], name, tuple(sorted(aliases)),
                          _noisy_or(m.confidence for _, m in all_ms), tuple(ev)))
    return tuple(out)


_TYPES = {t.lower(): t for t in ("Person", "Company", "PartyOrganization", "GovernmentOrganization",
                                 "Organization", "Place")}


def _relations(extractions, mention_key, global_of, evidence) -> tuple[Relation, ...]:
    merged: dict[tuple, list] = defaultdict(list)
    for ex in extractions:
        for r in ex.relations:
            s = global_of.get(mention_key.get((ex.document.id, r.subject)))
            o = global_of.get(mention_key.get((ex.document.id, r.object)))
            if not s or not o or s == o:
                continue
            if r.predicate == "partnerOf" and o < s:
                s, o = o, s
            merged[(s, r.predicate, o, r.role or None)].append((ex.document.id, r))
    out = []
    for (s, p, o, role), items in sorted(merged.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2], kv[0][3] or "")):
        ev = sorted({evidence(doc, r.sentence) for doc, r in items}, key=lambda e: (e.doc_id, e.sentence))
        out.append(Relation(s, p, o, _noisy_or(r.confidence for _, r in items), tuple(ev), role))
    return tuple(out)


def _events(extractions, mention_key, global_of, evidence) -> tuple[Event, ...]:
    merged: dict[tuple, list] = defaultdict(list)
    for ex in extractions:
        for e in ex.events:
            parts = sorted({global_of[k] for m in e.participants
                            if (k := mention_key.get((ex.document.id, m))) in global_of})
            if not parts:
                continue
            merged[(e.type, e.date, tuple(parts), e.trigger)].append((ex.document.id, e))
    out = []
    for (kind, date, parts, trigger), items in sorted(merged.items(), key=lambda kv: repr(kv[0])):
        eid = f"event/{kind.lower()}/{date or 'undated'}-{_short_hash('|'.join(parts) + '|' + trigger)}"
        ev = sorted({evidence(doc, e.sentence) for doc, e in items}, key=lambda x: (x.doc_id, x.sentence))
        quantities = tuple(sorted({q for _, e in items for q in e.quantities}))
        out.append(Event(eid, kind, parts, trigger, _noisy_or(e.confidence for _, e in items), tuple(ev),
                         date, quantities))
    return tuple(out)


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]

