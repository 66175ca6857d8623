"""Hand-written web pages, feeds and archives for the reader tests (no network, no evaluation data)."""

from __future__ import annotations

import io

PARAGRAPHS = [
    "Floodwater poured into the centre of Marlow on Sunday after the Thames burst its banks upstream of the "
    "town bridge, forcing the evacuation of two care homes and more than three hundred households.",
    "The Environment Agency said river levels at the Marlow gauge reached their highest point since 2014, and "
    "warned that further rain forecast for Tuesday could push them higher still before the weekend.",
    "Residents described water rising through floorboards within an hour. Volunteers from the rowing club "
    "ferried elderly neighbours to the leisure centre, where the council has opened a rest centre.",
]


def article_page(*, title: str = "Thames floods Marlow as river bursts its banks", date: str = "2023-03-06",
                 site: str = "Daily Planet", canonical: str = "https://planet.example/news/marlow-floods",
                 paragraphs: list[str] | None = None, charset: str = "utf-8") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in (paragraphs or PARAGRAPHS))
    return f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="{charset}">
<title>{title} | {site}</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{date}T09:30:00+00:00">
<link rel="canonical" href="{canonical}">
</head><body>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience. Accept all cookies?</div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/weather">Weather</a></li></ul></nav></header>
<main><article>
<h1>{title}</h1>
<p class="byline">By Lois Lane</p>
{body}
</article>
<aside class="related"><h2>Related stories</h2><ul>
<li><a href="/a">Council approves new car park for leisure centre</a></li>
<li><a href="/b">Rowing club celebrates its centenary with regatta</a></li>
</ul></aside>
<section id="comments" class="comments"><h2>Comments</h2>
<div class="comment"><p>Terrible news, hope everyone is safe down by the river tonight.</p></div></section>
</main>
<footer><p>Copyright 2023 Daily Planet. All rights reserved. Privacy policy. Terms of use.</p></footer>
</body></html>"""


HOME_PAGE = """<!DOCTYPE html><html><head><title>Daily Planet</title></head><body>
<nav><a href="/news">News</a> <a href="/sport">Sport</a> <a href="/weather">Weather</a></nav>
<ul><li><a href="/a">Floods in Marlow</a></li><li><a href="/b">Council budget</a></li></ul>
</body></html>"""


def warc_bytes(records: list[tuple[str, str, int, str, bytes]], *, gzip: bool) -> bytes:
    """A WARC file of (type, uri, status, content type, payload) records, written by warcio."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip)
    for kind, uri, status, ctype, payload in records:
        if kind == "response":
            headers = StatusAndHeaders(f"{status} {'OK' if status == 200 else 'Other'}", [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(uri, "response", payload=io.BytesIO(payload), http_headers=headers)
        else:
            record = writer.create_warc_record(uri, kind, payload=io.BytesIO(payload), warc_content_type=ctype)
        writer.write_record(record)
    return out.getvalue()
