//! The references below come from PROJ 9.1.1 (Debian's `proj-bin`), an independent
//! implementation of the same projections; the command that gave each is beside it. cs2cs
//! follows EPSG's axis order on both sides: EPSG:4490 and EPSG:4326 in (lat, lon), the
//! Gauss-Krüger CRSs out as (northing, easting), EPSG:3857 as (easting, northing).

use super::*;

/// 1 mm, for projected coordinates.
const TOLERANCE_M: f64 = 1e-3;
/// For geographic coordinates.
const TOLERANCE_DEG: f64 = 1e-9;

fn lon_lat(lon: f64, lat: f64) -> Coord {
    Coord { x: lon, y: lat }
}

fn assert_close(what: &str, got: Coord, want: Coord, tolerance: f64) {
    assert!(
        (got.x - want.x).abs() <= tolerance && (got.y - want.y).abs() <= tolerance,
        "{what}: got ({}, {}), want ({}, {}) within {tolerance}",
        got.x,
        got.y,
        want.x,
        want.y
    );
}

/// `(crs, (lon, lat), (x, y) in the CRS's axis order)`.
type Known = (Crs, (f64, f64), (f64, f64));

/// The projected references.
///
/// Gauss-Krüger rows, one command per zone, same input lines, in this order:
/// `printf "29.03 106.65\n26.65 106.63\n29.56 106.55\n21.13 100.5\n42.69 103.5\n22.5 103.5\n42.21 106.51\n18.19 106.5\n42.47 109.51\n" | cs2cs -d 4 EPSG:4490 EPSG:4543`
/// (then `EPSG:4544`, `EPSG:4545`). The last six lines are the corners of the zones' EPSG areas
/// of use (projinfo's `BBOX`): 4543 [21.13, 100.5, 42.69, 103.5], 4544 [22.5, 103.5, 42.21,
/// 106.51], 4545 [18.19, 106.5, 42.47, 109.51]; each zone is tested at its own two.
#[rustfmt::skip]
const KNOWN: [Known; 24] = [
    // Qijiang, Guiyang, Chongqing in every zone.
    (Crs::Epsg4543, (106.65, 29.03), (3221531.6861, 953225.0027)),
    (Crs::Epsg4543, (106.63, 26.65), (2957221.5031, 961266.3458)),
    (Crs::Epsg4543, (106.55, 29.56), (3279993.4645, 941175.8763)),
    (Crs::Epsg4544, (106.65, 29.03), (3213717.7465, 660739.5936)),
    (Crs::Epsg4544, (106.63, 26.65), (2949885.6936, 662296.5094)),
    (Crs::Epsg4544, (106.55, 29.56), (3272342.5124, 650218.5386)),
    (Crs::Epsg4545, (106.65, 29.03), (3213346.3314, 368488.9895)),
    (Crs::Epsg4545, (106.63, 26.65), (2949581.5909, 363594.5287)),
    (Crs::Epsg4545, (106.55, 29.56), (3272217.2986, 359474.0867)),
    // The corners of each zone's area of use.
    (Crs::Epsg4543, (100.5, 21.13), (2338205.6468, 344166.5707)),
    (Crs::Epsg4543, (103.5, 42.69), (4729373.2181, 622925.6981)),
    (Crs::Epsg4544, (103.5, 22.5), (2489940.6546, 345643.0711)),
    (Crs::Epsg4544, (106.51, 42.21), (4676066.7628, 624693.9040)),
    (Crs::Epsg4545, (106.5, 18.19), (2012660.0186, 341298.8281)),
    (Crs::Epsg4545, (109.51, 42.47), (4704948.4828, 624181.1202)),
    // Far from the central meridian (105E): 30 and 60 degrees, the limit.
    // `printf "29 135\n29 165\n0 165\n" | cs2cs -d 4 EPSG:4490 EPSG:4544`
    (Crs::Epsg4544, (135.0, 29.0), (3613097.2349, 3493550.7025)),
    (Crs::Epsg4544, (165.0, 29.0), (5327098.3151, 6820837.2676)),
    (Crs::Epsg4544, (165.0, 0.0), (0.0, 8923099.4736)),
    // `printf "0 0\n29.03 106.65\n85.0511287798066 -180\n-85.05 180\n40.75 -73.98\n" | cs2cs -d 4 EPSG:4326 EPSG:3857`
    (Crs::Epsg3857, (0.0, 0.0), (0.0, 0.0)),
    (Crs::Epsg3857, (106.65, 29.03), (11872223.6931, 3379464.9171)),
    (Crs::Epsg3857, (-180.0, 85.0511287798066), (-20037508.3428, 20037508.3428)),
    (Crs::Epsg3857, (180.0, -85.05), (20037508.3428, -20036051.9193)),
    (Crs::Epsg3857, (-73.98, 40.75), (-8235415.9289, 4975536.3611)),
    // The pole of a Gauss-Krüger zone: `printf "90 105\n" | cs2cs -d 4 EPSG:4490 EPSG:4544`
    (Crs::Epsg4544, (105.0, 90.0), (10001965.7292, 500000.0)),
];

