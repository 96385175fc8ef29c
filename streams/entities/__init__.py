"""Entity enrichment: who, what and where an item names, linked to our KB (and Wikidata).

``load_kb`` reads and validates the data in ``streams/data/kb/``; ``extract`` returns one Entity per
KB id (or per discovered name) with its mentions, most salient first.
"""

from streams.entities.extract import Span, extract, find_spans
from streams.entities.kb import KbEntity, KnowledgeBase, KnowledgeBaseError, load_kb

__all__ = ["KbEntity", "KnowledgeBase", "KnowledgeBaseError", "Span", "extract", "find_spans", "load_kb"]
