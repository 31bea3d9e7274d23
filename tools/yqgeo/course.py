"""The course of a line: how long its straight segments may be, and routes along a river.

A line whose course is claimed (`course_known = true`) has no segment longer than
`MAX_SEGMENT_KM` (geodesic on WGS84): a longer straight segment says nothing about where the
thing runs. A line known only by its ends carries `course_known = false` instead.
"""

from __future__ import annotations

import heapq

from pyproj import Geod

MAX_SEGMENT_KM = 150.0
GEOD = Geod(ellps="WGS84")
# Pieces of the 1:4M river lines do not always share their end vertices exactly; ends closer
# than this are joined when a course is traced along the river.
JOIN_GAP_KM = 3.0


def distance_km(a, b) -> float:
    """Geodesic distance on WGS84 between two [lon, lat] positions, in km."""
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def segments_km(coords) -> list[float]:
    """The geodesic length of each straight segment of a [lon, lat] polyline, in km."""
    return [distance_km(a, b) for a, b in zip(coords, coords[1:])]


def along_river(pieces: list[list[tuple[float, float]]], start, end) -> list[list[float]]:
    """The shortest path along the river's polylines from the vertex nearest `start` to the vertex
    nearest `end` (both [lon, lat]), as a list of [lon, lat] positions.

    The river data set draws both banks and the islands, so the pieces form a network; the path
    is found over that network (Dijkstra on geodesic lengths), with piece ends that lie within
    `JOIN_GAP_KM` of another piece's vertex joined.
    """
    key = lambda p: (round(p[0], 6), round(p[1], 6))  # noqa: E731
    adj: dict[tuple, list[tuple[float, tuple]]] = {}

    def link(a, b):
        if a == b:
            return
        d = distance_km(a, b)
        adj.setdefault(a, []).append((d, b))
        adj.setdefault(b, []).append((d, a))

    nodes = set()
    for piece in pieces:
        ks = [key(p) for p in piece]
        nodes.update(ks)
        for a, b in zip(ks, ks[1:]):
            link(a, b)
    ends = [key(p) for piece in pieces for p in (piece[0], piece[-1])]
    all_nodes = list(nodes)
    for e in ends:  # bridge the small gaps between pieces
        near = min((n for n in all_nodes if n != e and n not in {b for _, b in adj.get(e, [])}),
                   key=lambda n: (n[0] - e[0]) ** 2 + (n[1] - e[1]) ** 2, default=None)
        if near is not None and distance_km(e, near) <= JOIN_GAP_KM:
            link(e, near)
    src = min(all_nodes, key=lambda n: distance_km(n, start))
    dst = min(all_nodes, key=lambda n: distance_km(n, end))
    dist = {src: 0.0}
    prev: dict[tuple, tuple] = {}
    heap = [(0.0, src)]
    while heap:
        d, n = heapq.heappop(heap)
        if n == dst:
            break
        if d > dist[n]:
            continue
        for w, m in adj.get(n, []):
            if d + w < dist.get(m, float("inf")):
                dist[m] = d + w
                prev[m] = n
                heapq.heappush(heap, (d + w, m))
    if dst not in dist:
        raise ValueError(f"the river lines do not connect {start} and {end}")
    path = [dst]
    while path[-1] != src:
        path.append(prev[path[-1]])
    return [list(p) for p in reversed(path)]