#[test]
fn projected_coordinates_match_proj_within_1_mm() {
    for (crs, (lon, lat), (x, y)) in KNOWN {
        let got = from_crs84(crs, lon_lat(lon, lat)).unwrap();
        assert_close(
            &format!("{crs} of ({lon}, {lat})"),
            got,
            Coord { x, y },
            TOLERANCE_M,
        );
    }
}

#[test]
fn inverse_matches_proj_to_the_12_decimals_it_printed() {
    // `printf "3300000 500000\n3000000 700000\n" | cs2cs -d 12 EPSG:4544 EPSG:4490`
    // `printf "11872223.6931 3379464.9171\n20037508.342789244 20037508.342789244\n" | cs2cs -d 12 EPSG:3857 EPSG:4326`
    #[rustfmt::skip]
    let known = [
        (Crs::Epsg4544, (3300000.0, 500000.0), (105.0, 29.818554517395)),
        (Crs::Epsg4544, (3000000.0, 700000.0), (107.016504978844, 27.097163690457)),
        (Crs::Epsg3857, (11872223.6931, 3379464.9171), (106.649999999976, 29.030000000100)),
        (Crs::Epsg3857, (20037508.342789244, 20037508.342789244), (180.0, 85.051128779807)),
    ];
    for (crs, (x, y), (lon, lat)) in known {
        let got = to_crs84(crs, Coord { x, y }).unwrap();
        // cs2cs printed 12 decimals.
        assert_close(&format!("{crs} ({x}, {y})"), got, lon_lat(lon, lat), 1e-11);
    }
}

#[test]
fn round_trips_return_within_1e_9_deg_and_1_mm() {
    for (crs, (lon, lat), _) in KNOWN {
        let start = lon_lat(lon, lat);
        let there = from_crs84(crs, start).unwrap();
        let back = to_crs84(crs, there).unwrap();
        // At the pole every longitude is the same point.
        let back = if lat.abs() == 90.0 {
            lon_lat(lon, back.y)
        } else {
            back
        };
        assert_close(
            &format!("{crs} ({lon}, {lat}) back"),
            back,
            start,
            TOLERANCE_DEG,
        );
        let again = from_crs84(crs, back).unwrap();
        assert_close(
            &format!("{crs} ({lon}, {lat}) again"),
            again,
            there,
            TOLERANCE_M,
        );
    }
    for crs in Crs::ALL {
        let start = lon_lat(106.65, 29.03);
        let back = to_crs84(crs, from_crs84(crs, start).unwrap()).unwrap();
        assert_close(&format!("{crs} Qijiang back"), back, start, TOLERANCE_DEG);
    }
}

#[test]
fn geographic_crss_swap_to_latitude_first_and_crs84_does_not() {
    let qijiang = lon_lat(106.65, 29.03);
    for crs in [Crs::Epsg4326, Crs::Epsg4490] {
        assert_eq!(
            from_crs84(crs, qijiang).unwrap(),
            Coord {
                x: 29.03,
                y: 106.65
            }
        );
        assert_eq!(
            to_crs84(
                crs,
                Coord {
                    x: 29.03,
                    y: 106.65
                }
            )
            .unwrap(),
            qijiang
        );
        // (106.65, 29.03) read as (lat, lon) is no latitude.
        assert!(to_crs84(crs, qijiang).is_err());
    }
    assert_eq!(from_crs84(Crs::Crs84, qijiang).unwrap(), qijiang);
    assert_eq!(to_crs84(Crs::Crs84, qijiang).unwrap(), qijiang);
}

#[test]
fn gauss_kruger_gives_northing_first() {
    let c = from_crs84(Crs::Epsg4544, lon_lat(106.65, 29.03)).unwrap();
    assert!(
        c.x > 3_000_000.0 && (c.y - 500_000.0).abs() < 200_000.0,
        "{c:?}"
    );
}

