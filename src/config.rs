//! Settings of `yuqian serve`, from flags, environment variables and a TOML file.
//!
//! One precedence for every setting: a flag beats its environment variable, which beats the
//! file given by `--config` (or `YUQIAN_CONFIG`), which beats the default. Each setting is
//! documented once, on its field of [`ServeArgs`]; the file uses the same names with `_`
//! (`admin_token = "..."`), and an unknown key in it is an error, so a typo is never silently
//! ignored. `yuqian config` prints the effective settings and where each came from, with the
//! tokens redacted.

use clap::parser::ValueSource;
use clap::{ArgMatches, Args};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The flags of `serve` (and of `config`, which prints what `serve` would use).
#[derive(Args, Debug, Clone, Default)]
pub struct ServeArgs {
    /// TOML file of settings (same names as the flags, with `_`); flags and environment
    /// variables override it.
    #[arg(long, env = "YUQIAN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "YUQIAN_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Data folder holding layers.toml and the layer files, or a PostgreSQL URL whose newest
    /// data version (written by `yuqian load`) is served and followed [default: geodata].
    #[arg(long, env = "YUQIAN_DATA")]
    pub data: Option<PathBuf>,
    /// Folder of the web map, served at `/` (skipped if it does not exist) [default: web].
    #[arg(long, env = "YUQIAN_WEB")]
    pub web: Option<PathBuf>,
    /// Database of saved loops: a SQLite file, created with its folder if missing, or a
    /// PostgreSQL URL (`postgres://user:password@host:port/dbname`) shared by replicas; the
    /// password is never logged or printed [default: var/yuqian.sqlite].
    #[arg(long, env = "YUQIAN_DB")]
    pub db: Option<PathBuf>,
    /// Token that writes to saved loops must present as `Authorization: Bearer <token>`.
    /// Required when listening on a non-loopback address.
    #[arg(long, env = "YUQIAN_WRITE_TOKEN", hide_env_values = true)]
    pub write_token: Option<String>,
    /// Token that `/admin/*` and `/metrics` need as `Authorization: Bearer <token>`; without
    /// one they answer loopback clients only. Required on a non-loopback address.
    #[arg(long, env = "YUQIAN_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Reload when a file of the data folder changes (debounced) [default: false].
    #[arg(long, env = "YUQIAN_WATCH", num_args = 0..=1, default_missing_value = "true",
          value_parser = clap::builder::BoolishValueParser::new())]
    pub watch: Option<bool>,
    /// Heavy requests (nearby, corridor, region, crossings, search, feature pages, loop
    /// planning) running at once [default: the number of cores].
    #[arg(long, env = "YUQIAN_HEAVY_CONCURRENCY")]
    pub heavy_concurrency: Option<usize>,
    /// Heavy requests waiting for a slot; beyond this they get 503 with Retry-After
    /// [default: 512].
    #[arg(long, env = "YUQIAN_HEAVY_QUEUE")]
    pub heavy_queue: Option<usize>,
    /// Milliseconds a heavy request may wait for a slot before it gets 503 with Retry-After
    /// [default: 10000].
    #[arg(long, env = "YUQIAN_HEAVY_QUEUE_WAIT_MS")]
    pub heavy_queue_wait_ms: Option<u64>,
    /// Time budget of one heavy request in milliseconds; past it the work stops and the
    /// request gets 503 [default: 5000].
    #[arg(long, env = "YUQIAN_HEAVY_BUDGET_MS")]
    pub heavy_budget_ms: Option<u64>,
    /// Heavy requests one client (IP address) may make per minute; 0 turns the limit off
    /// [default: 600].
    #[arg(long, env = "YUQIAN_RATE_LIMIT_PER_MINUTE")]
    pub rate_limit_per_minute: Option<u32>,
    /// Heavy requests one client may make in a burst above its steady rate [default: 60].
    #[arg(long, env = "YUQIAN_RATE_LIMIT_BURST")]
    pub rate_limit_burst: Option<u32>,
    /// Apply the rate limit to loopback clients too (a local load balancer makes every
    /// client loopback) [default: false].
    #[arg(long, env = "YUQIAN_RATE_LIMIT_LOOPBACK", num_args = 0..=1,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub rate_limit_loopback: Option<bool>,
    /// Origins that may read the read-only endpoints from a browser (comma-separated, `*` for
    /// any, empty for none); no origin may write [default: *].
    #[arg(long, env = "YUQIAN_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Option<Vec<String>>,
    /// Seconds a client has to send a request's headers, on a new or an idle kept-alive
    /// connection, before the connection is closed [default: 10].
    #[arg(long, env = "YUQIAN_HEADER_READ_TIMEOUT_S")]
    pub header_read_timeout_s: Option<u64>,
    /// Byte budget of the cache of encoded vector tiles, in megabytes (10^6 bytes), per
    /// snapshot: a reload starts an empty one; 0 turns the cache off [default: 64].
    #[arg(long, env = "YUQIAN_TILE_CACHE_MB")]
    pub tile_cache_mb: Option<u64>,
    /// The server's public base URL (scheme, host, port, any path prefix), for the absolute
    /// tile URLs of TileJSON; never taken from a request's Host header, which a client controls
    /// [default: http:// and the listen address].
    #[arg(long, env = "YUQIAN_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// The effective settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub addr: SocketAddr,
    pub data: PathBuf,
    pub web: PathBuf,
    pub db: PathBuf,
    pub write_token: Option<String>,
    pub admin_token: Option<String>,
    pub watch: bool,
    pub heavy_concurrency: usize,
    pub heavy_queue: usize,
    pub heavy_queue_wait_ms: u64,
    pub heavy_budget_ms: u64,
    pub rate_limit_per_minute: u32,
    pub rate_limit_burst: u32,
    pub rate_limit_loopback: bool,
    pub cors_origins: Vec<String>,
    pub header_read_timeout_s: u64,
    pub tile_cache_mb: u64,
    pub public_url: Option<String>,
}

