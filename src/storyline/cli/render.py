"""Text renderings of the read models for a terminal (the JSON forms come from ``to_dict()``)."""

from __future__ import annotations

import textwrap
from typing import Any

from ..model import RECORD_FIELDS, counted

__all__ = ["story_table", "render"]


def story_table(stories: list[dict[str, Any]]) -> str:
    lines = [f"{'id':<6} {'dates':<23} {'events':>6} {'articles':>8} {'sources':>7}  title"]
    for story in stories:
        dates = _span(story["first_date"], story["last_date"])
        title = textwrap.shorten(story["title"] or "", width=70, placeholder="...")
        lines.append(f"{story['id']:<6} {dates:<23} {len(story['events']):>6} {story['n_articles']:>8} {story['n_sources']:>7}  {title}")
    return "\n".join(lines)


def _span(first: str | None, last: str | None) -> str:
    """A range of report dates: one day once ("2022-06-18"), else "first..last"."""
    first, last = first or "undated", last or ""
    return first if last in ("", first) else f"{first}..{last}"


def _render_event(event: dict[str, Any], indent: str = "") -> list[str]:
    relays = event.get("relays") or ()
    relayed = "".join(f" ({len(r['articles'])} relays of one {r['name']} report)" for r in relays)
    lines = [
        f"{indent}event {event['id']}: {event['title']}",
        f"{indent}  date {event['date'] or 'unknown'} ({event['date_precision']}); reported "
        f"{_span(event['first_date'], event['last_date'])}; {counted(event['n_articles'], 'article')}, "
        f"{counted(event['n_independent_reports'], 'independent report')}{relayed}, {counted(event['n_sources'], 'source')}",
    ]
    relaying = {article_id: r["name"] for r in relays for article_id in r["articles"]}
    for source, items in sorted(event["articles_by_source"].items()):
        lines.append(f"{indent}  {'no outlet name' if source == '(unknown)' else source}:")
        for a in items:
            dup = f" [duplicate of {a['duplicate_of']}]" if a["duplicate_of"] else ""
            via = f" [relays {relaying[a['id']]}]" if a["id"] in relaying else ""
            lines.append(f"{indent}    {a['id']}  {a['date'] or 'undated'}  {a['title'] or ''}{dup}{via}".rstrip())
    for relay in relays:
        lines.append(f"{indent}  relays of one {relay['name']} report: {', '.join(relay['articles'])}")
    if event.get("record"):
        lines += _render_record(event["record"], indent + "  ")
    lines.append(f"{indent}  why together:")
    for why in event["why"]:
        lines.append(f"{indent}    {why['article']}: {why['explanation']}")
    return lines


def _describe(name: str, value: dict[str, Any]) -> str:
    detail = value.get("detail") or {}
    if name == "kind":
        return f"{detail.get('label') or value['value']}" + (f" (IPTC: {detail['iptc_label']})" if detail.get("iptc_label") else "")
    if name == "event_type":
        acled = " / ".join(x for x in (detail.get("acled_event_type"), detail.get("acled_sub_event_type")) if x)
        plover = value["value"] if value["value"] is not None else "no PLOVER type"
        return f"{plover}" + (f" (ACLED: {acled})" if acled else "")
    if name == "place":
        where = ", ".join(str(x) for x in (detail.get("admin1"), detail.get("country")) if x and x != value["value"])
        coords = f" {detail['latitude']:.3f},{detail['longitude']:.3f}" if detail.get("latitude") is not None else ""
        return f"{value['value']}" + (f", {where}" if where else "") + f" [{detail.get('precision', '?')}]{coords}"
    if name == "date":
        start, end = detail.get("start"), detail.get("end")
        span = ("" if start == end else f" on or before {end}" if start is None
                else f" on or after {start}" if end is None else f" {start}..{end}")
        return f"{value['value']} [{detail.get('precision', '?')}]{span}"
    return str(value["value"])