#[test]
fn parse_reads_every_form_of_every_crs() {
    for crs in Crs::ALL {
        let (authority, version, code) = crs.name();
        assert_eq!(
            crs.uri(),
            format!("http://www.opengis.net/def/crs/{authority}/{version}/{code}")
        );
        let https = crs.uri().replacen("http://", "https://", 1);
        let lower = crs.uri().replacen(authority, &authority.to_lowercase(), 1);
        let forms = [
            crs.uri().to_string(),
            https,
            lower,
            format!("[{authority}:{code}]"),
            format!("{authority}:{code}"),
            format!("{}:{code}", authority.to_lowercase()),
            format!("[{}:{code}]", authority.to_lowercase()),
        ];
        for form in forms {
            assert_eq!(Crs::parse("crs", &form), Ok(crs), "{form}");
        }
        assert_eq!(crs.to_string(), format!("{authority}:{code}"));
    }
}

#[test]
fn parse_rejects_unknown_crss_naming_the_parameter_and_the_supported_ones() {
    for bad in [
        "",
        "EPSG:4547",
        "EPSG:",
        "4326",
        "[EPSG:4326",
        "EPSG::4326",
        "urn:ogc:def:crs:EPSG::4326",
        "http://www.opengis.net/def/crs/EPSG/0/4326/",
        "http://www.opengis.net/def/crs/EPSG/9.9/4326",
        "http://www.opengis.net/def/crs/OGC/0/CRS84",
        "http://example.com/def/crs/EPSG/0/4326",
        "OGC:CRS83",
    ] {
        let error = Crs::parse("bbox-crs", bad).unwrap_err();
        assert_eq!(error.parameter, "bbox-crs", "{bad}");
        for crs in Crs::ALL {
            assert!(error.detail.contains(crs.uri()), "{bad}: {}", error.detail);
        }
    }
}

#[test]
fn web_mercator_cannot_express_latitudes_beyond_85_05() {
    for lat in [89.0, -89.0, 85.06, 90.0] {
        let error = from_crs84(Crs::Epsg3857, lon_lat(10.0, lat)).unwrap_err();
        assert_eq!(error.direction, Direction::FromCrs84);
        assert_eq!(
            error.to_string(),
            format!("(lon, lat) (10, {lat}) lies outside what EPSG:3857 can express")
        );
    }
    // A northing beyond the square world, an easting beyond the antimeridian (it would wrap).
    for (x, y) in [
        (0.0, 20_037_509.0),
        (30_000_000.0, 0.0),
        (-20_037_509.0, 0.0),
    ] {
        let error = to_crs84(Crs::Epsg3857, Coord { x, y }).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("(x, y) ({x}, {y}) is not a valid EPSG:3857 coordinate")
        );
    }
}

#[test]
fn gauss_kruger_reaches_60_degrees_from_its_meridian() {
    for crs in [Crs::Epsg4543, Crs::Epsg4544, Crs::Epsg4545] {
        let lon_0 = crs.central_meridian_deg().unwrap();
        let projection = crs.projection().unwrap();
        assert_eq!(projection.longitude_of_origin(), lon_0.to_radians());
        for (lon, ok) in [
            (lon_0 - 60.0, true),
            (lon_0 + 60.0, true),
            (lon_0 - 60.001, false),
            (lon_0 + 60.001, false),
            (lon_0 - 180.0, false),
        ] {
            let result = from_crs84(crs, lon_lat(lon, 10.0));
            assert_eq!(result.is_ok(), ok, "{crs} {lon}: {result:?}");
        }
    }
    // Within 90 degrees PROJ answers, its series slipping (4.5 mm out and back at 70 degrees):
    // `printf "0 175\n" | cs2cs -d 4 EPSG:4490 EPSG:4544` → `0.0000 11638509.9182`.
    // Further it answers over the pole:
    // `printf "45 -75\n" | cs2cs -d 4 EPSG:4490 EPSG:4544` → `15018987.0806 500000.0000`.
    // Near 90 degrees on the equator it fails:
    // `printf "0 -170\n0 -166\n" | cs2cs EPSG:4490 EPSG:4544` → `* * inf`.
    for c in [
        lon_lat(175.0, 0.0),
        lon_lat(-75.0, 45.0),
        lon_lat(-170.0, 0.0),
        lon_lat(-166.0, 0.0),
    ] {
        let error = from_crs84(Crs::Epsg4544, c).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "(lon, lat) ({}, {}) lies outside what EPSG:4544 can express",
                c.x, c.y
            )
        );
    }
    // And the coordinates PROJ gave there are refused on the way back.
    for (x, y) in [(0.0, 11638509.9182), (15018987.0806, 500000.0)] {
        assert!(
            to_crs84(Crs::Epsg4544, Coord { x, y }).is_err(),
            "({x}, {y})"
        );
    }
}

