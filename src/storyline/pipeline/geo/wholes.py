"""``geoparser.geonames.v6``, rule 10: a piece of a name is read as the whole name, spelled as it may be.

The span model sometimes accepts one word of a longer name: "Zor" of "Deir ez
Zor" (a town in Kuwait's alternate names), "As" of "As Sweida" (an
abbreviation of Alor Setar). :func:`whole_names` widens such a toponym to
the run of capitalised words it belongs to ("Deir ez Zor", with its
lowercase particles) when the gazetteer knows the run as a place or a
division. A run the gazetteer does not know under that spelling, written
where a division is written (before "province", "governorate", "countryside",
or as an enclosing name in parentheses), is matched against the first-level
divisions by its consonant skeleton ("Thi Qar" and "Dhi Qar": both ``dkr``)
and a close spelling (difflib ratio >= ``SPELLING``): transliterations of one
Arabic, Persian or Slavic name differ in vowels and in a few consonants.
"""

from __future__ import annotations

import re
import sqlite3
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Callable, Sequence

from .context import Toponym
from .gazetteer import Entry, article_stripped, name_key

__all__ = ["whole_names", "skeleton", "SPELLING"]

#: how alike two spellings of a division's name must be (after the skeleton agrees)
SPELLING = 0.7
_RUN = re.compile(r"[A-Z][\w’'-]*(?:\s+(?:(?:al|el|as|ad|ar|at|an|ash|az|ez|es|ed|de|del|du|la|le|di|da|do|dos|das|ul|ud)\s+)?"
                  r"[A-Z][\w’'-]*)*")
_DIVISION_AFTER = re.compile(r"\s+(?:province|governorate|countryside|region|district|state|oblast|prefecture|department|"
                             r"county|division|muhafazah)\b", re.IGNORECASE)
_ENCLOSING_BEFORE = re.compile(r"(?:\(|,)\s*$")
_SOUNDS = str.maketrans({"t": "d", "q": "k", "c": "k", "g": "k", "p": "b", "v": "f", "z": "s", "x": "k", "j": "y"})


def skeleton(key: str) -> str:
    """The consonants of a folded name without its article, voiced alike and with doubles collapsed."""
    bare = article_stripped(key) or key
    letters = re.sub(r"[^a-z]", "", bare.replace("dh", "d").replace("th", "d").replace("kh", "k").replace("sh", "s"))
    cons = re.sub(r"[aeiouyhw]", "", letters).translate(_SOUNDS)
    return re.sub(r"(.)\1+", r"\1", cons)


@lru_cache(maxsize=4)
def _divisions(paths: tuple[str, ...]) -> dict[str, list[tuple[str, Entry]]]:
    """Skeleton -> (folded name, entry) of every first-level division and country the gazetteer files name."""
    out: dict[str, list[tuple[str, Entry]]] = {}
    for path in paths:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT n.key, p.*, n.main FROM names n JOIN places p ON p.geonameid = n.geonameid "
                                "WHERE p.feature_code = 'ADM1'").fetchall()
        finally:
            conn.close()
        for row in rows:
            key, entry = row[0], Entry(*row[1:10], main=bool(row[10]))
            if len(key) >= 4:
                out.setdefault(skeleton(key), []).append((key, entry))
    return out


def _respelled(key: str, paths: Sequence[str]) -> Entry | None:
    """The one division whose name is a close spelling of ``key`` (None when none is, or several countries' are)."""
    bare = article_stripped(key) or key
    found = {}
    for other, entry in _divisions(tuple(str(p) for p in paths)).get(skeleton(key), ()):
        if SequenceMatcher(None, bare, article_stripped(other) or other).ratio() >= SPELLING:
            found[entry.geonameid] = entry
    return next(iter(found.values())) if len(found) == 1 else None


def whole_names(text: str, toponyms: list[Toponym], lookup: Callable[[str], list[Entry]], paths: Sequence[str],
                make: Callable[[str, int, int, str], Toponym | None]) -> list[Toponym]:
    """``toponyms`` with each piece of a longer known name widened to it, and unknown division names respelled."""
    runs = [(m.start(), m.end()) for m in _RUN.finditer(text)]
    out: list[Toponym] = []
    for t in toponyms:
        run = next(((s, e) for s, e in runs if s <= t.start and t.end <= e), None)
        if run is not None and out and (out[-1].start, out[-1].end) == run:
            continue  # the whole run is already one toponym
        wide = t
        if run is not None and run != (t.start, t.end):
            candidate = make(text, run[0], run[1], t.label)
            if candidate is not None and any(e.feature_class in ("A", "P") for e in lookup(name_key(candidate.text))):
                wide = candidate
        if not any(lookup(k) for k, _ in wide.keys) and _division_position(text, wide):
            entry = _respelled(name_key(wide.text), paths)
            if entry is not None:
                wide.keys = [(name_key(entry.name), 0.0)] + list(wide.keys)
        out.append(wide)
    return out


def _division_position(text: str, t: Toponym) -> bool:
    return bool(_DIVISION_AFTER.match(text, t.end) or _ENCLOSING_BEFORE.search(text, max(0, t.start - 3), t.start))
