"""Framing: the loaded, hedged, assertive and subjective words each outlet uses for an event.

The lexicons are data (``../shared/data/lexicons``; each file names its
source paper): the bias lexicon of Recasens et al. 2013 (``loaded``),
Hyland's hedges (``hedged``), Hooper's assertive and factive predicates
(``assertive``), the strong subjectivity clues of Wilson et al. 2005
(``subjective``). A term counts for a source when, in a fact several
sources state, the other sources' claims do not use it (they state the same
fact in other words: "militants" where the others say "fighters", "claims"
where they say "says"); in a fact only that source states, only ``loaded``
and ``subjective`` terms count (a hedge alone is not framing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ...errors import SettingsError
from .claims import Claim

__all__ = ["Lexicons", "framing_terms", "KINDS"]

KINDS = ("loaded", "hedged", "assertive", "subjective")
_FILES = {
    "loaded": ("bias-lexicon-bias-lexicon.txt",),
    "hedged": ("hedges_hyland2005.txt",),
    "assertive": ("assertives_hooper1975.txt", "factives_hooper1975.txt"),
}
_SUBJECTIVE = "subjclueslen1-HLTEMNLP05.tff"
#: terms per source in one comparison (a bound on what a page shows)
MAX_TERMS = 40
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
#: word choices for the same actor or act that the lexicons lack: where one outlet writes "militants", "regime" or
#: "stormed", another writes "fighters", "government" or "entered" (the neutral form is not listed)
WORD_CHOICE = {
    "militants": "loaded", "militant": "loaded", "terrorists": "loaded", "terrorist": "loaded", "regime": "loaded",
    "thugs": "loaded", "mob": "loaded", "rioters": "loaded", "slaughtered": "loaded", "massacred": "loaded",
    "stormed": "loaded", "invasion": "loaded", "so-called": "loaded", "purported": "hedged", "allegedly": "hedged",
    "supposed": "hedged", "insisted": "assertive", "admitted": "assertive", "conceded": "assertive",
}
#: words every report of a news event uses in a neutral sense, whatever a lexicon says
_NEUTRAL = frozenset("said says report reported according official officials people state states government president "
                     "would could may might about around new first last".split())


@dataclass(frozen=True)
class Lexicons:
    #: lower-cased single word -> kind (the first kind in KINDS that lists it)
    words: dict[str, str]
    #: multi-word terms as (kind, tuple of words)
    phrases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    folder: str = ""

    @staticmethod
    def load(folder: str | Path) -> "Lexicons":
        folder = Path(folder)
        words: dict[str, str] = dict(WORD_CHOICE)
        phrases: list[tuple[str, tuple[str, ...]]] = []
        for kind in ("loaded", "hedged", "assertive"):
            for name in _FILES[kind]:
                for term in _lines(folder / name):
                    parts = tuple(term.lower().split())
                    if len(parts) == 1:
                        words.setdefault(parts[0], kind)
                    elif parts:
                        phrases.append((kind, parts))
        for line in _lines(folder / _SUBJECTIVE):
            fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
            if fields.get("type") == "strongsubj" and fields.get("word1"):
                words.setdefault(fields["word1"].lower(), "subjective")
        return Lexicons(words, tuple(phrases), str(folder))

    def terms(self, text: str, offset: int = 0) -> list[tuple[str, str, int, int]]:
        """(term, kind, start, end) of every lexicon term in ``text`` (offsets shifted by ``offset``)."""
        tokens = [(m.group(0).lower().replace("’", "'"), m.start(), m.end()) for m in _WORD.finditer(text)]
        out = []
        for k, (w, s, e) in enumerate(tokens):
            if w in _NEUTRAL:
                continue
            kind = self.words.get(w)
            if kind is not None:
                out.append((text[s:e], kind, s + offset, e + offset))
                continue
            for pkind, parts in self.phrases:
                if parts[0] == w and tuple(t[0] for t in tokens[k:k + len(parts)]) == parts:
                    end = tokens[k + len(parts) - 1][2]
                    out.append((text[s:end], pkind, s + offset, end + offset))
                    break
        return out


def _lines(path: Path) -> Iterable[str]:
    if not path.exists():
        raise SettingsError(f"{path}: lexicon file missing (the framing lexicons' folder is the 'lexicons' setting)")
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


def framing_terms(lexicons: Lexicons, facts: Sequence[Sequence[Claim]]) -> dict[str, list[tuple[str, str, str, int, int]]]:
    """Source -> [(term, kind, article id, start, end)] that source uses where the others do not (see the module doc)."""
    out: dict[str, list[tuple[str, str, str, int, int]]] = {}
    for claims in facts:
        found = [(c, lexicons.terms(c.text, c.start)) for c in claims]
        sources = {c.source for c in claims}
        for claim, terms in found:
            if len(out.get(claim.source, ())) >= MAX_TERMS:
                continue
            others = {t[0].lower() for c, ts in found if c.source != claim.source for t in ts}
            for term, kind, start, end in terms:
                if len(sources) == 1 and kind not in ("loaded", "subjective"):
                    continue
                if term.lower() in others:
                    continue
                out.setdefault(claim.source, []).append((term, kind, claim.article.id, start, end))
    return {s: terms[:MAX_TERMS] for s, terms in out.items()}
