"""newswire: classify, enrich and route agency wire copy between Kafka topics."""

__version__ = "0.3.2"
