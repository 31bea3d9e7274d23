//! The `yuqian` binary: parse the command line, set up logging, then serve, check, import or
//! print the configuration.

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use yuqian::config::{self, ServeArgs};
use yuqian::http::{AppState, RateLimitSettings, app};
use yuqian::index::Dataset;
use yuqian::server::{self, ServeOptions};
use yuqian::snapshot::Live;
use yuqian::snapshot::reload::DataSource;
use yuqian::store::{Location, LoopStore};
use yuqian::work::PoolLimits;

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
    Serve(ServeArgs),
    /// Print the settings `serve` would use with these flags (tokens redacted), and where each
    /// came from.
    Config(ServeArgs),
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
    /// Validate a data folder with `check`'s rules and, only if it has no problem, write it to
    /// PostgreSQL/PostGIS as a new data version in one transaction (the replicas on that
    /// database are notified and reload).
    Load {
        /// Data folder holding layers.toml.
        dir: PathBuf,
        /// The PostgreSQL URL, `postgres://user:password@host:port/dbname` (PostGIS needed).
        #[arg(long)]
        into: String,
    },
    /// Saved-loop databases.
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
    /// Vector tiles without a server.
    Tiles {
        #[command(subcommand)]
        action: TilesAction,
    },
}

#[derive(Subcommand)]
enum DbAction {
    /// Copy every saved loop of a SQLite database (ids, versions, names, notes, plans, times,
    /// idempotency keys) into PostgreSQL, in one transaction. Refuses, copying nothing, if the
    /// target holds a loop with any of the same ids; moves the target's id sequence past them.
    CopyLoops {
        /// The SQLite database (`serve --db`'s file).
        #[arg(long)]
        from: PathBuf,
        /// The PostgreSQL URL, `postgres://user:password@host:port/dbname` (migrated first).
        #[arg(long)]
        into: String,
    },
}

