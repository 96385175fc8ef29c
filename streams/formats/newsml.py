"""IPTC NewsML-G2 XML: a ``newsItem``, or a ``newsMessage``/package holding several, -> WireItems.

Safety first: the bytes go through defusedxml with ``forbid_dtd=True``, so any DOCTYPE (and with
it every entity declaration, billion laughs, XXE, external DTD) is refused as ``xml-unsafe``
before a single entity could expand; expat never fetches anything. expat builds the tree
without recursion, and our walks over the body count depth, so hostile nesting ends as
``too-deep`` instead of a RecursionError.

Mapping: guid (+ version attribute) -> story id/version; itemMeta pubStatus, signal,
versionCreated, firstCreated, embargoed, edNote closing line; contentMeta headline, dateline,
located, subject qcodes, genre, keyword, urgency, language (or xml:lang), by, description;
contentSet inlineXML XHTML body (``<p>``, ``<h2>``...) or inlineData plain text; remoteContent or
a picture/audio/video itemClass makes a media item.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # types and ParseError only: parsing goes through defusedxml

import defusedxml
import defusedxml.ElementTree as DET

from streams.formats import subjects
from streams.formats import text as plain
from streams.formats.assemble import Block, Draft, clean_blocks, finish
from streams.formats.clean import normalize
from streams.formats.conventions import agency_name, tidy_dateline
from streams.formats.html import BLOCKS, HEADINGS, SKIP
from streams.formats.limits import MAX_DEPTH, MAX_RECORDS
from streams.models import DecodeError, WireItem

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ROOTS = frozenset({"newsItem", "newsMessage", "packageItem", "knowledgeItem", "conceptItem", "planningItem"})
_MEDIA_CLASSES = frozenset({"picture", "audio", "video", "graphic", "animated"})
_CONTAINERS = frozenset({"div", "section", "article", "blockquote", "ul", "ol", "table", "header", "footer",
                         "main", "aside", "dl", "tbody", "thead", "body"})
_HTML_TYPES = ("application/xhtml+xml", "text/html", "application/xhtml")


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _tree(raw: bytes) -> ET.Element:
    """Parse with DTDs/entities refused. expat builds the tree without recursion; our own walks
    over it carry a depth count, so deep nesting is refused where it would matter."""
    try:
        root: ET.Element = DET.fromstring(raw, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise DecodeError("xml-unsafe", f"{type(exc).__name__}: DTDs and entities are refused") from None
    except ET.ParseError as exc:
        raise DecodeError("invalid-xml", str(exc)[:200]) from None
    except (ValueError, LookupError) as exc:  # unknown encoding names and the like
        raise DecodeError("invalid-xml", str(exc)[:200]) from None
    return root


def _root(raw: bytes) -> ET.Element:
    root = _tree(raw)
    if _local(root.tag) not in _ROOTS:
        raise DecodeError("unknown-format", f"XML root <{_local(root.tag)[:40]}> is not NewsML-G2")
    return root


def check(raw: bytes) -> None:
    """Parse only (for ``detect``): raises the same DecodeErrors as ``parse`` would for syntax."""
    _root(raw)


def _text(elem: ET.Element | None) -> str | None:
    if elem is None:
        return None
    return "".join(elem.itertext()).strip() or None


def _index(elem: ET.Element | None) -> dict[str, list[ET.Element]]:
    """Direct children by local name, built once per metadata block."""
    out: dict[str, list[ET.Element]] = {}
    if elem is not None:
        for child in elem:
            out.setdefault(_local(child.tag), []).append(child)
    return out


def _child(elem: ET.Element | None, name: str) -> ET.Element | None:
    if elem is None:
        return None
    return next((c for c in elem if _local(c.tag) == name), None)


def _first(index: dict[str, list[ET.Element]], name: str) -> ET.Element | None:
    found = index.get(name)
    return found[0] if found else None


def _qcode_word(elem: ET.Element | None) -> str | None:
    """"stat:canceled" -> "canceled"; None without element or attribute."""
    if elem is None:
        return None
    code = elem.get("qcode") or elem.get("literal") or ""
    return code.rsplit(":", 1)[-1] or None


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 9 else None


def _is_dateline_span(elem: ET.Element) -> bool:
    return _local(elem.tag) == "span" and "dateline" in (elem.get("class") or "").split()


def _too_deep() -> DecodeError:
    return DecodeError("too-deep", f"XML body nested deeper than {MAX_DEPTH}")


def _block_text(elem: ET.Element, out: list[str], found: list[str], depth: int) -> None:
    """Text of one block element; a ``span.dateline`` goes to ``found`` instead of the text."""
    if depth > MAX_DEPTH:
        raise _too_deep()
    if elem.text:
        out.append(elem.text)
    for child in elem:
        tag = _local(child.tag)
        if _is_dateline_span(child):
            found.append("".join(child.itertext()))
        elif tag == "br":
            out.append("\n")
        elif tag not in SKIP:
            _block_text(child, out, found, depth + 1)
        if child.tail:
            out.append(child.tail)


def _xhtml_blocks(body: ET.Element) -> tuple[list[Block], str | None]:
    """XHTML body -> blocks in reading order; recursion is bounded by the parse depth limit."""
    blocks: list[Block] = []
    loose: list[str] = []
    datelines: list[str] = []

    def flush() -> None:
        if loose:
            blocks.append(("".join(loose), False))
            loose.clear()

    def walk(elem: ET.Element, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise _too_deep()
        tag = _local(elem.tag)
        if tag in SKIP:
            return
        if tag in BLOCKS:
            flush()
            out: list[str] = []
            _block_text(elem, out, datelines, depth + 1)
            blocks.append(("".join(out), tag in HEADINGS))
            return
        if tag == "tr":
            flush()
            cells = ("".join(c.itertext()).strip() for c in elem if _local(c.tag) in ("td", "th"))
            blocks.append((" | ".join(c for c in cells if c), False))
            return
        if _is_dateline_span(elem):
            datelines.append("".join(elem.itertext()))
            return
        if tag in _CONTAINERS:
            flush()
        if elem.text:
            loose.append(elem.text)
        for child in elem:
            walk(child, depth + 1)
            if child.tail:
                loose.append(child.tail)

    walk(body, 0)
    flush()
    dateline = tidy_dateline(normalize(datelines[0])) if datelines and datelines[0].strip() else None
    return clean_blocks(blocks), dateline


def _content(draft: Draft, item: ET.Element) -> None:
    content_set = _child(item, "contentSet")
    if content_set is None:
        return
    for part in content_set:
        tag = _local(part.tag)
        kind = (part.get("contenttype") or "").split(";", 1)[0].strip().lower()
        if tag == "inlineXML" and (not kind or kind in _HTML_TYPES or "xml" in kind):
            body = part.find(".//{*}body")
            if body is None:
                body = part
            blocks, dateline = _xhtml_blocks(body)
            if blocks:
                draft.blocks = blocks
                if dateline and not draft.dateline:
                    draft.dateline = dateline
                return
        elif tag == "inlineData" and (part.text or "").strip():
            plain.body_draft(draft, part.text or "")
            if draft.blocks:
                return
        elif tag == "remoteContent":
            draft.media = True


def _item_meta(draft: Draft, meta: ET.Element | None) -> None:
    if meta is None:
        return
    idx = _index(meta)
    item_class = _qcode_word(_first(idx, "itemClass"))
    if item_class in _MEDIA_CLASSES:
        draft.media = True
    draft.pubstatus = _qcode_word(_first(idx, "pubStatus"))
    draft.signals = tuple((s.get("qcode") or s.get("literal") or "").lower() for s in idx.get("signal", ()))
    draft.versioncreated = _text(_first(idx, "versionCreated"))
    draft.firstcreated = _text(_first(idx, "firstCreated"))
    draft.embargoed = _text(_first(idx, "embargoed"))
    provider = _first(idx, "provider")
    if provider is not None:
        name = _text(_child(provider, "name")) or _qcode_word(provider)
        draft.default_agency = agency_name(name or "") or name
    for note in idx.get("edNote", ()):
        if (note.get("role") or "").endswith("closingline"):
            draft.closing_slug = _text(note)


def _pick_headline(headlines: list[ET.Element]) -> str:
    for h in headlines:
        role = (h.get("role") or "").rsplit(":", 1)[-1].lower()
        if role in ("", "main", "headline"):
            return _text(h) or ""
    return (_text(headlines[0]) or "") if headlines else ""


def _content_meta(draft: Draft, meta: ET.Element | None) -> None:
    if meta is None:
        return
    idx = _index(meta)
    draft.urgency = _int(_text(_first(idx, "urgency")))
    draft.firstcreated = draft.firstcreated or _text(_first(idx, "contentCreated"))
    language = _first(idx, "language")
    if language is not None:
        draft.language = language.get("tag") or draft.language
    located = _first(idx, "located")
    if located is not None:
        draft.dateline_place = _text(_child(located, "name")) or None
    draft.headline = _pick_headline(idx.get("headline", []))
    draft.dateline = _text(_first(idx, "dateline"))
    draft.byline = _text(_first(idx, "by"))
    slugline = _text(_first(idx, "slugline"))
    if slugline:
        draft.extra["slugline"] = slugline
    for desc in idx.get("description", ()):
        role = (desc.get("role") or "").rsplit(":", 1)[-1].lower()
        if role in ("", "summary", "teaser", "abstract", "caption"):
            draft.teaser = _text(desc)
            break
    for tag in ("subject", "genre"):
        for elem in idx.get(tag, ()):
            code = elem.get("qcode") or elem.get("uri") or elem.get("literal")
            name = _text(_child(elem, "name"))
            subjects.add(draft.subjects, code, name, kind="genre" if tag == "genre" else "")
    for elem in idx.get("keyword", ()):
        word = _text(elem)
        if word:
            draft.keywords.append(word)


def _item(item: ET.Element) -> WireItem:
    draft = Draft(format="newsml")
    guid = (item.get("guid") or "").strip()
    draft.uri = guid or None
    draft.story_id = guid or None
    draft.version = _int(item.get("version"))
    draft.language = item.get(_XML_LANG)
    parts = _index(item)
    _item_meta(draft, _first(parts, "itemMeta"))
    _content_meta(draft, _first(parts, "contentMeta"))
    _content(draft, item)
    return finish(draft)


def parse(raw: bytes) -> list[WireItem]:
    root = _root(raw)
    items = [root] if _local(root.tag) == "newsItem" else root.findall(".//{*}newsItem")
    if not items:
        raise DecodeError("no-text", f"<{_local(root.tag)}> holds no newsItem (only references)")
    if len(items) > MAX_RECORDS:
        raise DecodeError("too-large", f"more than {MAX_RECORDS} newsItems")
    out: list[WireItem] = []
    for index, item in enumerate(items):
        try:
            out.append(_item(item))
        except DecodeError as exc:
            if len(items) == 1:
                raise
            raise DecodeError(exc.reason, f"newsItem {index}: {exc.message}") from None
    return out
