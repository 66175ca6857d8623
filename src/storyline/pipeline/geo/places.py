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
(:mod:`.spans`). ``geoparser.geonames.v3`` (the default) chooses among
the candidates with a fitted ranker instead of the fixed weights of step 3
(:mod:`.ranker`), reads enclosing names in parentheses ("X (Y, Z)") as
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

from ...model import PLACE_LABELS, GeoPrecision, Place
from .. import entities as entities_stage
from . import names
from .context import Context, Toponym, haversine_km, overlaps
from .gazetteer import Entry, Gazetteer, default_gazetteer_path, name_key
from .ranker import PlaceRanker, kind_word, ranker_features
from .spans import CandidateInfo, SpanModel, span_features

__all__ = ["Geoparser", "GazetteerGeoparser", "haversine_km", "precision_of", "PLACE_LABELS"]

#: Entity labels whose spans ``geoparser.geonames.v2`` considers as toponyms (its span model decides).
CANDIDATE_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "PERSON", "NORP", "EVENT"})

Span = tuple[int, int, str]


class Geoparser(Protocol):
    name: str

    def parse(self, article_id: str, text: str, entities: Sequence[Span]) -> list[Place]: ...


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

class GazetteerGeoparser:
    """Toponym recognition over the entity spans, resolution against the gazetteers."""

    name = "geoparser.geonames.v1"

    def __init__(self, gazetteer: Gazetteer | None = None, *, imported: str | None = None, recognise: bool = True,
                 span_model: SpanModel | None = None, abbreviations: bool | None = None,
                 ranker: PlaceRanker | None = None) -> None:
        self._gazetteer = gazetteer
        self._imported = imported
        self.recognise = recognise
        #: v2: a fitted model decides which candidate spans are toponyms (see :mod:`.spans`)
        self.span_model = span_model
        #: v2: "Ky.", "B.C." name first-level divisions
        self.abbreviations = span_model is not None if abbreviations is None else abbreviations
        if span_model is not None:
            self.name = "geoparser.geonames.v2"
        #: v3: a fitted ranker chooses among a toponym's candidates (see :mod:`.ranker`), names followed by
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
    def _toponyms(self, text: str, entities: Sequence[Span]) -> tuple[list[Toponym], list[tuple[int, str]]]:
        if self.span_model is not None:
            return self._toponyms_by_model(text, entities, self.span_model)
        toponyms, demonyms = [], []
        covered: list[tuple[int, int]] = []
        introduced = self._recognise_introduced(text, [(s, e) for s, e, label in entities if label in PLACE_LABELS])
        # one sense per article: a name tagged as a place once is a place wherever it is tagged
        place_names = {name_key(text[s:e]) for s, e, label in entities if label in PLACE_LABELS}
        for start, end, label in entities:
            if label not in PLACE_LABELS and any(overlaps((start, end), (t.start, t.end)) for t in introduced):
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

    def span_candidates(self, text: str, entities: Sequence[Span]) -> list[tuple[Toponym, dict[str, float]]]:
        """Every candidate toponym of ``text`` with its features (for the span model and for fitting it)."""
        found: dict[tuple[int, int], tuple[Toponym, str]] = {}
        place_keys: dict[str, set[int]] = defaultdict(set)
        for start, end, label in entities:
            if label in ("GPE", "LOC"):
                place_keys[name_key(names.LEADING.sub("", text[start:end]))].add(start)
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
                key = name_key(names.TRAILING.sub("", surface))
                if key and (self.gazetteer.lookup(key) or entities_stage.normalise(surface, "NORP") != entities_stage.normalise(surface, "PERSON")):
                    out.append((s, e, "run"))
                    break
        return out

    def _after_place(self, text: str, start: int) -> bool:
        """The span follows "Name, " where Name is in the gazetteer ("Thruxton, Hampshire")."""
        match = re.search(r"([A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,2}),\s*$", text[max(0, start - 40):start])
        return bool(match and self.gazetteer.lookup(name_key(match.group(1))))

    def _toponyms_by_model(self, text: str, entities: Sequence[Span], model: SpanModel) -> tuple[list[Toponym], list[tuple[int, str]]]:
        # a name introduced by its kind is a place whatever the model says (v1's rule)
        scored = sorted(((1.0 if t.label == "INTRO" else model.probability(f), t) for t, f in self.span_candidates(text, entities)),
                        key=lambda x: (-x[0], x[1].start))
        accepted: list[Toponym] = []
        # accepted spans never overlap, so ordered by start they are ordered by end too: a new span overlaps one
        # of them only if it overlaps the last one starting before its end (a bisection, not a scan)
        starts: list[int] = []
        ends: list[int] = []
        for probability, topo in scored:
            if probability < 0.5:
                break
            at = bisect.bisect_left(starts, topo.end)
            if at and ends[at - 1] > topo.start:
                continue
            starts.insert(at, topo.start)
            ends.insert(at, topo.end)
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

    def _make(self, text: str, start: int, end: int, label: str) -> Toponym | None:
        surface = text[start:end]
        lead = names.LEADING.match(surface)
        if lead:
            start += lead.end()
        trail = names.TRAILING.search(text[start:end])
        if trail:
            end = start + trail.start()
        while end > start and text[end - 1] in " ,;:\"”)":
            end -= 1
        if end - start < 2 or not (text[start].isupper() or text[start].isdigit() or names.ARTICLE_PREFIX.match(text, start)):
            return None
        surface = text[start:end]
        key = name_key(surface)
        if not key:
            return None
        if key in names.UNRESOLVABLE:
            return None
        if self.abbreviations:
            full = names.ABBREVIATIONS.get(surface if surface.endswith(".") else text[start:end + 1])
            if full:
                if not surface.endswith("."):
                    end += 1
                return Toponym(start, end, text[start:end], label, [(name_key(full), 0.0)], codes=frozenset({"ADM1"}))
        keys = [(key, 0.0)]
        alias = entities_stage.normalise(surface, "GPE")
        if alias and name_key(alias) != key:
            keys.append((name_key(alias), 0.0))
        generic = names.GENERIC.search(surface)
        if generic and generic.start() > 0:
            keys.append((name_key(surface[: generic.start()]), 0.3))
        return Toponym(start, end, surface, label, keys)

    def _recognise_introduced(self, text: str, covered: list[tuple[int, int]]) -> list[Toponym]:
        """Names introduced by their kind ("the town of al-Tanf") that no entity covers."""
        out = []
        covered = sorted(covered)
        starts = [c[0] for c in covered]
        matches = [m.span(1) for m in names.INTRODUCED.finditer(text)] + [m.span(1) for m in names.SITE.finditer(text)]
        if self.ranker is not None:  # v3: "Reg district", "Khost city", "Biyo Cadde village"
            matches += [m.span(1) for m in names.KIND_AFTER.finditer(text)]
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

    def _recognise_located(self, text: str, entities: Sequence[Span]) -> list[Toponym]:
        """v3: a populated place or division the gazetteer knows by its main name, right after "in", "near", "at"...

        Kept when no entity or only a person's name covers it ("protested in Bergerac."), or when an enclosing
        place the gazetteer knows follows it ("in Algeciras (Cadiz)" tagged as an organisation); the enclosing
        names that follow ("in Staromykhaylivka, Donetsk", "(Kolofata, Mayo-Sava)") are kept too.
        """
        out: list[Toponym] = []
        for match in names.LOCATED.finditer(text):
            words = [(m.start(1) + match.start(1), m.end(1) + match.start(1)) for m in re.finditer(r"(\S+)", match.group(1))]
            for n in range(len(words), 0, -1):
                start, end = words[0][0], words[n - 1][1]
                if not text[end - 1].isalpha() or not text[words[n - 1][0]].isupper():
                    continue
                surface = text[start:end]
                if surface.lower() in names.CALENDAR_WORDS:
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
        for match in names.LOCATED_QUALIFIED.finditer(text):
            offset = match.start(1)
            for piece in re.split(r"(\s*,\s*)", match.group(1)):
                start, end = offset, offset + len(piece)
                offset = end
                if piece[:1].isupper() and any(e.main and e.feature_class in ("P", "A") for e in self.gazetteer.lookup(name_key(piece))):
                    topo = self._make(text, start, end, "GPE")
                    if topo is not None and not any(overlaps((topo.start, topo.end), (o.start, o.end)) for o in out):
                        out.append(topo)
        return out

    def _enclosing_follows(self, text: str, end: int) -> bool:
        """"X (Y" or "X, Y" where the gazetteer knows Y as a populated place, a division or a country."""
        match = re.match(r"(?:\s+[a-z][a-z-]+)?\s*[(,]\s*([A-Z][\w’'-]+(?:[ -][A-Z][\w’'-]+){0,2})", text[end:end + 60])
        return bool(match and any(e.main and e.feature_class in ("P", "A") for e in self.gazetteer.lookup(name_key(match.group(1)))))

    def _recognise_missed(self, text: str, covered: list[tuple[int, int]]) -> list[Toponym]:
        """Capitalised names that no entity covers and that are well-known places."""
        out = []
        starts = [c[0] for c in covered]
        for match in names.CAPITALISED.finditer(text):
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

    def ranking_rows(self, text: str, entities: Sequence[Span]) -> list[tuple[Toponym, list[dict[str, float]]]]:
        """Each resolved toponym of ``text`` with the ranker features of its candidates (for fitting the ranker)."""
        toponyms, context = self.resolve(text, entities)
        return [(t, ranker_features(t, t.candidates, context.without(t))) for t in toponyms if t.candidates]

    def resolve(self, text: str, entities: Sequence[Span]) -> tuple[list[Toponym], "Context"]:
        """The toponyms of ``text`` with their chosen entries, and the article context of the last pass."""
        toponyms, demonyms = self._toponyms(text, entities)
        if not toponyms:
            return [], Context()
        boundaries = [m.end() for m in names.SENTENCE_END.finditer(text)]
        for t in toponyms:
            t.sentence = bisect.bisect_right(boundaries, t.start)
            t.locative = bool(names.LOCATIVE.search(text[max(0, t.start - 40) : t.start]))
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
            context = self._context(toponyms, demonyms, text)
            for t in toponyms:
                self._choose(t, context.without(t))
        context = self._context(toponyms, demonyms, text)
        return toponyms, context

    def _context(self, toponyms: list[Toponym], demonyms: list[tuple[int, str]], text: str) -> "Context":
        """What the article's toponyms and demonyms say about where it is (a version may leave some out)."""
        return Context.build(toponyms, demonyms, text)

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
            piece = re.sub(r"\s+(?:" + "|".join(names.KIND_WORDS) + r")$", "", piece.strip())
            if not piece[:1].isupper() or len(piece) > 40:
                continue
            keys = {name_key(piece)}
            alias = entities_stage.normalise(piece, "GPE")
            if alias:
                keys.add(name_key(alias))
            for key in keys:
                entries += [e for e in self.gazetteer.lookup(key) if e.feature_class == "A"]
        return entries

    def _score(self, t: Toponym, entry: Entry, penalty: float, context: "Context | None") -> float:
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

    def _choose(self, t: Toponym, context: "Context | None") -> None:
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

    def _place(self, article_id: str, t: Toponym, context: "Context") -> Place:
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


def _geonames(options) -> GazetteerGeoparser:
    return GazetteerGeoparser(imported=options.gazetteer or str(default_gazetteer_path()))


def _geonames_v2(options) -> GazetteerGeoparser:
    """v1's resolution with recognition by the fitted span model and style-guide state abbreviations."""
    return GazetteerGeoparser(imported=options.gazetteer or str(default_gazetteer_path()), span_model=SpanModel.load())


def _geonames_v3(options) -> GazetteerGeoparser:
    """v2's recognition plus names followed by their kind and "X (Y)" pieces; candidates chosen by the fitted ranker."""
    return GazetteerGeoparser(imported=options.gazetteer or str(default_gazetteer_path()), span_model=SpanModel.load(),
                              ranker=PlaceRanker.load())