impl Settings {
    /// `public_url`, or `http://` and the listen address when it is not set; no trailing `/`.
    pub fn public_url_or_default(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.addr),
        }
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: "geodata".into(),
            web: "web".into(),
            db: "var/yuqian.sqlite".into(),
            write_token: None,
            admin_token: None,
            watch: false,
            heavy_concurrency: std::thread::available_parallelism().map_or(2, usize::from),
            heavy_queue: 512,
            heavy_queue_wait_ms: 10_000,
            heavy_budget_ms: 5_000,
            rate_limit_per_minute: 600,
            rate_limit_burst: 60,
            rate_limit_loopback: false,
            cors_origins: vec!["*".into()],
            header_read_timeout_s: 10,
            tile_cache_mb: crate::tiles::DEFAULT_CACHE_MB,
            public_url: None,
        }
    }
}

/// The settings file: every field optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    addr: Option<SocketAddr>,
    data: Option<PathBuf>,
    web: Option<PathBuf>,
    db: Option<PathBuf>,
    write_token: Option<String>,
    admin_token: Option<String>,
    watch: Option<bool>,
    heavy_concurrency: Option<usize>,
    heavy_queue: Option<usize>,
    heavy_queue_wait_ms: Option<u64>,
    heavy_budget_ms: Option<u64>,
    rate_limit_per_minute: Option<u32>,
    rate_limit_burst: Option<u32>,
    rate_limit_loopback: Option<bool>,
    cors_origins: Option<Vec<String>>,
    header_read_timeout_s: Option<u64>,
    tile_cache_mb: Option<u64>,
    public_url: Option<String>,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Environment,
    File,
    Default,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Flag => "flag",
            Source::Environment => "environment",
            Source::File => "file",
            Source::Default => "default",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the settings file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the settings file {path} is not valid: {message}")]
    Parse { path: String, message: String },
    #[error("{setting}: {message}")]
    Invalid {
        setting: &'static str,
        message: String,
    },
}

/// The effective settings and the source of each, in the order of [`Settings`]' fields.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub settings: Settings,
    pub sources: Vec<(&'static str, Source)>,
}

