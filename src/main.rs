//! The `yuqian` binary: parse the command line, set up logging, then serve or check.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use yuqian::http::{AppState, app};
use yuqian::index::Dataset;
use yuqian::server;
use yuqian::store::LoopStore;

/// Yuqian Map: a map service for the Chongqing–Guizhou (渝黔) border infrastructure.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load the data folder, index it and serve the API and web map.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "YUQIAN_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Data folder holding layers.toml and the layer files.
        #[arg(long, env = "YUQIAN_DATA", default_value = "geodata")]
        data: PathBuf,
        /// Folder of the web map, served at `/` (skipped if it does not exist).
        #[arg(long, env = "YUQIAN_WEB", default_value = "web")]
        web: PathBuf,
        /// SQLite database of saved loops (created, with its folder, if missing).
        #[arg(long, env = "YUQIAN_DB", default_value = "var/yuqian.sqlite")]
        db: PathBuf,
        /// Token that writes to saved loops must present as `Authorization: Bearer <token>`.
        /// Required when listening on a non-loopback address.
        #[arg(long, env = "YUQIAN_WRITE_TOKEN", hide_env_values = true)]
        write_token: Option<String>,
    },
    /// Turn other data into layer files of our schema.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Validate a data folder with the server's own rules; exits 1 on any problem, listing all.
    Check {
        /// Data folder holding layers.toml.
        #[arg(default_value = "geodata")]
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum ImportSource {
    /// Railways, highways (motorway, trunk, primary and links), reservoirs and industrial land
    /// from an OpenStreetMap extract (.osm.pbf), with name:zh/name:en, ref and ODbL attribution.
    Osm {
        /// The OpenStreetMap extract.
        file: PathBuf,
        /// Folder to write the layer files and their layers.toml into.
        #[arg(long, default_value = "osm-layers")]
        out: PathBuf,
        /// Data folder whose province boundary layer assigns each feature its provinces.
        #[arg(long, default_value = "geodata")]
        boundaries: PathBuf,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            addr,
            data,
            web,
            db,
            write_token,
        } => serve(addr, data, web, db, write_token),
        Command::Check { dir } => check(dir),
        Command::Import {
            source:
                ImportSource::Osm {
                    file,
                    out,
                    boundaries,
                },
        } => import_osm(file, out, boundaries),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load(dir: &std::path::Path) -> anyhow::Result<Dataset> {
    let started = std::time::Instant::now();
    let ds = Dataset::load(dir)
        .with_context(|| format!("cannot load the data folder {}", dir.display()))?;
    for (layer, stats) in ds.catalogue.layers.iter().zip(&ds.stats) {
        tracing::info!(
            layer = %layer.id,
            features = stats.feature_count,
            bbox = ?stats.bbox.map(|b| [b.min.x, b.min.y, b.max.x, b.max.y]),
            "loaded {} ({})", layer.title_en, layer.title_zh
        );
    }
    tracing::info!(
        features = ds.features.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        data_version = %ds.data_version,
        "data indexed"
    );
    Ok(ds)
}

fn check(dir: PathBuf) -> anyhow::Result<ExitCode> {
    match Dataset::load(&dir) {
        Ok(ds) => {
            println!(
                "{}: {} layers, {} features, no problems",
                dir.display(),
                ds.catalogue.layers.len(),
                ds.features.len()
            );
            println!("data version {}", ds.data_version);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("{e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn import_osm(file: PathBuf, out: PathBuf, boundaries: PathBuf) -> anyhow::Result<ExitCode> {
    let ds = load(&boundaries)?;
    let summary = yuqian::import::osm::import(&file, &out, &ds)?;
    for (layer, count) in &summary.written {
        println!(
            "{layer}: {count} features written to {}",
            out.join(format!("{layer}.geojson")).display()
        );
    }
    println!(
        "left out: {} outside Chongqing and Guizhou, {} with nodes missing from the extract, {} degenerate, {} with rings that do not close",
        summary.outside_provinces,
        summary.missing_nodes,
        summary.degenerate,
        summary.unclosed_rings
    );
    Ok(ExitCode::SUCCESS)
}

#[tokio::main]
async fn serve(
    addr: SocketAddr,
    data: PathBuf,
    web: PathBuf,
    db: PathBuf,
    write_token: Option<String>,
) -> anyhow::Result<ExitCode> {
    let write_token = write_token.filter(|t| !t.is_empty());
    if !addr.ip().is_loopback() && write_token.is_none() {
        anyhow::bail!(
            "refusing to listen on {addr} with saved loops open to anyone: set --write-token (or YUQIAN_WRITE_TOKEN), or listen on a loopback address"
        );
    }
    let ds = load(&data)?;
    let store = LoopStore::open(&db)
        .with_context(|| format!("cannot open the loop database {}", db.display()))?;
    tracing::info!(db = %db.display(), writes = if write_token.is_some() { "need a token" } else { "open (loopback only)" }, "saved loops");
    let web = web.is_dir().then_some(web);
    if web.is_none() {
        tracing::warn!("no web folder: serving the API only");
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    server::run(
        listener,
        app(AppState::with_store(ds, Some(store), write_token), web),
        server::shutdown_signal(),
    )
    .await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
