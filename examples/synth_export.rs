//! Writes the benchmark data set (`benches/common/synth.rs`) and the benchmark's query lists as
//! tab-separated files for `tools/bench_postgis.sh`, so PostGIS answers exactly the queries the
//! criterion bench times.
//!
//! Run: `cargo run --release --example synth_export -- DIR [N_FEATURES]`
//!
//! Files (tab-separated, no header, WKT in lon/lat, loadable with `COPY ... FROM`):
//! - `features.tsv`: fid, id, layer, WKT
//! - `knn.tsv`: i, lon, lat, our 10 nearest ids in order, comma-separated
//! - `radius.tsv`: i, lon, lat, radius_m, features within (as `nearby` counts them)
//! - `boxes.tsv`: i, min_lon, min_lat, max_lon, max_lat, features matched (as `features_in`)
//! - `corridors.tsv`: i, WKT line, width_m, features found (as `corridor`)

#[path = "../benches/common/synth.rs"]
mod synth;

use geo::{Coord, Geometry};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use yuqian::query::Filter;
use yuqian::query::corridor::corridor;
use yuqian::query::nearby::nearby;
use yuqian::work::Deadline;

fn ring(out: &mut String, coords: &[Coord]) {
    out.push('(');
    for (j, c) in coords.iter().enumerate() {
        if j > 0 {
            out.push(',');
        }
        write!(out, "{} {}", c.x, c.y).expect("write to String");
    }
    out.push(')');
}

fn wkt(g: &Geometry<f64>) -> String {
    let mut s = String::new();
    match g {
        Geometry::Point(p) => write!(s, "POINT({} {})", p.x(), p.y()).expect("write to String"),
        Geometry::LineString(l) => {
            s.push_str("LINESTRING");
            ring(&mut s, &l.0);
        }
        Geometry::Polygon(p) => {
            s.push_str("POLYGON(");
            ring(&mut s, &p.exterior().0);
            for r in p.interiors() {
                s.push(',');
                ring(&mut s, &r.0);
            }
            s.push(')');
        }
        other => panic!("the synthetic data has no {other:?}"),
    }
    s
}

fn create(dir: &Path, name: &str) -> BufWriter<File> {
    BufWriter::new(File::create(dir.join(name)).expect("create output file"))
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: synth_export DIR [N_FEATURES]");
    let n: usize = args
        .next()
        .map(|s| s.parse().expect("N_FEATURES must be a number"))
        .unwrap_or(synth::N_FEATURES);
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir)?;

    let ds = synth::dataset(n);
    let mut w = create(dir, "features.tsv");
    for (fid, f) in ds.features.iter().enumerate() {
        writeln!(w, "{fid}\t{}\t{}\t{}", f.id(), f.layer, wkt(&f.geometry))?;
    }
    w.flush()?;

    let mut w = create(dir, "knn.tsv");
    for (i, p) in synth::query_points(1024, 0).iter().enumerate() {
        let ids: Vec<&str> = nearby(&ds, *p, Some(10), None, &Filter::default(), &Deadline::NONE)
            .unwrap()
            .hits
            .iter()
            .map(|h| ds.feature(h.feature).id())
            .collect();
        writeln!(w, "{i}\t{}\t{}\t{}", p.x, p.y, ids.join(","))?;
    }
    w.flush()?;

    let mut w = create(dir, "radius.tsv");
    for (i, (p, r, m)) in synth::query_radii(&ds, 256).iter().enumerate() {
        writeln!(w, "{i}\t{}\t{}\t{r}\t{m}", p.x, p.y)?;
    }
    w.flush()?;

    let mut w = create(dir, "boxes.tsv");
    for (i, (b, m)) in synth::query_boxes(&ds, 256).iter().enumerate() {
        let r = b.rect();
        writeln!(
            w,
            "{i}\t{}\t{}\t{}\t{}\t{m}",
            r.min.x, r.min.y, r.max.x, r.max.y
        )?;
    }
    w.flush()?;

    let mut w = create(dir, "corridors.tsv");
    for (i, q) in synth::query_corridors(128).iter().enumerate() {
        let found = corridor(
            &ds,
            &q.line,
            q.width_m,
            &Filter::default(),
            None,
            &Deadline::NONE,
        )
        .unwrap()
        .len();
        let mut line = String::from("LINESTRING");
        ring(&mut line, &q.positions);
        writeln!(w, "{i}\t{line}\t{}\t{found}", q.width_m)?;
    }
    w.flush()?;
    eprintln!(
        "wrote {} features and the query lists to {}",
        n,
        dir.display()
    );
    Ok(())
}
