//! The service as a process, killed with SIGKILL at random points while it exports for many
//! users over daily windows with faults (503s, 429s, dropped downloads, failed jobs, held
//! initiates, expired URLs), and restarted each time. At the end: each (connection, group,
//! window) has exactly one verified archive, the emulator made one job per window (plus the
//! retries of the jobs it failed on purpose), no item is stuck, and the event feed lists each
//! archive once.
//!
//! `cargo test` runs a small one (10 connections, at least 6 kills); `.ci/run` the full one:
//! `CRASH_CONNECTIONS=200 CRASH_KILLS=20`. The emulator runs in the test process (its library),
//! so it outlives every kill of the service; the service follows its clock
//! (`--emulator-clock`), which the test moves.

#[macro_use]
mod skip;
mod moto;
mod scratch_db;

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use dataportability_emulator::{AccessType, Emulator, EmulatorConfig, Faults};
use futures_util::TryStreamExt as _;
use object_store::ObjectStore;
use object_store::path::Path as ObjectPath;
use scratch_db::ScratchDatabase;
use serde_json::{Value, json};
use std::sync::Arc;

const GROUPS: [&str; 2] = ["myactivity.search", "saved.collections"];
const ROUNDS: usize = 3;
const KEY: &str = "crash-test-key-0123456789";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A small deterministic generator, so a failing run can be repeated with its seed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below.max(1)
    }
}

/// Where the state is: a SQLite file and one process, or PostgreSQL with one API process and
/// worker processes.
#[derive(Clone)]
enum Setup {
    Sqlite,
    Postgres {
        url: String,
        workers: usize,
        /// The environment of `--archives s3://crash/archives` on moto, when moto is there.
        s3: Option<Vec<(&'static str, String)>>,
    },
}

const S3_ARCHIVES: &str = "s3://crash/archives";

struct Process {
    child: Option<Child>,
    port: u16,
    role: &'static str,
    log: PathBuf,
}

struct Service {
    processes: Vec<Process>,
    setup: Setup,
    dir: PathBuf,
    emulator_url: String,
    http: reqwest::Client,
    kills: usize,
}

impl Service {
    fn new(setup: Setup, dir: &Path, emulator_url: &str) -> Self {
        let mut processes = Vec::new();
        let roles: Vec<&'static str> = match &setup {
            Setup::Sqlite => vec!["both"],
            Setup::Postgres { workers, .. } => std::iter::once("serve")
                .chain(std::iter::repeat_n("work", *workers))
                .collect(),
        };
        for (n, role) in roles.into_iter().enumerate() {
            processes.push(Process {
                child: None,
                port: free_port(),
                role,
                log: dir.join(if n == 0 {
                    "service.log".to_owned()
                } else {
                    format!("worker-{n}.log")
                }),
            });
        }
        Self {
            processes,
            setup,
            dir: dir.to_owned(),
            emulator_url: emulator_url.to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            kills: 0,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.processes[0].port)
    }

    async fn start_all(&mut self) {
        for n in 0..self.processes.len() {
            self.start(n).await;
        }
    }

