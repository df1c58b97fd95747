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
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .lexicons import lexicons
from .model import (ClaimedEvent, ClaimedRelation, Cluster, DocFacts, Entity, Event, Evidence, Extraction, Mention,
                    Quote, Relation, Resolved)

FULL_LEGAL = re.compile(r"(有限公司|有限责任公司|股份公司)$")
LEGAL_ENDINGS = re.compile(r"(股份有限公司|有限责任公司|集团有限公司|集团股份有限公司|有限公司|股份公司|控股集团|集团|公司)$")


def resolve(extractions: Iterable[Extraction]) -> Resolved:
    """Resolve a set of documents held in memory (the library API; ``kg build`` streams through the
    ledger, ``kg/ledger.py``, with the same functions)."""
    extractions = sorted(extractions, key=lambda x: x.document.id)
    facts = [digest(ex) for ex in extractions]
    ids = assign_ids((f.id, c) for f in facts for c in f.clusters)
    docs = tuple(ex.document for ex in extractions)
    sentences = tuple(s for ex in extractions for s in ex.sentences)
    quotes = {(f.id, q.index): q for f in facts for q in f.quotes}

    def evidence(doc_id: str, index: int) -> Evidence:
        q = quotes[(doc_id, index)]
        return Evidence(doc_id, index, q.start, q.end, q.text)

    by_entity: dict[str, list[tuple[str, Cluster]]] = defaultdict(list)
    for f in facts:
        for c in f.clusters:
            by_entity[ids[(f.id, c.key)]].append((f.id, c))
    entities = tuple(entity_of(eid, members, evidence) for eid, members in sorted(by_entity.items()))
    relations = merge_relations(((f.id, r) for f in facts for r in f.relations), lambda d, k: ids.get((d, k)), evidence)
    events = merge_events(((f.id, e) for f in facts for e in f.events), lambda d, k: ids.get((d, k)), evidence)
    return Resolved(docs, sentences, entities, relations, events)


def digest(ex: Extraction) -> DocFacts:
    """What resolution across documents and the graph need from one extraction: its things
    clustered within the document, its relations and events keyed by cluster, and the sentences
    they cite. Small and picklable: this is what a worker process sends back."""
    doc = ex.document
    key_of = _local_clusters(ex.mentions)
    members: dict[str, list[tuple[int, Mention]]] = {}
    for order, m in enumerate(ex.mentions):
        if m in key_of:
            members.setdefault(key_of[m], []).append((order, m))
    canonical = {key: _canonical([m for _, m in ms]) for key, ms in members.items()}
    orgs: dict[str, set[str]] = defaultdict(set)
    for r in ex.relations:
        skey, okey = key_of.get(r.subject), key_of.get(r.object)
        if r.subject.label == "Person" and skey and okey:
            orgs[skey].add(canonical[okey][1])
    clusters = tuple(_cluster(key, canonical[key], ms, orgs.get(key, ())) for key, ms in members.items())
    relations = tuple(ClaimedRelation(key_of[r.subject], r.predicate, key_of[r.object], r.sentence, r.confidence,
                                      r.role or None)
                      for r in ex.relations if r.subject in key_of and r.object in key_of)
    events = []
    for e in ex.events:
        parts = tuple(sorted({key_of[m] for m in e.participants if m in key_of}))
        if parts:
            events.append(ClaimedEvent(e.type, e.trigger, parts, e.sentence, e.confidence, e.date, e.quantities))
    cited = {s for c in clusters for s in c.sentences} | {r.sentence for r in relations} | {e.sentence for e in events}
    by_index = {s.index: s for s in ex.sentences}
    quotes = []
    for index in sorted(cited):
        s = by_index[index]
        start, end = doc.raw_span(s.start, s.end)
        quotes.append(Quote(index, start, end, doc.raw[start:end]))
    return DocFacts(doc.id, doc.path, doc.format, doc.encoding, doc.script, doc.title, doc.url, doc.published,
                    doc.source, tuple(quotes), clusters, relations, tuple(events))