def _render_record(record: dict[str, Any], indent: str, background: bool = False) -> list[str]:
    lines = [f"{indent}{'earlier event' if background else 'record'}:" + (f" {record['summary']}" if record.get("summary") else "")]
    for name, label in RECORD_FIELDS.items():
        field = (record.get("fields") or {}).get(name)
        if not field:
            continue
        value = field.get("value")
        shown = _describe(name, value) if value else ("uncertain" if name == "kind" else "none" if name == "event_type"
                                                      or (field.get("note") or "").startswith("not coded") else "not reported")
        note = f"  ({field['note']})" if field.get("note") else ""
        lines.append(f"{indent}  {label:<8} {shown}{note}")
        for support in (value or {}).get("support") or ():
            sentence = " ".join(support["text"].split())
            lines.append(f"{indent}           <- {support.get('source') or support['article_id']}: \"{sentence[:160]}\"")
        for alt in field.get("alternatives") or ():
            who = ", ".join(sorted({s.get("source") or s["article_id"] for s in alt.get("support") or ()}))
            lines.append(f"{indent}           differs: {_describe(name, alt)} ({who})")
    for earlier in record.get("background") or ():
        lines += _render_record(earlier, indent + "  ", background=True)
    return lines


def render(kind: str, data: dict[str, Any]) -> str:
    if kind == "story":
        lines = [f"story {data['id']}: {data['title']}",
                 f"  {_span(data['first_date'], data['last_date'])}; {counted(len(data['events']), 'event')}, "
                 f"{counted(data['n_articles'], 'article')}, {counted(data['n_sources'], 'source')}"]
        for event in data["events"]:
            lines += _render_event(event, "  ")
        story_why = [w for w in data["why"] if w["level"] == "story"]
        if story_why:
            lines.append("  events linked:")
            lines += [f"    {w['subject_id']}: {w['explanation']}" for w in story_why]
        return "\n".join(lines)
    if kind == "event":
        return "\n".join(_render_event(data))
    lines = [f"article {data['id']}: {data['title'] or ''}",
             f"  {data['source'] or '-'}, {data['date'] or 'undated'}, language {data['language']}, event {data['event_id']}",
             f"  from {data['origin']}"]
    if data["duplicate_of"]:
        lines.append(f"  duplicate of {data['duplicate_of']}")
    if data["headings"]:
        lines.append("  headings: " + "; ".join(data["headings"]))
    lines.append(f"  {len(data['sentences'])} sentences, {len(data['mentions'])} entity mentions")
    return "\n".join(lines)


def render_comparison(data: dict[str, Any]) -> str:
    """A comparison as text: contested facts first with each value's sources, agreed facts, then per source."""
    lines = [f"{data['event']}: {data['note']}"]
    for up in data["upstream"]:
        lines.append(f"upstream: {up['source']}, relayed by {', '.join(up['relayed_by'])}")
    for status, title in (("contested", "Contested"), ("agreed", "Agreed")):
        facts = [f for f in data["facts"] if f["status"] == status]
        if facts:
            lines.append(f"{title}:")
        for f in facts:
            lines.append(f"  {f['id']} [{f['kind']}] {f['text']}")
            lines.append(f"      {len(f['sources'])} sources ({f['independent_sources']} independent): {', '.join(f['sources'])}")
            for conflict in f.get("conflicts") or [f]:
                if len(f.get("conflicts") or ()) > 1:
                    lines.append(f"      {conflict['note']}")
                for v in conflict["values"]:
                    lines.append(f"      {v['value']}: {', '.join(v['sources'])}")
    texts = {f["id"]: f["text"] for f in data["facts"]}
    for source, parts in data["by_source"].items():
        lines.append(f"{source}:")
        for key, word in (("adds", "adds"), ("omits", "omits"), ("contradicts", "contradicts")):
            for fid in parts[key]:
                lines.append(f"  {word} {fid}: {texts[fid]}")
        if parts["framing"]:
            terms = ", ".join(f"{t['term']} ({t['kind']})" for t in parts["framing"])
            lines.append(f"  framing: {terms}")
    return "\n".join(lines)