#[derive(Subcommand)]
enum TilesAction {
    /// Write the tiles the server serves, z0 to --maxzoom, only those with features, into one
    /// PMTiles v3 archive with the TileJSON as its metadata.
    Export {
        /// The archive to write (replaced if it exists).
        #[arg(long)]
        pmtiles: PathBuf,
        /// Comma-separated layer ids, each a tile layer [default: every layer].
        #[arg(long, value_delimiter = ',')]
        layers: Option<Vec<String>>,
        /// The deepest zoom written; clients overzoom past it.
        #[arg(long, default_value_t = 12)]
        maxzoom: u8,
        /// Data folder holding layers.toml.
        #[arg(long, default_value = "geodata")]
        data: PathBuf,
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
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let sub = matches.subcommand().map(|(_, m)| m);
    let result = match cli.command {
        Command::Serve(args) => config::resolve(&args, sub)
            .map_err(anyhow::Error::from)
            .and_then(serve),
        Command::Config(args) => config::resolve(&args, sub)
            .map_err(anyhow::Error::from)
            .map(|r| {
                print!("{}", r.to_toml_redacted());
                ExitCode::SUCCESS
            }),
        Command::Check { dir } => check(dir),
        Command::Load { dir, into } => load_into(dir, into),
        Command::Db {
            action: DbAction::CopyLoops { from, into },
        } => copy_loops(from, into),
        Command::Tiles {
            action:
                TilesAction::Export {
                    pmtiles,
                    layers,
                    maxzoom,
                    data,
                },
        } => export_tiles(pmtiles, layers, maxzoom, data),
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
    log_loaded(&ds, started.elapsed());
    Ok(ds)
}

fn check(dir: PathBuf) -> anyhow::Result<ExitCode> {
    if dir.to_str().is_some_and(yuqian::store::is_postgres_url) {
        anyhow::bail!(
            "check validates a data folder, not a database: `yuqian load DIR --into URL` validates the folder with the same rules before writing it"
        );
    }
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

fn load_into(dir: PathBuf, into: String) -> anyhow::Result<ExitCode> {
    use yuqian::snapshot::postgres::{DataDbError, KEEP_VERSIONS, load_into};
    if !yuqian::store::is_postgres_url(&into) {
        anyhow::bail!("--into must be a postgres:// or postgresql:// URL");
    }
    let shown = yuqian::store::redact_url(&into);
    match load_into(&dir, &into) {
        Ok(loaded) => {
            match loaded.version_id {
                Some(id) => println!(
                    "{}: {} features written to {shown} as data version {id} ({}); {} older versions pruned (the newest {KEEP_VERSIONS} are kept)",
                    dir.display(),
                    loaded.features,
                    loaded.data_version,
                    loaded.pruned
                ),
                None => println!(
                    "{}: unchanged, the newest data version of {shown} already is {}",
                    dir.display(),
                    loaded.data_version
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(DataDbError::Invalid(e)) => {
            println!("{e}");
            println!("nothing was written to {shown}");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => {
            Err(anyhow::Error::from(e)
                .context(format!("cannot load {} into {shown}", dir.display())))
        }
    }
}

fn copy_loops(from: PathBuf, into: String) -> anyhow::Result<ExitCode> {
    let shown = yuqian::store::redact_url(&into);
    let copied = tokio::runtime::Runtime::new()?
        .block_on(yuqian::store::copy_loops(&from, &into))
        .with_context(|| format!("cannot copy the loops of {} into {shown}", from.display()))?;
    match copied.ids {
        Some((first, last)) => println!(
            "copied {} loops (ids {first} to {last}) and {} idempotency keys from {} into {shown}; new loops there get ids after {last}",
            copied.loops,
            copied.keys,
            from.display()
        ),
        None => println!("{} holds no loops: nothing copied", from.display()),
    }
    Ok(ExitCode::SUCCESS)
}

fn export_tiles(
    out: PathBuf,
    layers: Option<Vec<String>>,
    max_zoom: u8,
    data: PathBuf,
) -> anyhow::Result<ExitCode> {
    let ds = load(&data)?;
    let list = match layers {
        Some(l) => l.join(","),
        None => ds
            .catalogue
            .layers
            .iter()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>()
            .join(","),
    };
    let positions = yuqian::tiles::parse_layers(&ds, &list)?;
    let index = yuqian::tiles::TileIndex::build(&ds);
    let summary =
        yuqian::tiles::export::export_pmtiles(&ds, &index, &positions, &list, max_zoom, &out)?;
    println!(
        "{}: {} tiles of {list}, z0 to z{}",
        out.display(),
        summary.tiles,
        summary.max_zoom
    );
    Ok(ExitCode::SUCCESS)
}

fn import_osm(file: PathBuf, out: PathBuf, boundaries: PathBuf) -> anyhow::Result<ExitCode> {
    if boundaries
        .to_str()
        .is_some_and(yuqian::store::is_postgres_url)
    {
        anyhow::bail!(
            "--boundaries takes a data folder; the importer does not read a database (give it the folder that was loaded)"
        );
    }
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
async fn serve(resolved: config::Resolved) -> anyhow::Result<ExitCode> {
    let cfg = resolved.settings;
    let addr = cfg.addr;
    if !addr.ip().is_loopback() && cfg.write_token.is_none() {
        anyhow::bail!(
            "refusing to listen on {addr} with saved loops open to anyone: set --write-token (or YUQIAN_WRITE_TOKEN), or listen on a loopback address"
        );
    }
    if !addr.ip().is_loopback() && cfg.admin_token.is_none() {
        anyhow::bail!(
            "refusing to listen on {addr} with no admin token: set --admin-token (or YUQIAN_ADMIN_TOKEN) for /admin and /metrics, or listen on a loopback address"
        );
    }
    server::trim_periodically(Duration::from_secs(30));
    match server::raise_open_file_limit() {
        Ok(limit) => tracing::info!(limit, "open files"),
        Err(e) => tracing::warn!("cannot raise the open-file limit: {e}"),
    }
    let db = Location::parse(&cfg.db);
    let store = LoopStore::at(&db)
        .await
        .with_context(|| format!("cannot open the loop database {}", db.redacted()))?;
    tracing::info!(db = %db.redacted(), writes = if cfg.write_token.is_some() { "need a token" } else { "open (loopback only)" }, "saved loops");
    let web = cfg.web.is_dir().then(|| cfg.web.clone());
    if web.is_none() {
        tracing::warn!("no web folder: serving the API only");
    }
    let source = match cfg.data.to_str() {
        Some(url) if yuqian::store::is_postgres_url(url) => DataSource::Postgres(url.to_string()),
        _ => DataSource::Dir(cfg.data.clone()),
    };
    tracing::info!(data = %source, "data source");
    let live = Arc::new(Live::new(Some(source.clone())));
    live.set_tile_cache_bytes(cfg.tile_cache_mb.saturating_mul(1_000_000));
    let mut state = AppState::builder(live.clone());
    state.store = Some(store);
    state.write_token = cfg.write_token.clone();
    state.admin_token = cfg.admin_token.clone();
    state.pool = PoolLimits {
        concurrency: cfg.heavy_concurrency,
        queue: cfg.heavy_queue,
        budget: Duration::from_millis(cfg.heavy_budget_ms),
        queue_wait: Duration::from_millis(cfg.heavy_queue_wait_ms),
    };
    state.rate_limit = RateLimitSettings {
        per_minute: cfg.rate_limit_per_minute,
        burst: cfg.rate_limit_burst,
        loopback: cfg.rate_limit_loopback,
    };
    state.cors_origins = cfg.cors_origins.clone();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr()?;
    tracing::info!("listening on http://{bound}");
    // Without a public URL the links name the address bound (so `--addr 127.0.0.1:0` works).
    state.public_url = cfg.public_url.as_ref().map_or_else(
        || format!("http://{bound}"),
        |_| cfg.public_url_or_default(),
    );
    let router = app(state.build(), web);

    // The first snapshot loads while the server already answers /health/live (and 503 on
    // /health/ready); bad data stops the server, as `check` would fail.
    if let DataSource::Postgres(url) = &source {
        // Started before the first load, so no version announced meanwhile is missed.
        yuqian::snapshot::postgres::listen(url.clone(), live.clone())
            .context("cannot start listening for new data versions")?;
    }
    let (failed_tx, failed_rx) = tokio::sync::oneshot::channel::<String>();
    let first = live.clone();
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        match first.load() {
            Ok(snap) => {
                log_loaded(&snap.dataset, started.elapsed());
                // Then the static maps' fonts (a warning, not a failure, when no CJK font is
                // installed), so that they never delay the data.
                yuqian::render::raster::check_fonts();
            }
            Err(problems) => {
                let e = yuqian::layers::LoadError { problems };
                let _ = failed_tx.send(format!("cannot load the data: {e}"));
            }
        }
    });
    server::on_sighup({
        let live = live.clone();
        move || {
            live.reload("sighup");
        }
    })
    .context("cannot listen for SIGHUP")?;
    let _watcher = if cfg.watch {
        Some(yuqian::snapshot::watch::watch(live.clone())?)
    } else {
        None
    };

    let failure = Arc::new(std::sync::Mutex::new(None::<String>));
    let shutdown = {
        let live = live.clone();
        let failure = failure.clone();
        async move {
            tokio::select! {
                () = server::shutdown_signal() => {}
                Ok(message) = failed_rx => {
                    *failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(message);
                }
            }
            live.begin_shutdown();
        }
    };
    let options = ServeOptions {
        header_read_timeout: Duration::from_secs(cfg.header_read_timeout_s),
        ..ServeOptions::default()
    };
    server::run(listener, router, shutdown, options).await?;
    if let Some(message) = failure
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
    {
        anyhow::bail!(message);
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

fn log_loaded(ds: &Dataset, elapsed: Duration) {
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
        elapsed_ms = elapsed.as_millis() as u64,
        data_version = %ds.data_version,
        "data indexed"
    );
}
