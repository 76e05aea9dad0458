//! The export service's own cost: 10,000 connections x 2 groups through 2 daily windows
//! (40,000 exports) against the emulator, one `dataportability-server` process (release build)
//! on SQLite, jobs completing at once and 4 KiB archives.
//!
//! With `--database postgres://...` (a server and a database to connect to; the benchmark
//! creates a database of its own there and drops it) and `--workers N`: one `--role serve`
//! process and N `--role work` processes; `--delay-ms 50` makes each of Google's answers take
//! 50 ms, so the work is I/O bound as in production. Transactions and Google requests are
//! summed over the processes; the database's rows and bytes per connection are measured.
//!
//! The emulator runs in this process (its library); the service follows its clock
//! (`--emulator-clock`), polls at once (`--poll-min 0s`: jobs complete at once, so a first poll
//! after Google's 5 minutes would only measure the wait) and has no request limit
//! (`--google-rps 0`). Window 1 includes the consents (each user's callback makes the groups
//! due); window 2 starts when the clock is moved 24 hours on, and is the steady state.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use dataportability_emulator::{AccessType, Emulator, EmulatorConfig};
use serde_json::{Value, json};

const KEY: &str = "bench-api-key-0123456789";
const GROUPS: [&str; 2] = ["myactivity.search", "saved.collections"];

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `VmHWM` (peak resident set) of `pid`, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Runs the benchmark.
/// How the service is run.
#[derive(Clone, Debug, Default)]
pub struct Scale {
    /// `postgres://...` of a server to create the benchmark's database on (else SQLite).
    pub database: Option<String>,
    /// Worker processes beside one API process (0: one process doing both).
    pub workers: usize,
    /// The delay of each of Google's answers, in milliseconds.
    pub delay_ms: u64,
    /// The service's binary (default the release build).
    pub binary: Option<PathBuf>,
}

/// Runs the benchmark.
pub fn run(root: &Path, connections: usize, concurrency: usize, dir: Option<PathBuf>, scale: Scale) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(run_async(root, connections, concurrency, dir, scale))
}

/// A fresh database `name` on the server of `admin`; its URL.
async fn create_database(admin: &str, name: &str) -> Result<String> {
    use sqlx::Connection as _;
    let mut conn = sqlx::PgConnection::connect(admin).await.context("--database")?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    let mut url = url::Url::parse(admin).context("--database is a URL")?;
    url.set_path(name);
    Ok(url.to_string())
}

/// Rows of every table and the database's size, per connection.
async fn database_per_connection(url: &str, connections: usize) -> Result<(f64, f64)> {
    use sqlx::{Connection as _, Row as _};
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let row = sqlx::query(
        "SELECT (SELECT count(*) FROM connections) + (SELECT count(*) FROM items) + (SELECT count(*) FROM grants)
              + (SELECT count(*) FROM jobs) + (SELECT count(*) FROM archives) + (SELECT count(*) FROM events)
              + (SELECT count(*) FROM oauth_states) AS rows, pg_database_size(current_database()) AS bytes",
    )
    .fetch_one(&mut conn)
    .await?;
    let rows: i64 = row.get("rows");
    let bytes: i64 = row.get("bytes");
    Ok((rows as f64 / connections as f64, bytes as f64 / connections as f64))
}

