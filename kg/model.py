"""Small frozen data objects passed between the pipeline stages.

Spans are half-open ``[start, end)`` code-point offsets into ``Document.text``
(the normalised text) unless a name says ``raw``; ``Document.raw_span`` maps
them back to the decoded original.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

ENTITY_TYPES = (
    "Person",
    "Company",
    "PartyOrganization",
    "GovernmentOrganization",
    "Organization",
    "Place",
)
ORG_TYPES = ("Company", "PartyOrganization", "GovernmentOrganization", "Organization")
PREDICATES = (
    "holdsPosition",
    "memberOf",
    "hasPartyOrganization",
    "partnerOf",
    "founded",
    "guides",
    "subOrganizationOf",
    "locatedIn",
)
EVENT_TYPES = ("Founding", "Partnership", "Meeting", "Donation", "Award", "Visit", "Other")


@dataclass(frozen=True, slots=True)
class Article:
    """One article as read from disk, before normalisation (output of ingest)."""

    path: str  # file path, or "file.jsonl:3" for a JSONL line
    raw: str  # decoded article text (for HTML: the extracted body text)
    format: str  # txt | md | html | jsonl
    encoding: str
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date or date-time
    source: str | None = None  # 来源 / outlet


@dataclass(frozen=True, slots=True)
class Document:
    """A normalised article: Simplified, NFKC text with an offset map to ``raw``."""

    id: str  # sha256 of the raw text: the same article always gets the same id
    path: str
    raw: str
    text: str
    offsets: tuple[int, ...]  # offsets[i] = index in raw of text[i]; len(text) + 1 entries
    format: str
    encoding: str
    script: str  # simplified | traditional
    title: str | None = None
    url: str | None = None
    published: str | None = None
    source: str | None = None

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a text span to the span of ``raw`` it came from."""
        if end <= start:
            at = self.offsets[start]
            return at, at
        # A raw character may expand to several text characters (NFKC): the span
        # ends where the next raw character starts.
        last = self.offsets[end - 1]
        return self.offsets[start], self.offsets[bisect_right(self.offsets, last)]


@dataclass(frozen=True, slots=True)
class Sentence:
    doc_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int  # offsets into Document.text
    end: int
    pos: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A typed name found in the text; ``name`` is the cleaned, canonical form."""

    start: int
    end: int
    text: str
    label: str  # one of ENTITY_TYPES
    sentence: int
    name: str
    confidence: float
    rule: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RelationMention:
    subject: Mention
    predicate: str
    object: Mention
    sentence: int
    confidence: float
    rule: str
    role: str | None = None


@dataclass(frozen=True, slots=True)
class EventMention:
    type: str
    trigger: str
    sentence: int
    participants: tuple[Mention, ...]
    confidence: float
    date: str | None = None  # ISO: YYYY, YYYY-MM or YYYY-MM-DD
    date_text: str | None = None
    quantities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Extraction:
    """What the extractor found in one document."""

    document: Document
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]
    relations: tuple[RelationMention, ...]
    events: tuple[EventMention, ...]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact is stated: a sentence of a document, with offsets into its raw text."""

    doc_id: str
    sentence: int
    start: int  # raw offsets
    end: int
    quote: str


@dataclass(frozen=True, slots=True)
class Entity:
    id: str  # "company/川南智造": type + canonical name, the IRI's local part
    type: str
    name: str
    aliases: tuple[str, ...]
    confidence: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Relation:
    subject: str  # Entity.id
    predicate: str
    object: str
    confidence: float
    evidence: tuple[Evidence, ...]
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str
    participants: tuple[str, ...]  # Entity.id
    trigger: str
    confidence: float
    evidence: tuple[Evidence, ...]
    date: str | None = None
    quantities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolved:
    """Everything resolved across a set of documents, ready for the graph."""

    documents: tuple[Document, ...]
    sentences: tuple[Sentence, ...]
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    events: tuple[Event, ...]
    extra: dict = field(default_factory=dict, compare=False)


# -- what one document contributes, without its text (made by ``resolve.digest``) ---------------
# These are what crosses process boundaries in a parallel build and what the store's ledger keeps,
# so a document never has to be read or extracted again to update the graph.


@dataclass(frozen=True, slots=True)
class Quote:
    """A sentence that is evidence for something: its index and its span and text in the raw article."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Cluster:
    """The mentions of one thing within one document, summarised for resolution across documents."""

    key: str  # "Label|name", unique within the document
    label: str
    name: str  # the name this document gives it (``_canonical`` of its mentions)
    names: tuple[str, ...]  # names that join it to the same thing in other documents
    aliases: tuple[str, ...]  # every form it takes in this document
    legal: str | None  # the longest full legal company name among its mentions
    first: tuple[int, int, int, str]  # (start, -length, order, name): its first mention fit to be a name
    eligible: bool  # whether ``first`` is fit (3+ characters, not only an owner); else it is any first mention
    confidences: tuple[float, ...]  # one per mention
    sentences: tuple[int, ...]
    orgs: tuple[str, ...] = ()  # persons: names of the organisations this document relates them to


@dataclass(frozen=True, slots=True)
class ClaimedRelation:
    subject: str  # Cluster.key
    predicate: str
    object: str  # Cluster.key
    sentence: int
    confidence: float
    role: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimedEvent:
    type: str
    trigger: str
    participants: tuple[str, ...]  # Cluster.key, sorted
    sentence: int
    confidence: float
    date: str | None = None
    quantities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocFacts:
    """Everything the graph needs from one document: its metadata, the sentences used as evidence,
    and its things, relations and events keyed by cluster (global ids are given later)."""

    id: str
    path: str
    format: str
    encoding: str
    script: str
    title: str | None
    url: str | None
    published: str | None
    source: str | None
    quotes: tuple[Quote, ...]
    clusters: tuple[Cluster, ...]
    relations: tuple[ClaimedRelation, ...]
    events: tuple[ClaimedEvent, ...]
