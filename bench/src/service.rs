//! The export service's own cost: 10,000 connections x 2 groups through 2 daily windows
//! (40,000 exports) against the emulator, one `dataportability-server` process (release build)
//! on SQLite, jobs completing at once and 4 KiB archives.
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
pub fn run(root: &Path, connections: usize, concurrency: usize, dir: Option<PathBuf>) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(run_async(root, connections, concurrency, dir))
}

async fn run_async(root: &Path, connections: usize, concurrency: usize, dir: Option<PathBuf>) -> Result<()> {
    let binary = root.join("target/release/dataportability-server");
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
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let url = format!("http://127.0.0.1:{port}");
    let log = std::fs::File::create(dir.join("service.log"))?;
    let child = Command::new(&binary)
        .args([
            "--emulator-url",
            emulator.url(),
            "--emulator-clock",
            "--port",
            &port.to_string(),
        ])
        .arg("--database")
        .arg(dir.join("server.db"))
        .arg("--archives")
        .arg(dir.join("archives"))
        .args(["--api-key", KEY, "--poll-min", "0s", "--google-rps", "0"])
        .args(["--concurrency", &concurrency.to_string()])
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting the service")?;
    let pid = child.id();
    let _server = Server(child);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .build()?;
    for _ in 0..3000 {
        if http.get(format!("{url}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let metrics = || async {
        let text = http.get(format!("{url}/metrics")).send().await?.text().await?;
        anyhow::Ok(text)
    };

    println!(
        "service benchmark: {connections} connections x {} groups x 2 windows, concurrency {concurrency}",
        GROUPS.len()
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
    let after_1 = metrics().await?;
    emulator.advance_clock(Duration::from_secs(24 * 3600 + 60));
    let window_2 = Instant::now();
    wait_for_round(&metrics, 2).await?;
    let window_2 = window_2.elapsed();
    let after_2 = metrics().await?;

    let exports = (connections * GROUPS.len()) as f64;
    let google = |text: &str| metric(text, "dataportability_google_requests_total");
    let transactions = |text: &str| metric(text, "dataportability_db_transactions_total");
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
    println!("  archives stored: {}", metric(&after_2, "dataportability_archives"));
    println!("  peak RSS of the service: {rss:.1} MiB");
    println!(
        "  database size (with its WAL): {:.1} MiB",
        db as f64 / (1 << 20) as f64
    );
    Ok(())
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
