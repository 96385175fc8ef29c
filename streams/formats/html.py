"""Safe HTML -> body blocks (paragraphs and subheads) with a real HTML5 parser (selectolax).

Agency HTML (dpa ``article_html``, ninjs ``text/html`` bodies) is a flat run of ``<p>`` and
``<h2>`` inside ``<section>``s. We never render or execute it: scripts, styles, embeds and figures
are skipped, text is taken per block element, entities are decoded by the parser, and the
walk is iterative with a depth cap so hostile nesting cannot recurse or run long.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from streams.formats.assemble import Block, Draft, clean_blocks
from streams.formats.clean import normalize
from streams.formats.conventions import tidy_dateline
from streams.formats.limits import MAX_DEPTH, MAX_MARKUP_TAGS
from streams.models import DecodeError

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCKS = frozenset({"p", "li", "pre", "dt", "dd", "address", "caption", "summary"}) | HEADINGS
_CONTAINERS = frozenset({
    "div", "section", "article", "blockquote", "ul", "ol", "table", "header", "footer", "main", "aside",
    "dl", "tbody", "thead",
})
SKIP = frozenset({
    "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math", "head",
    "figure", "img", "video", "audio", "picture", "button", "form", "input", "select", "textarea",
    "nav", "-comment", "canvas", "map",
})


# Containers whose deep nesting makes HTML5 tree building quadratic (scope checks walk the
# stack of open elements); inline and implicitly closed tags (p, li, td) are cheap or self-limit.
_CONTAINER_TAG = re.compile(
    r"<(/?)(?:div|section|article|aside|header|footer|main|nav|blockquote|ul|ol|dl|table|form"
    r"|fieldset|figure|details|address|center|a|object|applet|marquee|select|h[1-6])[\s/>]",
    re.IGNORECASE,
)
_PRESCAN_TAGS = 400  # below this many "<", parsing is cheap whatever the nesting
MAX_HTML_NESTING = 400


def _depth_guard(markup: str) -> None:
    """Refuse pathological container nesting before the parser sees it (linear scan)."""
    if markup.count("<") <= _PRESCAN_TAGS:
        return
    depth = 0
    for m in _CONTAINER_TAG.finditer(markup):
        depth += -1 if m.group(1) else 1
        if depth > MAX_HTML_NESTING:
            raise DecodeError("too-deep", f"HTML containers nested deeper than {MAX_HTML_NESTING}")


def _text(node: LexborNode) -> str:
    return node.text(deep=True, separator="")


def _children(node: LexborNode) -> list[LexborNode]:
    return list(node.iter(include_text=True))


def _is_dateline(node: LexborNode) -> bool:
    return node.tag == "span" and "dateline" in (node.attributes.get("class") or "").split()


def _slow_text(node: LexborNode, datelines: list[str], depth: int) -> str:
    """Block text node by node: ``<br>`` -> newline, ``span.dateline`` -> ``datelines``.

    Only used when the markup has a dateline span or a <br> at all; CSS selectors would cost
    more than the whole parse (~50 us each).
    """
    out: list[str] = []
    stack: list[tuple[LexborNode, int]] = [(c, depth + 1) for c in reversed(_children(node))]
    while stack:
        child, level = stack.pop()
        tag = child.tag
        if tag == "-text":
            out.append(child.text_content or "")
        elif tag == "br":
            out.append("\n")
        elif tag is None or tag in SKIP:
            continue
        elif level > MAX_DEPTH:
            raise DecodeError("too-deep", f"HTML nesting deeper than {MAX_DEPTH}")
        elif not datelines and _is_dateline(child):
            datelines.append(_text(child))
        else:
            stack.extend((c, level + 1) for c in reversed(_children(child)))
    return "".join(out)


def extract(markup: str) -> tuple[list[Block], str | None]:
    """HTML -> (cleaned blocks in reading order, dateline text from ``span.dateline`` if any)."""
    if markup.count("<") > MAX_MARKUP_TAGS:
        raise DecodeError("too-large", f"HTML body has more than {MAX_MARKUP_TAGS} tags")
    _depth_guard(markup)
    root = LexborHTMLParser(markup).body
    if root is None:
        return [], None
    has_dateline = "dateline" in markup
    has_br = "<br" in markup or "<BR" in markup
    datelines: list[str] = []
    blocks: list[Block] = []
    loose: list[str] = []

    def flush() -> None:
        if loose:
            blocks.append(("".join(loose), False))
            loose.clear()

    stack: list[tuple[LexborNode, int]] = [(c, 1) for c in reversed(_children(root))]
    while stack:
        node, depth = stack.pop()
        tag = node.tag
        if tag == "-text":
            loose.append(node.text_content or "")
            continue
        if tag is None or tag in SKIP:
            continue
        if depth > MAX_DEPTH:
            raise DecodeError("too-deep", f"HTML nesting deeper than {MAX_DEPTH}")
        if tag in BLOCKS:
            flush()
            slow = has_br or (has_dateline and not datelines)
            text = _slow_text(node, datelines, depth) if slow else _text(node)
            blocks.append((text, tag in HEADINGS))
        elif tag == "tr":
            flush()
            cells = (_text(c).strip() for c in node.iter() if c.tag in ("td", "th"))
            blocks.append((" | ".join(c for c in cells if c), False))
        elif has_dateline and not datelines and _is_dateline(node):
            datelines.append(_text(node))
        else:
            if tag in _CONTAINERS:
                flush()
            stack.extend((c, depth + 1) for c in reversed(_children(node)))
    flush()
    dateline = tidy_dateline(normalize(datelines[0])) if datelines and datelines[0].strip() else None
    return clean_blocks(blocks), dateline or None


def fill(draft: Draft, markup: str) -> None:
    """Put the blocks of an HTML body into a draft; a dateline span becomes ``draft.dateline``."""
    blocks, dateline = extract(markup)
    if dateline and not draft.dateline:
        draft.dateline = dateline
    draft.blocks = blocks
