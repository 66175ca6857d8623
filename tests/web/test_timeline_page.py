"""A Timeline17 topic's timeline as a page, in the real browser (issue 16): the screenshot in docs/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

import storyline
from storyline.pipeline.embed import HashingEmbedder
from support import CapitalisedEntities, options
from test_browser import SCREENSHOTS, browser  # noqa: F401  (the real-browser fixture)
from webtools import live_server

pytestmark = pytest.mark.slow

#: ../shared/data beside the checkout (or beside the folder of worktrees)
_DATA = next((p / "shared" / "data" for p in Path(__file__).resolve().parents[2:5] if (p / "shared" / "data").exists()),
             Path("../shared/data"))
TOPIC = _DATA / "timelines" / "t17" / "haiti"


@pytest.fixture(scope="module")
def haiti_store(tmp_path_factory) -> Path:
    if not TOPIC.exists():
        pytest.skip(f"Timeline17 development data not found at {TOPIC}")
    path = tmp_path_factory.mktemp("t17") / "haiti.db"
    with storyline.Storyline(path, options(), embedder=HashingEmbedder(), entity_extractor=CapitalisedEntities()) as sl:
        summary = sl.ingest([str(TOPIC / "articles.jsonl")])
        assert summary.ingested > 250
    return path


def test_the_haiti_topic_as_a_timeline_page(browser, haiti_store):  # noqa: F811
    with live_server(haiti_store) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 1400})
        page = context.new_page()
        response = page.goto(url + "/timeline?q=Haiti&dates=8")
        assert response.status == 200
        days = page.locator(".timeline > li.tl-day")
        assert days.count() == 8
        dates = [d.get_attribute("datetime") for d in page.locator(".timeline time").all()]
        assert dates == sorted(dates) and dates[0] == "2010-01-12"  # the day of the earthquake
        assert page.locator(".timeline a.cite").count() >= 8
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / "timeline-t17-haiti-laptop.png"
        page.screenshot(path=str(target), full_page=False)
        assert target.stat().st_size > 10_000
        context.close()
