"""How far a point feature's position can be trusted: its accuracy class, `location_known` and
`uncertainty_km` (geodata/FORMAT.md, "Positions").

Pure functions, shared by tools/build_geodata.py (which refuses data that breaks them) and the
data tests (which check the shipped files against them).
"""

from __future__ import annotations

from collections.abc import Iterable

from pyproj import Geod

WGS84 = Geod(ellps="WGS84")

# What each accuracy class promises for a point: its site lies within this many km of the point.
# A point's own `uncertainty_km` may be smaller, never larger.
CLASS_MAX_UNCERTAINTY_KM = {"real": 1.0, "approximate": 60.0}

# At most this many features presented as located (location_known = true) may share one position,
# "one position" meaning within STACK_RADIUS_M geodesic metres on WGS84.
MAX_LOCATED_PER_POSITION = 6
STACK_RADIUS_M = 100.0


def class_violation(accuracy: str, uncertainty_km: float) -> str | None:
    """Why a point of this class may not carry this uncertainty, or None when it may."""
    bound = CLASS_MAX_UNCERTAINTY_KM.get(accuracy)
    if bound is None:
        return f"accuracy {accuracy!r} is not a class of points (real or approximate)"
    if not uncertainty_km > 0:
        return f"uncertainty_km must be positive, got {uncertainty_km!r}"
    if uncertainty_km > bound:
        return f"accuracy {accuracy!r} promises within {bound:g} km, but uncertainty_km is {uncertainty_km:g}"
    if accuracy == "approximate" and uncertainty_km <= CLASS_MAX_UNCERTAINTY_KM["real"]:
        return f"uncertainty_km {uncertainty_km:g} is within the promise of `real`: an approximate point is more than 1 km off"
    return None


def point_positions(geometry: dict) -> list[tuple[float, float]]:
    """The positions of a Point or MultiPoint (WGS84 lon, lat); [] for other kinds."""
    if geometry["type"] == "Point":
        return [tuple(geometry["coordinates"])]
    if geometry["type"] == "MultiPoint":
        return [tuple(c) for c in geometry["coordinates"]]
    return []


def located_stacks(points: Iterable[tuple[str, tuple[float, float]]]) -> list[list[str]]:
    """Groups of more than MAX_LOCATED_PER_POSITION ids whose positions lie within STACK_RADIUS_M
    of a common first member (geodesic, WGS84). `points`: (id, (lon, lat)) of located features."""
    pts = sorted(points, key=lambda p: (p[1], p[0]))
    out = []
    for fid, (lon, lat) in pts:
        group = [fid]
        for other, (olon, olat) in pts:
            if other == fid:
                continue
            if abs(olat - lat) > 0.01 or abs(olon - lon) > 0.01:
                continue  # cheap reject: 0.01 degree is over 900 m here
            _, _, d = WGS84.inv(lon, lat, olon, olat)
            if d <= STACK_RADIUS_M:
                group.append(other)
        if len(group) > MAX_LOCATED_PER_POSITION and sorted(group) not in out:
            out.append(sorted(group))
    return out
