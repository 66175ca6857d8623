"""The analysis on Apache Spark (issue 19): a real local Spark session; the same events at the end.

Skipped, saying why, only when PySpark (the ``spark`` extra) or Java is absent.
"""

from __future__ import annotations

import json
import shutil
from importlib import resources

import numpy as np
import pytest

pytest.importorskip("pyspark", reason="the Spark tests need the spark extra (pip install -e '.[spark]')")
pytest.importorskip("pyarrow", reason="the Spark tests need the spark extra (pip install -e '.[spark]')")
if shutil.which("java") is None:
    pytest.skip("the Spark tests need Java 17+ on the PATH (none found)", allow_module_level=True)

from storyline import Storyline  # noqa: E402
from storyline.cli.spark import session  # noqa: E402
from storyline.errors import Codes, SettingsError  # noqa: E402
from storyline.settings import load_options  # noqa: E402
from storyline.spark.analysed import AnalysedRows, ingest_analysed  # noqa: E402
from storyline.spark.job import analyse_inputs  # noqa: E402
from webpages import article_page, warc_bytes  # noqa: E402

#: the fast settings (no embedding model) for the tests about the job itself
FAST = {"embedder": "embedder.hashing.v1"}


@pytest.fixture(scope="module")
def spark():
    spark = session("local[2]", "storyline-tests")
    yield spark
    spark.stop()


def examples() -> list[str]:
    root = resources.files("storyline") / "examples"
    return [str(root / "seeds"), str(root / "demo.jsonl")]


def dump(engine: Storyline) -> dict:
    """Every story and event as the read API gives them (members, decisions, relays, records)."""
    out = {}
    for overview in engine.stories(limit=None):
        story = engine.story(overview.id).to_dict()
        out[overview.id] = story
        for event in story["events"]:
            out[event["id"]] = engine.event(event["id"]).to_dict()
    return json.loads(json.dumps(out, sort_keys=True, default=str))


def stored(engine: Storyline) -> dict:
    articles = engine.store.articles()
    return {
        "articles": {a.id: a for a in articles},
        "mentions": {a.id: [(m.start, m.end, m.label, m.key, m.detail) for m in engine.store.mentions(a.id)] for a in articles},
        "places": {a.id: engine.store.places(a.id) for a in articles},
        "rejections": sorted((r.origin, r.line, r.code) for r in engine.store.rejections()),
        "vectors": {a: v for a, _, v in engine.store.embeddings()},
    }


@pytest.mark.slow
def test_spark_analyse_then_ingest_analysed_gives_exactly_the_events_of_plain_ingest(spark, tmp_path):
    options = load_options()
    with Storyline(tmp_path / "plain.db", options) as plain:
        expected = plain.ingest(examples())
        want, want_rows = dump(plain), stored(plain)
    counts = analyse_inputs(spark, examples(), str(tmp_path / "analysed"), options)
    assert counts == {"article": expected.ingested}
    with Storyline(tmp_path / "spark.db", options) as other:
        got = ingest_analysed(other, str(tmp_path / "analysed"))
        have, have_rows = dump(other), stored(other)

    assert (got.ingested, got.duplicates, got.events_created, got.stories_created) == \
        (expected.ingested, expected.duplicates, expected.events_created, expected.stories_created)
    assert want and have == want
    for part in ("articles", "mentions", "places", "rejections"):
        assert have_rows[part] == want_rows[part], part
    assert want_rows["vectors"].keys() == have_rows["vectors"].keys()
    assert all(np.array_equal(want_rows["vectors"][k], have_rows["vectors"][k]) for k in want_rows["vectors"])


def test_rows_round_trip_exactly_through_parquet(spark, tmp_path):
    options = load_options(overrides=FAST)
    analyse_inputs(spark, examples(), str(tmp_path / "analysed"), options)
    from storyline.engine.components import Components
    from storyline.engine.analyse import analyse

    rows = AnalysedRows(str(tmp_path / "analysed"))
    articles = [a for a in rows.items() if hasattr(a, "fingerprint")]
    assert len(articles) == 23
    again = analyse(articles, Components(options), options.embed_chars)
    for article, fresh in zip(articles, again):
        back = rows.analyses([article])[article.id]
        assert back.item.vector.dtype == np.float32 and back.item.vector.tobytes() == fresh.item.vector.tobytes()
        assert list(back.item.terms.items()) == list(fresh.item.terms.items())
        assert (back.item.entities, back.item.title_terms, back.item.details) == \
            (fresh.item.entities, fresh.item.title_terms, fresh.item.details)
        assert [(m.start, m.end, m.label, m.key, m.detail) for m in back.mentions] == \
            [(m.start, m.end, m.label, m.key, json.loads(json.dumps(m.detail))) for m in fresh.mentions]
        assert back.places == fresh.places and back.event_dates == fresh.event_dates
        signature = Components(options).fresh("dedup").signature(article.text)
        assert np.array_equal(rows.signature(article), signature)


