#!/usr/bin/env python3
"""Independent reference values for geodesic distances on WGS84.

Writes tests/fixtures/geodesic_reference.json, which the Rust tests check
against (to 1 m).  Deliberately brute force and independent of whatever the
crate does:

* point-to-point: Geodesic.WGS84.Inverse(...)["s12"].
* point-to-line: every edge is the geodesic between consecutive vertices.
  For each edge, Geodesic.WGS84.InverseLine is sampled at N_SAMPLES + 1
  evenly spaced arc distances, and the best sample is refined by
  golden-section search over arc distance (bracket = neighbouring samples,
  clamped to the edge ends) until the bracket is < GOLDEN_TOL_M; the edge
  ends themselves are candidates too.  distance = min over edges,
  nearest = that closest point, chainage = geodesic length along the line
  from its first vertex to it.
* point-to-polygon: 0 when the point is inside (exterior ring contains it and
  no hole does), by a plain even-odd ray-casting test in planar lon/lat;
  otherwise min over all rings (each ring a closed line) of point-to-line.

All coordinates are [lon, lat] in degrees, distances in metres.  Inputs are
hand picked (some are derived with Geodesic.Direct, then rounded to 1e-9 deg
before anything is measured), so the output is deterministic.

Usage:
    pip install -r tools/requirements-reference.txt
    python tools/geodesic_reference.py [OUTPUT_PATH]
"""

import json
import math
import os
import sys

import geographiclib
from geographiclib.geodesic import Geodesic

GEOD = Geodesic.WGS84
N_SAMPLES = 2000
GOLDEN_TOL_M = 1e-4  # bracket width in arc metres (< 1 mm as required)
INV_PHI = (math.sqrt(5.0) - 1.0) / 2.0

REGION = (103.0, 110.0, 25.0, 32.0)  # lon_min, lon_max, lat_min, lat_max

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, os.pardir, "tests", "fixtures", "geodesic_reference.json")


# --------------------------------------------------------------------------
# primitives


def rc(x):
    """Round a coordinate to 1e-9 degree."""
    return round(x, 9) + 0.0


def rd(x):
    """Round a distance to 1 mm."""
    return round(x, 3) + 0.0


def dist(p, q):
    """Geodesic distance between [lon, lat] points."""
    return GEOD.Inverse(p[1], p[0], q[1], q[0])["s12"]


def direct(p, azi, s):
    """Point reached from p going s metres at azimuth azi; rounded."""
    r = GEOD.Direct(p[1], p[0], azi, s)
    return [rc(r["lon2"]), rc(r["lat2"])]


def in_region(p):
    return REGION[0] <= p[0] <= REGION[1] and REGION[2] <= p[1] <= REGION[3]


