"""Tests for the OWL ontology (ontology/kg.ttl) and the SHACL shapes (ontology/shapes.ttl).

VOCABULARY.md is the contract: every ``kg:`` name in it must be declared in
kg.ttl, and a small hand-built graph that follows it must pass the shapes,
while each of a table of broken variants must fail on the broken node/property.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS

ONTOLOGY_DIR = Path(__file__).resolve().parents[1] / "ontology"
KG_TTL = ONTOLOGY_DIR / "kg.ttl"
SHAPES_TTL = ONTOLOGY_DIR / "shapes.ttl"
VOCABULARY_MD = ONTOLOGY_DIR / "VOCABULARY.md"

KG = Namespace("https://w3id.org/kg/ontology#")
DATA = Namespace("https://w3id.org/kg/id/")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
# A plain Namespace: rdflib's closed XSD namespace warns when pytest probes its attributes.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ONTOLOGY_IRI = URIRef("https://w3id.org/kg/ontology")

VOCAB_NAMES = sorted(set(re.findall(r"kg:([A-Za-z]+)", VOCABULARY_MD.read_text(encoding="utf-8"))))

ENTITY_CLASSES = ("Person", "Company", "PartyOrganization", "GovernmentOrganization", "Organization", "Place")
ORG_CLASSES = ("Company", "PartyOrganization", "GovernmentOrganization", "Organization")
EVENT_SUBCLASSES = ("Founding", "Partnership", "Meeting", "Donation", "Award", "Visit", "Other")
RELATIONS = (
    "holdsPosition",
    "memberOf",
    "hasPartyOrganization",
    "partnerOf",
    "founded",
    "guides",
    "subOrganizationOf",
    "locatedIn",
)

# What kind of term each VOCABULARY.md name must be declared as.
EXPECTED_KIND = {
    **{name: OWL.Class for name in ENTITY_CLASSES},
    **{name: OWL.Class for name in ("Event", *EVENT_SUBCLASSES, "Assertion", "Position", "Document", "Sentence")},
    **{name: OWL.ObjectProperty for name in RELATIONS},
    **{name: OWL.ObjectProperty for name in ("evidence", "participant", "holder", "organization", "inDocument")},
    **{
        name: OWL.DatatypeProperty
        for name in (
            "confidence",
            "date",
            "trigger",
            "quantity",
            "role",
            "title",
            "path",
            "contentHash",
            "encoding",
            "format",
            "script",
            "sourceName",
            "published",
            "text",
            "startOffset",
            "endOffset",
            "index",
        )
    },
}

# (subject, predicate, object) axioms the ontology must state.
AXIOMS = [
    (KG.Person, RDFS.subClassOf, FOAF.Person),
    (KG.Person, RDFS.subClassOf, SCHEMA.Person),
    (KG.Person, RDFS.subClassOf, PROV.Agent),
    (KG.Company, RDFS.subClassOf, ORG.FormalOrganization),
    (KG.Company, RDFS.subClassOf, SCHEMA.Corporation),
    (KG.PartyOrganization, RDFS.subClassOf, ORG.FormalOrganization),
    (KG.GovernmentOrganization, RDFS.subClassOf, ORG.FormalOrganization),
    (KG.GovernmentOrganization, RDFS.subClassOf, SCHEMA.GovernmentOrganization),
    (KG.Organization, RDFS.subClassOf, ORG.FormalOrganization),
    (KG.Organization, RDFS.subClassOf, SCHEMA.Organization),
    (KG.Place, RDFS.subClassOf, SCHEMA.Place),
    (KG.Place, RDFS.subClassOf, PROV.Location),
    (KG.Event, RDFS.subClassOf, SCHEMA.Event),
    *[(KG[name], RDFS.subClassOf, KG.Event) for name in EVENT_SUBCLASSES],
    (KG.Position, RDFS.subClassOf, ORG.Membership),
    (KG.Assertion, RDFS.subClassOf, RDF.Statement),
    (KG.Document, RDFS.subClassOf, PROV.Entity),
    (KG.Document, RDFS.subClassOf, SCHEMA.NewsArticle),
    (KG.Document, RDFS.subClassOf, FOAF.Document),
    (KG.Sentence, RDFS.subClassOf, PROV.Entity),
    (KG.holder, RDFS.subPropertyOf, ORG.member),
    (KG.organization, RDFS.subPropertyOf, ORG.organization),
    (KG.memberOf, RDFS.subPropertyOf, ORG.memberOf),
    (KG.subOrganizationOf, RDFS.subPropertyOf, ORG.subOrganizationOf),
    (KG.evidence, RDFS.subPropertyOf, PROV.wasDerivedFrom),
    (KG.inDocument, RDFS.subPropertyOf, DCTERMS.isPartOf),
    (KG.partnerOf, RDF.type, OWL.SymmetricProperty),
    (KG.holder, RDFS.range, KG.Person),
    (KG.inDocument, RDFS.range, KG.Document),
    (KG.evidence, RDFS.range, KG.Sentence),
    (KG.locatedIn, RDFS.range, KG.Place),
    (KG.hasPartyOrganization, RDFS.range, KG.PartyOrganization),
    (KG.confidence, RDFS.range, XSD.decimal),
    (KG.startOffset, RDFS.range, XSD.integer),
    (KG.contentHash, RDFS.range, XSD.string),
]

# Property -> (domain or range, the members its anonymous owl:unionOf must list).
UNION_RANGES = [
    (KG.holdsPosition, RDFS.range, ORG_CLASSES),
    (KG.memberOf, RDFS.range, ORG_CLASSES),
    (KG.partnerOf, RDFS.domain, ORG_CLASSES),
    (KG.partnerOf, RDFS.range, ORG_CLASSES),
    (KG.guides, RDFS.domain, ("Person", *ORG_CLASSES)),
    (KG.subOrganizationOf, RDFS.domain, (*ORG_CLASSES, "Place")),
    (KG.subOrganizationOf, RDFS.range, (*ORG_CLASSES, "Place")),
    (KG.locatedIn, RDFS.domain, (*ORG_CLASSES, "Place")),
    (KG.participant, RDFS.range, ENTITY_CLASSES),
    (KG.organization, RDFS.range, ORG_CLASSES),
]

DATATYPE_UNIONS = [
    (KG.date, {XSD.date, XSD.gYearMonth, XSD.gYear}),
    (KG.published, {XSD.dateTime, XSD.date}),
]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(KG_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


# --------------------------------------------------------------------------- ontology


@pytest.mark.parametrize("path", [KG_TTL, SHAPES_TTL], ids=lambda p: p.name)
def test_file_parses_as_turtle(path):
    graph = Graph().parse(path, format="turtle")
    assert len(graph) > 100


def test_vocabulary_names_are_all_classified():
    # The regex really finds the contract's names, and the kind table covers exactly them.
    assert {"Person", "partnerOf", "contentHash", "Other", "quantity"} <= set(VOCAB_NAMES)
    assert set(VOCAB_NAMES) == set(EXPECTED_KIND)


def test_ontology_header(ontology):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert {t.language for t in ontology.objects(ONTOLOGY_IRI, DCTERMS.title)} >= {"en"}
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.description) is not None


@pytest.mark.parametrize("name", VOCAB_NAMES)
def test_name_is_declared_with_the_right_kind(ontology, name):
    assert (KG[name], RDF.type, EXPECTED_KIND[name]) in ontology


@pytest.mark.parametrize("name", VOCAB_NAMES)
def test_name_has_zh_and_en_labels_and_en_comment(ontology, name):
    labels = {lit.language: str(lit) for lit in ontology.objects(KG[name], RDFS.label)}
    assert labels.get("zh") and labels.get("en"), labels
    assert any(lit.language == "en" and str(lit) for lit in ontology.objects(KG[name], RDFS.comment))


@pytest.mark.parametrize("name", [n for n, kind in EXPECTED_KIND.items() if kind != OWL.Class])
def test_property_has_domain_and_range(ontology, name):
    assert ontology.value(KG[name], RDFS.domain) is not None
    assert ontology.value(KG[name], RDFS.range) is not None


def test_partner_of_is_symmetric(ontology):
    assert (KG.partnerOf, RDF.type, OWL.SymmetricProperty) in ontology


def _short(term) -> str:
    return re.split(r"[#/]", str(term))[-1]


@pytest.mark.parametrize("triple", AXIOMS, ids=lambda t: "-".join(map(_short, t)))
def test_axiom_is_stated(ontology, triple):
    assert triple in ontology


def test_no_named_classes_beyond_the_vocabulary(ontology):
    named = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    assert named == {KG[n] for n, kind in EXPECTED_KIND.items() if kind == OWL.Class}


def test_org_classes_are_not_subclasses_of_each_other(ontology):
    for sub in ORG_CLASSES:
        supers = set(ontology.objects(KG[sub], RDFS.subClassOf))
        assert not supers & {KG[c] for c in ORG_CLASSES}, sub


def test_event_is_not_a_prov_activity(ontology):
    # kg:evidence <= prov:wasDerivedFrom makes every event with evidence a prov:Entity,
    # and PROV-O declares prov:Entity and prov:Activity disjoint.
    assert (KG.Event, RDFS.subClassOf, PROV.Activity) not in ontology


def _all_disjoint_member_sets(ontology):
    return [
        frozenset(Collection(ontology, ontology.value(node, OWL.members)))
        for node in ontology.subjects(RDF.type, OWL.AllDisjointClasses)
    ]


@pytest.mark.parametrize("members", [ENTITY_CLASSES, EVENT_SUBCLASSES], ids=["entities", "events"])
def test_classes_are_pairwise_disjoint(ontology, members):
    assert frozenset(KG[m] for m in members) in _all_disjoint_member_sets(ontology)


@pytest.mark.parametrize("prop, axis, members", UNION_RANGES, ids=[f"{_short(p)}-{_short(a)}" for p, a, _ in UNION_RANGES])
def test_union_domain_or_range(ontology, prop, axis, members):
    union = ontology.value(prop, axis)
    assert isinstance(union, BNode)
    assert (union, RDF.type, OWL.Class) in ontology
    assert set(Collection(ontology, ontology.value(union, OWL.unionOf))) == {KG[m] for m in members}


@pytest.mark.parametrize("prop, datatypes", DATATYPE_UNIONS, ids=["date", "published"])
def test_datatype_union_range(ontology, prop, datatypes):
    union = ontology.value(prop, RDFS.range)
    assert (union, RDF.type, RDFS.Datatype) in ontology
    assert set(Collection(ontology, ontology.value(union, OWL.unionOf))) == datatypes


# --------------------------------------------------------------------------- shapes


def test_every_shape_has_an_english_message(shapes):
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.objects(None, SH.property))
    assert len(node_shapes) >= 12 and len(property_shapes) >= 20
    for shape in node_shapes | property_shapes:
        messages = list(shapes.objects(shape, SH.message))
        assert messages and all(m.language in (None, "en") for m in messages), shape


@pytest.mark.parametrize("cls", ENTITY_CLASSES)
def test_each_entity_class_has_a_shape(shapes, cls):
    assert any(shapes.subjects(SH.targetClass, KG[cls]))


@pytest.mark.parametrize("cls", EVENT_SUBCLASSES)
def test_each_event_subclass_is_targeted(shapes, cls):
    assert any(shapes.subjects(SH.targetClass, KG[cls]))


PERSON = DATA["person/李新"]
COMPANY = DATA["company/拓维信息"]
PLACE = DATA["place/长沙"]
POSITION = DATA["position/李新/拓维信息/董事长"]
ASSERTION = DATA["assertion/1"]
EVENT = DATA["event/1"]
SENTENCE_TEXT = "2019年7月,拓维信息董事长李新在长沙与华为签署合作协议。"
CONTENT_HASH = hashlib.sha256(SENTENCE_TEXT.encode("utf-8")).hexdigest()
DOCUMENT = DATA[f"doc/{CONTENT_HASH}"]
SENTENCE = DATA[f"doc/{CONTENT_HASH}/s/0"]


def build_valid_graph() -> Graph:
    g = Graph()
    g.bind("kg", KG)
    g.bind("data", DATA)

    g.add((DOCUMENT, RDF.type, KG.Document))
    g.add((DOCUMENT, KG.path, Literal("news/2019-07.txt")))
    g.add((DOCUMENT, KG.contentHash, Literal(CONTENT_HASH)))
    g.add((DOCUMENT, KG.encoding, Literal("utf-8")))
    g.add((DOCUMENT, KG["format"], Literal("txt")))
    g.add((DOCUMENT, KG.script, Literal("simplified")))
    g.add((DOCUMENT, DCTERMS.title, Literal("拓维信息与华为合作")))
    g.add((DOCUMENT, KG.sourceName, Literal("新湖南客户端")))
    g.add((DOCUMENT, SCHEMA.url, Literal("https://example.org/news/1", datatype=XSD.anyURI)))
    g.add((DOCUMENT, KG.published, Literal("2019-07-02T11:53:18", datatype=XSD.dateTime)))

    g.add((SENTENCE, RDF.type, KG.Sentence))
    g.add((SENTENCE, KG.inDocument, DOCUMENT))
    g.add((SENTENCE, KG.text, Literal(SENTENCE_TEXT)))
    g.add((SENTENCE, KG.startOffset, Literal(0)))
    g.add((SENTENCE, KG.endOffset, Literal(len(SENTENCE_TEXT))))
    g.add((SENTENCE, KG["index"], Literal(0)))

    for node, cls, label, confidence in [
        (PERSON, KG.Person, "李新", "0.9"),
        (COMPANY, KG.Company, "拓维信息", "0.95"),
    ]:
        g.add((node, RDF.type, cls))
        g.add((node, RDFS.label, Literal(label)))
        g.add((node, KG.confidence, Literal(Decimal(confidence))))
        g.add((node, KG.evidence, SENTENCE))
    g.add((COMPANY, SKOS.altLabel, Literal("拓维信息系统股份有限公司")))

    g.add((PERSON, KG.holdsPosition, COMPANY))
    g.add((ASSERTION, RDF.type, KG.Assertion))
    g.add((ASSERTION, RDF.subject, PERSON))
    g.add((ASSERTION, RDF.predicate, KG.holdsPosition))
    g.add((ASSERTION, RDF.object, COMPANY))
    g.add((ASSERTION, KG.role, Literal("董事长")))
    g.add((ASSERTION, KG.confidence, Literal(Decimal("0.8"))))
    g.add((ASSERTION, KG.evidence, SENTENCE))

    g.add((POSITION, RDF.type, KG.Position))
    g.add((POSITION, KG.holder, PERSON))
    g.add((POSITION, KG.organization, COMPANY))
    g.add((POSITION, KG["title"], Literal("董事长")))
    g.add((POSITION, KG.confidence, Literal(Decimal("0.8"))))
    g.add((POSITION, KG.evidence, SENTENCE))

    g.add((EVENT, RDF.type, KG.Partnership))
    g.add((EVENT, KG.participant, COMPANY))
    g.add((EVENT, KG.participant, PERSON))
    g.add((EVENT, KG.date, Literal("2019-07", datatype=XSD.gYearMonth)))
    g.add((EVENT, KG.trigger, Literal("签署")))
    g.add((EVENT, KG.quantity, Literal("合作协议1份")))
    g.add((EVENT, KG.confidence, Literal(Decimal("0.7"))))
    g.add((EVENT, KG.evidence, SENTENCE))
    return g


def add_place(g: Graph) -> None:
    g.add((PLACE, RDF.type, KG.Place))
    g.add((PLACE, RDFS.label, Literal("长沙")))
    g.add((PLACE, KG.confidence, Literal(Decimal("0.9"))))
    g.add((PLACE, KG.evidence, SENTENCE))


def replace(g: Graph, s, p, o) -> None:
    g.remove((s, p, None))
    g.add((s, p, o))


def validate(data: Graph, shapes: Graph):
    conforms, results, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    return conforms, results, text


def violations(results: Graph) -> list[tuple]:
    return [
        (results.value(r, SH.focusNode), results.value(r, SH.resultPath), results.value(r, SH.resultSeverity))
        for r in results.subjects(RDF.type, SH.ValidationResult)
    ]


def test_valid_graph_conforms(shapes):
    conforms, _, text = validate(build_valid_graph(), shapes)
    assert conforms, text


def test_valid_graph_uses_only_declared_kg_terms(ontology):
    used = {p for p in build_valid_graph().predicates() if p.startswith(str(KG))}
    used |= {o for o in build_valid_graph().objects(None, RDF.type) if o.startswith(str(KG))}
    assert used and all((term, RDF.type, None) in ontology for term in used)


# Variants that the shapes must still accept (they are within the contract).
VALID_VARIANTS = [
    pytest.param(lambda g: g.remove((EVENT, KG.date, None)), id="event-without-date"),
    pytest.param(lambda g: replace(g, EVENT, KG.date, Literal("2019-07-02", datatype=XSD.date)), id="date-xsd-date"),
    pytest.param(lambda g: replace(g, EVENT, KG.date, Literal("2019", datatype=XSD.gYear)), id="date-xsd-gYear"),
    pytest.param(lambda g: g.add((EVENT, RDF.type, KG.Event)), id="event-also-typed-kg-Event"),
    pytest.param(lambda g: g.remove((ASSERTION, KG.role, None)), id="assertion-without-role"),
    pytest.param(
        lambda g: replace(g, DOCUMENT, KG.published, Literal("2019-07-02", datatype=XSD.date)),
        id="published-xsd-date",
    ),
    pytest.param(
        lambda g: replace(g, DOCUMENT, KG.script, Literal("traditional", datatype=XSD.string)),
        id="script-explicit-xsd-string",
    ),
    pytest.param(lambda g: (add_place(g), g.add((COMPANY, KG.locatedIn, PLACE))), id="company-located-in-place"),
    pytest.param(lambda g: (add_place(g), g.add((PLACE, KG.subOrganizationOf, PLACE))), id="place-sub-of-place"),
    pytest.param(lambda g: (add_place(g), g.add((EVENT, KG.participant, PLACE))), id="place-participant"),
]


@pytest.mark.parametrize("mutate", VALID_VARIANTS)
def test_valid_variant_conforms(shapes, mutate):
    g = build_valid_graph()
    mutate(g)
    conforms, _, text = validate(g, shapes)
    assert conforms, text


# (mutation, focus node of the expected violation, its sh:resultPath or None for node-level checks)
BROKEN_VARIANTS = [
    pytest.param(lambda g: g.remove((PERSON, RDFS.label, None)), PERSON, RDFS.label, id="missing-label"),
    pytest.param(lambda g: g.add((PERSON, RDFS.label, Literal("李总"))), PERSON, RDFS.label, id="two-labels"),
    pytest.param(lambda g: replace(g, PERSON, RDFS.label, Literal("李新", lang="zh")), PERSON, RDFS.label, id="label-lang-tagged"),
    pytest.param(lambda g: replace(g, PERSON, RDFS.label, Literal("")), PERSON, RDFS.label, id="empty-label"),
    pytest.param(lambda g: g.add((COMPANY, SKOS.altLabel, Literal("拓维", lang="zh"))), COMPANY, SKOS.altLabel, id="altlabel-lang-tagged"),
    pytest.param(lambda g: replace(g, COMPANY, KG.confidence, Literal(Decimal("1.5"))), COMPANY, KG.confidence, id="confidence-1.5"),
    pytest.param(lambda g: replace(g, COMPANY, KG.confidence, Literal(Decimal("-0.1"))), COMPANY, KG.confidence, id="confidence-negative"),
    pytest.param(lambda g: replace(g, PERSON, KG.confidence, Literal(0.9)), PERSON, KG.confidence, id="confidence-double"),
    pytest.param(lambda g: g.add((PERSON, KG.confidence, Literal(Decimal("0.5")))), PERSON, KG.confidence, id="two-confidences"),
    pytest.param(lambda g: g.remove((COMPANY, KG.evidence, None)), COMPANY, KG.evidence, id="entity-without-evidence"),
    pytest.param(lambda g: replace(g, PERSON, KG.evidence, DOCUMENT), PERSON, KG.evidence, id="evidence-not-a-sentence"),
    pytest.param(lambda g: g.add((PERSON, RDF.type, KG.Company)), PERSON, RDF.type, id="two-entity-classes"),
    pytest.param(lambda g: g.add((COMPANY, KG.holdsPosition, COMPANY)), COMPANY, None, id="holdsPosition-from-company"),
    pytest.param(lambda g: (add_place(g), g.add((PERSON, KG.holdsPosition, PLACE))), PLACE, None, id="holdsPosition-to-place"),
    pytest.param(lambda g: g.add((PERSON, KG.memberOf, PERSON)), PERSON, None, id="memberOf-to-person"),
    pytest.param(lambda g: g.add((COMPANY, KG.hasPartyOrganization, COMPANY)), COMPANY, None, id="hasPartyOrganization-to-company"),
    pytest.param(lambda g: g.add((PERSON, KG.partnerOf, COMPANY)), PERSON, None, id="partnerOf-from-person"),
    pytest.param(lambda g: g.add((COMPANY, KG.locatedIn, COMPANY)), COMPANY, None, id="locatedIn-to-company"),
    pytest.param(lambda g: (add_place(g), g.add((PLACE, KG.guides, COMPANY))), PLACE, None, id="guides-from-place"),
    pytest.param(lambda g: g.add((COMPANY, KG.subOrganizationOf, PERSON)), PERSON, None, id="subOrganizationOf-to-person"),
    pytest.param(lambda g: g.remove((SENTENCE, KG.inDocument, None)), SENTENCE, KG.inDocument, id="sentence-without-document"),
    pytest.param(lambda g: replace(g, SENTENCE, KG.inDocument, PERSON), SENTENCE, KG.inDocument, id="sentence-in-non-document"),
    pytest.param(lambda g: g.remove((SENTENCE, KG.text, None)), SENTENCE, KG.text, id="sentence-without-text"),
    pytest.param(lambda g: replace(g, SENTENCE, KG.startOffset, Literal(-1)), SENTENCE, KG.startOffset, id="negative-offset"),
    pytest.param(lambda g: replace(g, SENTENCE, KG.startOffset, Literal("0")), SENTENCE, KG.startOffset, id="offset-as-string"),
    pytest.param(lambda g: replace(g, SENTENCE, KG.startOffset, Literal(500)), SENTENCE, KG.startOffset, id="start-after-end"),
    pytest.param(lambda g: replace(g, SENTENCE, KG.endOffset, Literal(3)), SENTENCE, None, id="text-length-mismatch"),
    pytest.param(lambda g: g.remove((SENTENCE, KG["index"], None)), SENTENCE, KG["index"], id="sentence-without-index"),
    pytest.param(lambda g: replace(g, EVENT, KG.date, Literal("2019-07")), EVENT, KG.date, id="event-date-xsd-string"),
    pytest.param(lambda g: g.add((EVENT, KG.date, Literal("2019", datatype=XSD.gYear))), EVENT, KG.date, id="event-two-dates"),
    pytest.param(lambda g: g.remove((EVENT, KG.participant, None)), EVENT, KG.participant, id="event-without-participant"),
    pytest.param(lambda g: g.add((EVENT, KG.participant, SENTENCE)), EVENT, KG.participant, id="event-participant-not-entity"),
    pytest.param(lambda g: g.remove((EVENT, KG.trigger, None)), EVENT, KG.trigger, id="event-without-trigger"),
    pytest.param(lambda g: g.remove((EVENT, KG.evidence, None)), EVENT, KG.evidence, id="event-without-evidence"),
    pytest.param(lambda g: g.add((EVENT, RDF.type, KG.Meeting)), EVENT, RDF.type, id="event-two-subclasses"),
    pytest.param(lambda g: replace(g, EVENT, RDF.type, KG.Event), EVENT, RDF.type, id="event-without-subclass"),
    pytest.param(lambda g: replace(g, POSITION, KG.holder, COMPANY), POSITION, KG.holder, id="position-holder-company"),
    pytest.param(lambda g: (add_place(g), replace(g, POSITION, KG.organization, PLACE)), POSITION, KG.organization, id="position-org-place"),
    pytest.param(lambda g: replace(g, POSITION, KG["title"], Literal("")), POSITION, KG["title"], id="position-empty-title"),
    pytest.param(lambda g: g.remove((POSITION, KG.confidence, None)), POSITION, KG.confidence, id="position-without-confidence"),
    pytest.param(lambda g: replace(g, ASSERTION, RDF.predicate, FOAF.knows), ASSERTION, RDF.predicate, id="assertion-unknown-predicate"),
    pytest.param(lambda g: g.remove((PERSON, KG.holdsPosition, COMPANY)), ASSERTION, None, id="assertion-edge-missing"),
    pytest.param(lambda g: g.add((ASSERTION, KG.role, Literal("总裁"))), ASSERTION, KG.role, id="assertion-two-roles"),
    pytest.param(lambda g: g.remove((ASSERTION, KG.evidence, None)), ASSERTION, KG.evidence, id="assertion-without-evidence"),
    pytest.param(lambda g: replace(g, DOCUMENT, KG.contentHash, Literal("abc123")), DOCUMENT, KG.contentHash, id="short-hash"),
    pytest.param(lambda g: replace(g, DOCUMENT, KG.contentHash, Literal(CONTENT_HASH.upper())), DOCUMENT, KG.contentHash, id="uppercase-hash"),
    pytest.param(lambda g: g.remove((DOCUMENT, KG.path, None)), DOCUMENT, KG.path, id="document-without-path"),
    pytest.param(lambda g: replace(g, DOCUMENT, KG.script, Literal("chinese")), DOCUMENT, KG.script, id="bad-script"),
    pytest.param(lambda g: replace(g, DOCUMENT, KG["format"], Literal("pdf")), DOCUMENT, KG["format"], id="bad-format"),
    pytest.param(lambda g: replace(g, DOCUMENT, KG.published, Literal("2019-07-02")), DOCUMENT, KG.published, id="published-string"),
    pytest.param(lambda g: replace(g, DOCUMENT, SCHEMA.url, Literal("https://example.org/")), DOCUMENT, SCHEMA.url, id="url-not-anyURI"),
]


@pytest.mark.parametrize("mutate, focus, path", BROKEN_VARIANTS)
def test_broken_variant_is_caught(shapes, mutate, focus, path):
    g = build_valid_graph()
    mutate(g)
    conforms, results, text = validate(g, shapes)
    assert not conforms
    found = violations(results)
    assert (focus, path, SH.Violation) in found, text