#[test]
fn gauss_kruger_refuses_coordinates_beyond_its_image() {
    // Northings beyond any point of the earth; PROJ answers (-89.947, -75) for the first:
    // `printf "30000000 500000\n" | cs2cs -d 12 EPSG:4544 EPSG:4490`.
    for (x, y) in [(30_000_000.0, 500_000.0), (3_300_000.0, 100_000_000.0)] {
        let error = to_crs84(Crs::Epsg4544, Coord { x, y }).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("(x, y) ({x}, {y}) is not a valid EPSG:4544 coordinate")
        );
    }
}

#[test]
fn non_finite_and_out_of_range_input_is_out_of_domain() {
    for crs in Crs::ALL {
        for c in [
            lon_lat(f64::NAN, 0.0),
            lon_lat(0.0, f64::INFINITY),
            lon_lat(180.5, 0.0),
            lon_lat(0.0, -90.5),
        ] {
            assert!(from_crs84(crs, c).is_err(), "{crs} {c:?}");
        }
        for c in [
            Coord {
                x: f64::NAN,
                y: 0.0,
            },
            Coord {
                x: 0.0,
                y: f64::NEG_INFINITY,
            },
        ] {
            assert!(to_crs84(crs, c).is_err(), "{crs} {c:?}");
        }
    }
}

#[test]
fn geometries_convert_every_coordinate_of_every_kind() {
    use geo::{CoordsIter, Geometry, GeometryCollection, LineString, Point, Polygon, coord};
    let a = coord! { x: 106.65, y: 29.03 };
    let b = coord! { x: 106.63, y: 26.65 };
    let c = coord! { x: 106.55, y: 29.56 };
    let polygon = Polygon::new(LineString::new(vec![a, b, c, a]), vec![]);
    let g = Geometry::GeometryCollection(GeometryCollection(vec![
        Geometry::Point(Point(a)),
        Geometry::LineString(LineString::new(vec![a, b])),
        Geometry::Polygon(polygon.clone()),
        Geometry::GeometryCollection(GeometryCollection(vec![Geometry::MultiPolygon(
            vec![polygon].into(),
        )])),
    ]));
    let there = geometry_from_crs84(Crs::Epsg4544, &g).unwrap();
    let mut count = 0;
    for (original, projected) in g.coords_iter().zip(there.coords_iter()) {
        assert_eq!(projected, from_crs84(Crs::Epsg4544, original).unwrap());
        count += 1;
    }
    assert_eq!(count, 1 + 2 + 4 + 4);
    let back = geometry_to_crs84(Crs::Epsg4544, &there).unwrap();
    for (original, returned) in g.coords_iter().zip(back.coords_iter()) {
        assert_close("geometry back", returned, original, TOLERANCE_DEG);
    }
    let bad = Geometry::LineString(LineString::new(vec![a, coord! { x: 0.0, y: 89.0 }]));
    let error = geometry_from_crs84(Crs::Epsg3857, &bad).unwrap_err();
    assert_eq!(error.lon_lat_or_xy, coord! { x: 0.0, y: 89.0 });
}

/// Every point of the box's edges, 1000 per edge.
fn edge_points(min: Coord, max: Coord) -> impl Iterator<Item = Coord> {
    let corners = [
        min,
        Coord { x: max.x, y: min.y },
        max,
        Coord { x: min.x, y: max.y },
    ];
    (0..4).flat_map(move |i| {
        let (from, to) = (corners[i], corners[(i + 1) % 4]);
        (0..1000).map(move |step| from + (to - from) * (step as f64 / 1000.0))
    })
}

#[test]
fn rect_to_crs84_of_a_projected_box_covers_every_point_of_its_edges() {
    // A large box around Chongqing and Guizhou in the 105E zone (northing, easting), one that
    // crosses its central meridian, and a 3857 box.
    let boxes = [
        (
            Crs::Epsg4544,
            Coord {
                x: 2_800_000.0,
                y: 300_000.0,
            },
            Coord {
                x: 3_500_000.0,
                y: 900_000.0,
            },
        ),
        (
            Crs::Epsg4544,
            Coord {
                x: 2_000_000.0,
                y: -500_000.0,
            },
            Coord {
                x: 4_800_000.0,
                y: 1_500_000.0,
            },
        ),
        (
            Crs::Epsg3857,
            Coord {
                x: 11_800_000.0,
                y: 3_000_000.0,
            },
            Coord {
                x: 12_000_000.0,
                y: 3_500_000.0,
            },
        ),
    ];
    for (crs, min, max) in boxes {
        let rect = rect_to_crs84(crs, min, max).unwrap();
        for p in edge_points(min, max) {
            let c = to_crs84(crs, p).unwrap();
            assert!(
                c.x >= rect.min.x && c.x <= rect.max.x && c.y >= rect.min.y && c.y <= rect.max.y,
                "{crs}: {c:?} outside {rect:?}"
            );
        }
    }
}

