"""Classification codes from any format -> Subject(code="scheme:code", name, scheme).

Codes are kept as qcodes ("medtop:20000639") so routing can compare them with taxonomy ids
whatever the input spelled: ninjs 2 uris (http://cv.iptc.org/newscodes/mediatopic/...),
ninjs 1 code + scheme, NewsML-G2 qcode attributes, dpa categories.
"""

from __future__ import annotations

from streams.formats.clean import inline
from streams.formats.limits import MAX_SUBJECTS
from streams.models import Subject

# IPTC controlled-vocabulary URIs and their customary qcode prefixes.
_CV_PREFIXES = {
    "mediatopic": "medtop",
    "subjectcode": "subj",
    "genre": "genre",
    "ninature": "ninat",
    "scene": "scene",
    "product": "prod",
}
_CV_BASE = ("http://cv.iptc.org/newscodes/", "https://cv.iptc.org/newscodes/")


def qcode(uri_or_code: str, scheme: str = "") -> tuple[str, str]:
    """Return (qcode, scheme) for a uri, a qcode, or a bare code plus a scheme (uri or alias)."""
    value = uri_or_code.strip()
    for base in _CV_BASE:
        if value.startswith(base):
            vocab, _, code = value[len(base) :].strip("/").partition("/")
            prefix = _CV_PREFIXES.get(vocab, vocab)
            return (f"{prefix}:{code}" if code else prefix), prefix
    if scheme:
        for base in _CV_BASE:
            if scheme.startswith(base):
                vocab = scheme[len(base) :].strip("/").split("/", 1)[0]
                scheme = _CV_PREFIXES.get(vocab, vocab)
                break
        scheme = scheme.rstrip(":")
        if ":" not in value and "/" not in value:
            return f"{scheme}:{value}", scheme
    if ":" in value and "/" not in value:
        return value, value.split(":", 1)[0]
    return value, scheme


def add(
    out: list[Subject], code: str | None, name: str | None = None, scheme: str = "", *, kind: str = ""
) -> None:
    """Append one subject unless empty, duplicate, or the list is full.

    ``scheme`` helps to expand a bare code ("20000639" + mediatopic scheme); ``kind`` forces the
    scheme of the result (dpa category types: "dpasubject", "geosubject", "desk", "genre").
    """
    if len(out) >= MAX_SUBJECTS:
        return
    code_text = inline(code)
    name_text = inline(name)
    if not code_text and not name_text:
        return
    if code_text:
        code_text, scheme = qcode(code_text, scheme)
    subject = Subject(code=code_text or name_text, name=name_text, scheme=kind or scheme)
    if subject not in out:
        out.append(subject)
