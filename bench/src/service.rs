//! The export service's own cost: 10,000 connections x 2 groups through 2 daily windows
//! (40,000 exports) against the emulator, one `dataportability-server` process (release build)
//! on SQLite, jobs completing at once and 4 KiB archives.
//!
//! With `--database postgres://...` (a server and a database to connect to; the benchmark
//! creates a database of its own there for each run and drops it) and `--workers 1,2,4`: one
//! run per number, each with one `--role serve` process and N `--role work` processes;
//! `--delay-ms 50` makes each of Google's answers take 50 ms, so the work is I/O bound as in
//! production. Per run: the steady window's exports per minute, Google requests and
//! transactions per export (the service's counters, and `pg_stat_database.xact_commit`, which
//! also counts the reads and the claims), CPU time per export of the service's processes, of
//! PostgreSQL's backends and of the emulator, and the database's rows and bytes per
//! connection; then the speed-up of each run over the first.
//!
//! The emulator runs in this process (its library, on two threads); the service follows its
//! clock (`--emulator-clock`), polls at once (`--poll-min 0s`: jobs complete at once, so a
//! first poll after Google's 5 minutes would only measure the wait) and has no request limit
//! (`--google-rps 0`). Window 1 includes the consents (each user's callback makes the groups
//! due); window 2 starts when the clock is moved 24 hours on, and is the steady state.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use dataportability_emulator::{AccessType, Emulator, EmulatorConfig};
use serde_json::{Value, json};

use crate::procfs::{cpu_seconds, own_cpu_seconds, peak_rss_kib};
use crate::service_pg::{Database, TableSize};

const KEY: &str = "bench-api-key-0123456789";
const GROUPS: [&str; 2] = ["myactivity.search", "saved.collections"];

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
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

/// How the service is run.
#[derive(Clone, Debug, Default)]
pub struct Scale {
    /// `postgres://...` of a server to create the benchmark's database on (else SQLite).
    pub database: Option<String>,
    /// Worker processes beside one API process (0: one process doing both), one run each.
    pub workers: Vec<usize>,
    /// The delay of each of Google's answers, in milliseconds.
    pub delay_ms: u64,
    /// The service's binary (default the release build).
    pub binary: Option<PathBuf>,
    /// Each process's `--database-connections` (PostgreSQL's pool).
    pub database_connections: u32,
}

/// The figures of one run's steady window.
#[derive(Clone, Debug, Default)]
struct Outcome {
    workers: usize,
    exports: f64,
    seconds: f64,
    google_per_export: f64,
    store_transactions_per_export: f64,
    /// `xact_commit` per export, the benchmark's own polls taken out (PostgreSQL only).
    db_transactions_per_export: Option<f64>,
    /// CPU milliseconds per export: the service's processes, PostgreSQL's backends, the
    /// emulator (this process).
    cpu_service_ms: f64,
    cpu_backends_ms: Option<f64>,
    cpu_emulator_ms: f64,
    /// Rows and bytes per connection after both windows (PostgreSQL only).
    rows_per_connection: Option<f64>,
    bytes_per_connection: Option<f64>,
}

impl Outcome {
    fn per_minute(&self) -> f64 {
        self.exports / self.seconds * 60.0
    }
}

/// Runs the benchmark: one run per entry of `scale.workers`.
pub fn run(root: &Path, connections: usize, concurrency: usize, dir: Option<PathBuf>, scale: Scale) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let dir = dir.unwrap_or_else(|| root.join("target/bench-service"));
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
    if scale.workers.iter().any(|&w| w > 1) && scale.database.is_none() {
        bail!("--workers above 1 needs --database postgres://... (SQLite serves one process)");
    }
    let _ = std::fs::remove_dir_all(&dir);
    let mut outcomes = Vec::new();
    for &workers in &scale.workers {
        let run = Run {
            binary: &binary,
            dir: dir.join(format!("workers-{workers}")),
            connections,
            concurrency,
            workers,
            scale: &scale,
        };
        outcomes.push(runtime.block_on(run.go())?);
    }
    if outcomes.len() > 1 {
        summary(&outcomes, connections, concurrency, &scale);
    }
    Ok(())
}

/// The table of the runs and each one's speed-up over the first.
fn summary(outcomes: &[Outcome], connections: usize, concurrency: usize, scale: &Scale) {
    println!(
        "\nsummary: {connections} connections x {} groups, steady window (window 2), --concurrency {concurrency} \
         per process, --database-connections {}, Google answers delayed {} ms",
        GROUPS.len(),
        scale.database_connections,
        scale.delay_ms
    );
    println!(
        "| workers | exports | seconds | exports/min | speed-up | Google req./export | store tx/export | DB tx/export | CPU ms/export: service, PostgreSQL, emulator |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    let base = outcomes.first().map_or(1.0, Outcome::per_minute);
    for o in outcomes {
        println!(
            "| {} | {:.0} | {:.1} | {:.0} | {:.2}x | {:.2} | {:.2} | {} | {:.2}, {}, {:.2} |",
            o.workers,
            o.exports,
            o.seconds,
            o.per_minute(),
            o.per_minute() / base,
            o.google_per_export,
            o.store_transactions_per_export,
            o.db_transactions_per_export
                .map_or("-".to_owned(), |v| format!("{v:.2}")),
            o.cpu_service_ms,
            o.cpu_backends_ms.map_or("-".to_owned(), |v| format!("{v:.2}")),
            o.cpu_emulator_ms,
        );
    }
}

/// One run: a fresh emulator, database and service processes.
struct Run<'a> {
    binary: &'a Path,
    dir: PathBuf,
    connections: usize,
    concurrency: usize,
    workers: usize,
    scale: &'a Scale,
}

