"""kg: Chinese news text to a knowledge graph (NetworkX in memory, RDF/OWL on disk)."""

__version__ = "0.1.0"

from .errors import KgError  # noqa: E402
from .explore import KnowledgeGraph, load  # noqa: E402
from .graph import build_graph  # noqa: E402
from .ingest import iter_articles, read_documents  # noqa: E402
from .model import (Article, Document, Entity, Event, Evidence, Extraction, Mention,  # noqa: E402
                    Relation, RelationMention, Resolved, Sentence)
from .pipeline import build, build_into, run  # noqa: E402
from .rdf import to_rdf, write_rdf  # noqa: E402

__all__ = ["KgError", "KnowledgeGraph", "load", "Article", "Document", "Entity", "Event", "Evidence", "Extraction", "Mention", "Relation",
           "RelationMention", "Resolved", "Sentence", "build", "build_graph", "build_into", "iter_articles",
           "read_documents", "run", "to_rdf",
           "write_rdf", "__version__"]
