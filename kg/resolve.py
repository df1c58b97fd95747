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

FULL_LEGAL = re.compile(r"(有限公司|有限责任公司|股份公司)$")
LEGAL_ENDINGS = re.compile(r"(股份有限公司|有限责任公司|集团有限公司|集团股份有限公司|有限公司|股份公司|控股集团|集团|公司)$")


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
    global_of.update(_merge_across_documents({k: ms for k, ms in local.items() if ms[0].label != "Person"}))
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
    """Group one document's mentions; the key is "Type|canonical name".

    Two names of one type are one thing when one is a short form of the other
    (same_thing), or when a mention lists the other as its alias (安吉县溪龙乡
    with 溪龙乡)."""
    lex = lexicons()
    by_label: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.name:
            by_label[m.label].append(m)
    out: dict[Mention, str] = {}
    for label, ms in by_label.items():
        names = sorted({m.name for m in ms}, key=lambda n: (-len(n), n))
        parent = {n: n for n in names}

        def root(n: str) -> str:
            while parent[n] != n:
                n = parent[n]
            return n

        def join(short: str, long: str) -> None:
            a, b = root(short), root(long)
            if a != b:
                keep, drop = sorted((a, b), key=lambda n: (-len(n), n))
                parent[drop] = keep

        for m in ms:
            for alias in m.aliases:
                if alias in parent and alias != m.name:
                    join(alias, m.name)
        for i, name in enumerate(names):
            for longer in names[:i]:
                if len(longer) > len(name) and _same_thing(label, name, longer, lex):
                    join(name, longer)
                    break
        for m in ms:
            out[m] = f"{label}|{root(m.name)}"
    return out


def _same_thing(label: str, short: str, long: str, lex) -> bool:
    if _place_prefixed(short, long, lex):
        return True  # 溪龙乡党委 / 安吉县溪龙乡党委
    (place_a, rest_a), (place_b, rest_b) = _split_place(short, lex), _split_place(long, lex)
    if place_a and place_b and rest_a == rest_b and len(rest_a) >= 2 and lex.place(place_a) == lex.place(place_b):
        return True  # 苏州X党委 / 苏州市X党委: one place written two ways
    if label in ("Company", "Organization"):
        if rest_b != long and len(rest_b) > len(short) and _same_thing(label, short, rest_b, lex):
            return True  # X科技 / 某省X科技有限公司: the place in front of the full name
        core, short_core = LEGAL_ENDINGS.sub("", long), LEGAL_ENDINGS.sub("", short)
        if len(short) >= 2 and (long.startswith(short) or core == short or core.startswith(short)):
            return True
        ending, long_ending = LEGAL_ENDINGS.search(short), LEGAL_ENDINGS.search(long)
        return bool(ending and long_ending) and ending.group() in long_ending.group() and len(short_core) >= 2 and (
            core.startswith(short_core) or _abbreviates(short_core, core))
    if label == "GovernmentOrganization":
        # 某省援建前方指挥部 for 某省对口援建某州前方指挥部: one organ word, the rest abbreviated.
        shared = len(_common_ending(short, long))
        return shared >= 2 and len(short) - shared >= 3 and _abbreviates(short[:-shared], long[:-shared])
    if label == "Place":
        a, b = lex.place(short), lex.place(long)
        return a is not None and a == b
    return False


def _place_prefixed(short: str, long: str, lex) -> bool:
    """``long`` is ``short`` with a place written before it."""
    if len(short) < 3 or not long.endswith(short):
        return False
    head = long[:-len(short)]
    return lex.place(head) is not None or any(lex.place(head[:i]) and lex.place(head[i:]) for i in
                                              range(2, len(head) - 1))


def _split_place(name: str, lex) -> tuple[str, str]:
    """The longest listed place ``name`` starts with, and the rest."""
    for i in range(min(len(name) - 1, 8), 1, -1):
        if lex.place(name[:i]):
            return name[:i], name[i:]
    return "", name


def _common_ending(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return a[len(a) - n:]


def _abbreviates(short: str, long: str) -> bool:
    """中能建 for 中国能源建设: same first character, the rest in order, much shorter."""
    if not short or not long or short[0] != long[0] or len(short) * 3 > len(long) * 2:
        return False
    pos = 0
    for ch in short:
        pos = long.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True


def _canonical(ms: list[Mention]) -> tuple[str, str]:
    """The entity's type and name: a company's full legal name if the text gives
    it, else the first mention of three characters or more."""
    ordered = sorted(ms, key=lambda m: (m.start, -len(m.name)))
    legal = sorted((m.name for m in ms if m.label == "Company" and FULL_LEGAL.search(m.name)), key=lambda n: (-len(n), n))
    if legal:
        return ms[0].label, legal[0]
    first = next((m for m in ordered if len(m.name) >= 3 and m.rule != "owner"), ordered[0])
    return first.label, first.name


def _merge_across_documents(local: dict[tuple[str, str], list[Mention]]) -> dict[tuple[str, str], str]:
    """One id per organisation or place across documents: clusters of one type that
    share a name of three characters or more, or whose names are short and long
    forms of each other, are one entity. The id uses the name most documents
    chose (ties: the longer, then the first in code-point order)."""
    lex = lexicons()
    keys = sorted(local)
    parent = {k: k for k in keys}

    def root(k):
        while parent[k] != k:
            k = parent[k]
        return k

    canonical = {k: _canonical(local[k]) for k in keys}
    by_name: dict[tuple[str, str], list] = defaultdict(list)
    for k in keys:
        label = canonical[k][0]
        names = {m.name for m in local[k]} | {a for m in local[k] for a in m.aliases}
        for n in names:
            if len(n) >= 3 or n == canonical[k][1]:
                by_name[(label, n)].append(k)
    for group in by_name.values():
        for k in group[1:]:
            a, b = root(group[0]), root(k)
            if a != b:
                parent[max(a, b)] = min(a, b)
    by_label: dict[str, list] = defaultdict(list)
    for k in keys:
        by_label[canonical[k][0]].append(k)
    for label, ks in by_label.items():
        ordered = sorted(ks, key=lambda k: (len(canonical[k][1]), canonical[k][1], k))
        for i, short in enumerate(ordered):
            for long in ordered[i + 1:]:
                if root(short) != root(long) and short[0] != long[0] and \
                        len(canonical[long][1]) > len(canonical[short][1]) and \
                        _same_thing(label, canonical[short][1], canonical[long][1], lex):
                    a, b = root(short), root(long)
                    parent[max(a, b)] = min(a, b)
    groups: dict = defaultdict(list)
    for k in keys:
        groups[root(k)].append(k)
    out = {}
    for members in groups.values():
        votes: dict[str, int] = defaultdict(int)
        for k in members:
            votes[canonical[k][1]] += 1
        label = canonical[members[0]][0]
        legal = [n for n in votes if label == "Company" and FULL_LEGAL.search(n)]
        name = min(legal or votes, key=lambda n: (-votes[n] if not legal else 0, -len(n), n))
        for k in members:
            out[k] = f"{label.lower()}/{name}"
    return out


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