    async fn start(&mut self, n: usize) {
        let process = &self.processes[n];
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&process.log)
            .expect("log");
        let database = match &self.setup {
            Setup::Sqlite => self.dir.join("db/server.db").display().to_string(),
            Setup::Postgres { url, .. } => url.clone(),
        };
        let port = process.port;
        let (archives, env) = match &self.setup {
            Setup::Postgres { s3: Some(env), .. } => (S3_ARCHIVES.to_owned(), env.clone()),
            _ => (self.dir.join("archives").display().to_string(), Vec::new()),
        };
        let child = Command::new(env!("CARGO_BIN_EXE_dataportability-server"))
            .current_dir(&self.dir)
            .envs(env)
            .args(["--emulator-url", &self.emulator_url, "--emulator-clock"])
            .args(["--port", &port.to_string(), "--role", process.role])
            .args(["--public-url", &self.url()])
            .args(["--database", &database])
            .arg("--key-file")
            .arg(self.dir.join("grant-keys"))
            .args(["--archives", &archives])
            .arg("--staging")
            .arg(self.dir.join("staging"))
            .args([
                "--api-key",
                KEY,
                "--poll-min",
                "5m",
                "--google-rps",
                "0",
                "--concurrency",
                "16",
                "--lease",
                "2s",
            ])
            .args(["--request-timeout", "3s"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("the service starts");
        self.processes[n].child = Some(child);
        for _ in 0..2000 {
            if let Ok(r) = self.http.get(format!("http://127.0.0.1:{port}/healthz")).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "the service did not answer /healthz; see {}",
            self.processes[n].log.display()
        );
    }

    /// SIGKILLs the process (SQLite) or a worker process chosen by `random` (PostgreSQL), and
    /// starts it again.
    async fn kill_and_restart(&mut self, random: &mut Lcg) {
        let n = match self.setup {
            Setup::Sqlite => 0,
            Setup::Postgres { workers, .. } => 1 + random.next(workers as u64) as usize,
        };
        if let Some(mut child) = self.processes[n].child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
            self.kills += 1;
        }
        self.start(n).await;
    }

