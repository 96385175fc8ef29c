"""Good wire items for the reliability runs: varied, German and English, written here.

Every item gets a unique story id so that the record ids the worker publishes
(``story_id:version``) can be checked one by one. The expected record id of each input is
computed with the pure decoder (``streams.formats.decode``), never read back from the worker.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import orjson

from streams.formats import decode

PLACES_DE = ["BERLIN", "KIEW", "GENF", "BRÜSSEL", "MÜNCHEN", "HAMBURG", "WIEN", "ODESA", "WARSCHAU", "ANKARA"]
PLACES_EN = ["LONDON", "WASHINGTON", "KYIV", "GENEVA", "BRUSSELS", "PARIS", "WARSAW", "ODESA", "ROME", "TOKYO"]
AGENCIES = ["dpa", "Reuters", "AFP", "AP", "dpa-AFX"]

DE = [
    ("Außenminister beraten über Waffenruhe",
     "Die Außenminister mehrerer Staaten sind am {day} zu Gesprächen über eine Waffenruhe zusammengekommen. "
     "Ein Sprecher sagte, man sei zu einem weiteren Treffen bereit.",
     "Diplomaten rechnen nicht mit einem raschen Durchbruch. Beide Seiten hatten sich zuletzt auf einen "
     "Gefangenenaustausch verständigt."),
    ("Bundesregierung sagt weitere Militärhilfe zu",
     "Die Bundesregierung liefert weitere Flugabwehrsysteme und Munition. Das kündigte das "
     "Verteidigungsministerium am {day} an.",
     "Das Paket hat nach Angaben aus Regierungskreisen einen Umfang von {n} Millionen Euro."),
    ("Drohnenangriff auf Hafenstadt - mindestens {k} Tote",
     "Bei einem nächtlichen Angriff mit Drohnen und Raketen sind mindestens {k} Menschen getötet worden. "
     "Das teilte die Gebietsverwaltung am {day} mit.",
     "Die Luftabwehr habe einen Großteil der Drohnen abgeschossen, hieß es. Ein Umspannwerk wurde beschädigt."),
    ("Warnstreik legt Nahverkehr lahm",
     "Mit einem ganztägigen Warnstreik hat die Gewerkschaft am {day} den Nahverkehr in mehreren Städten "
     "weitgehend lahmgelegt. Busse und Bahnen blieben in den Depots.",
     "Die Arbeitgeber kritisierten den Ausstand als unverhältnismäßig. Die nächste Verhandlungsrunde ist "
     "für kommende Woche angesetzt."),
    ("Bayern gewinnt Spitzenspiel",
     "Der FC Bayern hat das Spitzenspiel am {day} mit {k}:1 gewonnen und die Tabellenführung ausgebaut.",
     "Die Gäste waren zwar früh in Führung gegangen, konnten dem Druck aber nicht standhalten."),
    ("Inflation sinkt leicht",
     "Die Inflationsrate ist im {month} auf {k},{n} Prozent gesunken. Das teilte das Statistische Bundesamt "
     "am {day} mit.",
     "Ökonomen hatten mit einem etwas stärkeren Rückgang gerechnet. Lebensmittel verteuerten sich weiter."),
]
EN = [
    ("Foreign ministers meet for ceasefire talks",
     "Foreign ministers met on {day} for a new round of talks on a ceasefire, officials said. A spokesman "
     "said both sides were ready for a summit.",
     "Diplomats did not expect a quick breakthrough. The two sides last agreed on a prisoner exchange."),
    ("Allies pledge new air defence package",
     "Allied defence ministers pledged further air defence systems and artillery ammunition on {day}, "
     "the alliance said.",
     "The package is worth about {n} million dollars, according to officials familiar with the plans."),
    ("Missile strike on port city kills {k}",
     "A missile and drone attack on the port city overnight killed at least {k} people and damaged energy "
     "infrastructure, the regional governor said on {day}.",
     "The air force said it shot down most of the drones launched during the attack."),
    ("Dock workers strike over pay",
     "Thousands of dock workers walked out on {day} in a dispute over pay, halting traffic at the "
     "country's largest container port.",
     "The union said the strike would last 48 hours unless employers improved their offer."),
    ("Rocket launch delayed by weather",
     "The launch of a commercial rocket carrying {k} satellites was delayed on {day} because of high "
     "winds, the company said.",
     "A new attempt is planned for later this week, weather permitting."),
    ("Central bank holds rates steady",
     "The central bank kept its key interest rate unchanged on {day}, citing easing inflation and a "
     "cooling labour market.",
     "Markets had priced in a pause. The bank said it would remain data dependent."),
]
DAYS_DE = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August"]


@dataclass(frozen=True)
class WireInput:
    key: bytes
    value: bytes
    record_ids: tuple[str, ...]  # what the decoder says this value holds


def _fill(text: str, rnd: random.Random, day: str) -> str:
    return text.format(day=day, k=rnd.randint(2, 9), n=rnd.randint(10, 900), month=rnd.choice(MONTHS_DE))


def make_item(i: int, tag: str, rnd: random.Random, version: int = 1) -> bytes:
    """One good item; format and language vary with ``i`` (plain text, simple JSON, ninjs)."""
    german = i % 2 == 0
    head, lead, more = rnd.choice(DE if german else EN)
    day = rnd.choice(DAYS_DE if german else DAYS_EN)
    place = rnd.choice(PLACES_DE if german else PLACES_EN)
    agency = rnd.choice(AGENCIES)
    headline = f"{_fill(head, rnd, day)} ({tag}-{i})"
    lead_text = f"{place} ({agency}) - {_fill(lead, rnd, day)}"
    body = f"{lead_text}\n\n{_fill(more, rnd, day)}"
    story = f"rel-{tag}-{i:07d}"
    kind = i % 3
    if kind == 0:  # agency plain text: story id is a content hash (headline carries i, so unique)
        return f"{headline}\n\n{body}\n".encode()
    doc: dict[str, object]
    if kind == 1:
        doc = {"id": story, "title": headline, "body": body, "language": "de" if german else "en",
               "version": version}
        return orjson.dumps(doc)
    doc = {"uri": f"urn:rel:{story}", "version": version, "language": "de" if german else "en",
           "headlines": [{"role": "main", "value": headline}],
           "bodies": [{"role": "main", "contenttype": "text/plain", "value": body}],
           "urgency": rnd.choice([3, 4, 5])}
    return orjson.dumps(doc)


def record_ids(value: bytes, max_bytes: int = 1_048_576) -> tuple[str, ...]:
    return tuple(item.record_id for item in decode(value, max_bytes=max_bytes))


def good_items(n: int, tag: str, seed: int = 7, start: int = 0) -> list[WireInput]:
    rnd = random.Random(seed)
    out = []
    for i in range(start, start + n):
        value = make_item(i, tag, rnd)
        ids = record_ids(value)
        out.append(WireInput(ids[0].rsplit(":", 1)[0].encode(), value, ids))
    seen = [rid for w in out for rid in w.record_ids]
    assert len(seen) == len(set(seen)), "generated items must have distinct record ids"
    return out