def test_bad_input_inside_the_job_becomes_rejection_rows(spark, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    pages = [("response", f"https://planet.example/{n}", 200, "text/html",
              article_page(title=f"Page {n} of the archive", canonical=f"https://planet.example/{n}").encode())
             for n in range(3)]
    data = warc_bytes(pages, gzip=False)
    second = data.index(b"WARC/1.", 10)
    (inputs / "crawl.warc").write_bytes(data[:second] + data[second:].replace(b"Content-Length: ", b"Content-Length: x", 1))
    (inputs / "latin1.jsonl").write_bytes(
        '{"id": "ok", "date": "2023-03-06", "text": "A good line among bad ones, long enough to keep."}\n'.encode()
        + '{"id": "bad", "date": "2023-03-06", "text": "Caf\xe9 cr\xe8me"}\n'.encode("latin-1"))
    (inputs / "notes.txt").write_bytes(b"date 2023-03-06\n\n" + "Le caf\xe9 br\xfbl\xe9".encode("latin-1") + b"\n")

    counts = analyse_inputs(spark, [str(inputs), str(tmp_path / "missing.jsonl")], str(tmp_path / "out"),
                            load_options(overrides=FAST))

    assert counts["article"] == 3  # two pages of the archive and the good line
    table = {(r.origin, r.line): r for r in AnalysedRows(str(tmp_path / "out")).items() if hasattr(r, "code")}
    by_file = {(origin.rsplit("/", 1)[-1], line): r.code for (origin, line), r in table.items()}
    assert by_file[("crawl.warc", 2)] == Codes.DAMAGED
    assert by_file[("latin1.jsonl", 2)] == Codes.NOT_UTF8
    assert by_file[("notes.txt", 1)] == Codes.NOT_UTF8
    assert by_file[("missing.jsonl", 0)] == Codes.NO_INPUT
    assert all(r.reason for r in table.values())


def test_the_models_are_built_once_per_executor_process(spark):
    from storyline.spark import worker

    settings = dict(load_options(overrides=FAST))

    def loads(part):
        import os

        from storyline.spark import worker as w

        before = w.loads  # a reused Python worker may have built stages for an earlier test's settings
        for _ in w.analyse_partition(part, settings):
            pass
        yield os.getpid(), w.loads - before, w._SINGLETON.get("key") == repr(sorted(settings.items()))

    # eight tasks on two executor processes: each process builds the stages on its first task only
    seen = spark.sparkContext.parallelize(range(8), 8).mapPartitions(lambda part: loads(iter(()))).collect()
    assert len(seen) == 8 and all(kept for _, _, kept in seen)
    builds: dict[int, int] = {}
    for pid, built, _ in seen:
        builds[pid] = builds.get(pid, 0) + built
    assert len(builds) < len(seen), builds  # Python workers are reused from task to task, so a build per task would show
    assert all(n <= 1 for n in builds.values()), builds  # at most once per process, never per task or article
    assert worker.loads == 0  # the driver built nothing


def test_ingest_analysed_refuses_rows_made_with_other_settings(spark, tmp_path):
    analyse_inputs(spark, examples()[:1], str(tmp_path / "analysed"), load_options(overrides=FAST))
    with Storyline(tmp_path / "s.db", load_options()) as engine:
        with pytest.raises(SettingsError, match="embedder"):
            ingest_analysed(engine, str(tmp_path / "analysed"))


def test_ingest_takes_paths_or_an_analysed_folder(tmp_path):
    from support import run_cli

    both = run_cli("--db", str(tmp_path / "s.db"), "ingest", "x.jsonl", "--analysed", str(tmp_path))
    neither = run_cli("--db", str(tmp_path / "s.db"), "ingest")
    not_analysed = run_cli("--db", str(tmp_path / "s.db"), "ingest", "--analysed", str(tmp_path))
    assert both.returncode == neither.returncode == 2 and "--analysed" in both.stderr
    assert not_analysed.returncode != 0 and "spark analyse" in not_analysed.stderr
