"""The knowledge base: entities, their aliases and the discovery lexicon, loaded from data files.

Everything the matcher knows lives in ``streams/data/kb/`` as TSV/text files so that editors can
extend it without touching code. Loading validates the whole KB and reports every problem at once
(``KnowledgeBaseError.problems``) instead of stopping at the first, because a KB edit that breaks
start-up should be fixable in one round.
"""

from __future__ import annotations

import gettext
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pycountry

from streams._native import Extractor
from streams.entities.automaton import SplitMatcher
from streams.matching import Pattern, parse_pattern

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "kb"

ENTITY_TYPES = ("person", "organisation", "place", "weapon")
CUE_KINDS = frozenset(
    {
        "title",
        "org-head",
        "org-suffix",
        "org-compound",
        "club",
        "place-prep",
        "place-suffix",
        "particle",
        "stop",
        "speech",
        "acronym-stop",
        "place-prefix",
        "place-head",
        "org-type",
        "street-suffix",
        "street",
        "local-org",
        "district",
        "road-context",
    }
)
# The finer classes each table may use; a typo here would silently split a class, so it is checked.
KINDS: Mapping[str, frozenset[str]] = {
    "place": frozenset({"country", "capital", "city", "state", "region", "continent", "sea", "place"}),
    "person": frozenset({""}),
    "organisation": frozenset(
        {
            "alliance",
            "igo",
            "government",
            "parliament",
            "court",
            "armed-forces",
            "security-service",
            "party",
            "agency",
            "media",
            "company",
            "ngo",
            "militia",
            "sport",
            "education",
        }
    ),
    "weapon": frozenset(
        {"air-defence", "missile", "drone", "aircraft", "tank", "artillery", "vehicle", "rocket-artillery"}
    ),
}
# Cue kinds looked up per token instead of being put into the automaton: they are lower-case
# function words or endings that would hit inside countless words and only cost time there.
TOKEN_CUES = frozenset({"place-prep", "particle", "stop", "acronym-stop", "district", "road-context"})

_QID = re.compile(r"Q[1-9][0-9]*")
_ID = re.compile(r"[a-z]+(?:/[a-z0-9][a-z0-9.\-]*)+")
_SHARED = "~"