async fn run_async(
    root: &Path,
    connections: usize,
    concurrency: usize,
    dir: Option<PathBuf>,
    scale: Scale,
) -> Result<()> {
    let binary = scale
        .binary
        .clone()
        .unwrap_or_else(|| root.join("target/release/dataportability-server"));
    if !binary.exists() {
        bail!(
            "{} is missing: cargo build --release -p dataportability-server (cargo xtask bench service does)",
            binary.display()
        );
    }
    let dir = dir.unwrap_or_else(|| root.join("target/bench-service"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let emulator = Emulator::start_with(EmulatorConfig {
        consent_access_type: AccessType::TimeBased,
        complete_after: Duration::ZERO,
        archive_size: 4096,
        max_connections: 1024,
        token_lifetime: Duration::from_secs(48 * 3600),
        ..EmulatorConfig::default()
    })
    .await?;
    if scale.delay_ms > 0 {
        emulator.set_faults(dataportability_emulator::Faults {
            delay_millis: scale.delay_ms,
            ..Default::default()
        });
    }
    let postgres = match &scale.database {
        Some(admin) => Some(create_database(admin, &format!("bench_service_{}", std::process::id())).await?),
        None => None,
    };
    if scale.workers > 1 && postgres.is_none() {
        bail!("--workers above 1 needs --database postgres://... (SQLite serves one process)");
    }
    let database = postgres
        .clone()
        .unwrap_or_else(|| dir.join("server.db").display().to_string());
    let roles: Vec<&str> = if scale.workers == 0 {
        vec!["both"]
    } else {
        std::iter::once("serve")
            .chain(std::iter::repeat_n("work", scale.workers))
            .collect()
    };
    let ports: Vec<u16> = roles
        .iter()
        .map(|_| Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port()))
        .collect::<Result<_>>()?;
    let url = format!("http://127.0.0.1:{}", ports[0]);
    let mut servers = Vec::new();
    let mut pids = Vec::new();
    for (n, (role, port)) in roles.iter().zip(&ports).enumerate() {
        let log = std::fs::File::create(dir.join(format!("service-{n}.log")))?;
        let child = Command::new(&binary)
            .current_dir(&dir)
            .args([
                "--emulator-url",
                emulator.url(),
                "--emulator-clock",
                "--port",
                &port.to_string(),
            ])
            .args(["--role", role, "--public-url", &url, "--database", &database])
            .arg("--key-file")
            .arg(dir.join("grant-keys"))
            .arg("--archives")
            .arg(dir.join("archives"))
            .args(["--api-key", KEY, "--poll-min", "0s", "--google-rps", "0"])
            .args(["--concurrency", &concurrency.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting the service")?;
        pids.push(child.id());
        servers.push(Server(child));
        // The API process first: it registers the OAuth client the workers then read.
        if n == 0 {
            wait_healthy(&format!("http://127.0.0.1:{port}")).await;
        }
    }
    let pid = pids[0];
    let _servers = servers;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .build()?;
    for port in &ports {
        wait_healthy(&format!("http://127.0.0.1:{port}")).await;
    }
    let metrics = || async {
        let text = http.get(format!("{url}/metrics")).send().await?.text().await?;
        anyhow::Ok(text)
    };
    // Counters each process keeps for itself, summed over the processes.
    let all_metrics = || async {
        let mut texts = Vec::new();
        for port in &ports {
            texts.push(
                http.get(format!("http://127.0.0.1:{port}/metrics"))
                    .send()
                    .await?
                    .text()
                    .await?,
            );
        }
        anyhow::Ok(texts)
    };

    println!(
        "service benchmark: {connections} connections x {} groups x 2 windows, concurrency {concurrency}, \
         {} ({} worker processes), Google answers delayed {} ms",
        GROUPS.len(),
        if postgres.is_some() { "PostgreSQL" } else { "SQLite" },
        scale.workers,
        scale.delay_ms
    );
    let started = Instant::now();
    let window_1 = Instant::now();
    // Users connect, 32 at a time.
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..connections {
        if tasks.len() >= 32
            && let Some(done) = tasks.join_next().await
        {
            done??;
        }
        let http = http.clone();
        let url = url.clone();
        tasks.spawn(async move {
            let request =
                json!({"userRef": format!("user-{n}"), "groups": GROUPS, "loginHint": format!("user-{n}@example.com")});
            let answer = http
                .post(format!("{url}/v1/connections"))
                .bearer_auth(KEY)
                .header("content-type", "application/json")
                .body(serde_json::to_vec(&request)?)
                .send()
                .await?
                .bytes()
                .await?;
            let body: Value = serde_json::from_slice(&answer)?;
            let consent = body["consentUrl"].as_str().context("consentUrl")?;
            let google = http.get(consent).send().await?;
            let callback = google
                .headers()
                .get("location")
                .context("no redirect")?
                .to_str()?
                .to_owned();
            let back = http.get(&callback).send().await?;
            if !back.status().is_success() {
                bail!("callback: {}", back.status());
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let consented = started.elapsed();
    println!("  {connections} consents in {:.1} s", consented.as_secs_f64());
    wait_for_round(&metrics, 1).await?;
    let window_1 = window_1.elapsed();
    let after_1 = all_metrics().await?;
    emulator.advance_clock(Duration::from_secs(24 * 3600 + 60));
    let window_2 = Instant::now();
    wait_for_round(&metrics, 2).await?;
    let window_2 = window_2.elapsed();
    let after_2 = all_metrics().await?;

    let exports = (connections * GROUPS.len()) as f64;
    let google = |texts: &[String]| {
        texts
            .iter()
            .map(|t| metric(t, "dataportability_google_requests_total"))
            .sum::<f64>()
    };
    let transactions = |texts: &[String]| {
        texts
            .iter()
            .map(|t| metric(t, "dataportability_db_transactions_total"))
            .sum::<f64>()
    };
    let rss = peak_rss_kib(pid) as f64 / 1024.0;
    let db = file_size(&dir.join("server.db")) + file_size(&dir.join("server.db-wal"));
    println!(
        "  window 1 (with the consents): {exports} exports in {:.1} s: {:.0} exports/s",
        window_1.as_secs_f64(),
        exports / window_1.as_secs_f64()
    );
    println!(
        "  window 2 (steady state):      {exports} exports in {:.1} s: {:.0} exports/s",
        window_2.as_secs_f64(),
        exports / window_2.as_secs_f64()
    );
    println!(
        "  Google API and OAuth requests per export (window 2): {:.2} (+1 archive download)",
        (google(&after_2) - google(&after_1)) / exports
    );
    println!(
        "  database transactions per export (window 2): {:.2}",
        (transactions(&after_2) - transactions(&after_1)) / exports
    );
    println!(
        "  window 2 per minute: {:.0} exports/min",
        exports / window_2.as_secs_f64() * 60.0
    );
    println!("  archives stored: {}", metric(&after_2[0], "dataportability_archives"));
    if let Some(postgres) = &postgres {
        let (rows, bytes) = database_per_connection(postgres, connections).await?;
        println!(
            "  PostgreSQL after 2 windows: {rows:.1} rows and {:.1} KiB per connection (pg_database_size)",
            bytes / 1024.0
        );
    }
    drop(_servers);
    if let (Some(admin), Some(_)) = (&scale.database, &postgres) {
        use sqlx::Connection as _;
        let mut conn = sqlx::PgConnection::connect(admin).await?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS bench_service_{} WITH (FORCE)",
            std::process::id()
        ))
        .execute(&mut conn)
        .await?;
    }
    println!("  peak RSS of the service: {rss:.1} MiB");
    println!(
        "  database size (with its WAL): {:.1} MiB",
        db as f64 / (1 << 20) as f64
    );
    Ok(())
}

async fn wait_healthy(url: &str) {
    let http = reqwest::Client::new();
    for _ in 0..3000 {
        if http.get(format!("{url}/healthz")).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn wait_for_round<F, Fut>(metrics: &F, round: u32) -> Result<()>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<String>>,
{
    let deadline = Instant::now() + Duration::from_secs(1800);
    loop {
        let text = metrics().await?;
        if metric(&text, "dataportability_items_min_round") >= f64::from(round) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("window {round} did not finish in 30 minutes");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