/// Merges flags and environment (`args`, with `matches` telling which was which), the file and
/// the defaults.
pub fn resolve(args: &ServeArgs, matches: Option<&ArgMatches>) -> Result<Resolved, ConfigError> {
    let file = match &args.config {
        Some(path) => read_file(path)?,
        None => FileSettings::default(),
    };
    let d = Settings::default();
    let mut sources = Vec::new();
    let mut pick = |name: &'static str, from_cli: bool, from_file: bool| {
        let source = if from_cli {
            match matches.and_then(|m| m.value_source(name)) {
                Some(ValueSource::EnvVariable) => Source::Environment,
                _ => Source::Flag,
            }
        } else if from_file {
            Source::File
        } else {
            Source::Default
        };
        sources.push((name, source));
    };
    macro_rules! setting {
        ($name:ident) => {{
            pick(
                stringify!($name),
                args.$name.is_some(),
                file.$name.is_some(),
            );
            args.$name.clone().or(file.$name).unwrap_or(d.$name)
        }};
        (optional $name:ident) => {{
            pick(
                stringify!($name),
                args.$name.is_some(),
                file.$name.is_some(),
            );
            args.$name.clone().or(file.$name).filter(|t| !t.is_empty())
        }};
    }
    let settings = Settings {
        addr: setting!(addr),
        data: setting!(data),
        web: setting!(web),
        db: setting!(db),
        write_token: setting!(optional write_token),
        admin_token: setting!(optional admin_token),
        watch: setting!(watch),
        heavy_concurrency: setting!(heavy_concurrency),
        heavy_queue: setting!(heavy_queue),
        heavy_queue_wait_ms: setting!(heavy_queue_wait_ms),
        heavy_budget_ms: setting!(heavy_budget_ms),
        rate_limit_per_minute: setting!(rate_limit_per_minute),
        rate_limit_burst: setting!(rate_limit_burst),
        rate_limit_loopback: setting!(rate_limit_loopback),
        cors_origins: setting!(cors_origins)
            .into_iter()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
            .collect(),
        header_read_timeout_s: setting!(header_read_timeout_s),
        tile_cache_mb: setting!(tile_cache_mb),
        public_url: setting!(optional public_url),
    };
    check(&settings)?;
    Ok(Resolved { settings, sources })
}

fn read_file(path: &Path) -> Result<FileSettings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

fn check(s: &Settings) -> Result<(), ConfigError> {
    let invalid = |setting, message: &str| {
        Err(ConfigError::Invalid {
            setting,
            message: message.into(),
        })
    };
    if s.heavy_concurrency == 0 {
        return invalid("heavy_concurrency", "must be at least 1");
    }
    if s.heavy_budget_ms == 0 {
        return invalid("heavy_budget_ms", "must be at least 1 ms");
    }
    if s.header_read_timeout_s == 0 {
        return invalid("header_read_timeout_s", "must be at least 1 s");
    }
    if s.rate_limit_per_minute > 0 && s.rate_limit_burst == 0 {
        return invalid(
            "rate_limit_burst",
            "must be at least 1 while the rate limit is on",
        );
    }
    if let Some(u) = &s.public_url
        && !(u.starts_with("http://") || u.starts_with("https://"))
    {
        return Err(ConfigError::Invalid {
            setting: "public_url",
            message: format!("{u:?} is not an http:// or https:// URL"),
        });
    }
    for o in &s.cors_origins {
        if o != "*" && !(o.starts_with("http://") || o.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                setting: "cors_origins",
                message: format!("{o:?} is neither * nor an origin like https://example.org"),
            });
        }
    }
    Ok(())
}

