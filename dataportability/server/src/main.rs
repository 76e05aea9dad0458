//! `dataportability-server`: the export service as a program.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use dataportability_server::app::{Settings, Webhook};
use dataportability_server::archives::Archives;
use dataportability_server::clock::{Clock, EmulatorClock, SystemClock};
use dataportability_server::crypto::{KeyRing, random_hex, write_private};
use dataportability_server::logging::LogFormat;
use dataportability_server::oauth::WebClient;
use dataportability_server::store::Database;
use dataportability_server::{Config, OAuthSetup};

/// An export service for many users of the Data Portability API: web consent, encrypted
/// grants, scheduled exports, verified archives, an event feed.
///
/// `--emulator` runs it with no setup against an emulator of Google's API started in the
/// process; `--emulator-url URL` against a running `dataportability-emulator`; otherwise give
/// Google's web client secret with `--client-secret`.
#[derive(Debug, Parser)]
#[command(name = "dataportability-server", version)]
struct Args {
    /// The database: a SQLite file (created with its directory on first run; one process), or
    /// `postgres://USER@HOST:PORT/DATABASE` (any number of processes on several machines).
    #[arg(long, default_value = "dataportability-server/server.db")]
    database: String,
    /// Connections to a PostgreSQL database this process opens at most.
    #[arg(long, default_value_t = 8)]
    database_connections: u32,
    /// What this process does: `serve` (the API and the consent flow), `work` (the scheduler
    /// and the workers; only /healthz and /metrics are served), or `both`. Any number of
    /// processes of each role may share a PostgreSQL database.
    #[arg(long, value_enum, default_value_t = Role::Both)]
    role: Role,
    /// How long a worker holds an item without a heartbeat (renewed four times per lease): a
    /// killed worker's items are taken over after this.
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
    lease: Duration,
    /// Where archives are stored: a directory (or `file://DIR`), `s3://BUCKET/PREFIX` or
    /// `gs://BUCKET/PREFIX` (credentials and endpoint from the environment: AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT, AWS_ALLOW_HTTP; GOOGLE_SERVICE_ACCOUNT).
    #[arg(long, default_value = "dataportability-server/archives")]
    archives: String,
    /// Where downloads are staged before they are streamed to an object store.
    #[arg(long, default_value = "dataportability-server/staging")]
    staging: PathBuf,
    /// The grant key file (`KEY_ID:BASE64` lines, the last one encrypts); generated 0600 on
    /// first run. DATAPORTABILITY_SERVER_KEYS holds the same text instead.
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// The API key apps present as `Authorization: Bearer KEY`; without it (or
    /// DATAPORTABILITY_SERVER_API_KEY) one is generated into `api-key` beside the database.
    #[arg(long, env = "DATAPORTABILITY_SERVER_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The URL browsers reach the service at (default http://127.0.0.1:PORT); the OAuth
    /// redirect URI is this plus /oauth/callback.
    #[arg(long)]
    public_url: Option<String>,
    /// Start an emulator of Google's API (and OAuth server) in the process and use it.
    #[arg(long, conflicts_with_all = ["emulator_url", "client_secret"])]
    emulator: bool,
    /// Use the emulator at URL (a running `dataportability-emulator`).
    #[arg(long, value_name = "URL", conflicts_with = "client_secret")]
    emulator_url: Option<String>,
    /// Google's client secret JSON of a web application (`{"web": {...}}`).
    #[arg(long, value_name = "FILE")]
    client_secret: Option<PathBuf>,
    /// The API's root URL.
    #[arg(long, default_value = "https://dataportability.googleapis.com/")]
    api_url: String,
    /// Time between two exports of a time-based group: at least 24h (Google allows one a day).
    #[arg(long, default_value = "24h", value_parser = parse_duration)]
    interval: Duration,
    /// First and least wait between two polls of a job (Google: every 5 to 60 minutes);
    /// default 5m, or 5s with --emulator (whose jobs complete in 5 seconds).
    #[arg(long, value_parser = parse_duration)]
    poll_min: Option<Duration>,
    /// Most wait between two polls of a job.
    #[arg(long, default_value = "60m", value_parser = parse_duration)]
    poll_max: Duration,
    /// Items worked on at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Requests a second to Google at most (0: no limit).
    #[arg(long, default_value_t = 50)]
    google_rps: u32,
    /// How long one request to Google's API may take before it is given up and tried again.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    request_timeout: Duration,
    /// POST events to this URL, signed (X-Signature: sha256=HMAC-SHA256 of the body).
    #[arg(long, value_name = "URL", requires = "webhook_secret_file")]
    webhook_url: Option<String>,
    /// The webhook's HMAC key (the file's bytes).
    #[arg(long, value_name = "FILE")]
    webhook_secret_file: Option<PathBuf>,
    /// On SIGTERM: how long the steps in flight may take to finish and record their result;
    /// those still running then are abandoned (resumed later), and the leases given back.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    stop_grace: Duration,
    /// Read the time from the emulator's clock (tests that move it); needs --emulator-url.
    #[arg(long, hide = true, requires = "emulator_url")]
    emulator_clock: bool,
    /// How log lines are written to stderr: `text`, or `json` (one object a line, with the
    /// work item's connection_id, group, round and job_id); RUST_LOG filters (default info).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Allow an --interval under 24 hours (tests with an emulator whose interval is shorter).
    #[arg(long, hide = true)]
    allow_short_interval: bool,
}