#[test]
fn rect_from_crs84_covers_every_point_of_the_lon_lat_edges() {
    let r = LonLatRect {
        min: lon_lat(103.0, 24.0),
        max: lon_lat(110.5, 32.5),
    };
    for crs in [Crs::Epsg4543, Crs::Epsg4544, Crs::Epsg4545, Crs::Epsg3857] {
        let [min_x, min_y, max_x, max_y] = rect_from_crs84(crs, r).unwrap();
        for p in edge_points(r.min, r.max) {
            let c = from_crs84(crs, p).unwrap();
            assert!(
                c.x >= min_x && c.x <= max_x && c.y >= min_y && c.y <= max_y,
                "{crs}: {c:?} outside {:?}",
                [min_x, min_y, max_x, max_y]
            );
        }
    }
    let world = LonLatRect {
        min: lon_lat(-180.0, -90.0),
        max: lon_lat(180.0, 90.0),
    };
    assert!(rect_from_crs84(Crs::Epsg3857, world).is_err());
}

#[test]
fn rect_to_crs84_of_a_geographic_box_swaps_the_axes() {
    let rect = rect_to_crs84(
        Crs::Epsg4326,
        Coord { x: 26.0, y: 106.0 },
        Coord { x: 30.0, y: 107.0 },
    )
    .unwrap();
    assert_eq!(
        rect,
        LonLatRect {
            min: lon_lat(106.0, 26.0),
            max: lon_lat(107.0, 30.0)
        }
    );
    let rect = rect_to_crs84(Crs::Crs84, lon_lat(106.0, 26.0), lon_lat(107.0, 30.0)).unwrap();
    assert_eq!(
        rect,
        LonLatRect {
            min: lon_lat(106.0, 26.0),
            max: lon_lat(107.0, 30.0)
        }
    );
    assert_eq!(
        rect_from_crs84(Crs::Epsg4490, rect).unwrap(),
        [26.0, 106.0, 30.0, 107.0]
    );
}

#[test]
fn rect_to_crs84_of_a_box_beyond_the_crs_is_out_of_domain() {
    // Over the pole of the 105E zone, and beyond 3857's square world.
    let min = Coord {
        x: 9_900_000.0,
        y: 400_000.0,
    };
    let max = Coord {
        x: 10_100_000.0,
        y: 600_000.0,
    };
    assert!(rect_to_crs84(Crs::Epsg4544, min, max).is_err());
    let min = Coord {
        x: -21_000_000.0,
        y: 0.0,
    };
    let max = Coord {
        x: 0.0,
        y: 1_000_000.0,
    };
    assert!(rect_to_crs84(Crs::Epsg3857, min, max).is_err());
}

/// Rough cost per coordinate: `cargo test --release --lib ogc::crs -- --ignored --nocapture`.
#[test]
#[ignore = "a timing to read, not an assertion"]
fn time_per_coordinate() {
    use std::hint::black_box;
    let n = 1_000_000;
    for crs in Crs::ALL {
        let start = std::time::Instant::now();
        for i in 0..n {
            let c = lon_lat(
                103.0 + (i % 1000) as f64 * 0.006,
                24.0 + (i / 1000) as f64 * 0.008,
            );
            black_box(from_crs84(crs, black_box(c)).unwrap());
        }
        let forward = start.elapsed().as_nanos() as f64 / n as f64;
        let origin = from_crs84(crs, lon_lat(106.65, 29.03)).unwrap();
        let step = if crs.is_geographic() { 1e-6 } else { 0.1 };
        let start = std::time::Instant::now();
        for i in 0..n {
            let c = origin
                + Coord {
                    x: (i % 1000) as f64 * step,
                    y: (i / 1000) as f64 * step,
                };
            black_box(to_crs84(crs, black_box(c)).unwrap());
        }
        let inverse = start.elapsed().as_nanos() as f64 / n as f64;
        println!("{crs}: from_crs84 {forward:.0} ns, to_crs84 {inverse:.0} ns");
    }
}
