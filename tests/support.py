"""Test support: the fake seams, hand-built inputs and a command-line runner.

``CapitalisedEntities`` is a tiny deterministic entity extractor that marks
capitalised words; it is registered under a test-only name so the command
line can select it with ``--set entities=...``. Imported by the conftest and
the tests (``from support import ...``), so it is loaded once.
"""

from __future__ import annotations

import pytest

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

import storyline
from storyline import registry
from storyline.settings import load_options

FAKE_ENTITIES = "entities.test-capitalised.v1"
HASHING = "embedder.hashing.v1"
#: --set flags that make the command line use the fake seams.
FAKE_SETS = ["--set", f"embedder={HASHING}", "--set", f"entities={FAKE_ENTITIES}"]


class CapitalisedEntities:
    """Marks every capitalised word as an ORG entity; counts its calls."""

    name = FAKE_ENTITIES
    _WORD = re.compile(r"\b[A-Z][a-z]+\b")

    def __init__(self) -> None:
        self.calls = 0

    def extract(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        self.calls += 1
        return [[(m.start(), m.end(), "ORG") for m in self._WORD.finditer(text)] for text in texts]


@registry.register(FAKE_ENTITIES)
def _fake_entities(options) -> CapitalisedEntities:
    return CapitalisedEntities()


def options(**overrides: Any) -> storyline.Options:
    """Options from the defaults and ``overrides`` only (never the caller's environment)."""
    return load_options(overrides={"progress": False, **overrides}, environ={})


# ---------------------------------------------------------------- inputs built by hand

FLOOD_SOURCES = ["Valley Post", "River Times", "Daily Planet", "Herald", "Courier", "Gazette", "Tribune", "Observer"]
#: settings under which every report joins one event, and events of 4+ articles may wait up to half their size
ONE_EVENT = {"clusterer": "clusterer.online.v1", "event_threshold": 0, "event_window_days": 36500,
             "record_defer_reports": 4, "record_defer_growth": 0.5}


def flood_report(i: int) -> dict:
    """The ``i``-th of many reports of one flood (all join one event under :data:`ONE_EVENT`)."""
    return {"id": f"flood-{i}", "date": "2023-03-06", "source": FLOOD_SOURCES[i % len(FLOOD_SOURCES)],
            "title": f"Thames floods Marlow, report {i}",
            "text": (f"The Thames burst its banks in Marlow on Monday, flooding {10 + i} homes on the high street. "
                     f"Officials in Marlow said {i % 3 + 1} people were injured and rescue teams from Reading helped.")}


def write_jsonl(path: Path, records: list[dict[str, Any] | str]) -> Path:
    """One line per record; a ``str`` record is written verbatim (for malformed lines)."""
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_txt(path: Path, date: str, text: str) -> Path:
    path.write_text(f"date {date}\n{text}\n", encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m storyline ARGS`` in a real subprocess."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("STORYLINE_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "storyline", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, env=full_env,
    )


# Hand-written articles about two unrelated happenings; each pair shares its
# people, places and most of its vocabulary, so even the hashing embedder and
# the capitalised-word entities put each pair together.
FLOOD_A = {
    "id": "flood-1", "date": "2023-03-06", "source": "River Times",
    "title": "Floods swamp Marlow as the Thames bursts its banks",
    "text": (
        "The river Thames burst its banks at Marlow on Sunday after three days of heavy rain, flooding "
        "hundreds of homes along the high street. Emergency crews from Buckinghamshire used boats to "
        "rescue residents trapped in flooded houses near the Marlow bridge.\n\n"
        "The Environment Agency issued a severe flood warning for Marlow and Bourne End and said river "
        "levels would stay high until Wednesday. Sandbags were handed out at the Marlow town hall."
    ),
}
FLOOD_B = {
    "id": "flood-2", "date": "2023-03-07", "source": "Valley Herald",
    "title": "Marlow residents rescued by boat as Thames floods homes",
    "text": (
        "Boats were used to rescue residents of Marlow on Sunday when the Thames burst its banks and flooded "
        "homes along the high street after heavy rain. Buckinghamshire emergency crews said hundreds of homes "
        "were flooded near the Marlow bridge.\n\n"
        "A severe flood warning from the Environment Agency remains in place for Marlow and Bourne End, and "
        "river levels are expected to stay high. Residents collected sandbags from the Marlow town hall."
    ),
}
CHESS_A = {
    "id": "chess-1", "date": "2023-03-20", "source": "Board Weekly",
    "title": "Okonkwo wins the Reykjavik chess open with a final-round victory",
    "text": (
        "Grandmaster Adaeze Okonkwo won the Reykjavik chess open on Monday, beating Lars Henriksen in the "
        "final round with the black pieces to finish a full point ahead of the field. Okonkwo, who is "
        "nineteen, opened with the Sicilian defence and converted a rook endgame after six hours of play.\n\n"
        "Henriksen resigned on move seventy-one. The Reykjavik organisers said the tournament drew a record "
        "entry of players from forty countries."
    ),
}
CHESS_B = {
    "id": "chess-2", "date": "2023-03-21", "source": "Opening Lines",
    "title": "Teenager Okonkwo takes Reykjavik chess open title",
    "text": (
        "Adaeze Okonkwo, a nineteen-year-old grandmaster, took the Reykjavik chess open title on Monday after "
        "beating Lars Henriksen in the final round with the black pieces. Okonkwo chose the Sicilian defence "
        "and won a long rook endgame after six hours of play, finishing a full point ahead of the field.\n\n"
        "Henriksen resigned on move seventy-one. Organisers in Reykjavik reported a record entry of players "
        "from forty countries."
    ),
}


def geonames_row(gid, name, lat, lon, fclass, fcode, cc, a1, population, alternates=""):
    """One line of a GeoNames dump (allCountries.txt: 19 tab-separated columns)."""
    return "\t".join([str(gid), name, name, alternates, str(lat), str(lon), fclass, fcode, cc, "", a1, "", "", "",
                      str(population), "", "0", "UTC", "2022-06-20"])


#: the two store backends: a module runs its tests on both with ``backend = both_backends`` (see conftest.py)
BACKENDS = ["sqlite", "postgres"]
#: the parameter mark of each backend's SQL, for tests that reach into a store's connection
MARK = {"sqlite": "?", "postgres": "%s"}


@pytest.fixture(params=BACKENDS)
def both_backends(request) -> str:
    """Assign to ``backend`` in a test module to run its store and engine tests on SQLite and on PostgreSQL."""
    return request.param


# ---------------------------------------------------------------- story linkers


def link_event(id: str, vector, day: int, entities=(), terms=(), details=(), members=None, start=None):
    """An :class:`~storyline.pipeline.cluster.features.EventState` for the linker tests: a unit vector, a date
    ``day`` days after ``start`` (2010-01-01), its entity and term counts (one member, ``a<id>``, unless told)."""
    import datetime as dt
    from collections import Counter

    import numpy as np

    from storyline.pipeline.cluster.features import EventState

    date = (start or dt.date(2010, 1, 1)) + dt.timedelta(days=day)
    v = np.asarray(vector, dtype=np.float32)
    return EventState(id, v / np.linalg.norm(v), 1, date, date, Counter(entities), Counter({t: 1.0 for t in terms}),
                      members=[f"a{id}"] if members is None else list(members), details=Counter(details))


def vocabulary(*keysets):
    """A :class:`~storyline.pipeline.cluster.features.Vocabulary` that has seen each key set as one document."""
    from storyline.pipeline.cluster.features import Vocabulary

    v = Vocabulary()
    for keys in keysets:
        v.add(keys)
    return v


def entity_spans(text: str, *names: tuple[str, str]) -> list[tuple[int, int, str]]:
    """Entity spans as the entity stage gives them: every occurrence of each (name, label) in ``text``, in order."""
    out = []
    for name, label in names:
        out += [(m.start(), m.end(), label) for m in re.finditer(re.escape(name), text)]
    return sorted(out)


def places_by_text(parser, text: str, entities) -> dict[str, list]:
    """A geoparser's places of ``text`` grouped by the text they were read from."""
    out: dict[str, list] = {}
    for place in parser.parse("a", text, entities):
        out.setdefault(place.text, []).append(place)
    return out
