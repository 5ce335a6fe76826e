"""Plane and sphere geometry at the scale of a neighbourhood: metres, paths, projections.

A neighbourhood spans a few hundred metres, so a local flat plane around its mean
latitude is exact to well under a metre; great-circle (haversine) distances are used
for the straight-line matrices, and both share one Earth radius so they agree.
"""
from __future__ import annotations

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG = EARTH_RADIUS_M * np.pi / 180.0


def haversine_m(a, b) -> np.ndarray:
    """Great-circle distances in metres between rows of `a` and rows of `b` ((n, 2), (m, 2) lat/lon).

    Returns the (n, m) matrix. Broadcasts, so (n, 2) against (n, 2) paired with
    `pairwise=True`-style slicing is done by the caller with `haversine_pairs_m`.
    """
    a = np.radians(np.asarray(a, dtype=float).reshape(-1, 2))
    b = np.radians(np.asarray(b, dtype=float).reshape(-1, 2))
    return _haversine(a[:, None, 0], a[:, None, 1], b[None, :, 0], b[None, :, 1])


def haversine_pairs_m(a, b) -> np.ndarray:
    """Great-circle distances in metres between a[k] and b[k] for every k."""
    a = np.radians(np.asarray(a, dtype=float).reshape(-1, 2))
    b = np.radians(np.asarray(b, dtype=float).reshape(-1, 2))
    return _haversine(a[:, 0], a[:, 1], b[:, 0], b[:, 1])


def _haversine(lat1, lon1, lat2, lon2):
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


class LocalPlane:
    """Converts lat/lon to metres east (x) and north (y) of a reference point."""

    def __init__(self, lat0: float, lon0: float):
        self.lat0, self.lon0 = lat0, lon0
        self.kx = M_PER_DEG * np.cos(np.radians(lat0))

    def to_xy(self, latlon) -> np.ndarray:
        """(n, 2) lat/lon -> (n, 2) metres."""
        ll = np.asarray(latlon, dtype=float).reshape(-1, 2)
        return np.column_stack(((ll[:, 1] - self.lon0) * self.kx, (ll[:, 0] - self.lat0) * M_PER_DEG))


def project_onto_path(path_xy: np.ndarray, points_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each point meets a polyline: (depth along the path from its first vertex, distance off it).

    The nearest point of the path is taken, as a walker steps from a door onto the lane.
    """
    pts = np.asarray(points_xy, dtype=float).reshape(-1, 2)
    if len(path_xy) < 2:  # a lane drawn as one point: everything hangs off that point
        return np.zeros(len(pts)), np.hypot(*(pts - path_xy[0]).T)
    a, seg = path_xy[:-1], np.diff(path_xy, axis=0)
    seg_len2 = (seg ** 2).sum(axis=1)
    rel = pts[:, None, :] - a[None, :, :]
    t = np.where(seg_len2 > 0, (rel * seg[None]).sum(axis=2) / np.where(seg_len2 > 0, seg_len2, 1), 0.0)
    t = np.clip(t, 0.0, 1.0)
    gap = np.hypot(*(rel - t[..., None] * seg[None]).transpose(2, 0, 1))
    best = gap.argmin(axis=1)  # first nearest segment on ties
    rows = np.arange(len(pts))
    start_depth = np.concatenate(([0.0], np.cumsum(np.sqrt(seg_len2))))[:-1]
    depth = start_depth[best] + t[rows, best] * np.sqrt(seg_len2[best])
    return depth, gap[rows, best]


def principal_axis_order(xy: np.ndarray) -> np.ndarray:
    """Indices of points sorted along the direction they are most spread in."""
    if len(xy) < 2:
        return np.arange(len(xy))
    centred = xy - xy.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return np.argsort(centred @ vt[0], kind="stable")
