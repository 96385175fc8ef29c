# ruff: noqa: E501  (the sentence pools are prose; one sentence per line reads best)
"""Synthetic agency wire items for the benchmark, written from scratch for it.

Deterministic per seed: the same ``(seed, n)`` gives byte-identical records, so runs on
different commits process the same input. Items read like wire copy (headline, dateline,
lead, paragraphs with subheads and quotes, closing slug) in German and English, around 3 KB
on average with a long tail, and cover every desk (diplomacy, military aid, strikes, and
items for two desks), urgent items that alert, negatives that carry misleading cue words
(football "Angriff", labour strikes, arms stocks, cyber attacks, rocket launches, court
hearings, floods, budget rows), plus updates, cancels, redeliveries, embargoes and a few
broken records for the dead-letter queue.

Formats: agency plain text (some hard-wrapped), simple JSON, ninjs 2.x with HTML bodies and
dpa digitalwires with ``article_html``.
"""

from __future__ import annotations

import html
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson

GENERATOR_VERSION = "1"

DESKS = ("diplomacy", "military_aid", "strikes")
NEGATIVES = ("sport", "labour", "markets", "cyber", "space", "domestic", "disaster", "court")
FORMATS = ("text", "json", "ninjs", "digitalwires")

# --- names ------------------------------------------------------------------------------------

PEOPLE = {
    "de": [
        ("Wolodymyr Selenskyj", "Präsident"), ("Wladimir Putin", "Kremlchef"), ("Friedrich Merz", "Bundeskanzler"),
        ("Johann Wadephul", "Außenminister"), ("Boris Pistorius", "Verteidigungsminister"),
        ("Andrij Sybiha", "Außenminister"), ("Sergej Lawrow", "Außenminister"), ("Dmitri Peskow", "Kremlsprecher"),
        ("Donald Trump", "US-Präsident"), ("Marco Rubio", "US-Außenminister"), ("Steve Witkoff", "Sondergesandter"),
        ("Emmanuel Macron", "Präsident"), ("Keir Starmer", "Premierminister"), ("Rustem Umjerow", "Sekretär"),
        ("Olexander Syrskyj", "Oberbefehlshaber"), ("Witali Klitschko", "Bürgermeister"),
        ("Frank-Walter Steinmeier", "Bundespräsident"), ("Lars Klingbeil", "Finanzminister"),
        ("Julija Swyrydenko", "Regierungschefin"), ("Kirill Dmitrijew", "Unterhändler"),
    ],
    "en": [
        ("Volodymyr Zelensky", "President"), ("Vladimir Putin", "President"), ("Friedrich Merz", "Chancellor"),
        ("Johann Wadephul", "Foreign Minister"), ("Boris Pistorius", "Defence Minister"),
        ("Andrii Sybiha", "Foreign Minister"), ("Sergei Lavrov", "Foreign Minister"),
        ("Dmitry Peskov", "Kremlin spokesman"), ("Donald Trump", "President"), ("Marco Rubio", "Secretary of State"),
        ("Steve Witkoff", "envoy"), ("Emmanuel Macron", "President"), ("Keir Starmer", "Prime Minister"),
        ("Rustem Umerov", "security council secretary"), ("Oleksandr Syrskyi", "commander-in-chief"),
        ("Vitali Klitschko", "Mayor"), ("Pete Hegseth", "Defense Secretary"), ("Mark Rutte", "NATO chief"),
        ("Kaja Kallas", "EU foreign policy chief"), ("Antonio Guterres", "Secretary-General"),
    ],
}
FIRST = ["Anna", "Jonas", "Olena", "Mykola", "Sarah", "Thomas", "Iryna", "Lukas", "Maria", "Petro", "Claire",
         "David", "Natalia", "Stefan", "Hanna", "Jakub", "Leila", "Omar", "Ruth", "Tobias"]
LAST = ["Kowalenko", "Brandstetter", "Melnyk", "Hartwig", "Bondarenko", "Lindqvist", "Tkachuk", "Oberländer",
        "Savchenko", "Whitfield", "Hrytsenko", "Albrecht", "Moroz", "Castellano", "Petrenko", "Rasmussen"]
PLACES = {
    "de": ["Kiew", "Charkiw", "Odessa", "Lwiw", "Dnipro", "Saporischschja", "Cherson", "Mykolajiw", "Pokrowsk",
           "Kramatorsk", "Sumy", "Tschernihiw", "Poltawa", "Belgorod", "Kursk", "Brjansk", "Krywyj Rih", "Isjum"],
    "en": ["Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro", "Zaporizhzhia", "Kherson", "Mykolaiv", "Pokrovsk",
           "Kramatorsk", "Sumy", "Chernihiv", "Poltava", "Belgorod", "Kursk", "Bryansk", "Kryvyi Rih", "Izium"],
}
VENUES = {
    "de": ["Genf", "Istanbul", "Riad", "Doha", "Brüssel", "Washington", "Berlin", "Paris", "London", "Ankara",
           "Warschau", "Abu Dhabi", "Wien", "Helsinki"],
    "en": ["Geneva", "Istanbul", "Riyadh", "Doha", "Brussels", "Washington", "Berlin", "Paris", "London", "Ankara",
           "Warsaw", "Abu Dhabi", "Vienna", "Helsinki"],
}
COUNTRIES = {
    "de": ["Deutschland", "Frankreich", "Großbritannien", "Polen", "die Niederlande", "Norwegen", "Schweden",
           "Dänemark", "Kanada", "Italien", "Spanien", "Finnland"],
    "en": ["Germany", "France", "Britain", "Poland", "the Netherlands", "Norway", "Sweden", "Denmark", "Canada",
           "Italy", "Spain", "Finland"],
}
WEAPONS = ["Patriot", "IRIS-T", "NASAMS", "HIMARS", "ATACMS", "Taurus", "Storm Shadow", "Leopard 2", "Gepard",
           "F-16", "Stinger", "Javelin", "Caesar", "Panzerhaubitze 2000", "Skyranger", "Bradley"]
