"""Fuzzing the library API with hypothesis: arbitrary records mixed with good ones never crash an ingest;
every record is accounted for (stored, already stored, or a rejection with a code and a reason); good
records are never lost; the store stays consistent. Fake embedder and entity extractor at the seams, so
the whole suite runs in a few tens of seconds."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import sqlite3

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="the dev extra is not installed: pip install -e '.[dev]'")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import storyline  # noqa: E402
from storyline.errors import InputError  # noqa: E402
from storyline.model import RawRecord  # noqa: E402
from storyline.pipeline import dates  # noqa: E402
from storyline.pipeline.embed import HashingEmbedder  # noqa: E402
from storyline.pipeline.normalise import DEFAULT_LIMITS, to_article  # noqa: E402
from support import CapitalisedEntities, options  # noqa: E402

FIELDS = ("id", "date", "source", "title", "text", "url", "lang")
#: text with what breaks naive code: lone surrogates, control characters, odd spaces, digits, marks
NASTY = st.characters(categories=["Cs", "Cc", "Cf", "Zs", "Zl", "Zp", "Lu", "Ll", "Lo", "Nd", "Po", "Mn", "So"])
TEXTS = st.one_of(st.text(max_size=60), st.text(alphabet=NASTY, max_size=60),
                  st.sampled_from(["", " ", "S1", "E7", "a/b", "0001-01-01", "9999-12-31", "2023-02-30", "\ud800",
                                   "2023-03-06", "On Monday 0001-01-01 in Marlow.", "\x1b[31mred\x1b]8;;x\x07"]))
#: beyond 64 bits, and beyond the 4,300 digits str() converts (built by a map: hypothesis cannot repr one)
HUGE = st.one_of(st.sampled_from([10**30, 2**63, 2**63 - 1, -(2**63)]), st.integers(4301, 5000).map(lambda n: -(10**n)))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), HUGE,
                    st.floats(allow_nan=True, allow_infinity=True), TEXTS)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                      max_leaves=8)
KEYS = st.one_of(st.sampled_from(FIELDS), st.text(max_size=8))
RECORDS = st.dictionaries(KEYS, VALUES, max_size=8)
#: half of the odd records carry a text that parses, so they reach the later stages
TEXTUAL = st.builds(lambda r, t: {**r, "text": t}, RECORDS, TEXTS.filter(lambda t: len(t.strip()) > 0))
ODD = st.one_of(RECORDS, TEXTUAL)

_counter = itertools.count()
WORDS = "river flood council crews rain homes bridge mayor storm harbour market vote".split()


def good_record(n: int) -> dict:
    words = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(30))
    return {"id": f"good-{n}", "date": (dt.date(2023, 1, 1) + dt.timedelta(days=n % 300)).isoformat(),
            "source": f"Outlet {n % 4}", "title": f"Report {n} on the Harbour", "text": f"The Marlow {words} on Monday. Report {n}."}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    db = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    with storyline.Storyline(db, options(batch_size=8), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()) as sl:
        yield sl


def consistency_problems(conn: sqlite3.Connection) -> list[str]:
    checks = {
        "article in no event": "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM event_articles)",
        "member of a missing event": "SELECT count(*) FROM event_articles WHERE event_id NOT IN (SELECT id FROM events)",
        "member that is no article": "SELECT count(*) FROM event_articles WHERE article_id NOT IN (SELECT id FROM articles)",
        "wrong article count": "SELECT count(*) FROM events e WHERE n_articles != "
                               "(SELECT count(*) FROM event_articles x WHERE x.event_id = e.id)",
        "event of a missing story": "SELECT count(*) FROM events WHERE story_id NOT IN (SELECT id FROM stories)",
    }
    return [name for name, sql in checks.items() if conn.execute(sql).fetchone()[0]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(odd=st.lists(ODD, min_size=1, max_size=6), n_good=st.integers(1, 3), data=st.data())
def test_ingest_of_arbitrary_records_mixed_with_good_ones_never_crashes_and_loses_nothing(engine, odd, n_good, data):
    good = [good_record(next(_counter)) for _ in range(n_good)]
    batch = list(odd)
    for record in good:
        batch.insert(data.draw(st.integers(0, len(batch)), label="position"), record)
    before = engine.store.count("articles")

    summary = engine.ingest_records(batch)

    new_articles = engine.store.count("articles") - before
    assert summary.ingested == new_articles
    assert summary.ingested + summary.unchanged + summary.rejected == len(batch)  # every record accounted for
    for rejection in summary.rejections:
        assert re.fullmatch(r"SL1\d\d", rejection.code) and rejection.reason
        assert rejection.origin == "<api>" and 1 <= rejection.line <= len(batch)
    rejected_lines = {r.line for r in summary.rejections}
    for record in good:
        assert batch.index(record) + 1 not in rejected_lines
        assert engine.store.article(record["id"]) is not None  # good ones kept
    assert consistency_problems(engine.store.conn) == []


@settings(max_examples=300, deadline=None)
@given(fields=RECORDS)
def test_to_article_returns_a_bounded_storable_article_or_raises_input_error(fields):
    try:
        article = to_article(RawRecord("fuzz.jsonl", 3, fields))
    except InputError as exc:
        assert re.fullmatch(r"SL1\d\d", exc.code) and exc.reason and exc.line == 3
        exc.reason.encode("utf-8")  # the reason is storable text
        return
    for name, value in (("id", article.id), ("title", article.title), ("source", article.source), ("url", article.url),
                        ("text", article.text), ("lang", article.language)):
        if value is not None:
            value.encode("utf-8")
            assert len(value) <= DEFAULT_LIMITS.get(name, 35)
    assert article.id.strip() == article.id and article.id
    assert article.published is None or dt.date(1800, 1, 1) <= article.published <= dt.date(2999, 12, 31)


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.sampled_from(list("0123456789-, .") + ["March ", "Monday ", "since ", "in ", "last week ", "yesterday "]),
                     max_size=120).map("".join),
       anchor=st.one_of(st.none(), st.dates()))
def test_find_dates_never_raises_and_returns_disjoint_spans_in_range(text, anchor):
    found = dates.find_dates(text, anchor)
    ends = -1
    for mention in found:
        assert mention.start >= ends and text[mention.start : mention.end] == mention.text
        ends = mention.end
        assert dates.EARLIEST <= mention.date.value <= dates.LATEST
    dates.event_date_candidates([text], anchor)
    dates.date_mentions("a", text, anchor)
