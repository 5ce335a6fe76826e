"""Walking along a lane's path: a list of (lat, lon) points from its mouth to its far end.

Lanes are at most a few kilometres long, so a local flat projection (metres east and
north of the path's first point) is exact enough and keeps the geometry simple.
"""
from __future__ import annotations

import math
from typing import Sequence

from .distance import EARTH_RADIUS_M

LatLon = tuple[float, float]
_M_PER_DEG = math.pi * EARTH_RADIUS_M / 180


class LanePath:
    """A lane's path with distances measured along it, in metres from the mouth."""

    def __init__(self, points: Sequence[Sequence[float]]):
        if not points:
            raise ValueError("a lane path needs at least one point")
        self.points: list[LatLon] = [(float(p[0]), float(p[1])) for p in points]
        self._lat0, self._lon0 = self.points[0]
        self._cos0 = math.cos(math.radians(self._lat0))
        self._xy = [self._to_xy(p) for p in self.points]
        self._along = [0.0]
        for (x1, y1), (x2, y2) in zip(self._xy, self._xy[1:]):
            self._along.append(self._along[-1] + math.hypot(x2 - x1, y2 - y1))

    @property
    def length_m(self) -> float:
        """Length of the path in metres."""
        return self._along[-1]

    def _to_xy(self, p: Sequence[float]) -> tuple[float, float]:
        return ((p[1] - self._lon0) * _M_PER_DEG * self._cos0, (p[0] - self._lat0) * _M_PER_DEG)

    def _to_latlon(self, x: float, y: float) -> LatLon:
        return (self._lat0 + y / _M_PER_DEG, self._lon0 + x / (_M_PER_DEG * self._cos0))

    def _segment(self, along: float) -> int:
        """Index i of the segment (i, i+1) holding the point `along` metres in."""
        for i in range(len(self._along) - 1):
            if along <= self._along[i + 1]:
                return i
        return max(len(self._along) - 2, 0)

    def point_at(self, along: float, offset_m: float = 0.0) -> LatLon:
        """The point `along` metres from the mouth, `offset_m` to the left (negative: right)."""
        if len(self.points) == 1 or self.length_m == 0:
            return self.points[0]
        along = min(max(along, 0.0), self.length_m)
        i = self._segment(along)
        (x1, y1), (x2, y2) = self._xy[i], self._xy[i + 1]
        seg = self._along[i + 1] - self._along[i]
        t = (along - self._along[i]) / seg if seg else 0.0
        ux, uy = ((x2 - x1) / seg, (y2 - y1) / seg) if seg else (0.0, 0.0)
        # The left normal of direction (ux, uy) is (-uy, ux).
        x = x1 + t * (x2 - x1) - uy * offset_m
        y = y1 + t * (y2 - y1) + ux * offset_m
        return self._to_latlon(x, y)

    def project(self, point: Sequence[float]) -> tuple[float, float]:
        """(metres along the path, metres away from it) of the path point nearest `point`."""
        px, py = self._to_xy(point)
        if len(self._xy) == 1:
            x0, y0 = self._xy[0]
            return 0.0, math.hypot(px - x0, py - y0)
        best = (0.0, math.inf)
        for i, ((x1, y1), (x2, y2)) in enumerate(zip(self._xy, self._xy[1:])):
            seg2 = (x2 - x1) ** 2 + (y2 - y1) ** 2
            t = ((px - x1) * (x2 - x1) + (py - y1) * (y2 - y1)) / seg2 if seg2 else 0.0
            t = min(max(t, 0.0), 1.0)
            away = math.hypot(px - (x1 + t * (x2 - x1)), py - (y1 + t * (y2 - y1)))
            if away < best[1]:
                best = (self._along[i] + t * (self._along[i + 1] - self._along[i]), away)
        return best

    def between(self, start: float, end: float) -> list[LatLon]:
        """The path from `start` to `end` metres along it (reversed when end < start)."""
        lo, hi = sorted((start, end))
        inner = [p for p, a in zip(self.points, self._along) if lo < a < hi]
        part = [self.point_at(lo), *inner, self.point_at(hi)]
        return part if start <= end else part[::-1]


GEOJSON_MAX_BYTES = 2_000_000
GEOJSON_MAX_FEATURES = 2_000


class GeoJSONError(ValueError):
    """A file that is not the GeoJSON of named lines it should be; the message says why."""


def named_lines(text: str) -> list[tuple[str, list[tuple[float, float]]]]:
    """[(name, [(lat, lon), ...]), ...] from GeoJSON text: the LineStrings (and the first
    line of each MultiLineString) with a "name" (or "ten"/"tên") property, as
    OpenStreetMap tools and uMap export them. GeoJSON says [lon, lat]: turned here."""
    import json
    if len(text) > GEOJSON_MAX_BYTES:
        raise GeoJSONError("too_big")
    try:
        data = json.loads(text)
    except ValueError:
        raise GeoJSONError("not_json") from None
    features = data.get("features") if isinstance(data, dict) else None
    if isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    if not isinstance(features, list):
        raise GeoJSONError("no_features")
    if len(features) > GEOJSON_MAX_FEATURES:
        raise GeoJSONError("too_big")
    lines = []
    for feature in features:
        if not isinstance(feature, dict):
            continue
        geometry = feature.get("geometry") or {}
        properties = feature.get("properties") or {}
        name = next((properties.get(k) for k in ("name", "ten", "tên", "Name")
                     if isinstance(properties.get(k), str) and properties.get(k).strip()), None)
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if geometry.get("type") == "MultiLineString" and coords:
            coords = coords[0]
        elif geometry.get("type") != "LineString":
            continue
        try:
            points = [(float(c[1]), float(c[0])) for c in coords]
        except (TypeError, ValueError, IndexError):
            raise GeoJSONError("bad_coordinates") from None
        if name and len(points) >= 2:
            lines.append((name.strip(), points))
    return lines
