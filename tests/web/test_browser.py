"""The web UI in a real browser: Debian's chromium driven by Playwright.

Skips with a message when chromium or Playwright is missing, except under CI
(``CI`` set), where `.ci/run` installs chromium and a missing browser fails.
Saves screenshots of the four pages, at laptop and phone widths, to
``docs/screenshots/`` (linked from the README).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from webtools import founding

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORTS = {"laptop": (1280, 800), "phone": (390, 844)}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _chromium() -> str:
    path = os.environ.get("STORYLINE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "chromium is not installed (apt-get install chromium); browser tests skipped"
        if os.environ.get("CI"):
            pytest.fail(message.replace("skipped", "required in CI"))
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed; pip install -e '.[dev,web]'")
        pytest.skip("playwright is not installed; browser tests skipped")
    executable = _chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.dialogs = []  # every alert/confirm a page opens
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.csp_errors = []
    pg.on("console", lambda m: pg.csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    yield pg
    context.close()


def test_stories_search_story_event_and_field_highlight(page, server, web_store):
    _, ids = web_store
    response = page.goto(server + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("#story-rows > li.story-card").count() == 3

    # search: htmx replaces the list in place and puts the query in the address
    page.fill("#f-q", "Thames")
    page.press("#f-q", "Enter")
    page.wait_for_url("**/?q=Thames*")
    rows = page.locator("#story-rows > li.story-card")
    rows.first.wait_for()
    assert rows.count() == 1
    assert "Floods swamp Marlow" in rows.first.inner_text()

    # open the story: a timeline and a map drawn from the bundled outlines
    rows.first.locator("a").click()
    page.wait_for_url(f"**/stories/{ids['flood_story']}")
    assert page.locator(".timeline > li").count() == 1
    assert page.locator("figure.map svg path.country").count() > 3
    assert page.locator("figure.map svg circle.marker").count() == 1
    assert page.locator("figure.map svg path.country.named title").first.text_content() == "United Kingdom"

    # open the event: one column per source, nothing highlighted yet
    page.locator(".timeline h3 a").click()
    page.wait_for_url(f"**/events/{ids['flood_event']}")
    columns = page.locator(".columns > .column")
    assert columns.count() == 2
    assert page.locator(".sentence.support").count() == 0

    # click a field: the sentences that state it light up, in both sources' columns
    page.locator('a.field-link[data-field="place"]').click()
    page.wait_for_url("**field=place*")
    page.locator(".sentence.support").first.wait_for()
    for i, phrase in enumerate(("burst its banks at Marlow", "residents of Marlow")):
        column = columns.nth(i) if "River" in columns.nth(0).locator("h3").inner_text() else columns.nth(1 - i)
        highlighted = column.locator(".sentence.support")
        assert highlighted.count() == 1
        assert phrase in highlighted.inner_text()
        assert column.locator(".m-support-span").inner_text() == phrase
    assert page.locator('a.field-link[aria-current="true"]').get_attribute("data-field") == "place"

    # by keyboard: focus another field and press Enter
    page.focus('a.field-link[data-field="date"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**field=date*")
    page.wait_for_function("document.querySelectorAll('.m-support-span').length === 2 && "
                           "[...document.querySelectorAll('.m-support-span')].every(e => e.textContent === 'on Sunday')")
    assert page.locator(".sentence.support").count() == 2
    assert page.dialogs == [] and page.csp_errors == []


def test_article_markup_is_shown_as_text_and_never_runs(page, server):
    response = page.goto(server + "/articles/xss-1")
    assert response.status == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.wait_for_timeout(300)
    main = page.locator("main")
    text = main.inner_text()
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert "Council <b>vote</b> <script>alert(1)</script> on the harbour plan" in page.locator("h1").inner_text()
    assert main.locator("script").count() == 0 and main.locator("img").count() == 0 and main.locator("b").count() == 0
    assert page.locator('a[href^="javascript"]').count() == 0  # its javascript: url is not a link
    for path in ("/", "/search?q=harbour", "/events/" + page.locator(".crumbs a").nth(1).inner_text()):
        page.goto(server + path)
        page.wait_for_timeout(200)
        assert page.locator("main script, main img").count() == 0, path
    assert page.dialogs == []


@pytest.mark.slow
def test_screenshots_of_the_four_pages_of_the_demo(browser, demo_server):
    ids = founding(demo_server)
    event = __import__("httpx").get(f"{demo_server}/api/events/{ids['event']}").json()
    fields = ((event.get("record") or {}).get("fields") or {})
    chosen = next((n for n in ("place", "date", "actor1", "event_type") if (fields.get(n) or {}).get("value")), None)
    pages = {
        "stories": "/",
        "story": f"/stories/{ids['story']}",
        "event": f"/events/{ids['event']}" + (f"?field={chosen}" if chosen else ""),
        "article": f"/articles/{ids['articles'][0]}",
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size, (width, height) in VIEWPORTS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        pg = context.new_page()
        for name, path in pages.items():
            response = pg.goto(demo_server + path)
            assert response.status == 200, path
            target = SCREENSHOTS / f"{name}-{size}.png"
            pg.screenshot(path=str(target))
            assert target.stat().st_size > 10_000
        context.close()


def test_the_api_explorer_renders_every_route_from_this_server_without_a_csp_violation(page, server, web_store):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)

    response = page.goto(server + "/api/docs")

    assert response.status == 200 and "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".opblock-summary-path").first.wait_for(timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/stories", "/api/events/{event_id}", "/api/search"} <= {p.replace("\u200b", "") for p in paths}
    assert outside == [] and page.csp_errors == []


@pytest.mark.slow
def test_the_founding_event_page_says_what_the_sources_say_and_a_fact_lights_up_in_both_reports(page, demo_server):
    import httpx

    ids = founding(demo_server)
    comparison = httpx.get(f"{demo_server}/api/events/{ids['event']}/comparison").json()
    hotline = next(f for f in comparison["facts"] if any("hotline" in s["text"] for s in f["supports"]))
    assert hotline["status"] == "agreed" and hotline["independent_sources"] == 1

    page.goto(f"{demo_server}/events/{ids['event']}")
    section = page.locator("#comparison")
    assert section.locator("h2").inner_text() == "What the sources say"
    assert "Wall Street Journal" in section.locator(".hint").first.inner_text()
    assert section.locator("#agreed-facts > li").count() >= 5
    assert section.locator("#contested-facts").count() == 0
    assert section.locator(".per-source > .column").count() == 2
    assert page.locator(".sentence.support").count() == 0

    # choose the hotline fact: its sentence lights up in each relay's column, the exact claim marked
    section.locator(f'#agreed-facts a.fact-link[data-fact="{hotline["id"]}"]').click()
    page.wait_for_url(f"**fact={hotline['id']}*")
    page.locator(".sentence.support").first.wait_for()
    marked = page.locator("#sources .m-support-span")
    assert marked.count() == 2
    texts = sorted(marked.nth(i).inner_text() for i in range(2))
    assert texts == sorted(s["text"] for s in hotline["supports"])
    assert page.locator('a.fact-link[aria-current="true"]').first.get_attribute("data-fact") == hotline["id"]
    assert page.dialogs == [] and page.csp_errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#comparison").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "comparison-laptop.png"), full_page=True)
    assert (SCREENSHOTS / "comparison-laptop.png").stat().st_size > 10_000