ORGS = {
    "de": ["die Nato", "die EU", "die Vereinten Nationen", "die OSZE", "die IAEA", "das Rote Kreuz",
           "die Bundesregierung", "die EU-Kommission"],
    "en": ["NATO", "the EU", "the United Nations", "the OSCE", "the IAEA", "the Red Cross",
           "the German government", "the European Commission"],
}
DAYS = {"de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
        "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]}
TEAMS = ["Borussia Dortmund", "RB Leipzig", "Eintracht Frankfurt", "VfB Stuttgart", "SC Freiburg",
         "Bayer Leverkusen", "Werder Bremen", "Union Berlin", "Arsenal", "Liverpool", "Aston Villa", "Newcastle"]
COMPANIES = ["Rheinmetall", "Hensoldt", "Renk", "Thales", "BAE Systems", "Leonardo", "Saab", "Kongsberg"]

# --- German text pools ------------------------------------------------------------------------

DE = {
    "diplomacy": {
        "headline": [
            "{p} und {p2} beraten in {v} über Waffenruhe",
            "Neue Gesprächsrunde in {v}: Delegationen verhandeln über Gefangenenaustausch",
            "{o} dringt auf Friedensgespräche - Treffen in {v} geplant",
            "Außenminister treffen sich in {v} - Vermittler sehen Bewegung",
            "Gipfeltreffen in {v}: Staatschefs ringen um Friedensplan",
            "Sondergesandter {p} reist nach {v} - Gespräche über Sicherheitsgarantien",
        ],
        "lead": [
            "Die Außenminister der Ukraine und mehrerer europäischer Staaten sind am {d} in {v} zu neuen Gesprächen über eine Waffenruhe zusammengekommen. {p} sagte vor Beginn der Verhandlungen, man sei zu einem Treffen auf Präsidentenebene bereit.",
            "Unterhändler aus Kiew und Moskau haben sich nach Angaben der Vermittler in {v} auf einen weiteren Gefangenenaustausch geeinigt. Insgesamt sollen {n} Kriegsgefangene freikommen, wie {t} mitteilte.",
            "{p} hat sich nach einem Telefonat mit {p2} vorsichtig optimistisch über die Chancen auf eine Verhandlungslösung geäußert. Ein Friedensabkommen sei aber noch nicht in Sicht.",
            "Bei dem Gipfel in {v} haben die Staats- und Regierungschefs über einen Fahrplan für Friedensverhandlungen beraten. Die Abschlusserklärung blieb nach Angaben von Diplomaten in mehreren Punkten vage.",
        ],
        "body": [
            "Die Delegationen wollen sich nach Angaben aus Verhandlungskreisen in der kommenden Woche erneut treffen.",
            "{o} bot an, zwischen den Kriegsparteien zu vermitteln, und verwies auf frühere Vereinbarungen.",
            "Ein Sprecher des Kremls erklärte, Russland prüfe den Vorschlag für ein weiteres Treffen in {v}.",
            "Diplomaten rechnen nicht mit einem raschen Durchbruch, sprechen aber von einer ernsthaften Gesprächsatmosphäre.",
            "Zuletzt hatten sich beide Seiten lediglich auf den Austausch von Kriegsgefangenen verständigt.",
            "Nach Angaben des Außenamts geht es in der Gesprächsrunde vor allem um Sicherheitsgarantien und eine Überwachung der Waffenruhe.",
            "{p2} telefonierte am Abend mit {p} und sprach von einem konstruktiven Dialog.",
            "Der Sondergesandte {x} kündigte an, in den nächsten Tagen nach {v} zu reisen.",
            "Im UN-Sicherheitsrat soll am {d} über eine gemeinsame Erklärung beraten werden.",
            "Die Vermittler legten nach Angaben von Teilnehmern einen Entwurf mit {n} Punkten vor.",
            "Ein Diplomat sagte, der Entwurf enthalte Vorschläge für eine entmilitarisierte Zone entlang der Front.",
        ],
        "subhead": ["Vermittlung durch {c}", "Nächste Runde in {v}", "Streit um Sicherheitsgarantien",
                    "Gefangene sollen freikommen"],
    },
    "military_aid": {
        "headline": [
            "{c} sagt Kiew weitere {w}-Systeme zu",
            "Neues Militärpaket: {c} liefert Munition und Luftabwehr",
            "Pistorius kündigt Waffenlieferung im Wert von {m} Millionen Euro an",
            "Kontaktgruppe in Ramstein: Partner sagen Militärhilfe zu",
            "Ukraine erhält weitere Kampfpanzer vom Typ {w}",
            "Streit um Lieferung von {w}-Marschflugkörpern",
        ],
        "lead": [
            "{c} will der Ukraine weitere Waffen liefern. Wie das Verteidigungsministerium am {d} mitteilte, umfasst das neue Militärhilfspaket unter anderem Munition für {w}-Systeme und Ersatzteile für Kampfpanzer.",
            "Die Bundesregierung hat der Ukraine zusätzliche militärische Unterstützung im Umfang von {m} Millionen Euro zugesagt. Damit sollen vor allem Flugabwehrsysteme vom Typ {w} finanziert werden.",
            "Beim Treffen der Ukraine-Kontaktgruppe haben die Partnerländer neue Waffenlieferungen angekündigt. {p} sprach von einem wichtigen Signal an Moskau.",
            "Die Ukraine soll nach Angaben aus Regierungskreisen weitere {n} Panzer vom Typ {w} erhalten. Die Lieferung soll noch vor dem Winter abgeschlossen werden.",
        ],
        "body": [
            "Seit Beginn des Krieges hat {c} nach Regierungsangaben Rüstungsgüter im Wert von mehreren Milliarden Euro bereitgestellt.",
            "Die Munitionslieferung soll über einen Ringtausch mit osteuropäischen Partnern organisiert werden.",
            "{p} dankte den Verbündeten und forderte zugleich mehr Luftverteidigung für die Städte im Osten des Landes.",
            "Auf der Liste stehen nach Angaben des Ministeriums auch Ersatzteile, Drohnen und Artilleriegranaten.",
            "Die Exportgenehmigung für die Systeme sei bereits erteilt, hieß es aus dem Ministerium.",
            "Kritiker bemängeln, die Zusagen kämen zu spät und reichten nicht aus.",
            "Die Finanzierung erfolgt zum Teil aus Zinserträgen eingefrorener russischer Vermögen.",
            "Die Industrie soll die Produktion von Munition in den kommenden Monaten deutlich ausweiten.",
            "Nach Angaben von {x}, einem Experten für Rüstungsfragen, sind die Lager vieler Partner weitgehend geleert.",
            "Über die Lieferung weitreichender Waffensysteme wird in der Koalition weiter gestritten.",
        ],
        "subhead": ["Luftverteidigung hat Vorrang", "Lager weitgehend leer", "Finanzierung über Zinserträge",
                    "Kritik an langsamen Zusagen"],
    },
    "strikes": {
        "headline": [
            "Russischer Drohnenangriff auf {pl} - {k} Tote",
            "Raketenangriff auf Energieanlagen in {pl}",
            "Luftalarm in der ganzen Ukraine - Einschläge in {pl}",
            "Ukrainische Drohnen greifen Raffinerie bei {pl} an",
            "Massiver Luftangriff: Luftabwehr fängt {n} Drohnen ab",
            "Artilleriebeschuss auf {pl}: Wohnhäuser beschädigt",
        ],
        "lead": [
            "Bei einem russischen Drohnenangriff auf die Stadt {pl} sind nach Behördenangaben mindestens {k} Menschen getötet worden. Weitere {n} Menschen wurden verletzt, als Trümmer abgeschossener Drohnen auf Wohnhäuser fielen.",
            "Russland hat die Ukraine in der Nacht zum {d} erneut mit Raketen und Kampfdrohnen angegriffen. Die Luftwaffe teilte mit, sie habe {n} von {n2} Drohnen und mehrere Marschflugkörper abgefangen.",
            "Ukrainische Kampfdrohnen haben nach Angaben aus Kiew eine Ölraffinerie in der russischen Region {pl} getroffen. Auf Videos waren Explosionen und ein großer Brand zu sehen.",
            "Die Stadt {pl} ist erneut unter schweren Artilleriebeschuss geraten. Nach Angaben der Militärverwaltung wurden {k} Zivilisten getötet und zahlreiche Gebäude zerstört.",
        ],
        "body": [
            "Die Flugabwehr war nach Angaben der Militärverwaltung stundenlang im Einsatz.",
            "In mehreren Stadtteilen fiel der Strom aus, nachdem ein Umspannwerk getroffen worden war.",
            "Bürgermeister {x} sprach von der schwersten Angriffswelle seit Wochen.",
            "Das russische Verteidigungsministerium erklärte, es seien militärische Ziele angegriffen worden.",
            "Rettungskräfte suchten in den Trümmern eines Wohnhauses nach Verschütteten.",
            "Der Luftalarm dauerte in der Hauptstadt mehr als vier Stunden.",
            "Russland setzt seit Monaten verstärkt Gleitbomben und Drohnen vom Typ Shahed ein.",
            "Nach Angaben des Generalstabs wurden auch Stellungen an der Front mit Artillerie beschossen.",
            "Die ukrainische Luftwaffe meldete den Abschuss von {n} Drohnen über dem Gebiet {pl}.",
            "Die Angaben beider Seiten ließen sich zunächst nicht unabhängig überprüfen.",
            "{p} forderte nach dem Angriff erneut mehr Luftverteidigungssysteme von den Partnern.",
        ],
        "subhead": ["Stromausfälle in mehreren Städten", "Suche nach Verschütteten", "Angriffe auch an der Front",
                    "Kiew fordert mehr Luftabwehr"],
    },
    "sport": {
        "headline": ["{team} gewinnt Spitzenspiel gegen {team2}", "Später Treffer: {team} bleibt Tabellenführer",
                     "{team} verliert nach Elfmeter in der Nachspielzeit"],
        "lead": ["{team} hat das Spitzenspiel der Bundesliga gegen {team2} mit 3:1 gewonnen. Nach einem frühen Angriff über die linke Seite traf {x} bereits in der achten Minute zur Führung."],
        "body": [
            "Der Trainer lobte nach dem Spiel vor allem die Defensive seiner Mannschaft.",
            "Nach der Halbzeit erhöhte {team2} den Druck, doch der Torwart hielt mehrfach stark.",
            "Ein Konter in der 78. Minute brachte schließlich die Entscheidung.",
            "Der Angriff der Gäste blieb über weite Strecken harmlos.",
            "In der Tabelle liegt {team} nun {n} Punkte vor dem Verfolger.",
            "Am kommenden Spieltag geht es gegen {team2}.",
        ],
        "subhead": ["Früher Treffer", "Konter entscheidet", "Torwart in Topform"],
    },
    "labour": {
        "headline": ["Verdi ruft zu Warnstreik im Nahverkehr auf", "Tarifverhandlungen gescheitert: Streik bei der Bahn",
                     "IG Metall droht mit Ausweitung der Streiks"],
        "lead": ["Die Gewerkschaft Verdi hat die Beschäftigten im öffentlichen Nahverkehr für {d} zu einem ganztägigen Warnstreik aufgerufen. Die Tarifverhandlungen mit den Arbeitgebern waren zuvor ohne Ergebnis vertagt worden."],
        "body": [
            "Die Gewerkschaft fordert eine Lohnerhöhung von {k} Prozent bei einer Laufzeit von zwölf Monaten.",
            "Die Arbeitgeber nannten die Forderung überzogen und legten ein eigenes Angebot vor.",
            "Die nächste Verhandlungsrunde ist für Ende des Monats angesetzt.",
            "Fahrgäste müssen sich auf erhebliche Einschränkungen einstellen.",
            "Ein Sprecher der Gewerkschaft sprach von einem deutlichen Signal an die Arbeitgeber.",
            "Der Arbeitskampf könnte nach Einschätzung von Beobachtern noch Wochen dauern.",
        ],
        "subhead": ["Forderung nach mehr Lohn", "Arbeitgeber weisen Kritik zurück"],
    },
    "markets": {
        "headline": ["Rüstungsaktien legen kräftig zu - {co} mit Kurssprung", "Dax schließt fester - Rüstungswerte gefragt"],
        "lead": ["Die Aktien von {co} sind am {d} um mehr als {k} Prozent gestiegen. Anleger setzten nach Berichten über neue Waffenlieferungen auf volle Auftragsbücher der Branche."],
        "body": [
            "Analysten hoben das Kursziel für die Aktie an und verwiesen auf den hohen Auftragsbestand.",
            "Im Dax gehörten Rüstungswerte zu den größten Gewinnern des Tages.",
            "Der Umsatz des Konzerns war im dritten Quartal deutlich gestiegen.",
            "Auch Zulieferer wie {co2} profitierten von der Kauflaune der Anleger.",
            "Händler sprachen von Gewinnmitnahmen am Nachmittag.",
        ],
        "subhead": ["Kursziel angehoben", "Zulieferer ziehen mit"],
    },
    "cyber": {
        "headline": ["Cyberangriff legt Stadtverwaltung lahm", "Hackerangriff auf IT-Dienstleister: Behörden betroffen"],
        "lead": ["Ein Cyberangriff hat die IT-Systeme der Stadtverwaltung in {vde} weitgehend lahmgelegt. Nach Angaben eines Sprechers verschafften sich Unbekannte mit einer Schadsoftware Zugriff auf die Server."],
        "body": [
            "Die Angreifer verlangen nach Angaben der Ermittler ein Lösegeld.",
            "Bürgerämter bleiben bis auf Weiteres geschlossen.",
            "Experten gehen von einem Angriff mit Erpressungssoftware aus.",
            "Das Landeskriminalamt hat die Ermittlungen übernommen.",
            "Ob Daten abgeflossen sind, ist bislang unklar.",
        ],
        "subhead": ["Bürgerämter geschlossen", "Ermittler prüfen Datenabfluss"],
    },
    "space": {
        "headline": ["Raketenstart geglückt: Satellit erreicht Umlaufbahn", "Testflug der neuen Trägerrakete verschoben"],
        "lead": ["Eine Trägerrakete hat am {d} erfolgreich einen Erdbeobachtungssatelliten in die Umlaufbahn gebracht. Die Rakete hob am frühen Morgen von der Startrampe ab."],
        "body": [
            "Die Esa sprach von einem wichtigen Schritt für die europäische Raumfahrt.",
            "Der Satellit soll künftig Daten über Waldbrände und Hochwasser liefern.",
            "Ein erster Testflug war im Frühjahr wegen technischer Probleme abgebrochen worden.",
            "Die Nutzlast wog nach Angaben des Herstellers rund {m} Kilogramm.",
        ],
        "subhead": ["Erfolg für Europas Raumfahrt"],
    },
    "domestic": {
        "headline": ["Koalition einigt sich auf Haushaltsentwurf", "Bundestag debattiert über Rentenpaket"],
        "lead": ["Die Spitzen der Koalition haben sich nach langen Verhandlungen auf einen Entwurf für den Bundeshaushalt verständigt. {pde} sprach von einem tragfähigen Kompromiss."],
        "body": [
            "Der Entwurf sieht Ausgaben von rund {m} Milliarden Euro vor.",
            "Die Opposition kritisierte die geplante Neuverschuldung scharf.",
            "Im Herbst soll der Bundestag über den Haushalt abstimmen.",
            "Strittig war bis zuletzt vor allem die Finanzierung der Rente.",
            "Der Finanzminister verteidigte die Pläne im Parlament.",
        ],
        "subhead": ["Streit um die Rente", "Opposition kritisiert Schulden"],
    },
    "disaster": {
        "headline": ["Hochwasser in Süddeutschland: Pegel steigen weiter", "Unwetter richtet schwere Schäden an"],
        "lead": ["Nach tagelangem Regen sind in mehreren Regionen Süddeutschlands die Pegel von Flüssen stark gestiegen. Hunderte Anwohner mussten ihre Häuser verlassen."],
        "body": [
            "Die Feuerwehr war mit Hunderten Einsatzkräften im Einsatz.",
            "Der Deutsche Wetterdienst warnte vor weiteren Starkregenfällen.",
            "Mehrere Straßen und Bahnstrecken wurden gesperrt.",
            "Die Schäden gehen nach ersten Schätzungen in die Millionen.",
        ],
        "subhead": ["Straßen gesperrt", "Warnung vor weiterem Regen"],
    },
    "court": {
        "headline": ["Prozessauftakt gegen mutmaßliche Betrüger", "Urteil im Verfahren um Subventionsbetrug erwartet"],
        "lead": ["Vor dem Landgericht hat der Prozess gegen drei mutmaßliche Betrüger begonnen. Die Staatsanwaltschaft wirft den Angeklagten vor, Fördergelder in Millionenhöhe erschlichen zu haben."],
        "body": [
            "Die Verteidiger kündigten an, ihre Mandanten würden sich zunächst nicht äußern.",
            "Für den Prozess sind {n} Verhandlungstage angesetzt.",
            "Der Vorsitzende Richter verlas zu Beginn die Anklage.",
            "Ein Urteil wird nicht vor dem Frühjahr erwartet.",
        ],
        "subhead": ["Angeklagte schweigen"],
    },
}
DE_GENERIC = [
    "Die Lage blieb nach Angaben von Beobachtern angespannt.",
    "Eine offizielle Bestätigung gab es zunächst nicht.",
    "Der Bericht stützt sich auf Angaben aus Regierungskreisen in {vde}.",
    "Beobachter verwiesen auf die schwierige Lage vor dem Winter.",
    "Die Regierung in {vde} wollte sich zu Einzelheiten nicht äußern.",
    "Zuvor hatten mehrere Medien über die Pläne berichtet.",
    "Am {d} sollen weitere Beratungen folgen.",
    "Eine Sprecherin kündigte eine Stellungnahme für den Nachmittag an.",
    "Der Vorgang sorgte auch im Ausland für Aufmerksamkeit.",
    "Nach Angaben von {x} wurde das Thema bereits im Frühjahr diskutiert.",
]
DE_QUOTES = [
    "«Wir erwarten konkrete Schritte und keine leeren Versprechen», sagte {p}.",
    "«Das ist ein wichtiges Signal», sagte {x} der Deutschen Presse-Agentur.",
    "«Die Lage ist ernst, aber nicht hoffnungslos», erklärte ein Sprecher.",
    "«Wir werden weiter an einer Lösung arbeiten», teilte das Ministerium mit.",
]

# --- English text pools -----------------------------------------------------------------------

EN = {
    "diplomacy": {
        "headline": [
            "{p} and {p2} to meet in {v} for ceasefire talks",
            "Negotiators agree new prisoner exchange after talks in {v}",
            "{o} pushes for peace talks as envoys head to {v}",
            "Foreign ministers meet in {v}; mediators see progress",
            "Leaders gather in {v} for summit on peace plan",
            "Envoy {p} travels to {v} for talks on security guarantees",
        ],
        "lead": [
            "Foreign ministers from Ukraine and several European countries met in {v} on {d} for a new round of talks on a ceasefire, with {p} saying Kyiv was ready for a meeting at the level of presidents.",
            "Ukrainian and Russian negotiators agreed in {v} to exchange {n} more prisoners of war, mediators said on {d}, after two days of direct talks.",
            "{p} said after a phone call with {p2} that he was cautiously optimistic about the chances of a negotiated settlement, though a peace agreement was not yet in sight.",
            "Leaders meeting at a summit in {v} discussed a roadmap for peace negotiations, but diplomats said the joint statement remained vague on several key points.",
        ],
        "body": [
            "The delegations plan to meet again next week, according to people familiar with the negotiations.",
            "{o} offered to mediate between the warring parties and pointed to earlier agreements.",
            "A Kremlin spokesman said Russia was studying the proposal for another meeting in {v}.",
            "Diplomats do not expect a quick breakthrough but described the atmosphere as serious.",
            "The two sides had most recently agreed only on an exchange of prisoners.",
            "The round of talks focuses on security guarantees and the monitoring of a ceasefire, the foreign ministry said.",
            "{p2} spoke by phone with {p} in the evening and described the dialogue as constructive.",
            "Special envoy {x} said he would travel to {v} in the coming days.",
            "The UN Security Council is due to discuss a joint declaration on {d}.",
            "Mediators presented a draft with {n} points, according to participants.",
            "One diplomat said the draft included proposals for a demilitarised zone along the front line.",
        ],
        "subhead": ["Mediation by {c}", "Next round in {v}", "Dispute over security guarantees",
                    "Prisoners to be released"],
    },
    "military_aid": {
        "headline": [
            "{c} pledges more {w} systems to Ukraine",
            "New military aid package: {c} to send ammunition and air defence",
            "Germany announces weapons deliveries worth {m} million euros",
            "Allies pledge military aid at Ramstein contact group meeting",
            "Ukraine to receive more {w} tanks",
            "Row over delivery of long-range {w} missiles",
        ],
        "lead": [
            "{c} will supply Ukraine with more weapons, its defence ministry said on {d}, announcing a military aid package that includes ammunition for {w} systems and spare parts for battle tanks.",
            "The German government has pledged additional military assistance worth {m} million euros to Ukraine, mainly to finance {w} air defence systems.",
            "Allies meeting in the Ukraine Defense Contact Group announced new arms deliveries, with {p} calling it an important signal to Moscow.",
            "Ukraine is set to receive {n} more {w} tanks, government sources said, with the delivery due to be completed before winter.",
        ],
        "body": [
            "Since the start of the war, {c} has provided military equipment worth several billion euros, according to government figures.",
            "The ammunition deliveries will be organised through a swap with partners in eastern Europe.",
            "{p} thanked the allies and called for more air defence for cities in the east of the country.",
            "The list also includes spare parts, drones and artillery shells, the ministry said.",
            "Export licences for the systems have already been granted, the ministry said.",
            "Critics said the pledges came too late and were not enough.",
            "The funding comes partly from interest on frozen Russian assets.",
            "Industry is expected to ramp up ammunition production significantly in the coming months.",
            "According to {x}, an arms expert, the stockpiles of many partners are largely depleted.",
            "The coalition remains divided over the supply of long-range weapons.",
        ],
        "subhead": ["Air defence a priority", "Stockpiles running low", "Funding from frozen assets",
                    "Criticism of slow pledges"],
    },
    "strikes": {
        "headline": [
            "Russian drone attack on {pl} kills {k}",
            "Missile strike hits energy facilities in {pl}",
            "Air raid alert across Ukraine as explosions hit {pl}",
            "Ukrainian drones strike refinery near {pl}",
            "Massive air attack: air defences shoot down {n} drones",
            "Shelling of {pl} damages apartment blocks",
        ],
        "lead": [
            "A Russian drone attack on the city of {pl} killed at least {k} people and wounded {n} others when debris from downed drones fell on residential buildings, officials said on {d}.",
            "Russia attacked Ukraine overnight with missiles and attack drones, the air force said, adding that it shot down {n} of {n2} drones and several cruise missiles.",
            "Ukrainian attack drones hit an oil refinery in Russia's {pl} region, Kyiv said, with videos showing explosions and a large fire.",
            "The city of {pl} came under heavy artillery fire again, with the military administration saying {k} civilians were killed and many buildings destroyed.",
        ],
        "body": [
            "Air defences were active for hours, the military administration said.",
            "Power went out in several districts after a substation was hit.",
            "Mayor {x} called it the heaviest wave of attacks in weeks.",
            "The Russian defence ministry said military targets had been struck.",
            "Rescue workers searched the rubble of an apartment building for survivors.",
            "The air raid alert in the capital lasted more than four hours.",
            "Russia has stepped up its use of glide bombs and Shahed drones in recent months.",
            "The general staff said positions on the front line had also been shelled.",
            "Ukraine's air force reported shooting down {n} drones over the {pl} region.",
            "The claims of both sides could not be independently verified.",
            "{p} again called on partners to provide more air defence systems after the attack.",
        ],
        "subhead": ["Power cuts in several cities", "Search for survivors", "Attacks along the front",
                    "Kyiv calls for more air defence"],
    },
    "sport": {
        "headline": ["{team} beat {team2} in top-of-the-table clash", "Late goal keeps {team} top of the league",
                     "{team} lose to stoppage-time penalty"],
        "lead": ["{team} beat {team2} 3-1 in the league's top match, with {x} scoring in the eighth minute after an early attack down the left."],
        "body": [
            "The coach praised his team's defence after the match.",
            "After half-time {team2} stepped up the pressure, but the goalkeeper made several strong saves.",
            "A counter-attack in the 78th minute decided the match.",
            "The visitors' attack looked harmless for long stretches.",
            "{team} are now {n} points clear at the top of the league.",
            "Next up for them is a trip to {team2}.",
        ],
        "subhead": ["Early goal", "Counter-attack decides it", "Goalkeeper in top form"],
    },
    "labour": {
        "headline": ["Rail workers go on strike after pay talks collapse", "Union threatens wider strikes at carmaker"],
        "lead": ["Rail workers went on strike on {d} after wage talks with employers broke down, the union said, demanding a pay rise of {k} percent over twelve months."],
        "body": [
            "Employers called the demand excessive and made a counter offer.",
            "The next round of contract talks is scheduled for the end of the month.",
            "Passengers face major disruption, the operator warned.",
            "A union official called the walkout a clear signal to employers.",
            "Observers said the labour dispute could last for weeks.",
            "Picket lines formed outside several depots early in the morning.",
        ],
        "subhead": ["Demand for higher wages", "Employers reject criticism"],
    },
    "markets": {
        "headline": ["Defence stocks rally as {co} shares jump", "European shares close higher, defence stocks in demand"],
        "lead": ["Shares in {co} rose more than {k} percent on {d} as investors bet on full order books for the sector after reports of new weapons deliveries."],
        "body": [
            "Analysts raised their price target, citing the strong order book.",
            "Defence stocks were among the biggest gainers on the Stoxx index.",
            "The company's revenue rose sharply in the third quarter.",
            "Suppliers such as {co2} also benefited from investors' appetite.",
            "Traders reported profit-taking in the afternoon.",
        ],
        "subhead": ["Price target raised", "Suppliers follow"],
    },
    "cyber": {
        "headline": ["Cyber attack cripples city council systems", "Ransomware attack on IT provider hits agencies"],
        "lead": ["A cyber attack has largely crippled the IT systems of the city council in {ven}, a spokesman said, after unknown hackers gained access to its servers with malware."],
        "body": [
            "The attackers are demanding a ransom, investigators said.",
            "Citizens' offices will remain closed until further notice.",
            "Experts believe it was a ransomware attack.",
            "Police cybercrime investigators have taken over the case.",
            "It is not yet clear whether data was stolen.",
        ],
        "subhead": ["Offices closed", "Investigators check for data breach"],
    },
    "space": {
        "headline": ["Rocket launch succeeds as satellite reaches orbit", "Test flight of new launcher postponed"],
        "lead": ["A rocket successfully placed an Earth observation satellite into orbit on {d}, lifting off from the launch pad early in the morning."],
        "body": [
            "The European Space Agency called it an important step for European spaceflight.",
            "The satellite will provide data on wildfires and floods.",
            "A first test flight in the spring was aborted because of technical problems.",
            "The payload weighed around {m} kilograms, the manufacturer said.",
        ],
        "subhead": ["Success for Europe in space"],
    },
    "domestic": {
        "headline": ["Coalition agrees draft budget after marathon talks", "Parliament debates pension reform"],
        "lead": ["Leaders of the governing coalition agreed a draft federal budget after lengthy talks, with {pen} calling it a workable compromise."],
        "body": [
            "The draft foresees spending of around {m} billion euros.",
            "The opposition sharply criticised the planned new borrowing.",
            "Parliament is due to vote on the budget in the autumn.",
            "Funding for pensions remained the main point of dispute.",
            "The finance minister defended the plans in parliament.",
        ],
        "subhead": ["Dispute over pensions", "Opposition attacks debt"],
    },
    "disaster": {
        "headline": ["Floods in southern Germany as rivers keep rising", "Storms cause heavy damage"],
        "lead": ["River levels rose sharply in several regions of southern Germany after days of heavy rain, forcing hundreds of residents to leave their homes."],
        "body": [
            "Hundreds of firefighters were deployed.",
            "The weather service warned of more heavy rain.",
            "Several roads and railway lines were closed.",
            "Damage is estimated in the millions, according to first estimates.",
        ],
        "subhead": ["Roads closed", "Warning of more rain"],
    },
    "court": {
        "headline": ["Trial opens against suspected fraudsters", "Verdict expected in subsidy fraud case"],
        "lead": ["The trial of three suspected fraudsters opened in a regional court, with prosecutors accusing the defendants of obtaining millions in subsidies by deception."],
        "body": [
            "Defence lawyers said their clients would not testify for now.",
            "The court has scheduled {n} days of hearings.",
            "The presiding judge read out the indictment.",
            "A verdict is not expected before the spring.",
        ],
        "subhead": ["Defendants stay silent"],
    },
}
EN_GENERIC = [
    "The situation remained tense, observers said.",
    "There was no official confirmation at first.",
    "The report is based on information from government sources in {ven}.",
    "Observers pointed to the difficult situation ahead of winter.",
    "The government in {ven} declined to comment on details.",
    "Several media outlets had earlier reported on the plans.",
    "Further consultations are due on {d}.",
    "A spokeswoman said a statement would follow in the afternoon.",
    "The move also drew attention abroad.",
    "According to {x}, the issue had already been discussed in the spring.",
]
EN_QUOTES = [
    "\"We expect concrete steps, not empty promises,\" {p} said.",
    "\"This is an important signal,\" {x} told reporters.",
    "\"The situation is serious but not hopeless,\" a spokesman said.",
    "\"We will keep working on a solution,\" the ministry said in a statement.",
]

POOLS = {"de": (DE, DE_GENERIC, DE_QUOTES), "en": (EN, EN_GENERIC, EN_QUOTES)}

# Plain text has no id: the story id is a hash of agency, headline and lead, so every lead gets
# one sentence carrying a figure unique to the record (real leads differ anyway).
LEAD_TAILS = {
    "de": ["Nach Angaben der Behörden waren zunächst {u} Einsatzkräfte an dem Einsatz beteiligt.",
           "Das geht aus einem Lagebericht mit der Nummer {u} hervor.",
           "Seit Jahresbeginn wurden in dem Zusammenhang {u} Meldungen registriert.",
           "Das Dokument umfasst nach Angaben eines Sprechers {u} Seiten."],
    "en": ["Officials said {u} staff had been involved in the operation so far.",
           "The figures were published in situation report number {u}.",
           "Since the start of the year, {u} reports have been logged in this context.",
           "The document runs to {u} pages, a spokesman said."],
}
AGENCIES = {"de": ["dpa", "dpa", "dpa", "AFP", "KNA"], "en": ["Reuters", "Reuters", "AP", "AFP"]}


@dataclass(frozen=True, slots=True)
class GenItem:
    """One generated Kafka record and what the generator meant it to be."""

    index: int
    key: bytes
    raw: bytes
    fmt: str  # text, json, ninjs, digitalwires, or "broken"
    lang: str
    kind: str  # a desk, "two-desks", a negative, "update", "cancel", "redelivery", "embargoed", "broken"
    urgent: bool = False


class _Fill(dict[str, str]):
    """str.format_map source that draws every slot lazily from the generator's RNG."""

    def __init__(self, gen: WireGenerator, lang: str) -> None:
        super().__init__()
        self.gen = gen
        self.lang = lang

    def __missing__(self, key: str) -> str:
        r = self.gen.rng
        lang = self.lang
        value: str
        if key in ("p", "p2"):
            name, title = r.choice(PEOPLE[lang])
            value = f"{title} {name}" if r.random() < 0.5 else name
        elif key in ("pde", "pen"):
            value = r.choice(PEOPLE["de" if key == "pde" else "en"])[0]
        elif key == "x":
            value = f"{r.choice(FIRST)} {r.choice(LAST)}"
        elif key == "pl":
            value = r.choice(PLACES[lang])
        elif key == "v":
            value = r.choice(VENUES[lang])
        elif key in ("vde", "ven"):
            value = r.choice(VENUES["de" if key == "vde" else "en"])
        elif key == "c":
            value = r.choice(COUNTRIES[lang])
        elif key == "o":
            value = r.choice(ORGS[lang])
        elif key == "w":
            value = r.choice(WEAPONS)
        elif key in ("team", "team2"):
            value = r.choice(TEAMS)
        elif key in ("co", "co2"):
            value = r.choice(COMPANIES)
        elif key == "d":
            value = r.choice(DAYS[lang])
        elif key in ("n", "n2"):
            value = str(r.randint(3, 95))
        elif key == "k":
            value = str(r.randint(2, 19))
        elif key == "m":
            value = str(r.randint(12, 980))
        elif key == "t":
            value = r.choice(ORGS[lang])
        else:
            value = key
        self[key] = value  # one value per slot name within a sentence
        return value


class WireGenerator:
    """``items(n)`` yields n records; the mix is fixed, the content varies with the seed."""

    def __init__(self, seed: int = 8, *, mean_chars: int = 2700, now: float | None = None) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.mean_chars = mean_chars
        self.now = datetime.fromtimestamp(now, UTC) if now is not None else datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
        self._recent: list[tuple[str, str, str, dict[str, object]]] = []  # (fmt, lang, key, state) for updates
        self._recent_raw: list[tuple[bytes, bytes]] = []

    # -- text --------------------------------------------------------------------------------

    def _fill(self, template: str, lang: str) -> str:
        return template.format_map(_Fill(self, lang))

    def _paragraphs(self, lang: str, kind: str, target: int) -> tuple[str, str, list[tuple[str, bool]]]:
        """(headline, lead, body blocks) for one item; body blocks are (text, is_subhead)."""
        r = self.rng
        pools, generic, quotes = POOLS[lang]
        pool = pools[kind]
        headline = self._fill(r.choice(pool["headline"]), lang)
        lead = self._fill(r.choice(pool["lead"]), lang)
        blocks: list[tuple[str, bool]] = []
        body = r.sample(pool["body"], len(pool["body"]))  # desk sentences without repeats
        size = len(headline) + len(lead)
        since_subhead = 0
        while size < target:
            if since_subhead >= 3 and r.random() < 0.35:
                sub = self._fill(r.choice(pool["subhead"]), lang)
                blocks.append((sub, True))
                size += len(sub) + 2
                since_subhead = 0
                continue
            sentences = []
            for _ in range(r.randint(2, 4)):
                roll = r.random()
                source = body if roll < 0.62 else (generic if roll < 0.9 else quotes)
                if not source:  # every sentence of this pool used once: start over
                    source = body = r.sample(pool["body"], len(pool["body"]))
                sentences.append(self._fill(source.pop() if source is body else r.choice(source), lang))
            text = " ".join(sentences)
            blocks.append((text, False))
            size += len(text) + 2
            since_subhead += 1
        if blocks and blocks[-1][1]:
            blocks.pop()
        return headline, lead, blocks

    def _target(self) -> int:
        # lognormal around the mean: most items 1.5-5 KB, a few long ones up to ~10 KB
        value = self.rng.lognormvariate(0, 0.45) * self.mean_chars * 0.9
        return int(min(max(value, 700), 10_000))

    def _mixed(self, lang: str, target: int) -> tuple[str, str, list[tuple[str, bool]], str]:
        first, second = self.rng.sample(DESKS, 2)
        h, lead, blocks = self._paragraphs(lang, first, target // 2)
        _, lead2, blocks2 = self._paragraphs(lang, second, target // 2)
        return h, lead, [*blocks, (lead2, False), *blocks2], "two-desks"

    # -- formats -----------------------------------------------------------------------------

    def _dateline(self, lang: str, agency: str, place: str) -> str:
        if lang == "de":
            return f"{place.upper()} ({agency}) - "
        if agency == "AP":
            return f"{place.upper()} (AP) — "
        return f"{place.upper()}, {self.now.strftime('%b')} {self.now.day} ({agency}) - "

    def _slug(self, agency: str) -> str:
        r = self.rng
        if agency == "dpa":
            letters = "abcdefghijklmnopqrstuvwxyz"
            return "/" + "/".join("".join(r.choice(letters) for _ in range(r.randint(2, 3))) for _ in range(3))
        return ""

    @staticmethod
    def _wrap(text: str, width: int = 72) -> str:
        lines, line = [], ""
        for word in text.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        return "\n".join(lines)

    def _text(self, lang: str, headline: str, lead: str, blocks: list[tuple[str, bool]], place: str,
              urgent: bool) -> bytes:
        r = self.rng
        agency = r.choice(AGENCIES[lang])
        wrap = r.random() < 0.3
        if urgent:
            headline = ("Eilmeldung: " if lang == "de" else "BREAKING: ") + headline
        parts = [headline]
        if r.random() < 0.2:
            parts.append(f"Von {r.choice(FIRST)} {r.choice(LAST)}, {agency}" if lang == "de"
                         else f"By {r.choice(FIRST)} {r.choice(LAST)}")
        parts.append(self._dateline(lang, agency, place) + lead)
        parts.extend(text for text, _ in blocks)
        if wrap:  # hard-wrapped body lines; the headline stays one line, as agencies send it
            parts = [parts[0], *(self._wrap(p) for p in parts[1:])]
        body = "\n\n".join(parts)
        slug = self._slug(agency)
        if slug:
            body += slug if r.random() < 0.5 else "\n" + f"dpa {r.choice(['xy', 'ab', 'kw'])} yy z2 a3 {slug[1:4]}/{slug[-2:]}"
        return body.encode()

    def _html(self, dateline: str | None, lead: str, blocks: list[tuple[str, bool]]) -> str:
        esc = html.escape
        out = ['<section class="main">']
        if dateline:
            out.append(f'<p><span class="dateline">{esc(dateline)}</span>{esc(lead)}</p>')
        else:
            out.append(f"<p>{esc(lead)}</p>")
        for text, sub in blocks:
            out.append(f"<h2>{esc(text)}</h2>" if sub else f"<p>{esc(text)}</p>")
        out.append("</section>")
        return "".join(out)

    def _iso(self, minutes: int = 0) -> str:
        return (self.now + timedelta(minutes=minutes)).isoformat(timespec="seconds").replace("+00:00", "Z")

    def _json(self, state: dict[str, object]) -> bytes:
        lang = str(state["lang"])
        blocks = state["blocks"]
        assert isinstance(blocks, list)
        body = "\n\n".join([self._dateline(lang, str(state["agency"]), str(state["place"])) + str(state["lead"]),
                            *(t for t, _ in blocks)])
        obj: dict[str, object] = {"id": state["id"], "language": lang, "title": state["headline"], "body": body,
                                  "agency": state["agency"]}
        if state.get("urgency"):
            obj["urgency"] = state["urgency"]
        if int(state["version"]) > 1:  # type: ignore[call-overload]
            obj["version"] = state["version"]
        return orjson.dumps(obj)

    def _ninjs(self, state: dict[str, object]) -> bytes:
        lang = str(state["lang"])
        blocks = state["blocks"]
        assert isinstance(blocks, list)
        agency = str(state["agency"])
        obj: dict[str, object] = {
            "uri": state["id"], "type": "text", "version": str(state["version"]),
            "firstcreated": self._iso(), "versioncreated": self._iso(int(state["version"]) * 7),  # type: ignore[call-overload]
            "pubstatus": state.get("pubstatus", "usable"), "language": "de-DE" if lang == "de" else "en-GB",
            "headlines": [{"role": "main", "value": state["headline"]}],
            "bodies": [{"role": "main", "contenttype": "text/html",
                        "value": self._html(self._dateline(lang, agency, str(state["place"])), str(state["lead"]),
                                            blocks)}],
            "located": state["place"], "subjects": [{"literal": "medtop:20000638", "name": "international relations"}],
        }
        if state.get("urgency"):
            obj["urgency"] = state["urgency"]
        if state.get("embargoed"):
            obj["embargoed"] = state["embargoed"]
        return orjson.dumps(obj)

    def _digitalwires(self, state: dict[str, object]) -> bytes:
        blocks = state["blocks"]
        assert isinstance(blocks, list)
        version = int(state["version"])  # type: ignore[call-overload]
        place = str(state["place"])
        obj: dict[str, object] = {
            "format": "digitalwires@0.9.1", "type": "text", "urn": state["id"], "version": version,
            "version_created": self._iso(version * 5), "pubstatus": state.get("pubstatus", "usable"),
            "language": state["lang"], "urgency": state.get("urgency") or 3, "headline": state["headline"],
            "byline": f"Von {self.rng.choice(FIRST)} {self.rng.choice(LAST)}, dpa",
            "dateline": f"{place} (dpa) - ",
            "article_html": self._html(f"{place} (dpa) - ", str(state["lead"]), blocks),
            "ednotes": [{"role": "dpaednoterole:closingline", "ednote": "dpa xy yy z2 a3 abc/def"}],
            "categories": [{"type": "dnltype:dpasubject", "name": "Konflikte", "qcode": "dpasubject:10"},
                           {"type": "dnltype:keyword", "name": "Ukraine", "qcode": None}],
        }
        if version > 1:
            obj["signal"] = "sig:update"
        return orjson.dumps(obj)

    # -- records -----------------------------------------------------------------------------

    def _encode(self, fmt: str, state: dict[str, object]) -> bytes:
        if fmt == "json":
            return self._json(state)
        if fmt == "ninjs":
            return self._ninjs(state)
        return self._digitalwires(state)

    def _new(self, index: int, fmt: str | None = None) -> GenItem:
        r = self.rng
        fmt = fmt or r.choices(FORMATS, weights=(50, 25, 13, 12))[0]
        lang = "de" if fmt == "digitalwires" else r.choice(("de", "en"))
        roll = r.random()
        kind = r.choice(DESKS) if roll < 0.58 else ("two-desks" if roll < 0.66 else r.choice(NEGATIVES))
        target = self._target()
        if kind == "two-desks":
            headline, lead, blocks, _ = self._mixed(lang, target)
        else:
            headline, lead, blocks = self._paragraphs(lang, kind, target)
        urgent = kind in DESKS and r.random() < 0.06
        place = r.choice(PLACES[lang] if kind in ("strikes", "two-desks") else VENUES[lang])
        if fmt == "text":
            lead = f"{lead} {r.choice(LEAD_TAILS[lang]).format(u=f'{1000 + index:,}'.replace(',', '.'))}"
            raw = self._text(lang, headline, lead, blocks, place, urgent)
            key = f"txt-{self.seed}-{index}".encode()
            self._recent_raw.append((key, raw))
            return GenItem(index, key, raw, fmt, lang, kind, urgent)
        story = {"json": f"bench-{self.seed}-{index}", "ninjs": f"urn:bench:wire:{self.seed}:{index}",
                 "digitalwires": f"urn:newsml:dpa.com:20090101:{self.now:%y%m%d}-99-{self.seed:02d}{index:07d}"}[fmt]
        state: dict[str, object] = {
            "id": story, "lang": lang, "headline": headline, "lead": lead, "blocks": blocks, "place": place,
            "agency": "dpa" if fmt == "digitalwires" else r.choice(AGENCIES[lang]), "version": 1,
            "urgency": r.choice((1, 2)) if urgent else r.choice((3, 3, 4, None)),
        }
        raw = self._encode(fmt, state)
        key = story.encode()
        self._recent.append((fmt, lang, story, state))
        self._recent_raw.append((key, raw))
        if len(self._recent) > 4000:
            del self._recent[:2000]
        if len(self._recent_raw) > 4000:
            del self._recent_raw[:2000]
        return GenItem(index, key, raw, fmt, lang, kind, urgent)

    def _update(self, index: int) -> GenItem | None:
        if not self._recent:
            return None
        r = self.rng
        fmt, lang, story, state = r.choice(self._recent)
        blocks = list(state["blocks"])  # type: ignore[call-overload]
        extra = self._paragraphs(lang, r.choice(DESKS), 600)[2]
        state = {**state, "version": int(state["version"]) + 1, "blocks": [*blocks, *extra]}  # type: ignore[call-overload]
        if r.random() < 0.3:  # an escalating update: more urgent, more casualties
            state["urgency"] = 1
            state["headline"] = str(state["headline"]) + (" - Zahl der Toten steigt" if lang == "de"
                                                          else " - death toll rises")
        for i, entry in enumerate(self._recent):
            if entry[2] == story:
                self._recent[i] = (fmt, lang, story, state)
        return GenItem(index, story.encode(), self._encode(fmt, state), fmt, lang, "update", state["urgency"] == 1)

    def _cancel(self, index: int) -> GenItem | None:
        candidates = [e for e in self._recent if e[0] == "digitalwires"]
        if not candidates:
            return None
        fmt, lang, story, state = self.rng.choice(candidates)
        state = {**state, "version": int(state["version"]) + 1, "pubstatus": "canceled"}  # type: ignore[call-overload]
        self._recent = [e for e in self._recent if e[2] != story]
        return GenItem(index, story.encode(), self._encode(fmt, state), fmt, lang, "cancel")

    def _embargoed(self, index: int) -> GenItem:
        item = self._new(index, "ninjs")
        obj = orjson.loads(item.raw)
        obj["embargoed"] = self._iso(24 * 60 * 30)  # far enough ahead to stay embargoed during the run
        return GenItem(index, item.key, orjson.dumps(obj), item.fmt, item.lang, "embargoed")

    def _broken(self, index: int) -> GenItem:
        r = self.rng
        choice = r.randrange(4)
        raw = [b'{"title": "Abgeschnittene Meldung", "body": "KIEW (dpa) - Die Verhandl',
               b"   \n  ", b"\x00\x01\x02binary" * 20, b'["not", "an", "object"]'][choice]
        return GenItem(index, f"broken-{self.seed}-{index}".encode(), raw, "broken", "-", "broken")

    def item(self, index: int) -> GenItem:
        r = self.rng
        roll = r.random()
        special: GenItem | None = None
        if roll < 0.06:
            special = self._update(index)
        elif roll < 0.065:
            special = self._cancel(index)
        elif roll < 0.071 and self._recent_raw:
            key, raw = r.choice(self._recent_raw)
            fmt = "text" if key.startswith(b"txt-") else "json"
            special = GenItem(index, key, raw, fmt, "-", "redelivery")
        elif roll < 0.076:
            special = self._embargoed(index)
        elif roll < 0.079:
            special = self._broken(index)
        return special or self._new(index)

    def items(self, n: int) -> Iterator[GenItem]:
        for index in range(n):
            yield self.item(index)


def corpus(n: int, seed: int = 8) -> list[GenItem]:
    return list(WireGenerator(seed).items(n))


if __name__ == "__main__":  # a quick look: python -m tests.bench.generator [n]
    import sys
    from collections import Counter

    items = corpus(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
    sizes = sorted(len(i.raw) for i in items)
    print(f"{len(items)} items, mean {sum(sizes) / len(sizes):.0f} B, p50 {sizes[len(sizes) // 2]} B, "
          f"p95 {sizes[int(len(sizes) * 0.95)]} B, max {sizes[-1]} B")
    print("formats", dict(Counter(i.fmt for i in items)))
    print("kinds", dict(Counter(i.kind for i in items)))
    print("langs", dict(Counter(i.lang for i in items)))
    print(items[3].raw.decode(errors="replace")[:1500])
