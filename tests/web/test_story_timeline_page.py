"""A Timeline17 topic linked into one story, as the story page: the summary on top, then its events in date
order (issue 16); the screenshot in docs/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

import storyline
from storyline.pipeline.embed import HashingEmbedder
from support import CapitalisedEntities, options
from test_browser import SCREENSHOTS, browser  # noqa: F401  (the real-browser fixture)
from webtools import live_server

pytestmark = pytest.mark.slow

_DATA = next((p / "shared" / "data" for p in Path(__file__).resolve().parents[2:5] if (p / "shared" / "data").exists()),
             Path("../shared/data"))
TOPIC = _DATA / "timelines" / "t17" / "haiti"


@pytest.fixture(scope="module")
def haiti_story(tmp_path_factory) -> tuple[Path, str]:
    if not TOPIC.exists():
        pytest.skip(f"Timeline17 development data not found at {TOPIC}")
    path = tmp_path_factory.mktemp("t17story") / "haiti.db"
    with storyline.Storyline(path, options(linker="linker.continuation.v2"), embedder=HashingEmbedder(),
                             entity_extractor=CapitalisedEntities()) as sl:
        sl.ingest([str(TOPIC / "articles.jsonl")])
        biggest = max(sl.store.stories(), key=lambda s: (s.n_events, s.n_articles))
        assert sl.store.digest("story", biggest.id) is not None  # stored at ingest: the page computes nothing
    return path, biggest.id


def test_a_timeline17_topic_as_a_story_page_with_its_summary_on_top(browser, haiti_story):  # noqa: F811
    path, story_id = haiti_story
    with live_server(path) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 1400})
        page = context.new_page()
        response = page.goto(f"{url}/stories/{story_id}")
        assert response.status == 200
        summary = page.locator("section.digest").first
        timeline = page.locator("ol.timeline")
        assert summary.bounding_box()["y"] < timeline.bounding_box()["y"]  # the summary on top
        assert page.locator("ol.timeline > li.tl-event").count() >= 3
        dates = [d.get_attribute("datetime") for d in page.locator("ol.timeline time").all() if d.get_attribute("datetime")]
        assert dates and dates == sorted(dates)
        assert page.locator("ol.timeline a.cite").count() >= 5
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / "story-t17-haiti-laptop.png"
        page.screenshot(path=str(target), full_page=False)
        assert target.stat().st_size > 10_000
        context.close()