impl Resolved {
    /// The effective settings as TOML, each line followed by its source; tokens redacted.
    pub fn to_toml_redacted(&self) -> String {
        let mut shown = self.settings.clone();
        let redact = |t: &mut Option<String>| {
            if t.is_some() {
                *t = Some("<redacted>".into());
            }
        };
        redact(&mut shown.write_token);
        redact(&mut shown.admin_token);
        if let Some(url) = shown
            .db
            .to_str()
            .filter(|u| crate::store::is_postgres_url(u))
        {
            shown.db = crate::store::redact_url(url).into();
        }
        if let Some(url) = shown
            .data
            .to_str()
            .filter(|u| crate::store::is_postgres_url(u))
        {
            shown.data = crate::store::redact_url(url).into();
        }
        let text = toml::to_string(&shown).unwrap_or_else(|e| format!("# cannot print: {e}\n"));
        let mut out = String::from(
            "# effective settings of `yuqian serve` (precedence: flag > environment > file > default)\n",
        );
        for line in text.lines() {
            let key = line.split('=').next().unwrap_or("").trim();
            match self.sources.iter().find(|(name, _)| *name == key) {
                Some((_, source)) => out.push_str(&format!("{line}  # {}\n", source.as_str())),
                None => out.push_str(&format!("{line}\n")),
            }
        }
        for (name, source) in &self.sources {
            // TOML has no null: unset optional settings are listed as comments.
            if !text
                .lines()
                .any(|l| l.split('=').next().unwrap_or("").trim() == *name)
            {
                out.push_str(&format!("# {name} is not set  # {}\n", source.as_str()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        use std::io::Write;
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn a_flag_beats_the_file_which_beats_the_default() {
        let f = file("heavy_queue = 7\nheavy_budget_ms = 900\nadmin_token = \"s3cret\"\n");
        let args = ServeArgs {
            config: Some(f.path().into()),
            heavy_budget_ms: Some(1200),
            ..Default::default()
        };
        let r = resolve(&args, None).unwrap();
        assert_eq!(r.settings.heavy_queue, 7);
        assert_eq!(r.settings.heavy_budget_ms, 1200);
        assert_eq!(r.settings.admin_token.as_deref(), Some("s3cret"));
        assert_eq!(r.settings.db, PathBuf::from("var/yuqian.sqlite"));
        let source = |n| r.sources.iter().find(|(k, _)| *k == n).unwrap().1;
        assert_eq!(source("heavy_queue"), Source::File);
        assert_eq!(source("heavy_budget_ms"), Source::Flag);
        assert_eq!(source("db"), Source::Default);
        let printed = r.to_toml_redacted();
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(
            printed.contains("admin_token = \"<redacted>\"  # file"),
            "{printed}"
        );
        assert!(printed.contains("heavy_queue = 7  # file"), "{printed}");
    }

    #[test]
    fn a_postgres_password_is_redacted_in_the_printed_settings() {
        let f = file("db = \"postgres://yuqian:s3cret@127.0.0.1:5432/maps\"\n");
        let args = ServeArgs {
            config: Some(f.path().into()),
            data: Some("postgresql://reader:an0ther@db/maps?sslmode=disable".into()),
            ..Default::default()
        };
        let printed = resolve(&args, None).unwrap().to_toml_redacted();
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(!printed.contains("an0ther"), "{printed}");
        assert!(
            printed.contains(
                "data = \"postgresql://reader:<redacted>@db/maps?sslmode=disable\"  # flag"
            ),
            "{printed}"
        );
        assert!(
            printed.contains("db = \"postgres://yuqian:<redacted>@127.0.0.1:5432/maps\"  # file"),
            "{printed}"
        );
    }

    #[test]
    fn an_unknown_key_in_the_file_is_an_error_naming_it() {
        let f = file("heavy_queu = 7\n");
        let args = ServeArgs {
            config: Some(f.path().into()),
            ..Default::default()
        };
        let e = resolve(&args, None).unwrap_err().to_string();
        assert!(e.contains("heavy_queu"), "{e}");
    }

    #[test]
    fn public_url_defaults_to_the_listen_address_and_must_be_http() {
        let r = resolve(&ServeArgs::default(), None).unwrap();
        assert_eq!(r.settings.public_url_or_default(), "http://127.0.0.1:8080");
        assert_eq!(r.settings.tile_cache_mb, 64);
        let args = ServeArgs {
            public_url: Some("https://maps.example.org/yuqian/".into()),
            tile_cache_mb: Some(8),
            ..Default::default()
        };
        let r = resolve(&args, None).unwrap();
        assert_eq!(
            r.settings.public_url_or_default(),
            "https://maps.example.org/yuqian"
        );
        assert_eq!(r.settings.tile_cache_mb, 8);
        let args = ServeArgs {
            public_url: Some("maps.example.org".into()),
            ..Default::default()
        };
        let e = resolve(&args, None).unwrap_err().to_string();
        assert!(e.starts_with("public_url:"), "{e}");
    }

    #[test]
    fn invalid_values_are_named() {
        let args = ServeArgs {
            heavy_concurrency: Some(0),
            ..Default::default()
        };
        let e = resolve(&args, None).unwrap_err().to_string();
        assert!(e.starts_with("heavy_concurrency:"), "{e}");
        let args = ServeArgs {
            cors_origins: Some(vec!["example.org".into()]),
            ..Default::default()
        };
        let e = resolve(&args, None).unwrap_err().to_string();
        assert!(e.contains("example.org"), "{e}");
    }
}