/// A process's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Role {
    /// The API and the consent flow.
    Serve,
    /// The scheduler and the workers.
    Work,
    /// Both.
    Both,
}

/// `30s`, `5m`, `24h`, `2d`, `500ms`, or seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?}: expected a number and a unit (500ms, 30s, 5m, 24h, 2d)"))?;
    let seconds = match unit {
        "ms" => return Ok(Duration::from_millis(number)),
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        other => return Err(format!("{text:?}: unknown unit {other:?} (ms, s, m, h, d)")),
    };
    number
        .checked_mul(seconds)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{text:?}: too long"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(message) = dataportability_server::logging::init(args.log_format) {
        eprintln!("dataportability-server: {message}");
        return ExitCode::FAILURE;
    }
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// A file kept beside a SQLite database, or in `./dataportability-server/` with PostgreSQL.
fn beside_database(args: &Args, name: &str) -> PathBuf {
    match Database::parse(&args.database) {
        Database::Sqlite(path) => path.parent().map_or_else(|| PathBuf::from(name), |dir| dir.join(name)),
        Database::Postgres(_) => PathBuf::from("dataportability-server").join(name),
    }
}

/// Waits for SIGTERM or Ctrl-C.
async fn stop_signal() -> Result<(), String> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| format!("SIGTERM handler: {e}"))?;
        tokio::select! {
            _ = term.recv() => Ok(()),
            result = tokio::signal::ctrl_c() => result.map_err(|e| e.to_string()),
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await.map_err(|e| e.to_string())
}

