"""The GCJ-02 <-> WGS84 transform of tools/yqgeo/gcj02.py."""

import math

import pytest

from yqgeo.gcj02 import gcj02_to_wgs84, haversine_m, out_of_china, wgs84_to_gcj02

# Published test vectors of the reference implementation (eviltransform): (wgs lat, wgs lon) -> (gcj lat, gcj lon).
PUBLISHED = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize("wgs,gcj", PUBLISHED)
def test_forward_matches_published_vectors(wgs, gcj):
    lon, lat = wgs84_to_gcj02(wgs[1], wgs[0])
    assert lon == pytest.approx(gcj[1], abs=1e-9)
    assert lat == pytest.approx(gcj[0], abs=1e-9)


@pytest.mark.parametrize("wgs,gcj", PUBLISHED)
def test_inverse_recovers_published_wgs84_within_half_a_metre(wgs, gcj):
    lon, lat = gcj02_to_wgs84(gcj[1], gcj[0])
    assert haversine_m(lon, lat, wgs[1], wgs[0]) < 0.5


# Known points of the region (WGS84 lon, lat): Qijiang seat, Ganshui, Tongzi seat, Zunyi, Wanzhou.
REGION = [(106.6476, 29.0312), (106.7111, 28.7422), (106.8213, 28.1368), (106.9236, 27.7292), (108.4041, 30.8099)]


@pytest.mark.parametrize("lon,lat", REGION)
def test_forward_shifts_region_points_east_and_south_by_300_to_600_m(lon, lat):
    glon, glat = wgs84_to_gcj02(lon, lat)
    dist = haversine_m(lon, lat, glon, glat)
    assert 300 < dist < 600
    # In the Chongqing–Guizhou area GCJ-02 lies east-south-east of WGS84.
    assert glon > lon and glat < lat
    bearing = math.degrees(math.atan2((glon - lon) * math.cos(math.radians(lat)), glat - lat)) % 360
    assert 95 < bearing < 140


def test_qijiang_shift_has_the_expected_size():
    # cpca's Qijiang seat (GCJ-02 106.651361, 29.028066) is ~508 m from its WGS84 position.
    lon, lat = gcj02_to_wgs84(106.651361, 29.028066)
    assert haversine_m(lon, lat, 106.651361, 29.028066) == pytest.approx(507.5, abs=1.0)
    assert lon == pytest.approx(106.647621, abs=2e-6)
    assert lat == pytest.approx(29.031250, abs=2e-6)


def test_inverse_round_trips_over_the_whole_region_to_under_half_a_metre():
    worst = 0.0
    for i in range(21):
        for j in range(21):
            lon, lat = 104.0 + i * 0.3, 26.0 + j * 0.3
            back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
            worst = max(worst, haversine_m(lon, lat, *back))
    assert worst < 0.5
    assert worst < 0.001  # in practice the iteration converges far below a millimetre


def test_outside_china_is_unchanged():
    assert out_of_china(2.35, 48.85)
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)