/// CPU time of the service's processes, PostgreSQL's backends (by pid) and this process.
struct CpuSample {
    service: f64,
    backends: Vec<(u32, f64)>,
    own: f64,
}

async fn cpu_sample(pids: &[u32], database: Option<&mut Database>) -> Result<CpuSample> {
    let backends = match database {
        Some(db) => db
            .backend_pids()
            .await?
            .into_iter()
            .map(|pid| (pid, cpu_seconds(pid)))
            .collect(),
        None => Vec::new(),
    };
    Ok(CpuSample {
        service: pids.iter().map(|&pid| cpu_seconds(pid)).sum(),
        backends,
        own: own_cpu_seconds(),
    })
}

/// The backends' CPU between two samples: a backend gone by the end is left out, one started
/// in between counts from zero.
fn backends_cpu(before: &CpuSample, after: &CpuSample) -> f64 {
    after
        .backends
        .iter()
        .map(|(pid, end)| {
            let start = before.backends.iter().find(|(p, _)| p == pid).map_or(0.0, |(_, s)| *s);
            end - start
        })
        .sum()
}

impl Run<'_> {
    async fn go(self) -> Result<Outcome> {
        let Run {
            binary,
            dir,
            connections,
            concurrency,
            workers,
            scale,
        } = self;
        std::fs::create_dir_all(&dir)?;
        let emulator = Emulator::start_with(EmulatorConfig {
            consent_access_type: AccessType::TimeBased,
            complete_after: Duration::ZERO,
            archive_size: 4096,
            max_connections: 4096,
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
        let mut postgres = match &scale.database {
            Some(admin) => {
                Some(Database::create(admin, &format!("bench_service_{}_{workers}", std::process::id())).await?)
            }
            None => None,
        };
        let database = postgres
            .as_ref()
            .map_or_else(|| dir.join("server.db").display().to_string(), |db| db.url.clone());
        let roles: Vec<&str> = if workers == 0 {
            vec!["both"]
        } else {
            std::iter::once("serve")
                .chain(std::iter::repeat_n("work", workers))
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
            let child = Command::new(binary)
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
                .args(["--database-connections", &scale.database_connections.to_string()])
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
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .build()?;
        for port in &ports {
            wait_healthy(&format!("http://127.0.0.1:{port}")).await;
        }
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
        let sum = |texts: &[String], name: &str| texts.iter().map(|t| metric(t, name)).sum::<f64>();

        println!(
            "service benchmark: {connections} connections x {} groups x 2 windows, concurrency {concurrency}, \
             {} ({workers} worker processes), Google answers delayed {} ms",
            GROUPS.len(),
            if postgres.is_some() { "PostgreSQL" } else { "SQLite" },
            scale.delay_ms
        );
        let started = Instant::now();
        consent_all(&http, &url, connections).await?;
        println!("  {connections} consents in {:.1} s", started.elapsed().as_secs_f64());
        wait_for_round(&http, &url, postgres.as_mut(), 1).await?;
        let window_1 = started.elapsed();
        let after_1 = all_metrics().await?;
        let cpu_1 = cpu_sample(&pids, postgres.as_mut()).await?;
        let xact_1 = match postgres.as_mut() {
            Some(db) => Some(db.xact_commit().await?),
            None => None,
        };
        emulator.advance_clock(Duration::from_secs(24 * 3600 + 60));
        let window_2 = Instant::now();
        let polls = wait_for_round(&http, &url, postgres.as_mut(), 2).await?;
        let window_2 = window_2.elapsed();
        let cpu_2 = cpu_sample(&pids, postgres.as_mut()).await?;
        let xact_2 = match postgres.as_mut() {
            Some(db) => Some(db.xact_commit().await?),
            None => None,
        };
        let after_2 = all_metrics().await?;

        let exports = (connections * GROUPS.len()) as f64;
        let per_export = |name: &str| (sum(&after_2, name) - sum(&after_1, name)) / exports;
        let mut outcome = Outcome {
            workers,
            exports,
            seconds: window_2.as_secs_f64(),
            google_per_export: per_export("dataportability_google_requests_total"),
            store_transactions_per_export: per_export("dataportability_db_transactions_total"),
            // The benchmark's own reads in between: one transaction per poll, and the sample.
            db_transactions_per_export: xact_1
                .zip(xact_2)
                .map(|(a, b)| (b - a - i64::try_from(polls).unwrap_or(0) - 2) as f64 / exports),
            cpu_service_ms: (cpu_2.service - cpu_1.service) * 1000.0 / exports,
            cpu_backends_ms: postgres
                .as_ref()
                .map(|_| backends_cpu(&cpu_1, &cpu_2) * 1000.0 / exports),
            cpu_emulator_ms: (cpu_2.own - cpu_1.own) * 1000.0 / exports,
            ..Outcome::default()
        };
        println!(
            "  window 1 (with the consents): {exports} exports in {:.1} s: {:.0} exports/s",
            window_1.as_secs_f64(),
            exports / window_1.as_secs_f64()
        );
        println!(
            "  window 2 (steady state):      {exports} exports in {:.1} s: {:.0} exports/s, {:.0} exports/min",
            outcome.seconds,
            exports / outcome.seconds,
            outcome.per_minute()
        );
        println!(
            "  Google API and OAuth requests per export (window 2): {:.2} (+1 archive download)",
            outcome.google_per_export
        );
        println!(
            "  database transactions per export (window 2): {:.2} committed by the service's stores",
            outcome.store_transactions_per_export
        );
        if let Some(tx) = outcome.db_transactions_per_export {
            println!(
                "  PostgreSQL transactions per export (window 2, xact_commit, reads and claims included): {tx:.2}"
            );
        }
        println!(
            "  CPU per export (window 2): service {:.2} ms ({} processes), PostgreSQL backends {}, emulator and benchmark {:.2} ms",
            outcome.cpu_service_ms,
            pids.len(),
            outcome.cpu_backends_ms.map_or("-".to_owned(), |v| format!("{v:.2} ms")),
            outcome.cpu_emulator_ms
        );
        println!("  archives stored: {}", metric(&after_2[0], "dataportability_archives"));
        let rss = pids
            .iter()
            .map(|&pid| peak_rss_kib(pid) as f64 / 1024.0)
            .fold(0.0, f64::max);
        if let Some(db) = postgres.as_mut() {
            let (tables, total) = db.sizes().await?;
            print_sizes(&tables, total, connections);
            let rows: i64 = tables.iter().map(|t| t.rows).sum();
            let bytes: i64 = tables.iter().map(|t| t.bytes).sum();
            outcome.rows_per_connection = Some(rows as f64 / connections as f64);
            outcome.bytes_per_connection = Some(bytes as f64 / connections as f64);
        }
        drop(servers);
        if let Some(db) = postgres {
            db.drop_database().await?;
        }
        println!("  peak RSS of the largest service process: {rss:.1} MiB");
        if scale.database.is_none() {
            let db = file_size(&dir.join("server.db")) + file_size(&dir.join("server.db-wal"));
            println!(
                "  database size (with its WAL): {:.1} MiB",
                db as f64 / (1 << 20) as f64
            );
        }
        Ok(outcome)
    }
}

/// The rows and bytes of each table, per connection.
fn print_sizes(tables: &[TableSize], total: i64, connections: usize) {
    let per = |v: i64| v as f64 / connections as f64;
    println!("  PostgreSQL after 2 windows, per connection (pg_total_relation_size: with indexes):");
    for t in tables {
        println!(
            "    {:<15} {:>6.2} rows {:>8.0} bytes",
            t.table,
            per(t.rows),
            per(t.bytes)
        );
    }
    let rows: i64 = tables.iter().map(|t| t.rows).sum();
    let bytes: i64 = tables.iter().map(|t| t.bytes).sum();
    println!(
        "    {:<15} {:>6.2} rows {:>8.0} bytes ({:.1} MiB in all; pg_database_size {:.1} MiB)",
        "all",
        per(rows),
        per(bytes),
        bytes as f64 / (1 << 20) as f64,
        total as f64 / (1 << 20) as f64
    );
}

/// Every user connects and consents, 32 at a time.
async fn consent_all(http: &reqwest::Client, url: &str, connections: usize) -> Result<()> {
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..connections {
        if tasks.len() >= 32
            && let Some(done) = tasks.join_next().await
        {
            done??;
        }
        let http = http.clone();
        let url = url.to_owned();
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

/// Waits until every item has completed `round` exports; answers how many times it looked.
/// On PostgreSQL it asks the database (one transaction a look, taken out of the figures),
/// else the service's `/metrics`.
async fn wait_for_round(http: &reqwest::Client, url: &str, mut db: Option<&mut Database>, round: u32) -> Result<u64> {
    let deadline = Instant::now() + Duration::from_secs(1800);
    let mut looks = 0;
    loop {
        looks += 1;
        let done = match db.as_deref_mut() {
            Some(db) => db.min_round().await? >= i64::from(round),
            None => {
                let text = http.get(format!("{url}/metrics")).send().await?.text().await?;
                metric(&text, "dataportability_items_min_round") >= f64::from(round)
            }
        };
        if done {
            return Ok(looks);
        }
        if Instant::now() > deadline {
            bail!("window {round} did not finish in 30 minutes");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
