"""SQLite and PostgreSQL give the same store: the demo corpus ingested into each ends with the same events,
stories, records, decisions, search results and pages, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

import storyline
from storyline.model import plain
from storyline.pipeline.embed import HashingEmbedder
from support import CapitalisedEntities, options

DEMO = Path(storyline.__file__).parent / "examples" / "demo.jsonl"


def _everything(engine: storyline.Storyline) -> dict:
    store = engine.store
    events = [e.id for e in store.events()]
    articles = [a.id for a in store.articles()]
    return {
        "stories": plain(engine.stories()),
        "export": list(engine.export()),
        "events": [plain(engine.event(e)) for e in events],
        "articles": [plain(engine.article(a)) for a in articles],
        "decisions": [(d.subject_id, d.target_id, d.level, d.action, d.score, d.threshold, d.features, d.explanation)
                      for d in store.decisions(articles + events)],
        "assignments": store.assignments(),
        "vocabulary": (store.vocabulary("entity"), store.vocabulary("term")),
        "memory": store.cluster_memory(),
        "rejections": engine.rejections(),
        "pages": plain(engine.story_list(limit=3)),
        # the hits and their order; the snippets are each engine's own excerpt (FTS5 snippet(), ts_headline())
        "search": [_hits(plain(engine.search(words, limit=4))) for words in ("rescue", "earthquake Morocco", "the", "rat")],
        "vectors": [(k, vid, v.tobytes()) for k, vid, v in store.embeddings()],
    }


def _hits(page: dict) -> tuple:
    for hit in page["articles"]:
        assert hit["highlights"] and all(hit["snippet"][a:b] for a, b in hit["highlights"])
    return tuple((h["id"], h["event_id"], h["story_id"]) for h in page["articles"]), page["next"]


@pytest.mark.parametrize("batch_size", [64, 5])
def test_the_demo_corpus_gives_the_same_store_on_sqlite_and_postgresql(tmp_path, pg_server, batch_size):
    results = {}
    for backend, db in (("sqlite", tmp_path / "demo.db"), ("postgres", pg_server.database())):
        with storyline.Storyline(db, options(batch_size=batch_size), embedder=HashingEmbedder(),
                                 entity_extractor=CapitalisedEntities()) as engine:
            summary = engine.ingest([str(DEMO)])
            assert summary.ingested > 20 and summary.events_created > 3
            results[backend] = _everything(engine)
    sqlite, postgres = results["sqlite"], results["postgres"]
    for part in sqlite:
        assert postgres[part] == sqlite[part], part
    assert all(hits for hits, _ in sqlite["search"])  # the searches found something to compare  # the searches found something to compare