def point_to_edge(p, a, b):
    """Closest point of the geodesic edge a-b to p.

    Returns (distance_m, [lon, lat], arc_distance_from_a_m, edge_length_m).
    """
    line = GEOD.InverseLine(a[1], a[0], b[1], b[0])
    length = line.s13
    if length == 0.0:
        return dist(p, a), [a[0], a[1]], 0.0, 0.0

    def at(s):
        pos = line.Position(s)
        return [pos["lon2"], pos["lat2"]]

    def f(s):
        return dist(p, at(s))

    step = length / N_SAMPLES
    best_i, best_d = 0, float("inf")
    for i in range(N_SAMPLES + 1):
        d = f(i * step)
        if d < best_d:
            best_i, best_d = i, d

    lo = max(0.0, (best_i - 1) * step)
    hi = min(length, (best_i + 1) * step)
    x1 = hi - INV_PHI * (hi - lo)
    x2 = lo + INV_PHI * (hi - lo)
    f1, f2 = f(x1), f(x2)
    while hi - lo > GOLDEN_TOL_M:
        if f1 <= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - INV_PHI * (hi - lo)
            f1 = f(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + INV_PHI * (hi - lo)
            f2 = f(x2)

    mid = 0.5 * (lo + hi)
    cands = [(f(mid), mid, at(mid))]
    # Clamp to the edge ends: the exact vertices compete too.
    cands.append((dist(p, a), 0.0, [a[0], a[1]]))
    cands.append((dist(p, b), length, [b[0], b[1]]))
    d, s, q = min(cands, key=lambda c: c[0])
    return d, q, s, length


def point_to_line(p, line):
    """(distance_m, nearest [lon, lat], chainage_m, edge_index)."""
    best = None
    chain = 0.0
    for k in range(len(line) - 1):
        d, q, s, length = point_to_edge(p, line[k], line[k + 1])
        if best is None or d < best[0]:
            best = (d, q, chain + s, k)
        chain += length
    return best


def ring_contains(p, ring):
    """Even-odd ray casting in planar lon/lat (ray towards +lon)."""
    x, y = p
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if (y1 > y) != (y2 > y):
            xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < xc:
                inside = not inside
    return inside


def closed(ring):
    return ring if ring[0] == ring[-1] else ring + [ring[0]]


def point_to_polygon(p, polygon):
    """(distance_m, inside, ring_index_of_nearest_or_None)."""
    rings = [closed(r) for r in polygon]
    inside = ring_contains(p, rings[0]) and not any(ring_contains(p, h) for h in rings[1:])
    if inside:
        return 0.0, True, None
    best = None
    for i, r in enumerate(rings):
        d = point_to_line(p, r)[0]
        if best is None or d < best[0]:
            best = (d, i)
    return best[0], False, best[1]


# --------------------------------------------------------------------------
# named places (approximate city centres)

CHENGDU = [104.0657, 30.6595]
CHONGQING = [106.5516, 29.5630]
GUIYANG = [106.6302, 26.6477]
ZUNYI = [106.9272, 27.7254]
LUZHOU = [105.4423, 28.8718]
YIBIN = [104.6417, 28.7513]
LESHAN = [103.7656, 29.5521]
NANCHONG = [106.1107, 30.8378]
DAZHOU = [107.4680, 31.2096]
WANZHOU = [108.4089, 30.8078]
QIANJIANG = [108.7708, 29.5333]
TONGREN = [109.1896, 27.7183]
KAILI = [107.9818, 26.5834]
ANSHUN = [105.9476, 26.2455]
LIUPANSHUI = [104.8305, 26.5933]
BIJIE = [105.2850, 27.3020]
FULING = [107.3894, 29.7032]


# --------------------------------------------------------------------------
# point-to-point cases


def p2p_pairs():
    return [
        (CHONGQING, [106.5516, 29.5720]),       # ~1 km, meridional
        (CHONGQING, [106.5620, 29.5630]),       # ~1 km, east-west
        (CHONGQING, direct(CHONGQING, 37.0, 1500.0)),  # 1.5 km, oblique
        (CHENGDU, [104.1200, 30.6900]),         # ~6 km
        (CHONGQING, FULING),                    # ~85 km
        (BIJIE, LIUPANSHUI),                    # ~90 km
        (WANZHOU, DAZHOU),                      # ~100 km
        (GUIYANG, ZUNYI),                       # ~120 km
        (KAILI, TONGREN),                       # ~170 km
        (CHENGDU, CHONGQING),                   # ~270 km
        (CHENGDU, GUIYANG),                     # ~500 km
        (LESHAN, TONGREN),                      # ~560 km
        ([105.0, 25.2], [105.0, 30.5]),         # ~590 km, meridional
        ([103.3, 28.0], [109.4, 28.0]),         # ~600 km, along a parallel
    ]


# --------------------------------------------------------------------------
# point-to-line cases

LINES = {
    "L1": [CHENGDU, CHONGQING],
    "L2": [CHONGQING, ZUNYI, GUIYANG],
    "L3": [LESHAN, YIBIN, LUZHOU, CHONGQING, WANZHOU],
    "L4": [GUIYANG, ANSHUN, LIUPANSHUI, BIJIE, LUZHOU, YIBIN],
    "L5": [WANZHOU, QIANJIANG, TONGREN, KAILI],
    "L6": [NANCHONG, DAZHOU],
}


def norm_az(a):
    return (a + 180.0) % 360.0 - 180.0


def off_edge(line, k, frac, side, d):
    """From the point at fraction frac of edge k, go d metres perpendicular
    to the edge (side=+1: right of travel direction, -1: left)."""
    a, b = line[k], line[k + 1]
    gl = GEOD.InverseLine(a[1], a[0], b[1], b[0])
    pos = gl.Position(frac * gl.s13)
    foot = [pos["lon2"], pos["lat2"]]
    return direct(foot, norm_az(pos["azi2"] + side * 90.0), d)


def off_vertex(line, k, d):
    """From interior vertex k, go d metres along the outward bisector
    (the convex side of the turn, where the vertex itself is nearest)."""
    v = line[k]
    back = GEOD.Inverse(v[1], v[0], line[k - 1][1], line[k - 1][0])["azi1"]
    fwd = GEOD.Inverse(v[1], v[0], line[k + 1][1], line[k + 1][0])["azi1"]
    x = math.sin(math.radians(back)) + math.sin(math.radians(fwd))
    y = math.cos(math.radians(back)) + math.cos(math.radians(fwd))
    inward = math.degrees(math.atan2(x, y))
    return direct(v, norm_az(inward + 180.0), d)


def beyond_end(line, at_start, d, turn=0.0):
    """Continue past an end of the line by d metres (deflected by turn deg)."""
    if at_start:
        a, b = line[0], line[1]
        az = GEOD.Inverse(a[1], a[0], b[1], b[0])["azi1"] + 180.0
        return direct(a, norm_az(az + turn), d)
    a, b = line[-2], line[-1]
    az = GEOD.Inverse(a[1], a[0], b[1], b[0])["azi2"]
    return direct(b, norm_az(az + turn), d)


def p2l_cases():
    L = LINES
    # (label, line name, point, expected kind)
    return [
        ("L1 edge 0 mid, 0.5 km left", "L1", off_edge(L["L1"], 0, 0.5, -1, 500.0), "interior"),
        ("L1 edge 0 at 30%, 50 km right", "L1", off_edge(L["L1"], 0, 0.3, +1, 50_000.0), "interior"),
        ("L1 before start, 30 km", "L1", beyond_end(L["L1"], True, 30_000.0, 20.0), "start"),
        ("L1 past end, 120 km", "L1", beyond_end(L["L1"], False, 120_000.0, -10.0), "end"),
        ("L2 vertex 1 (Zunyi), 10 km out", "L2", off_vertex(L["L2"], 1, 10_000.0), "vertex"),
        ("L2 edge 0 at 70%, 200 km left", "L2", off_edge(L["L2"], 0, 0.7, -1, 200_000.0), "interior"),
        ("L2 past end (Guiyang), 60 km", "L2", beyond_end(L["L2"], False, 60_000.0, 15.0), "end"),
        ("L3 vertex 1 (Yibin), 5 km out", "L3", off_vertex(L["L3"], 1, 5_000.0), "vertex"),
        ("L3 vertex 3 (Chongqing), 25 km out", "L3", off_vertex(L["L3"], 3, 25_000.0), "vertex"),
        ("L3 edge 3 at 40%, 1 km right", "L3", off_edge(L["L3"], 3, 0.4, +1, 1_000.0), "interior"),
        ("L3 edge 1 at 50%, 80 km right", "L3", off_edge(L["L3"], 1, 0.5, +1, 80_000.0), "interior"),
        ("L4 edge 3 at 60%, 15 km left", "L4", off_edge(L["L4"], 3, 0.6, -1, 15_000.0), "interior"),
        ("L4 vertex 2 (Liupanshui), 40 km out", "L4", off_vertex(L["L4"], 2, 40_000.0), "vertex"),
        ("L4 past end (Yibin), 100 km", "L4", beyond_end(L["L4"], False, 100_000.0), "end"),
        ("L5 edge 1 at 25%, 2 km left", "L5", off_edge(L["L5"], 1, 0.25, -1, 2_000.0), "interior"),
        ("L5 vertex 2 (Tongren), 60 km out", "L5", off_vertex(L["L5"], 2, 60_000.0), "vertex"),
        ("L6 edge 0 mid, 300 km right", "L6", off_edge(L["L6"], 0, 0.5, +1, 300_000.0), "interior"),
        ("L6 past end (Dazhou), 0.5 km", "L6", beyond_end(L["L6"], False, 500.0, 30.0), "end"),
        # hand-picked city points, not constructed from the line geometry
        ("Fuling to L3", "L3", FULING, "interior"),
        ("Nanchong to L1", "L1", NANCHONG, "interior"),
        ("Qianjiang to L2", "L2", QIANJIANG, "interior"),
        ("Kaili to L4", "L4", KAILI, "start"),
        ("Zunyi to L3", "L3", ZUNYI, "interior"),
        ("Chongqing to L4", "L4", CHONGQING, "vertex"),
    ]


# --------------------------------------------------------------------------
# point-to-polygon cases

# Hexagon around central Chongqing with a rectangular hole (counter-clockwise
# exterior, clockwise hole), and a C-shaped (concave) polygon in Guizhou
# opening to the east.
HEXAGON = [
    [[105.6, 29.0], [106.5, 28.6], [107.5, 29.1], [107.6, 30.0], [106.8, 30.5], [105.8, 30.1], [105.6, 29.0]],
    [[106.3, 29.4], [106.3, 29.8], [106.8, 29.8], [106.8, 29.4], [106.3, 29.4]],
]
C_SHAPE = [
    [[106.0, 26.0], [107.5, 26.0], [107.5, 26.3], [106.4, 26.3], [106.4, 26.9],
     [107.5, 26.9], [107.5, 27.2], [106.0, 27.2], [106.0, 26.0]],
]


def ring_edge_out(ring, k, d, outward_side):
    """d metres perpendicular from the midpoint of ring edge k."""
    return off_edge(ring, k, 0.5, outward_side, d)


def ring_vertex_out(ring, k, d):
    """d metres out from ring vertex k along the convex-side bisector."""
    r = ring[:-1]
    n = len(r)
    return off_vertex([r[(k - 1) % n], r[k], r[(k + 1) % n]], 1, d)


def p2poly_cases():
    ext, hole = HEXAGON
    # (label, polygon, point, expected inside, expected nearest ring or None)
    return [
        ("hexagon: inside, west of hole", HEXAGON, [106.0, 29.5], True, None),
        ("hexagon: inside, between hole and exterior", HEXAGON, [106.25, 29.6], True, None),
        ("hexagon: inside, near north-east edge", HEXAGON, [107.3, 30.0], True, None),
        # exterior is counter-clockwise, so outward is right of travel (+1)
        ("hexagon: outside, 3 km off edge 2 midpoint", HEXAGON, ring_edge_out(ext, 2, 3_000.0, +1), False, 0),
        ("hexagon: outside, 40 km off edge 4 midpoint", HEXAGON, ring_edge_out(ext, 4, 40_000.0, +1), False, 0),
        ("hexagon: outside, 5 km off vertex 1", HEXAGON, ring_vertex_out(ext, 1, 5_000.0), False, 0),
        ("hexagon: outside, far south-east", HEXAGON, [109.5, 26.0], False, 0),
        ("hexagon: inside the hole, centre", HEXAGON, [106.55, 29.6], False, 1),
        ("hexagon: inside the hole, near its east side", HEXAGON, [106.78, 29.62], False, 1),
        ("C-shape: inside the lower arm", C_SHAPE, [106.2, 26.6], True, None),
        ("C-shape: in the notch (outside)", C_SHAPE, [107.0, 26.5], False, 0),
        ("C-shape: outside, north-west of vertex 7", C_SHAPE, ring_vertex_out(C_SHAPE[0], 7, 8_000.0), False, 0),
    ]


# --------------------------------------------------------------------------


def check(cond, msg):
    if not cond:
        raise SystemExit("self-check failed: " + msg)


def build():
    out_p2p = []
    for a, b in p2p_pairs():
        check(in_region(a) and in_region(b), f"p2p out of region {a} {b}")
        d = dist(a, b)
        check(900.0 <= d <= 650_000.0, f"p2p distance {d} out of range")
        out_p2p.append({"a": a, "b": b, "distance_m": rd(d)})

    for name, line in LINES.items():
        check(2 <= len(line) <= 6, f"{name} vertex count")
        for k in range(len(line) - 1):
            e = dist(line[k], line[k + 1])
            check(50_000.0 <= e <= 300_000.0, f"{name} edge {k} is {e / 1000:.1f} km")
        check(all(in_region(v) for v in line), f"{name} out of region")

    out_p2l = []
    for label, lname, p, kind in p2l_cases():
        line = LINES[lname]
        check(in_region(p), f"{label}: point {p} out of region")
        d, q, chain, k = point_to_line(p, line)
        check(500.0 - 1.0 <= d <= 300_000.0 + 1.0, f"{label}: distance {d}")
        at_vertex = [i for i, v in enumerate(line) if dist(q, v) < 1e-3]
        if kind == "interior":
            check(not at_vertex and all(dist(q, v) > 1.0 for v in line), f"{label}: nearest {q} is at a vertex")
        elif kind == "vertex":
            check(at_vertex and 0 < at_vertex[0] < len(line) - 1, f"{label}: nearest {q} not an interior vertex")
        elif kind == "start":
            check(at_vertex == [0] and chain < 1e-3, f"{label}: nearest {q} not the first vertex")
        elif kind == "end":
            check(at_vertex == [len(line) - 1], f"{label}: nearest {q} not the last vertex")
        out_p2l.append({
            "label": f"{label} (nearest: {kind})",
            "point": p,
            "line": line,
            "distance_m": rd(d),
            "nearest": [rc(q[0]), rc(q[1])],
            "chainage_m": rd(chain),
        })

    out_poly = []
    for label, poly, p, want_inside, want_ring in p2poly_cases():
        check(in_region(p), f"{label}: point {p} out of region")
        for r in poly:
            check(r[0] == r[-1], f"{label}: ring not closed")
            for k in range(len(r) - 1):
                # keeps planar-vs-geodesic edge bulge (~ L^2 tan(lat) / 8R)
                # well under the 1 km margin below
                check(dist(r[k], r[k + 1]) <= 160_000.0, f"{label}: ring edge too long")
        d, inside, ring = point_to_polygon(p, poly)
        check(inside == want_inside, f"{label}: inside={inside}")
        check(ring == want_ring, f"{label}: nearest ring {ring}")
        # every query point is >= 1 km from every ring, so containment does
        # not depend on planar vs geodesic edges
        margin = min(point_to_line(p, closed(r))[0] for r in poly)
        check(margin >= 1_000.0, f"{label}: only {margin:.0f} m from a ring")
        out_poly.append({
            "label": label,
            "point": p,
            "polygon": poly,
            "distance_m": rd(d),
        })

    source = (
        "Generated by tools/geodesic_reference.py (command: "
        "`pip install -r tools/requirements-reference.txt && python tools/geodesic_reference.py`) "
        f"with Python geographiclib {geographiclib.__version__}, ellipsoid WGS84 "
        f"(a={GEOD.a} m, f=1/{1 / GEOD.f:.9f}). Coordinates are [lon, lat] degrees, distances metres; "
        "distances rounded to 1 mm, coordinates to 1e-9 degree. "
        "point_to_point: Geodesic.WGS84.Inverse s12. "
        "point_to_line: each edge is the geodesic between consecutive vertices; per edge, "
        f"Geodesic.WGS84.InverseLine sampled at {N_SAMPLES + 1} evenly spaced arc distances, best sample "
        f"refined by golden-section search over arc distance to a bracket < {GOLDEN_TOL_M * 1000:g} mm, "
        "clamped to the edge ends (the end vertices are candidates too); distance_m = minimum over edges, "
        "nearest = the closest point, chainage_m = geodesic length along the line from its first vertex to "
        "nearest. point_to_polygon: polygon = [exterior ring, holes...], each ring closed; distance_m = 0 "
        "if the point is inside (inside the exterior ring and in no hole), by a plain even-odd ray-casting "
        "test in planar lon/lat; otherwise the point_to_line distance to the nearest ring, each ring "
        "treated as a closed line (holes included, so a point inside a hole gets the distance to the "
        "nearest ring, here the hole's). Every polygon query point is at least 1 km from every ring, so "
        "containment is the same whether ring edges are taken as planar lon/lat segments or geodesics. "
        "Inputs are hand picked (some derived with Geodesic.Direct and rounded to 1e-9 degree before use), "
        "so the output is deterministic. 'label' fields are descriptive only."
    )
    return {
        "source": source,
        "polygon_containment": "even-odd ray casting in planar lon/lat",
        "point_to_point": out_p2p,
        "point_to_line": out_p2l,
        "point_to_polygon": out_poly,
    }


def main(argv):
    out = argv[1] if len(argv) > 1 else DEFAULT_OUT
    data = build()
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(text)
    n = len(data["point_to_point"]) + len(data["point_to_line"]) + len(data["point_to_polygon"])
    print(f"wrote {os.path.normpath(out)}: {n} cases", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
