"""RSS and Atom feeds: one article per entry, the feed's title as outlet; summary-only feeds say so."""

from __future__ import annotations

import pytest

from storyline.errors import Codes
from storyline.model import Notice, RawRecord, Rejection
from storyline.pipeline.readers import read_path

pytest.importorskip("feedparser")

RSS_SUMMARIES = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Daily Planet - News</title><link>https://planet.example/</link>
<item><title>Thames floods Marlow</title><link>https://planet.example/marlow</link>
<pubDate>Mon, 06 Mar 2023 09:30:00 GMT</pubDate>
<description>&lt;p&gt;Floodwater poured into Marlow on Sunday.&lt;/p&gt;&lt;p&gt;Two care homes were evacuated.&lt;/p&gt;</description></item>
<item><title>Council budget approved</title><link>https://planet.example/budget</link>
<pubDate>Tue, 07 Mar 2023 18:00:00 GMT</pubDate><description>The council approved its budget.</description></item>
<item><title>An entry with nothing in it</title><link>https://planet.example/empty</link></item>
</channel></rss>"""

ATOM_FULL = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire Service</title><id>urn:wire</id><updated>2023-03-07T00:00:00Z</updated>
<entry><title>Rowing club ferries residents</title><id>urn:wire:1</id><link href="https://wire.example/1"/>
<published>2023-03-06T21:00:00Z</published><updated>2023-03-07T08:00:00Z</updated>
<summary>Volunteers helped.</summary>
<content type="html">&lt;p&gt;Volunteers from the rowing club ferried elderly neighbours.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Forty people were moved.&lt;/li&gt;&lt;/ul&gt;</content>
</entry></feed>"""


def test_rss_entries_become_articles_with_the_feed_title_as_outlet(tmp_path):
    path = tmp_path / "planet.rss"
    path.write_text(RSS_SUMMARIES, encoding="utf-8")

    items = list(read_path(str(path)))

    first, second = [i for i in items if isinstance(i, RawRecord)]
    assert first.fields == {"title": "Thames floods Marlow", "url": "https://planet.example/marlow", "date": "2023-03-06",
                            "source": "Daily Planet - News",
                            "text": "Floodwater poured into Marlow on Sunday.\n\nTwo care homes were evacuated."}
    assert (first.line, second.line, second.fields["date"]) == (1, 2, "2023-03-07")
    (empty,) = [i for i in items if isinstance(i, Rejection)]
    assert (empty.line, empty.code) == (3, Codes.NO_ARTICLE) and "entry 3" in empty.reason


def test_a_feed_of_summaries_says_so(tmp_path):
    path = tmp_path / "planet.xml"
    path.write_text(RSS_SUMMARIES, encoding="utf-8")

    (notice,) = [i for i in read_path(str(path)) if isinstance(i, Notice)]

    assert "summaries only" in notice.message and "--fetch" in notice.message


def test_atom_content_is_preferred_to_the_summary_and_published_to_updated(tmp_path):
    path = tmp_path / "wire.atom"
    path.write_text(ATOM_FULL, encoding="utf-8")

    items = list(read_path(str(path)))

    (record,) = items
    assert record.fields["text"] == "Volunteers from the rowing club ferried elderly neighbours.\n\nForty people were moved."
    assert (record.fields["date"], record.fields["source"]) == ("2023-03-06", "Wire Service")


@pytest.mark.parametrize("content", ["this is not XML at all, just words", "<html><body><p>a page</p></body></html>"])
def test_a_file_that_is_not_a_feed_is_one_rejection(tmp_path, content):
    path = tmp_path / "broken.rss"
    path.write_text(content, encoding="utf-8")

    (rejection,) = list(read_path(str(path)))

    assert (rejection.code, rejection.origin) == (Codes.NOT_A_FEED, str(path))


def test_ingesting_a_feed_reports_summaries_in_the_summary_line(fake_engine, tmp_path):
    path = tmp_path / "planet.rss"
    path.write_text(RSS_SUMMARIES, encoding="utf-8")

    summary = fake_engine().ingest([str(path)])

    assert (summary.ingested, summary.rejected) == (2, 1)
    assert "note:" in summary.line() and "summaries only" in summary.line()