async fn run(args: Args) -> Result<(), String> {
    if args.interval < Duration::from_secs(24 * 3600) && !args.allow_short_interval {
        return Err("--interval must be at least 24h: Google allows one time-based export of a group a day".into());
    }
    let keys = match std::env::var("DATAPORTABILITY_SERVER_KEYS") {
        Ok(text) => KeyRing::parse(&text).map_err(|e| format!("DATAPORTABILITY_SERVER_KEYS: {e}"))?,
        Err(_) => {
            let path = args
                .key_file
                .clone()
                .unwrap_or_else(|| beside_database(&args, "grant-keys"));
            KeyRing::load_or_create(&path).map_err(|e| e.to_string())?
        }
    };
    let api_key = match args.api_key.clone() {
        Some(key) if !key.is_empty() => key,
        _ => {
            let path = beside_database(&args, "api-key");
            match std::fs::read_to_string(&path) {
                Ok(key) => key.trim().to_owned(),
                Err(_) => {
                    let key = random_hex(24);
                    write_private(&path, &format!("{key}\n")).map_err(|e| format!("{}: {e}", path.display()))?;
                    tracing::info!("generated an API key in {}", path.display());
                    key
                }
            }
        }
    };
    let http = dataportability_server::http_client();
    #[cfg(feature = "emulator")]
    let mut _emulator = None;
    let (api_url, oauth) = if args.emulator {
        #[cfg(feature = "emulator")]
        {
            let config = dataportability_emulator::EmulatorConfig {
                consent_access_type: dataportability_emulator::AccessType::TimeBased,
                complete_after: Duration::from_secs(5),
                archive_size: 16 * 1024,
                ..Default::default()
            };
            let emulator = dataportability_emulator::Emulator::start_with(config)
                .await
                .map_err(|e| format!("starting the emulator: {e}"))?;
            let url = emulator.url().to_owned();
            tracing::info!("emulator on {url}");
            _emulator = Some(emulator);
            (
                url,
                OAuthSetup::Emulator {
                    cache: beside_database(&args, "emulator-client.json"),
                },
            )
        }
        #[cfg(not(feature = "emulator"))]
        return Err("this build has no emulator (the `emulator` feature)".into());
    } else if let Some(url) = &args.emulator_url {
        (
            url.clone(),
            OAuthSetup::Emulator {
                cache: beside_database(&args, "emulator-client.json"),
            },
        )
    } else {
        let path = args
            .client_secret
            .as_ref()
            .ok_or("give --client-secret FILE (Google's web client), or --emulator")?;
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let client = WebClient::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        (args.api_url.clone(), OAuthSetup::Client(client))
    };
    let clock: Arc<dyn Clock> = if args.emulator_clock {
        Arc::new(EmulatorClock::new(&api_url, http.clone()).await)
    } else {
        Arc::new(SystemClock)
    };
    let webhook = match (&args.webhook_url, &args.webhook_secret_file) {
        (Some(url), Some(file)) => Some(Webhook {
            url: url.clone(),
            secret: std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?,
        }),
        _ => None,
    };
    let poll_min = args.poll_min.unwrap_or(if args.emulator {
        Duration::from_secs(5)
    } else {
        Duration::from_secs(5 * 60)
    });
    let config = Config {
        database: Database::parse(&args.database),
        database_connections: args.database_connections,
        archives: Archives::parse(&args.archives, args.staging.clone()),
        keys,
        api_key,
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)),
        public_url: args.public_url.clone(),
        oauth,
        api_url,
        clock,
        settings: Settings {
            interval: args.interval,
            poll_min,
            poll_max: args.poll_max.max(poll_min),
            concurrency: args.concurrency.max(1),
            google_rps: args.google_rps,
            request_timeout: args.request_timeout,
            lease: args.lease.max(Duration::from_secs(1)),
            ..Settings::default()
        },
        webhook,
        scheduler: args.role != Role::Serve,
        serve: args.role != Role::Work,
    };
    let mut running = dataportability_server::start(config).await.map_err(|e| e.to_string())?;
    tracing::info!("listening on {}", running.url);
    stop_signal().await?;
    tracing::info!(
        "stopping: no new step; the steps in flight have {:?} to finish",
        args.stop_grace
    );
    let stopped = running.shutdown(args.stop_grace).await.map_err(|e| e.to_string())?;
    if stopped.finished {
        tracing::info!(
            "stopped: the steps in flight finished; {} leases given back",
            stopped.released
        );
    } else {
        tracing::warn!(
            "stopped: steps still in flight after {:?} were abandoned; {} leases given back",
            args.stop_grace,
            stopped.released
        );
    }
    Ok(())
}