class KnowledgeBaseError(ValueError):
    """The KB data is inconsistent; ``problems`` lists every problem found, one line each."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        shown = "\n  ".join(self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{len(self.problems)} knowledge-base problem(s):\n  {shown}{more}")


@dataclass(frozen=True, slots=True)
class KbEntity:
    """One entity of the KB, as it is handed out in ``Entity`` records."""

    id: str
    type: str  # one of ENTITY_TYPES
    name: str
    wikidata: str | None = None
    country: str | None = None
    kind: str = ""  # finer class: capital, party, agency, air-defence ...
    role: str = ""  # for people: their office, as of the KB version
    context: tuple[str, ...] = ()  # words that select this entity for a shared alias


# Alias kinds (what a matched pattern means)
NAME = "name"  # a full name of an entity: always counts
SURNAME = "surname"  # a bare surname: counts if distinctive, or licensed in the item
WEAK = "weak"  # adjective/demonym: links to the entity, weak mention, no NER span
CUE = "cue"  # discovery cue (title, org head ...), see cues.tsv
FIRSTNAME = "firstname"  # a given name from the lexicon
TOPONYM = "toponym"  # a gazetteer place name not in the curated KB
LEXSURNAME = "lexsurname"  # a surname from the lexicon that is no word, given name or place
SHAPE = "shape"  # where one of the extractor's whole-text regexes may match; ``cue`` names which


@dataclass(frozen=True, slots=True)
class Alias:
    """What one pattern in the automaton stands for."""

    kind: str
    targets: tuple[int, ...] = ()  # indices into KnowledgeBase.entities
    cue: str = ""  # cue kind for CUE; "strong"/"weak" for TOPONYM
    alone: bool = True  # SURNAME: may stand alone without a licence
    shared: bool = False  # alias legitimately names several entities
    more_cues: tuple[str, ...] = ()  # CUE: further cue kinds of the same word ("Zeitung": org-type, local-org)


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Word lists for discovery (generated from open word lists; see the kb README)."""

    first_names: frozenset[str] = frozenset()
    surnames: frozenset[str] = frozenset()
    common_nouns: frozenset[str] = frozenset()  # capitalised common nouns, all inflected forms
    english_words: frozenset[str] = frozenset()  # frequent English words, capitalised
    token_cues: Mapping[str, frozenset[str]] = field(default_factory=dict)  # kind -> words
    place_suffixes: tuple[str, ...] = ()
    place_prefixes: frozenset[str] = frozenset()  # "Bad", "St.", "San": they begin a place name
    org_types: tuple[str, ...] = ()  # "Konzern", "unternehmen": nouns for a kind of organisation
    toponyms: frozenset[str] = frozenset()
    strong_places: frozenset[str] = frozenset()  # toponyms that are no common word


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """The loaded, validated KB with its compiled matcher and extractor. Immutable and shareable
    across items."""

    version: str
    entities: tuple[KbEntity, ...]
    matcher: SplitMatcher[Alias]
    lexicon: Lexicon
    index: Mapping[str, int]  # entity id -> position in ``entities``
    parties: frozenset[str] = frozenset()  # aliases of party organisations, for "(CDU)" tags
    # the compiled extractor: the matcher, aliases, entities and lexicon as tables (see _extractor)
    extractor: Extractor = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extractor", _extractor(self))

    def get(self, entity_id: str) -> KbEntity | None:
        pos = self.index.get(entity_id)
        return None if pos is None else self.entities[pos]

    def lookup(self, text: str) -> KbEntity | None:
        """The entity a whole string names (datelines, tests), ignoring weak forms and cues."""
        pos = self.extractor.lookup(text)
        return None if pos is None else self.entities[pos]


def _extractor(kb: KnowledgeBase) -> Extractor:
    """The KB as the plain tables the compiled extractor walks texts against (built once per KB)."""
    lex = kb.lexicon
    cues = lex.token_cues
    words = {
        "first": lex.first_names,
        "common": lex.common_nouns,
        "english": lex.english_words,
        "place-prefixes": lex.place_prefixes,
        "toponyms": lex.toponyms,
        "strong-places": lex.strong_places,
        "parties": kb.parties,
        **{kind: cues.get(kind, frozenset()) for kind in ("stop", "particle", "place-prep", "district")},
        **{kind: cues.get(kind, frozenset()) for kind in ("road-context", "acronym-stop")},
    }
    return Extractor(
        kb.matcher.native,
        [(a.kind, list(a.targets), a.cue, list(a.more_cues), a.alone, a.shared) for a in kb.matcher.payloads],
        [(e.type, e.name, list(e.context)) for e in kb.entities],
        {kind: sorted(found) for kind, found in words.items()},
        list(lex.org_types),
    )


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True, slots=True)
class _Row:
    where: str
    values: Mapping[str, str]

    def get(self, key: str) -> str:
        return self.values.get(key, "").strip()


