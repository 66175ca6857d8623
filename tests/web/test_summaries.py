"""Cited summaries and timelines over HTTP and in the real browser (issue 16)."""

from __future__ import annotations

import pytest

from test_browser import browser, page  # noqa: F401  (the real-browser fixtures)


def _flood_article_texts(client) -> dict[str, str]:
    return {i: client.get(f"/api/articles/{i}").json()["text"] for i in ("flood-1", "flood-2")}


def test_event_summary_cites_both_reports_for_what_they_agree_on(client, web_store):
    _, ids = web_store
    digest = client.get(f"/api/events/{ids['flood_event']}/summary").json()
    texts = _flood_article_texts(client)

    assert 2 <= len(digest["sentences"]) <= 5
    first = digest["sentences"][0]
    assert first["kind"] == "agreed" and first["n_sources"] == 2
    assert {c["article_id"] for c in first["citations"]} == {"flood-1", "flood-2"}
    for sentence in digest["sentences"]:
        assert sentence["citations"], sentence
        for c in sentence["citations"]:
            assert texts[c["article_id"]][c["start"] : c["end"]] == c["text"]
    assert digest["title"] and first["text"].startswith(digest["title"].removesuffix("..."))


def test_story_timeline_lists_events_in_date_order_with_a_cited_line_each(client, web_store):
    _, ids = web_store
    timeline = client.get(f"/api/stories/{ids['flood_story']}/timeline").json()
    assert [d["event_id"] for d in timeline["days"]] == [ids["flood_event"]]
    (day,) = timeline["days"]
    assert day["date"] == "2023-03-05" and len(day["sentences"]) == 1 and day["sentences"][0]["citations"]
    assert timeline["summary"] and all(s["citations"] for s in timeline["summary"])


def test_unknown_ids_and_queries_answer_404_in_the_error_shape(client):
    for path in ("/api/events/E999/summary", "/api/stories/S999/timeline", "/api/timeline?q=zeppelinzz"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "SL401"


def test_query_timeline_chooses_dates_the_reports_mention(client):
    timeline = client.get("/api/timeline", params={"q": "Marlow", "dates": 3}).json()
    dates = [d["date"] for d in timeline["days"]]
    assert "2023-03-05" in dates  # "on Sunday" in reports of the 6th and 7th
    assert dates == sorted(dates)
    assert timeline["n_articles"] == 2


def test_story_page_has_the_summary_on_top_and_a_cited_line_per_event(page, server, web_store):  # noqa: F811
    _, ids = web_store
    page.goto(server + f"/stories/{ids['flood_story']}")
    digest = page.locator("section.digest")
    assert digest.count() == 1
    # the summary comes before the timeline of events
    assert page.evaluate("""() => {
        const d = document.querySelector('section.digest'), t = document.querySelector('.timeline');
        return !!(d.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    assert digest.locator("li").count() >= 2
    assert page.locator(".timeline .tl-summary a.cite").count() >= 1
    page.locator("section.digest a.cite").first.click()
    page.wait_for_url("**/articles/flood-*")


def test_event_page_has_its_summary_before_the_record(page, server, web_store):  # noqa: F811
    _, ids = web_store
    page.goto(server + f"/events/{ids['flood_event']}")
    assert page.locator("section.digest .tag.agreed").count() >= 1
    assert page.evaluate("""() => {
        const d = document.querySelector('section.digest'), r = document.getElementById('record-h');
        return !!(d.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    title = page.locator("h1").inner_text()
    assert title and page.locator("section.digest li").first.inner_text().startswith(title.removesuffix("..."))


def test_timeline_page_builds_a_timeline_from_a_query(page, server):  # noqa: F811
    page.goto(server + "/timeline")
    page.fill("input[name=q]", "Marlow")
    page.click("form.filters button")
    page.wait_for_url("**/timeline?q=Marlow*")
    days = page.locator(".timeline > li.tl-day")
    assert days.count() >= 1
    assert "2023-03-05" in page.locator(".timeline").inner_text()
    assert page.locator(".timeline a.cite").count() >= 1


@pytest.mark.slow
def test_the_founding_event_page_shows_its_summary_citing_both_articles_and_the_wsj(page, demo_server):  # noqa: F811
    from webtools import founding

    ids = founding(demo_server)
    page.goto(demo_server + f"/events/{ids['event']}")
    digest = page.locator("section.digest")
    first = digest.locator("li").first
    assert "2 reports, one upstream" in first.inner_text()
    cited = {a.get_attribute("href").rsplit("/", 1)[1] for a in first.locator("a.cite").all()}
    assert cited == set(ids["articles"])
    assert "Wall Street Journal" in digest.locator(".hint").first.inner_text()