def _cluster(key: str, canonical: tuple[str, str], ms: list[tuple[int, Mention]], orgs: Iterable[str]) -> Cluster:
    label, name = canonical
    names = {m.name for _, m in ms} | {a for _, m in ms for a in m.aliases}
    aliases = names | {m.text for _, m in ms if m.text and m.text != m.name and len(m.text) >= 2}
    legal = sorted((m.name for _, m in ms if m.label == "Company" and FULL_LEGAL.search(m.name)),
                   key=lambda n: (-len(n), n))
    fit = [(m.start, -len(m.name), order, m.name) for order, m in ms if len(m.name) >= 3 and m.rule != "owner"]
    first = min(fit) if fit else min((m.start, -len(m.name), order, m.name) for order, m in ms)
    return Cluster(key, label, name, tuple(sorted(n for n in names if len(n) >= 3 or n == name)),
                   tuple(sorted(aliases)), legal[0] if legal else None, first, bool(fit),
                   tuple(m.confidence for _, m in ms), tuple(sorted({m.sentence for _, m in ms})),
                   tuple(sorted(orgs)) if label == "Person" else ())


# -- global ids -----------------------------------------------------------------------------


def assign_ids(clusters: Iterable[tuple[str, Cluster]]) -> dict[tuple[str, str], str]:
    """The entity id of every (document id, cluster key): see ``IdAssigner``."""
    clusters = list(clusters)
    assigner = IdAssigner()
    for doc_id, c in clusters:
        assigner.add(doc_id, c)
    assigner.finish()
    return {(doc_id, c.key): assigner.id_of(doc_id, c) for doc_id, c in clusters}


