"""The web UI: server-rendered pages over the same engine calls as the REST API.

Pages work without JavaScript; htmx (a static file of this server) only makes
filtering, "more stories" and choosing a record field update in place. Jinja
escapes every value, so article text is always shown as text.
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from ..model import plain
from . import views
from .state import ServerState

__all__ = ["router", "error_page", "templates"]

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(resources.files("storyline.web") / "templates")),
    autoescape=True,  # every page is HTML: escape everything not marked safe (nothing is)
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.ChainableUndefined,  # a key a later stage adds may be absent: render nothing
)
templates = Jinja2Templates(env=_env)
router = APIRouter(include_in_schema=False)

#: how many articles of one source the event page shows in full
_ARTICLES_PER_SOURCE = 3
_SOURCES_SHOWN = 8
#: articles listed per event on a story page, and per page of an event
_ARTICLES_PER_EVENT = 8
_EVENT_PAGE = 100


def _state(request: Request) -> ServerState:
    return request.app.state.storyline


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


def error_page(request: Request, code: str, status: int, message: str) -> Response:
    return _render(request, "error.html", status=status, code=code, status_code=status, message=message)


Text = Annotated[str | None, Query(max_length=500)]


@router.get("/", response_class=HTMLResponse)
def stories_page(request: Request, q: Text = None, source: Text = None, place: Text = None,
                 date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
                 date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
                 cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    state = _state(request)
    filters = {"q": q or "", "source": source or "", "place": place or "", "from": date_from or "", "to": date_to or ""}
    page = state.reader().story_list(cursor=cursor, limit=state.options.serve_page_size, date_from=date_from,
                                     date_to=date_to, source=source, place=place, query=q).to_dict()
    kept = {k: v for k, v in filters.items() if v}
    more = f"/?{urlencode({**kept, 'cursor': page['next']})}" if page["next"] else None
    template = "story_rows.html" if request.headers.get("HX-Target") == "more" else "stories.html"
    return _render(request, template, stories=page["stories"], more=more, filters=filters, filtered=bool(kept),
                   search_link=f"/search?{urlencode({'q': q})}" if q else None)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: Text = None, cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    state = _state(request)
    hits, more = [], None
    if q and q.strip():
        page = state.reader().search(q, cursor=cursor, limit=state.options.serve_page_size)
        hits = [hit.to_dict() | {"parts": hit.parts()} for hit in page.articles]
        more = f"/search?{urlencode({'q': q, 'cursor': page.next})}" if page.next else None
    return _render(request, "search.html", q=q or "", hits=hits, more=more)


Offset = Annotated[int, Query(ge=0, le=2**62)]


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str, offset: Offset = 0) -> Response:
    """One page of the story's events (``serve_page_size`` of them, each with its first articles)."""
    state = _state(request)
    engine, size = state.reader(), state.options.serve_page_size
    story = engine.story(story_id, offset, size, articles_limit=_ARTICLES_PER_EVENT).to_dict()
    events = story["events"]
    unplaced = {e["id"]: e["articles"][0] for e in events if not views.event_facts(e)["place"] and e["articles"]}
    found = engine.places(list(unplaced.values()))  # the first article's places, read for the whole page at once
    places = {event_id: [plain(p) for p in found.get(first, ())] for event_id, first in unplaced.items()}
    days, summary = engine.timeline_page(story_id, [e["id"] for e in events])  # this page's lines, not every event's
    lines = {d.event_id: d for d in days}
    order = {d.event_id: n for n, d in enumerate(days)}  # the timeline's date order, within this page
    timeline = []
    for i, e in enumerate(sorted(events, key=lambda e: order.get(e["id"], len(order))), offset + 1):
        line = lines[e["id"]].to_dict() if e["id"] in lines else {"sentences": [], "title": None}
        timeline.append({"number": i, "event": e, "facts": views.event_facts(e), "summary": line["sentences"],
                         "title": line["title"] or e["title"] or e["id"]})
    linked = [w for w in story["why"] if w.get("level") == "story"]
    pages = {"earlier": max(0, offset - size) if offset else None, "later": story["next_events"]}
    return _render(request, "story.html", story=story, timeline=timeline, map=views.story_map(events, places), linked=linked,
                   summary=[s.to_dict() for s in summary], pages=pages)


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, q: Text = None, dates: Annotated[int, Query(ge=1, le=100)] = 10) -> Response:
    """A timeline of the stored articles matching ``q``: the dates that matter, each with cited sentences."""
    timeline = _state(request).reader().digests.query_timeline(q, dates).to_dict() if q else None
    return _render(request, "timeline.html", q=q or "", timeline=timeline, dates=dates)


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: str, field: Annotated[str | None, Query(max_length=40)] = None,
               fact: Annotated[str | None, Query(max_length=40)] = None, offset: Offset = 0) -> Response:
    """The event with a page of its articles (``_EVENT_PAGE`` of them, by source)."""
    engine = _state(request).reader()
    event = engine.event(event_id, offset, _EVENT_PAGE).to_dict()
    record = event.get("record")
    comparison = engine.comparison(event_id).to_dict()
    fields = views.record_fields(record)
    selected = field if any(f.name == field for f in fields) else None
    chosen_fact = fact if any(f["id"] == fact for f in comparison["facts"]) else None
    highlights = (views.fact_highlights(comparison, chosen_fact) if chosen_fact
                  else views.field_highlights(record, selected))
    columns = []
    all_columns = views.source_columns(event["articles_by_source"], event["relays"])
    texts = {a.id: a.to_dict() for a in engine.article_texts(
        [s["id"] for _, articles in all_columns[:_SOURCES_SHOWN] for s in articles[:_ARTICLES_PER_SOURCE]])}
    for source, articles in all_columns[:_SOURCES_SHOWN]:
        shown = []
        for summary in articles[:_ARTICLES_PER_SOURCE]:
            if summary["id"] not in texts:
                continue
            article = texts[summary["id"]]
            sentences, spans = highlights.get(article["id"], ({}, []))
            blocks = views.layout(article["text"], article.get("segments"), spans, sentences)
            shown.append({"article": article, "title": views.display_title(article), "blocks": blocks, "n_highlighted": sum(1 for b in blocks for s in b.sentences if s.classes)})
        columns.append({"source": source, "articles": shown, "hidden": articles[_ARTICLES_PER_SOURCE:]})
    digest = engine.summary(event_id).to_dict()
    event["title"] = digest["title"] or event["title"]
    return _render(request, "event.html", event=event, fields=fields, selected=selected or chosen_fact, columns=columns,
                   comparison=views.comparison_view(comparison), chosen_fact=chosen_fact, summary=digest,
                   hidden_sources=max(0, len(all_columns) - _SOURCES_SHOWN),
                   background=(record or {}).get("background") or [], record_summary=(record or {}).get("summary") or "",
                   pages={"earlier": max(0, offset - _EVENT_PAGE) if offset else None, "later": event["next_articles"]})


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)  # an article id may hold "/"
def article_page(request: Request, article_id: str) -> Response:
    article = _state(request).article(article_id)
    spans = views.mention_spans(article)
    blocks = views.layout(article["text"], article.get("segments"), spans)
    groups: dict[str, list[str]] = {}
    for span in spans:
        groups.setdefault(span.kind, [])
        surface = article["text"][span.start : span.end]
        if surface not in groups[span.kind]:
            groups[span.kind].append(surface)
    legend = [(kind, name) for kind, name in dict.fromkeys(views.MENTION_KINDS.values()) if kind in groups]
    return _render(request, "article.html", article=article, title=views.display_title(article), blocks=blocks, groups=groups, legend=legend,
                   url=views.safe_url(article.get("url")), places=views.place_groups(article))

