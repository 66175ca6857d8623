"""Story maps drawn on the server as SVG from the bundled country outlines.

The outlines are Natural Earth's 1:110m countries (``static/countries-110m.geojson``,
see ``static/THIRD_PARTY.md``). A map is an equirectangular view around the
story's places: the countries in view as paths, the countries named by the
story filled, and one numbered marker per event with coordinates. Nothing is
fetched from another host.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

__all__ = ["MapMarker", "StoryMap", "draw_map"]

_WIDTH = 640.0
_MIN_SPAN = 16.0  # degrees: never zoom closer than this
_MARKER_GAP = 20.0  # pixels: markers closer than this are spread around their common point


@dataclass(frozen=True)
class MapMarker:
    label: str  # short text on the marker (the event's number on the timeline)
    title: str  # what a pointer or screen reader gets
    latitude: float
    longitude: float
    href: str
    #: the place is known only at country or region level (drawn hollow, and the title says so)
    approximate: bool = False


@dataclass(frozen=True)
class _Country:
    name: str
    code: str | None
    rings: tuple[tuple[tuple[float, float], ...], ...]
    box: tuple[float, float, float, float]  # west, south, east, north


@dataclass(frozen=True)
class StoryMap:
    width: float
    height: float
    countries: tuple[tuple[str, str, bool], ...]  # (name, SVG path in longitude/-latitude units, named by the story)
    markers: tuple[tuple[float, float, MapMarker], ...]  # (x, y, marker)
    caption: str
    #: SVG transform from longitude/-latitude to the view's pixels (the outlines are drawn once, not per page)
    transform: str = ""


@lru_cache(maxsize=None)
def _outline(index: int) -> str:
    """A country's outline as an SVG path in (longitude, -latitude) units."""
    country = _countries()[index]
    return "".join("M" + "L".join(f"{lon:.2f},{-lat:.2f}" for lon, lat in ring) + "Z" for ring in country.rings)


@lru_cache(maxsize=1)
def _countries() -> tuple[_Country, ...]:
    path = resources.files("storyline.web") / "static" / "countries-110m.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for feature in data["features"]:
        rings = tuple(_unwrap(ring) for polygon in feature["geometry"]["coordinates"] for ring in polygon)
        lons = [p[0] for r in rings for p in r]
        lats = [p[1] for r in rings for p in r]
        props = feature["properties"]
        out.append(_Country(props["name"], props.get("iso_a2"), rings, (min(lons), min(lats), max(lons), max(lats))))
    return tuple(out)


def _unwrap(ring: list[list[float]]) -> tuple[tuple[float, float], ...]:
    """A ring that crosses the antimeridian (Chukotka, Fiji) continues east of 180 instead of
    jumping across the whole map; what lies beyond 180 is outside every view."""
    lons = [lon for lon, _ in ring]
    if max(lons) - min(lons) > 180:
        return tuple((lon + 360 if lon < 0 else lon, lat) for lon, lat in ring)
    return tuple((lon, lat) for lon, lat in ring)


def _view(points: list[tuple[float, float]], boxes: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    west = min([p[1] for p in points] + [b[0] for b in boxes])
    east = max([p[1] for p in points] + [b[2] for b in boxes])
    south = min([p[0] for p in points] + [b[1] for b in boxes])
    north = max([p[0] for p in points] + [b[3] for b in boxes])
    pad_x = max((_MIN_SPAN - (east - west)) / 2, (east - west) * 0.25, 2.0)
    pad_y = max((_MIN_SPAN * 0.6 - (north - south)) / 2, (north - south) * 0.25, 2.0)
    return max(west - pad_x, -180.0), max(south - pad_y, -60.0), min(east + pad_x, 180.0), min(north + pad_y, 84.0)


def draw_map(markers: Iterable[MapMarker], country_codes: Iterable[str] = ()) -> StoryMap | None:
    """The map of a story's places, or None when it names no place we can draw."""
    markers = [m for m in markers if -90 <= m.latitude <= 90 and -180 <= m.longitude <= 180]
    codes = {c.upper() for c in country_codes if c}
    named = [c for c in _countries() if c.code in codes]
    if not markers and not named:
        return None
    # the view follows the markers; the boxes of named countries (the United States' reaches from Alaska
    # across the antimeridian) decide it only when no event has a position
    west, south, east, north = _view([(m.latitude, m.longitude) for m in markers], [] if markers else [c.box for c in named])
    squash = max(math.cos(math.radians((north + south) / 2)), 0.3)
    scale = _WIDTH / ((east - west) * squash)
    height = round((north - south) * scale, 1)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - west) * squash * scale, 1), round((north - lat) * scale, 1)

    drawn = []
    for i, country in enumerate(_countries()):
        b = country.box
        if b[2] < west or b[0] > east or b[3] < south or b[1] > north:
            continue
        drawn.append((country.name, _outline(i), country.code in codes))
    transform = f"matrix({squash * scale:.5f} 0 0 {scale:.5f} {-west * squash * scale:.3f} {north * scale:.3f})"
    placed = _spread([(*xy(m.longitude, m.latitude), m) for m in markers])
    names = sorted({name for name, _, hit in drawn if hit})
    caption = f"{len(placed)} event place{'s' if len(placed) != 1 else ''} located" + (f"; countries named: {', '.join(names)}" if names else "")
    return StoryMap(_WIDTH, height, tuple(drawn), placed, caption, transform)


def _spread(placed: list[tuple[float, float, MapMarker]]) -> tuple[tuple[float, float, MapMarker], ...]:
    """Markers that would cover one another (events at one place) set around their point on a small circle."""
    out: list[tuple[float, float, MapMarker]] = []
    groups: list[list[tuple[float, float, MapMarker]]] = []
    for x, y, m in placed:
        for group in groups:
            if math.hypot(group[0][0] - x, group[0][1] - y) < _MARKER_GAP:
                group.append((x, y, m))
                break
        else:
            groups.append([(x, y, m)])
    for group in groups:
        if len(group) == 1:
            out.append(group[0])
            continue
        cx, cy = group[0][0], group[0][1]
        radius = _MARKER_GAP * max(1.0, len(group) / (2 * math.pi)) * 1.1
        for i, (_, _, m) in enumerate(group):
            angle = 2 * math.pi * i / len(group) - math.pi / 2
            out.append((round(cx + radius * math.cos(angle), 1), round(cy + radius * math.sin(angle), 1), m))
    return tuple(out)