class IdAssigner:
    """Gives each cluster its entity id, the same whatever order clusters come in.

    Organisations and places: clusters of one type that share a name of three characters or more,
    or whose names are short and long forms of each other in different documents, are one entity,
    named by the name most documents chose (a company's full legal name first; ties: the longer,
    then the first in code-point order). Persons are one entity per name and shared organisation.

    Memory holds one entry per distinct name, not per document: ``add`` every cluster, ``finish``,
    then ask ``id_of`` for each (a second pass over the same clusters)."""

    def __init__(self) -> None:
        self.node: dict[tuple[str, str], int] = {}  # (label, name) -> node number
        self.parent: list[int] = []
        self.canon: dict[int, list] = {}  # canonical-name node -> [votes, first doc id, in several docs]
        self.persons: dict[str, list[tuple[str, str, tuple[str, ...]]]] = defaultdict(list)
        self.person_id: dict[tuple[str, str], str] = {}
        self.component_name: dict[int, str] = {}

    def _node(self, label: str, name: str) -> int:
        n = self.node.get((label, name))
        if n is None:
            n = self.node[(label, name)] = len(self.parent)
            self.parent.append(n)
        return n

    def _root(self, n: int) -> int:
        parent = self.parent
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def _join(self, a: int, b: int) -> None:
        a, b = self._root(a), self._root(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def add(self, doc_id: str, c: Cluster) -> None:
        if c.label == "Person":
            self.persons[c.name].append((doc_id, c.key, c.orgs))
        else:
            self.add_names(doc_id, c.label, c.name, c.names)

    def add_summary(self, label: str, name: str, votes: int, first_doc: str, several: bool) -> None:
        """A name's totals over every cluster it names (what the ledger's ``names`` table holds): the
        same as ``add_names`` for each of those clusters, joins apart (``join``)."""
        self.canon[self._node(label, name)] = [votes, first_doc, several]

    def join(self, label: str, name: str, other: str) -> None:
        """``name`` and ``other`` are one thing (a cluster of one named the other)."""
        self._join(self._node(label, name), self._node(label, other))

    def add_names(self, doc_id: str, label: str, name: str, names: Iterable[str]) -> None:
        """A cluster of an organisation or place: its name and the names that join it to others."""
        n = self._node(label, name)
        seen = self.canon.get(n)
        if seen is None:
            self.canon[n] = [1, doc_id, False]
        else:
            seen[0] += 1
            seen[2] = seen[2] or seen[1] != doc_id
        for other in names:
            self._join(n, self._node(label, other))

    def finish(self) -> None:
        lex = lexicons()
        by_label: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for (label, name), n in self.node.items():
            if n in self.canon:
                by_label[label].append((name, n))
        for label, names in by_label.items():
            for short, long in _candidate_pairs(label, names, lex):
                a, b = self.canon[short[1]], self.canon[long[1]]
                if (a[2] or b[2] or a[1] != b[1]) and self._root(short[1]) != self._root(long[1]) and \
                        _same_thing(label, short[0], long[0], lex):
                    self._join(short[1], long[1])
        chosen: dict[int, tuple] = {}
        for (label, name), n in self.node.items():
            if n not in self.canon:
                continue
            votes = self.canon[n][0]
            legal = label == "Company" and bool(FULL_LEGAL.search(name))
            rank = (0, 0, -len(name), name) if legal else (1, -votes, -len(name), name)
            root = self._root(n)
            if root not in chosen or rank < chosen[root]:
                chosen[root] = rank
        self.component_name = {root: rank[3] for root, rank in chosen.items()}
        for name, group in self.persons.items():
            for (doc_id, key), eid in person_ids(name, group).items():
                self.person_id[(doc_id, key)] = eid

    def id_of(self, doc_id: str, c: Cluster) -> str:
        if c.label == "Person":
            return self.person_id[(doc_id, c.key)]
        return self.name_id(c.label, c.name)

    def name_id(self, label: str, name: str) -> str:
        """The id of an organisation or place whose cluster is named ``name``."""
        root = self._root(self.node[(label, name)])
        return f"{label.lower()}/{self.component_name[root]}"


def person_ids(name: str, group: list[tuple[str, str, tuple[str, ...]]]) -> dict[tuple[str, str], str]:
    """One person per name and shared organisation: a mention joins the first earlier cluster (in
    document-id order) that shares an organisation with it; the name alone joins nothing.

    The person whose first document sorts first is ``person/NAME``; the others add a hash of their
    first document. So an id stays put as documents are added, unless a new one sorts before the
    person's first document (for a person named in k documents, about one chance in k+1)."""
    clusters: list[tuple[set[str], list[tuple[str, str]]]] = []
    first_with: dict[str, int] = {}  # organisation -> the first cluster that has it
    for doc_id, key, orgs in sorted(group):
        number = min((first_with[o] for o in orgs if o in first_with), default=None)
        if number is None:
            number = len(clusters)
            clusters.append((set(), []))
        clusters[number][0].update(orgs)
        clusters[number][1].append((doc_id, key))
        for o in orgs:
            first_with[o] = min(first_with.get(o, number), number)
    out = {}
    for number, (_, members) in enumerate(clusters):
        suffix = "~" + _short_hash(members[0][0]) if number else ""
        for member in members:
            out[member] = f"person/{name}{suffix}"
    return out


def _candidate_pairs(label: str, names: list[tuple[str, int]], lex):
    """(short, long) pairs of names that ``_same_thing`` might join, found through indexes rather
    than by trying every pair: a long name ending or starting with the short one, the two after
    their place prefix, one place written two ways, a short name with a legal ending whose core
    starts or abbreviates the long one's core (its characters in order, the first the same), or
    organs with the same first character and ending. A superset of the pairs ``_same_thing`` accepts,
    found in time about linear in the number of names."""
    known = dict(names)
    pairs: set[tuple[str, str]] = set()
    groups: dict[tuple, list[str]] = defaultdict(list)
    core_prefix: dict[str, set[str]] = defaultdict(set)  # a prefix of a long name's core -> long names
    core_chars: dict[tuple[str, str], set[str]] = defaultdict(set)  # (first, another character) -> long names
    for name, _ in names:
        for i in range(1, len(name) - 2):  # place-prefixed: the long name ends with the short one
            if name[i:] in known:
                pairs.add((name[i:], name))
        rests = [name]
        while True:
            place, rest = _split_place(rests[-1], lex)
            if not place:
                break
            if len(rest) >= 2:
                groups[("rest", rest, lex.place(place))].append(name)
            rests.append(rest)
        if label == "Place" and lex.place(name) is not None:
            groups[("place", lex.place(name))].append(name)
        if label in ("Company", "Organization"):
            for rest in rests:
                for i in range(2, len(rest)):
                    if rest[:i] in known:
                        pairs.add((rest[:i], name))
                core = LEGAL_ENDINGS.sub("", rest)
                for i in range(2, len(core) + 1):
                    core_prefix[core[:i]].add(name)
                for ch in set(core[1:]):
                    core_chars[(core[0], ch)].add(name)
        if label == "GovernmentOrganization" and len(name) >= 2:
            groups[("organ", name[0], name[-2:])].append(name)
    for group_key, members in groups.items():
        members = sorted(set(members), key=lambda n: (len(n), n))
        for short in members:
            for long in members:
                if len(long) > len(short):
                    pairs.add((short, long))
    if label in ("Company", "Organization"):
        for short, _ in names:
            short_core = LEGAL_ENDINGS.sub("", short)
            if short_core == short or len(short_core) < 2:
                continue
            longs = set(core_prefix.get(short_core, ()))
            sets = [core_chars.get((short_core[0], ch), set()) for ch in set(short_core[1:])]
            longs |= set.intersection(*sorted(sets, key=len))
            pairs.update((short, long) for long in longs)
    for short, long in sorted(pairs, key=lambda p: (len(p[0]), p[0], len(p[1]), p[1])):
        if len(long) > len(short):
            yield (short, known[short]), (long, known[long])


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


def _noisy_or(values: Iterable[float]) -> float:
    """1 - prod(1 - v), capped at 0.99; the values are taken in sorted order so that the result does
    not depend on the order documents arrived in."""
    counts: dict[float, int] = defaultdict(int)
    for v in values:
        counts[v] += 1
    return _noisy_or_counts(sorted(counts.items()))


def _noisy_or_counts(counts: Iterable[tuple[float, int]]) -> float:
    """``_noisy_or`` of values given as sorted (value, count) pairs: the same products in the same order."""
    miss = 1.0
    for v, n in counts:
        for _ in range(n):
            miss *= 1.0 - v
            if miss == 0.0:
                break
    return round(min(0.99, 1.0 - miss), 3)


EvidenceOf = Callable[[str, int], Evidence]
IdOf = Callable[[str, str], "str | None"]


@dataclass(frozen=True, slots=True)
class EntityTotals:
    """What an entity's name, aliases and confidence are made from, over all its clusters. Totals
    merge: the totals of two sets of clusters give those of their union, so an update adds a new
    document's clusters to an entity without reading the clusters it already has."""

    legal: str | None  # the longest full legal name (ties: the first in code-point order)
    fit: tuple | None  # (start, -length, doc id, order, name) of the earliest mention fit to be a name
    first: tuple  # the same over every cluster, for an entity with no fit mention
    aliases: frozenset[str]
    confidences: tuple[tuple[float, int], ...]  # (value, how many mentions have it), by value

    def name(self) -> str:
        """A company's longest full legal name if any document gives one, else the earliest-placed
        mention fit to be a name (ties: the document with the smaller id)."""
        return self.legal or (self.fit or self.first)[4]

    def merge(self, other: EntityTotals) -> EntityTotals:
        legal = min((n for n in (self.legal, other.legal) if n), key=lambda n: (-len(n), n), default=None)
        fits = [f for f in (self.fit, other.fit) if f]
        counts = dict(self.confidences)
        for value, n in other.confidences:
            counts[value] = counts.get(value, 0) + n
        return EntityTotals(legal, min(fits) if fits else None, min(self.first, other.first),
                            self.aliases | other.aliases, tuple(sorted(counts.items())))

    def to_json(self) -> list:
        return [self.legal, self.fit, self.first, sorted(self.aliases), self.confidences]

    @classmethod
    def from_json(cls, data: list) -> EntityTotals:
        legal, fit, first, aliases, confidences = data
        return cls(legal, tuple(fit) if fit else None, tuple(first), frozenset(aliases),
                   tuple((value, n) for value, n in confidences))


def entity_totals(members: Iterable[tuple[str, Cluster]]) -> EntityTotals:
    members = list(members)
    legal = min((c.legal for _, c in members if c.legal), key=lambda n: (-len(n), n), default=None)
    firsts = [((c.first[0], c.first[1], doc_id, c.first[2], c.first[3]), c.eligible) for doc_id, c in members]
    fits = [f for f, eligible in firsts if eligible]
    counts: dict[float, int] = defaultdict(int)
    for _, c in members:
        for value in c.confidences:
            counts[value] += 1
    return EntityTotals(legal, min(fits) if fits else None, min(f for f, _ in firsts),
                        frozenset(a for _, c in members for a in c.aliases), tuple(sorted(counts.items())))


def entity_of(eid: str, members: Iterable[tuple[str, Cluster]], evidence: EvidenceOf,
              totals: EntityTotals | None = None) -> Entity:
    """One entity from its clusters in every document: name, aliases, confidence, evidence (the
    evidence of ``members`` only, when ``totals`` are given for all of them)."""
    members = list(members)
    totals = totals or entity_totals(members)
    name = totals.name()
    ev = sorted({(doc_id, s) for doc_id, c in members for s in c.sentences})
    return Entity(eid, _TYPES[eid.split("/", 1)[0]], name, tuple(sorted(totals.aliases - {name})),
                  _noisy_or_counts(totals.confidences), tuple(evidence(d, s) for d, s in ev))


_TYPES = {t.lower(): t for t in ("Person", "Company", "PartyOrganization", "GovernmentOrganization",
                                 "Organization", "Place")}


def relation_key(doc_id: str, r: ClaimedRelation, id_of: IdOf) -> tuple[str, str, str, str | None] | None:
    """(subject id, predicate, object id, role) of a claimed relation, or None when it relates a thing
    to itself; partners are written in id order, since partnership has no direction."""
    s, o = id_of(doc_id, r.subject), id_of(doc_id, r.object)
    if not s or not o or s == o:
        return None
    if r.predicate == "partnerOf" and o < s:
        s, o = o, s
    return s, r.predicate, o, r.role


def relation_of(key: tuple[str, str, str, str | None], claims: Iterable[tuple[str, ClaimedRelation]],
                evidence: EvidenceOf) -> Relation:
    claims = list(claims)
    ev = sorted({(doc_id, r.sentence) for doc_id, r in claims})
    s, p, o, role = key
    return Relation(s, p, o, _noisy_or(r.confidence for _, r in claims), tuple(evidence(d, i) for d, i in ev), role)


def merge_relations(claims: Iterable[tuple[str, ClaimedRelation]], id_of: IdOf, evidence: EvidenceOf
                    ) -> tuple[Relation, ...]:
    merged: dict[tuple, list] = defaultdict(list)
    for doc_id, r in claims:
        key = relation_key(doc_id, r, id_of)
        if key:
            merged[key].append((doc_id, r))
    return tuple(relation_of(k, merged[k], evidence) for k in sorted(merged, key=lambda k: (*k[:3], k[3] or "")))


def event_key(doc_id: str, e: ClaimedEvent, id_of: IdOf) -> tuple[str, str | None, tuple[str, ...], str] | None:
    parts = tuple(sorted({i for k in e.participants if (i := id_of(doc_id, k))}))
    return (e.type, e.date, parts, e.trigger) if parts else None


def event_id(key: tuple[str, str | None, tuple[str, ...], str]) -> str:
    kind, date, parts, trigger = key
    return f"event/{kind.lower()}/{date or 'undated'}-{_short_hash('|'.join(parts) + '|' + trigger)}"


def event_of(key: tuple[str, str | None, tuple[str, ...], str], claims: Iterable[tuple[str, ClaimedEvent]],
             evidence: EvidenceOf) -> Event:
    claims = list(claims)
    kind, date, parts, trigger = key
    ev = sorted({(doc_id, e.sentence) for doc_id, e in claims})
    quantities = tuple(sorted({q for _, e in claims for q in e.quantities}))
    return Event(event_id(key), kind, parts, trigger, _noisy_or(e.confidence for _, e in claims),
                 tuple(evidence(d, i) for d, i in ev), date, quantities)


def merge_events(claims: Iterable[tuple[str, ClaimedEvent]], id_of: IdOf, evidence: EvidenceOf) -> tuple[Event, ...]:
    merged: dict[tuple, list] = defaultdict(list)
    for doc_id, e in claims:
        key = event_key(doc_id, e, id_of)
        if key:
            merged[key].append((doc_id, e))
    return tuple(event_of(k, merged[k], evidence) for k in sorted(merged, key=repr))


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]

