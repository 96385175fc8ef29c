"""Hard limits that keep every parser linear and bounded, whatever arrives on the wire.

They are deliberately generous for real agency copy (a long dpa "Zusammenfassung" has ~40
paragraphs) and small enough that a hostile record cannot make decode slow or huge.
"""

from __future__ import annotations

MAX_BYTES = 1_048_576  # default size limit of one Kafka value
MAX_RECORDS = 500  # items in one value (JSON Lines, newsMessage)
MAX_PARAGRAPHS = 1_000  # blocks kept per item; the rest is dropped and flagged
MAX_PARAGRAPH_CHARS = 20_000  # longer blocks are cut and flagged
MAX_HEADLINE_CHARS = 400
MAX_DERIVED_HEADLINE = 120  # headline taken from the lead when the item has none
MAX_DEPTH = 64  # element nesting for XML/HTML; agency markup is ~12 deep
MAX_MARKUP_TAGS = 50_000  # "<" count above which HTML/XML is refused before parsing
MAX_SUBJECTS = 300
MAX_ID_CHARS = 1_024  # story ids travel in every output's key and headers; agency ids are < 100
MAX_VERSION = 2**31 - 1  # versions are small counters; a 40-digit one would not fit the story memory
MAX_CONTROL_BYTES = 16  # stray C0 controls tolerated (IPTC 7901 framing) before "binary"