    async fn get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.url()))
            .bearer_auth(KEY)
            .send()
            .await
            .expect("request");
        assert!(response.status().is_success(), "{path}: {}", response.status());
        response.json().await.expect("json")
    }

    async fn min_round(&self) -> i64 {
        let text = self
            .http
            .get(format!("{}/metrics", self.url()))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        text.lines()
            .find_map(|l| l.strip_prefix("dataportability_items_min_round "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        for process in &mut self.processes {
            if let Some(mut child) = process.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// Prints the end of the service's log when the test fails.
struct KeepOnFailure(PathBuf);

impl Drop for KeepOnFailure {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for name in ["service.log", "worker-1.log", "worker-2.log", "worker-3.log"] {
                let kept = std::env::temp_dir().join(format!("dataportability-crash-{}-{name}", std::process::id()));
                if std::fs::copy(self.0.join(name), &kept).is_ok() {
                    eprintln!("a log: {}", kept.display());
                }
            }
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// The keys of the files under `root`, the staging area aside.
fn stored_files(root: &Path) -> BTreeSet<String> {
    let mut stored = BTreeSet::new();
    let mut pending = vec![root.to_owned()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("archives") {
            let path = entry.expect("entry").path();
            if path.file_name().is_some_and(|n| n == ".staging") {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                let key = path
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .into_owned();
                stored.insert(key);
            }
        }
    }
    stored
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_points_the_service_loses_nothing_and_does_nothing_twice() {
    let connections = env_number("CRASH_CONNECTIONS", 10);
    let min_kills = env_number("CRASH_KILLS", 6);
    crash(Setup::Sqlite, connections, min_kills, None).await;
}

/// One API process and `PG_CRASH_WORKERS` (3) worker processes on PostgreSQL: a worker is
/// killed with SIGKILL and restarted again and again. Needs `DATAPORTABILITY_TEST_POSTGRES`
/// (see `tests/store.rs`); skipped with a printed reason without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_on_postgres_lose_nothing_and_do_nothing_twice() {
    let Ok(admin) = std::env::var("DATAPORTABILITY_TEST_POSTGRES") else {
        skip_note!("SKIPPED the PostgreSQL crash test: DATAPORTABILITY_TEST_POSTGRES is not set");
        return;
    };
    let connections = env_number("PG_CRASH_CONNECTIONS", 10);
    let min_kills = env_number("PG_CRASH_KILLS", 6);
    let workers = env_number("PG_CRASH_WORKERS", 3);
    let name = format!("crash_{}", std::process::id());
    let scratch = ScratchDatabase::create(&admin, &name).await;
    let moto = moto::Moto::start("archives on S3 in the PostgreSQL crash test (a local directory instead)").await;
    let s3 = match &moto {
        Some(moto) => {
            moto.bucket("crash").await;
            Some(moto.env())
        }
        None => None,
    };
    let objects = moto.as_ref().map(|moto| moto.store("crash"));
    crash(
        Setup::Postgres {
            url: scratch.url.clone(),
            workers,
            s3,
        },
        connections,
        min_kills,
        objects,
    )
    .await;
    scratch.drop_database().await;
}

/// The crash test; `objects`: the bucket the archives go to (else the local directory).
async fn crash(setup: Setup, connections: usize, min_kills: usize, objects: Option<Arc<dyn ObjectStore>>) {
    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| u64::from(std::process::id()));
    println!("crash test: {connections} connections, at least {min_kills} kills, CRASH_SEED={seed}");
    let mut random = Lcg(seed);
    let emulator = Emulator::start_with(EmulatorConfig {
        consent_access_type: AccessType::TimeBased,
        complete_after: Duration::from_secs(60),
        archive_size: 4096,
        url_expiry: Duration::from_secs(120),
        max_connections: 512,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator");
    let dir = tempfile::tempdir().expect("dir");
    let _keep = KeepOnFailure(dir.path().to_owned());
    let mut service = Service::new(setup, dir.path(), emulator.url());
    service.start_all().await;

    // The users connect.
    let mut ids = Vec::new();
    for n in 0..connections {
        let response = service
            .http
            .post(format!("{}/v1/connections", service.url()))
            .bearer_auth(KEY)
            .json(&json!({"userRef": format!("user-{n}"), "groups": GROUPS, "loginHint": format!("user-{n}@example.com")}))
            .send()
            .await
            .expect("create");
        let body: Value = response.json().await.expect("json");
        let consent = body["consentUrl"].as_str().expect("consentUrl");
        let google = service.http.get(consent).send().await.expect("consent");
        let callback = google.headers()["location"].to_str().expect("location").to_owned();
        let back = service.http.get(&callback).send().await.expect("callback");
        assert_eq!(back.status().as_u16(), 200, "no returnUrl: the callback answers JSON");
        ids.push(body["id"].as_str().expect("id").to_owned());
    }

    // The clock moves 90 s a step: the service gets more real time per step when there is more
    // to do, so that a window's exports fit in the window (24 h of the emulator's clock);
    // otherwise the first items of a window would be due again before the window ends.
    let pause = Duration::from_millis(30 * (connections as u64).div_ceil(100).max(1));
    let mut failed_on_purpose = 0;
    for round in 1..=ROUNDS {
        let faults = Faults {
            unavailable: 3,
            rate_limited: 2,
            retry_after_seconds: 1,
            dropped_downloads: 3,
            failed_jobs: 2,
            held_initiates: 1,
            ..Faults::default()
        };
        failed_on_purpose += faults.failed_jobs;
        emulator.set_faults(faults);
        let kills_this_round = min_kills.div_ceil(ROUNDS);
        let mut killed = 0;
        let target = i64::try_from(round).expect("round");
        let mut steps = 0;
        loop {
            steps += 1;
            assert!(
                steps < 3000,
                "round {round} did not finish; see {}",
                dir.path().join("service.log").display()
            );
            // Kill at a random moment, spread over the round.
            if killed < kills_this_round && random.next(4) == 0 {
                tokio::time::sleep(Duration::from_millis(random.next(150))).await;
                service.kill_and_restart(&mut random).await;
                killed += 1;
            }
            // Google's jobs take a minute; the service polls every 5 minutes at first.
            emulator.advance_clock(Duration::from_secs(90));
            tokio::time::sleep(pause).await;
            if killed >= kills_this_round && service.min_round().await >= target {
                break;
            }
        }
        println!("round {round}: {steps} steps, {killed} kills");
        if round < ROUNDS {
            // The next daily window.
            emulator.advance_clock(Duration::from_secs(24 * 3600 + 60));
        }
    }
    assert!(service.kills >= min_kills, "{} kills", service.kills);

    // Exactly one verified archive per (connection, group, window).
    let mut keys = BTreeSet::new();
    for id in &ids {
        let connection = service.get(&format!("/v1/connections/{id}")).await;
        for group in connection["groupStates"].as_array().expect("groups") {
            let archives = group["archives"].as_array().expect("archives");
            let rounds: Vec<i64> = archives.iter().map(|a| a["round"].as_i64().expect("round")).collect();
            assert_eq!(rounds, [0, 1, 2], "{id} {}: {archives:?}", group["group"]);
            assert!(group["lastError"].is_null() || group["status"] == "due", "{group}");
            assert_eq!(group["status"], "due", "nothing stuck: {group}");
            for archive in archives {
                let key = archive["objectKey"].as_str().expect("key");
                let bytes = match &objects {
                    Some(store) => store
                        .get(&ObjectPath::from(format!("archives/{key}")))
                        .await
                        .expect("the object")
                        .bytes()
                        .await
                        .expect("its bytes")
                        .to_vec(),
                    None => std::fs::read(dir.path().join("archives").join(key)).expect("the file"),
                };
                let crc = format!("{:08x}", crc32c::crc32c(&bytes));
                assert_eq!(crc, archive["crc32c"].as_str().expect("crc"), "{key}");
                assert_eq!(bytes.len() as u64, archive["size"].as_u64().expect("size"), "{key}");
                keys.insert(key.to_owned());
            }
        }
    }
    assert_eq!(keys.len(), connections * GROUPS.len() * ROUNDS);
    // No object without its row: the archive store holds exactly the recorded keys (a
    // download cut by a kill stays in the staging area, and its retry replaces the same key).
    let stored: BTreeSet<String> = match &objects {
        Some(store) => store
            .list(Some(&ObjectPath::from("archives")))
            .map_ok(|meta| meta.location.as_ref().trim_start_matches("archives/").to_owned())
            .try_collect()
            .await
            .expect("listing"),
        None => stored_files(&dir.path().join("archives")),
    };
    assert_eq!(stored, keys, "every stored object has its row and every row its object");

    // The emulator made one job per window, plus one retry per job it failed on purpose.
    let jobs = emulator.jobs();
    let mut per_pair: BTreeMap<(String, Vec<String>), (usize, usize)> = BTreeMap::new();
    for job in &jobs {
        let entry = per_pair.entry((job.user.clone(), job.groups.clone())).or_default();
        entry.0 += 1;
        if job.state.as_str() == "COMPLETE" {
            entry.1 += 1;
        }
    }
    assert_eq!(per_pair.len(), connections * GROUPS.len());
    for (pair, (all, complete)) in &per_pair {
        assert_eq!(*complete, ROUNDS, "{pair:?}: one completed job per window");
        assert!(*all >= ROUNDS, "{pair:?}");
    }
    assert_eq!(
        jobs.len(),
        connections * GROUPS.len() * ROUNDS + failed_on_purpose as usize,
        "one job per window, and one retry per failed job"
    );

    // The feed lists each archive once.
    let mut listed = Vec::new();
    let mut after = "0".to_owned();
    loop {
        let page = service.get(&format!("/v1/events?after={after}&limit=1000")).await;
        let events = page["events"].as_array().expect("events").clone();
        if events.is_empty() {
            break;
        }
        after = page["next"].as_str().expect("next").to_owned();
        listed.extend(
            events
                .iter()
                .filter(|e| e["kind"] == "archive_stored")
                .map(|e| e["data"]["objectKey"].as_str().expect("key").to_owned()),
        );
    }
    assert_eq!(listed.len(), keys.len(), "each archive once in the feed");
    assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), keys);
    println!(
        "crash test: {} kills, {} archives, {} jobs",
        service.kills,
        keys.len(),
        jobs.len()
    );
}