def _read_tsv(path: Path, required: tuple[str, ...], problems: list[str]) -> list[_Row]:
    """Rows of a TSV file with a header line; ``#`` lines and blank lines are comments."""
    rows: list[_Row] = []
    header: list[str] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if header is None:
            header = [c.strip() for c in cells]
            missing = [c for c in required if c not in header]
            if missing:
                problems.append(f"{path.name}:{number}: header lacks column(s) {', '.join(missing)}")
                return []
            continue
        if len(cells) > len(header):
            problems.append(f"{path.name}:{number}: {len(cells)} cells, header has {len(header)}")
            continue
        rows.append(_Row(f"{path.name}:{number}", dict(zip(header, cells, strict=False))))
    if header is None:
        problems.append(f"{path.name}: no header line")
    return rows


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def _read_words(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


# ---------------------------------------------------------------------------------------------
# Building


@dataclass
class _AliasUse:
    entity: int
    kind: str
    shared: bool
    alone: bool
    where: str


@dataclass
class _Builder:
    problems: list[str] = field(default_factory=list)
    entities: list[KbEntity] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    uses: dict[str, list[_AliasUse]] = field(default_factory=dict)
    variants: dict[str, list[_AliasUse]] = field(default_factory=dict)  # generated genitive forms
    countries: set[str] = field(default_factory=set)

    def add_entity(self, entity: KbEntity, where: str) -> int | None:
        ok = True
        if not _ID.fullmatch(entity.id):
            self.problems.append(f"{where}: bad id {entity.id!r} (want slugs like 'person/jane-doe')")
            ok = False
        if entity.id in self.index:
            self.problems.append(f"{where}: duplicate id {entity.id!r}")
            ok = False
        if entity.type not in ENTITY_TYPES:
            self.problems.append(f"{where}: unknown type {entity.type!r} (want one of {ENTITY_TYPES})")
            ok = False
        elif entity.kind not in KINDS[entity.type]:
            wanted = ", ".join(sorted(KINDS[entity.type]))
            self.problems.append(f"{where}: unknown {entity.type} kind {entity.kind!r} (want one of {wanted})")
            ok = False
        if entity.wikidata is not None and not _QID.fullmatch(entity.wikidata):
            self.problems.append(f"{where}: bad Wikidata QID {entity.wikidata!r}")
            ok = False
        if entity.country is not None and entity.country not in self.countries:
            self.problems.append(f"{where}: unknown country code {entity.country!r}")
            ok = False
        if not entity.name:
            self.problems.append(f"{where}: empty name")
            ok = False
        if not ok:
            return None
        self.index[entity.id] = len(self.entities)
        self.entities.append(entity)
        return len(self.entities) - 1

    def add_alias(self, spec: str, entity: int, kind: str, where: str, *, alone: bool = True) -> None:
        """Record an alias; names of people, places and systems also get their genitive -s form
        (organisation names are left alone: "der Nato", "der Grünen", and "Grünes" is a word)."""
        shared = spec.startswith(_SHARED)
        text = spec[1:] if shared else spec
        if not text.strip("*").strip():
            self.problems.append(f"{where}: empty alias")
            return
        self.uses.setdefault(text, []).append(_AliasUse(entity, kind, shared, alone, where))
        # German genitive (Putins, Moskaus, Russlands) and plural of systems (Patriots)
        literal = text.strip("*")
        inflects = literal[-1].isalpha() and literal[-1] not in "sßxzSXZ" and not text.endswith("*")
        if kind in (NAME, SURNAME) and inflects and self.entities[entity].type != "organisation":
            self.variants.setdefault(text + "s", []).append(_AliasUse(entity, kind, shared, alone, where))
        # an organisation named with a leading adjective declines it: "der Deutschen Presse-Agentur"
        first, _, rest = text.partition(" ")
        declines = _adjective(first) and rest[:1].isupper() and not _adjective(rest.partition(" ")[0])
        if kind == NAME and declines and self.entities[entity].type == "organisation":
            declined = first.removesuffix("s") + "n " + rest
            self.variants.setdefault(declined, []).append(_AliasUse(entity, kind, shared, alone, where))


def _adjective(word: str) -> bool:
    """A capitalised German adjective in -e/-es that declines to -en ("Deutsche", "Internationales")."""
    return word[:1].isupper() and word.isalpha() and word.removesuffix("s").endswith(_ADJECTIVE_ENDINGS)


_ADJECTIVE_ENDINGS = ("sche", "ale", "ige", "eie", "che", "ene", "ere")


def _entity_country(value: str) -> str | None:
    return value.strip().upper() or None


def _wikidata(value: str) -> str | None:
    return value.strip() or None


def _load_countries(builder: _Builder, kb_dir: Path) -> None:
    """Every ISO 3166-1 country from pycountry, plus the German names and forms in countries.tsv."""
    german = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"], fallback=True)
    rows: dict[str, _Row] = {
        r.get("alpha2").upper(): r
        for r in _read_tsv(kb_dir / "countries.tsv", ("alpha2", "aliases", "weak", "wikidata"), builder.problems)
    }
    iso = {c.alpha_2: c for c in pycountry.countries}
    for code, listed in rows.items():
        # user-assigned codes (XK Kosovo) are accepted only when listed here explicitly
        if code not in iso and not re.fullmatch(r"X[A-Z]", code):
            builder.problems.append(f"{listed.where}: unknown country code {code!r}")
    builder.countries = set(iso) | {c for c in rows if re.fullmatch(r"X[A-Z]", c)}
    for code in sorted(builder.countries):
        row: _Row | None = rows.get(code)
        where = row.where if row else f"pycountry:{code}"
        aliases: list[str] = _split(row.get("aliases")) if row else []
        country = iso.get(code)
        if country is not None:
            german_name = german.gettext(country.name)
            known = {a.lstrip(_SHARED) for a in aliases}
            for extra in (german_name, getattr(country, "common_name", None), country.name):
                if extra and "," not in extra and "(" not in extra and extra not in known:
                    aliases.append(extra)
                    known.add(extra)
            if not aliases:  # "Micronesia, Federated States of", "Cocos (Keeling) Islands"
                aliases.append(re.sub(r"\s*\(.*?\)", "", country.name).split(",")[0].strip())
        if not aliases:
            builder.problems.append(f"{where}: country {code} has no name")
            continue
        name = aliases[0].lstrip(_SHARED)
        entity = KbEntity(
            id=f"country/{code.lower()}",
            type="place",
            name=name,
            wikidata=_wikidata(row.get("wikidata")) if row else None,
            country=code,
            kind="country",
        )
        pos = builder.add_entity(entity, where)
        if pos is None:
            continue
        for alias in dict.fromkeys(aliases):
            builder.add_alias(alias, pos, NAME, where)
        for weak in _split(row.get("weak")) if row else []:
            builder.add_alias(weak, pos, WEAK, where)


def _load_table(builder: _Builder, path: Path, etype: str) -> None:
    required = ("id", "name", "aliases")
    for row in _read_tsv(path, required, builder.problems):
        context = tuple(_split(row.get("context")))
        entity = KbEntity(
            id=row.get("id"),
            type=etype,
            name=row.get("name"),
            wikidata=_wikidata(row.get("wikidata")),
            country=_entity_country(row.get("country")),
            kind=row.get("kind"),
            role=row.get("role"),
            context=context,
        )
        alone_cell = row.get("alone").lower()
        if alone_cell not in ("", "yes", "no"):
            builder.problems.append(f"{row.where}: alone must be yes or no, not {alone_cell!r}")
        pos = builder.add_entity(entity, row.where)
        if pos is None:
            continue
        aliases = _split(row.get("aliases"))
        if not aliases:
            builder.problems.append(f"{row.where}: no aliases")
        for alias in aliases:
            builder.add_alias(alias, pos, NAME, row.where)
        for surname in _split(row.get("surnames")):
            builder.add_alias(surname, pos, SURNAME, row.where, alone=alone_cell == "yes")
        for weak in _split(row.get("weak")):
            builder.add_alias(weak, pos, WEAK, row.where)


def _check_collisions(builder: _Builder) -> dict[str, Alias]:
    """One Alias per text; an alias naming several entities must be marked shared ("~") by all."""
    aliases: dict[str, Alias] = {}
    rank = {NAME: 0, SURNAME: 1, WEAK: 2}
    for text, uses in builder.uses.items():
        entities = list(dict.fromkeys(u.entity for u in uses))
        if len(entities) > 1 and not all(u.shared for u in uses):
            names = ", ".join(f"{builder.entities[e].id} ({u.where})" for e, u in _first_use(uses))
            builder.problems.append(f"alias {text!r} names several entities: {names}; mark it '~' in each")
            continue
        best = min(uses, key=lambda u: rank[u.kind])
        aliases[text] = Alias(
            kind=best.kind,
            targets=tuple(entities),
            alone=all(u.alone for u in uses if u.kind == SURNAME) if best.kind == SURNAME else True,
            shared=len(entities) > 1,
        )
    for text, uses in builder.variants.items():
        if text in aliases:
            continue  # a real alias wins over a generated genitive
        entities = list(dict.fromkeys(u.entity for u in uses))
        if len(entities) > 1 and not all(u.shared for u in uses):
            continue  # a genitive that two entities share is simply not generated
        best = uses[0]
        aliases[text] = Alias(kind=best.kind, targets=tuple(entities), alone=best.alone, shared=len(entities) > 1)
    return aliases


def _first_use(uses: list[_AliasUse]) -> Iterator[tuple[int, _AliasUse]]:
    seen: set[int] = set()
    for use in uses:
        if use.entity not in seen:
            seen.add(use.entity)
            yield use.entity, use


def _patterns(aliases: Mapping[str, Alias]) -> Iterator[Pattern[Alias]]:
    for text, alias in aliases.items():
        yield parse_pattern(text, alias)
        literal = text.lstrip("*")
        if alias.kind == WEAK and literal[:1].islower():
            # a lower-case adjective also starts sentences and names: "Ukrainische Armee"
            yield parse_pattern(text.replace(literal[0], literal[0].upper(), 1), alias)


# The extractor's whole-text regexes (streams/entities/extract.py: _PREP_WORD, _PREP_LINE, _DATELINE_LINE,
# _ROADS) each begin with one of these literals: the same automaton pass finds where to try them, so
# no second search of the text is needed. Syntax, not data: what the regexes say, spelt out.
_CAPITALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ"
_SHAPES = (
    ("prep-word", (" in ", " In ", " aus ", " Aus ", " nach ", " Nach "), _CAPITALS),
    ("prep-line", ("\nIn ", "\nAus ", "\nNach "), _CAPITALS),
    ("dateline", tuple("\n" + c for c in _CAPITALS), _CAPITALS),
    ("road-a", (" A", " A "), "123456789"),
    ("road-b", (" B", " B "), "123456789"),
)


def _shape_patterns() -> Iterator[Pattern[Alias]]:
    for group, heads, tails in _SHAPES:
        alias = Alias(kind=SHAPE, cue=group)
        for head in heads:
            for tail in tails:
                yield Pattern(head + tail, alias, open_left=True, open_right=True)


def _load_cues(kb_dir: Path, problems: list[str]) -> tuple[dict[str, Alias], dict[str, set[str]]]:
    automaton: dict[str, Alias] = {}
    token_cues: dict[str, set[str]] = {kind: set() for kind in TOKEN_CUES}
    seen: set[tuple[str, str]] = set()
    for row in _read_tsv(kb_dir / "cues.tsv", ("cue", "kind"), problems):
        cue, kind = row.get("cue"), row.get("kind")
        if kind not in CUE_KINDS:
            problems.append(f"{row.where}: unknown cue kind {kind!r}")
            continue
        if (cue, kind) in seen:
            problems.append(f"{row.where}: duplicate cue {cue!r} ({kind})")
            continue
        seen.add((cue, kind))
        if kind in TOKEN_CUES:
            token_cues[kind].add(cue)
        elif cue in automaton:  # one word, several cue kinds: each rule gets to read it
            known = automaton[cue]
            automaton[cue] = Alias(kind=CUE, cue=known.cue, more_cues=(*known.more_cues, kind))
        else:
            automaton[cue] = Alias(kind=CUE, cue=kind)
    return automaton, token_cues


def _version(kb_dir: Path) -> str:
    """The editors' version plus a content hash, so any edit of a data file shows in the output."""
    digest = hashlib.sha256()
    for path in sorted(kb_dir.rglob("*")):
        if path.is_file() and (path.suffix in (".tsv", ".txt") or path.name == "VERSION"):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    label = (kb_dir / "VERSION").read_text(encoding="utf-8").strip() if (kb_dir / "VERSION").exists() else "dev"
    return f"{label}+{digest.hexdigest()[:8]}"


def load_kb(path: str | Path | None = None) -> KnowledgeBase:
    """Load and validate the KB in ``path`` (default: the data shipped with the package).

    Raises KnowledgeBaseError listing every problem: duplicate ids, unknown types, aliases that
    collide across entities without being marked shared, bad QIDs, bad country codes.
    """
    kb_dir = Path(path) if path is not None else DATA_DIR
    if not kb_dir.is_dir():
        raise KnowledgeBaseError([f"{kb_dir}: not a directory"])
    builder = _Builder()
    _load_countries(builder, kb_dir)
    for filename, etype in (
        ("places.tsv", "place"),
        ("persons.tsv", "person"),
        ("organisations.tsv", "organisation"),
        ("weapons.tsv", "weapon"),
    ):
        if (kb_dir / filename).exists():
            _load_table(builder, kb_dir / filename, etype)
        else:
            builder.problems.append(f"{filename}: missing")
    aliases = _check_collisions(builder)
    cue_aliases, token_cues = _load_cues(kb_dir, builder.problems)

    lexicon_dir = kb_dir / "lexicon"
    first_names = _read_words(lexicon_dir / "first_names.txt")
    surnames = _read_words(lexicon_dir / "surnames.txt")
    common = _read_words(lexicon_dir / "common_nouns.txt")
    english = _read_words(lexicon_dir / "english_words.txt")
    strong_places = _read_words(lexicon_dir / "places_strong.txt")
    weak_places = _read_words(lexicon_dir / "places_weak.txt")

    if builder.problems:
        raise KnowledgeBaseError(builder.problems)

    patterns: list[Pattern[Alias]] = list(_patterns(aliases))
    patterns.extend(_shape_patterns())
    taken = set(aliases)
    for cue, alias in cue_aliases.items():
        if cue.strip("*") not in taken:
            patterns.append(parse_pattern(cue, alias))
    first_alias = Alias(kind=FIRSTNAME)
    # a given name that only names organisations in the KB ("Leonardo") still opens a person's name
    org_only = {
        text
        for text, alias in aliases.items()
        if alias.kind == NAME and all(builder.entities[t].type == "organisation" for t in alias.targets)
    }
    for name in first_names - (taken - org_only):
        patterns.append(Pattern(name, first_alias))
    surname_alias = Alias(kind=LEXSURNAME)
    for name in surnames - taken - first_names - strong_places - weak_places - common - english:
        patterns.append(Pattern(name, surname_alias))
    strong, weak = Alias(kind=TOPONYM, cue="strong"), Alias(kind=TOPONYM, cue="weak")
    genitive_places = {p + "s" for p in strong_places if p[-1].isalpha() and p[-1] not in "sßxz"}
    for name in (strong_places | genitive_places) - taken - first_names:
        patterns.append(Pattern(name, strong))
    for name in weak_places - taken - strong_places:
        patterns.append(Pattern(name, weak))

    parties = frozenset(
        text.lstrip(_SHARED)
        for text, alias in aliases.items()
        if alias.kind == NAME and any(builder.entities[t].kind == "party" for t in alias.targets)
    )
    lexicon = Lexicon(
        first_names=first_names,
        surnames=surnames,
        common_nouns=common | english,
        english_words=english,
        token_cues={
            kind: frozenset(words | _read_words(lexicon_dir / "function_words.txt"))
            if kind == "stop"
            else frozenset(words)
            for kind, words in token_cues.items()
        },
        place_suffixes=tuple(sorted(c.lstrip("*") for c, a in cue_aliases.items() if a.cue == "place-suffix")),
        org_types=tuple(
            c.lstrip("*") for c, a in cue_aliases.items() if a.cue == "org-type" or "org-type" in a.more_cues
        ),
        place_prefixes=frozenset(c.rstrip(".") for c, a in cue_aliases.items() if a.cue == "place-prefix"),
        toponyms=strong_places | weak_places,
        strong_places=strong_places,
    )
    return KnowledgeBase(
        version=_version(kb_dir),
        entities=tuple(builder.entities),
        matcher=SplitMatcher(patterns),
        lexicon=lexicon,
        index=dict(builder.index),
        parties=parties,
    )
