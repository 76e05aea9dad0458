//! The service as a process: a graceful stop on SIGTERM lets the step in flight finish and
//! gives back the leases, or, when the grace period runs out, abandons the step and gives the
//! lease back at once for another worker.
//!
//! The emulator runs in the test process; the service follows its clock (`--emulator-clock`).

#[macro_use]
mod skip;
mod scratch_db;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use dataportability_emulator::{AccessType, Emulator, EmulatorConfig, Faults};
use scratch_db::ScratchDatabase;
use serde_json::{Value, json};
use sqlx::{Connection as _, Row as _};

const SEARCH: &str = "myactivity.search";
const KEY: &str = "process-test-key-0123456789";

/// A service process and its log.
struct Service {
    child: Option<Child>,
    url: String,
    log: PathBuf,
    http: reqwest::Client,
}

/// How to start one.
struct Start<'a> {
    dir: &'a Path,
    database: String,
    emulator: &'a str,
    /// `--public-url`: the first process's URL, so every process uses its OAuth client.
    public_url: Option<String>,
    role: &'a str,
    name: &'a str,
    extra: &'a [&'a str],
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

impl Service {
    async fn start(start: Start<'_>) -> Self {
        let port = free_port();
        let url = format!("http://127.0.0.1:{port}");
        let log = start.dir.join(format!("{}.log", start.name));
        let file = std::fs::File::create(&log).expect("log");
        let public = start.public_url.unwrap_or_else(|| url.clone());
        let child = Command::new(env!("CARGO_BIN_EXE_dataportability-server"))
            .current_dir(start.dir)
            .args(["--emulator-url", start.emulator, "--emulator-clock"])
            .args(["--port", &port.to_string(), "--role", start.role])
            .args(["--public-url", &public, "--database", &start.database])
            .arg("--key-file")
            .arg(start.dir.join("grant-keys"))
            .arg("--archives")
            .arg(start.dir.join("archives"))
            .arg("--staging")
            .arg(start.dir.join("staging"))
            .args(["--api-key", KEY, "--google-rps", "0", "--poll-min", "5m"])
            .args(start.extra)
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log"))
            .stderr(file)
            .spawn()
            .expect("the service starts");
        let service = Self {
            child: Some(child),
            url,
            log,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        };
        for _ in 0..3000 {
            if let Ok(r) = service.http.get(format!("{}/healthz", service.url)).send().await
                && r.status().is_success()
            {
                return service;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the service did not answer /healthz:\n{}", service.log_text());
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A connection for one user and one group, consented.
    async fn connect(&self) -> String {
        let response = self
            .http
            .post(format!("{}/v1/connections", self.url))
            .bearer_auth(KEY)
            .json(&json!({"userRef": "u", "groups": [SEARCH]}))
            .send()
            .await
            .expect("create");
        let body: Value = response.json().await.expect("json");
        let consent = body["consentUrl"].as_str().expect("consentUrl");
        let google = self.http.get(consent).send().await.expect("consent");
        let callback = google.headers()["location"].to_str().expect("location").to_owned();
        let back = self.http.get(&callback).send().await.expect("callback");
        assert_eq!(back.status().as_u16(), 200, "{}", back.text().await.unwrap_or_default());
        body["id"].as_str().expect("id").to_owned()
    }

    /// The status of the connection's one group, read through the API.
    async fn status(&self, id: &str) -> String {
        let response = self
            .http
            .get(format!("{}/v1/connections/{id}", self.url))
            .bearer_auth(KEY)
            .send()
            .await
            .expect("get");
        let body: Value = response.json().await.expect("json");
        body["groupStates"][0]["status"].as_str().unwrap_or_default().to_owned()
    }

    /// Waits until the group's step has started (`initiating` is recorded before the request
    /// is sent) or is past it.
    async fn wait_for_initiating(&self, id: &str) -> String {
        for _ in 0..6000 {
            let status = self.status(id).await;
            if status != "due" {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the export never started:\n{}", self.log_text());
    }

    /// SIGTERM, and the exit status.
    async fn terminate(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let pid = i32::try_from(child.id()).expect("pid");
        // SAFETY: kill(2) with a pid of our own child and a valid signal number.
        let sent = unsafe { libc::kill(pid, libc::SIGTERM) };
        assert_eq!(sent, 0, "SIGTERM sent");
        tokio::task::spawn_blocking(move || child.wait().expect("exit"))
            .await
            .expect("waited")
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("{}:\n{}", self.log.display(), self.log_text());
        }
    }
}

fn emulator_config(faults: Faults) -> EmulatorConfig {
    EmulatorConfig {
        consent_access_type: AccessType::TimeBased,
        complete_after: Duration::from_secs(60),
        archive_size: 4096,
        faults,
        ..EmulatorConfig::default()
    }
}

/// The item's (status, job, lease owner) in a SQLite database.
async fn sqlite_item(path: &Path) -> (String, Option<String>, Option<String>) {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .expect("sqlite");
    let row = sqlx::query("SELECT status, job_id, lease_owner FROM items")
        .fetch_one(&mut conn)
        .await
        .expect("one item");
    (row.get("status"), row.get("job_id"), row.get("lease_owner"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_step_in_flight_finish_and_gives_the_lease_back() {
    // Every API answer takes 1.5 s: the initiate is in flight when SIGTERM comes.
    let emulator = Emulator::start_with(emulator_config(Faults {
        delay_millis: 1500,
        ..Faults::default()
    }))
    .await
    .expect("emulator");
    let dir = tempfile::tempdir().expect("dir");
    let database = dir.path().join("db/server.db");
    let mut service = Service::start(Start {
        dir: dir.path(),
        database: database.display().to_string(),
        emulator: emulator.url(),
        public_url: None,
        role: "both",
        name: "service",
        extra: &["--stop-grace", "60s", "--lease", "10m", "--log-format", "json"],
    })
    .await;
    let id = service.connect().await;
    service.wait_for_initiating(&id).await;
    let status = service.terminate().await;
    assert!(
        status.success(),
        "exit 0 after SIGTERM: {status:?}\n{}",
        service.log_text()
    );
    let (status, job, owner) = sqlite_item(&database).await;
    assert_eq!(status, "polling", "the initiate finished and was recorded");
    assert_eq!(job.as_deref(), Some(emulator.jobs()[0].id.as_str()));
    assert_eq!(emulator.jobs().len(), 1);
    assert_eq!(owner, None, "no lease left");
    assert!(
        service.log_text().contains("steps in flight finished"),
        "{}",
        service.log_text()
    );
    // Every line is a JSON object; the step's line carries the item's ids.
    let log = service.log_text();
    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let job = job.expect("a job");
    let step = lines
        .iter()
        .find(|line| line["fields"]["message"] == "step done")
        .unwrap_or_else(|| panic!("no step line:\n{log}"));
    assert_eq!(step["span"]["connection_id"], id.as_str(), "{step}");
    assert_eq!(step["span"]["job_id"], job.as_str(), "{step}");
    assert_eq!(step["span"]["group"], SEARCH, "{step}");
    assert_eq!(step["fields"]["to"], "polling", "{step}");
    assert!(
        !log.contains("secret") && !log.contains("ya29") && !log.contains("1//"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_grace_the_step_is_abandoned_and_another_worker_takes_it_at_once() {
    let Ok(admin) = std::env::var("DATAPORTABILITY_TEST_POSTGRES") else {
        skip_note!("SKIPPED the graceful stop on PostgreSQL: DATAPORTABILITY_TEST_POSTGRES is not set");
        return;
    };
    let name = format!("stop_{}", std::process::id());
    let scratch = ScratchDatabase::create(&admin, &name).await;
    let database = scratch.url.clone();

    // The first initiate is never answered: the step cannot finish within the grace.
    let emulator = Emulator::start_with(emulator_config(Faults {
        held_initiates: 1,
        ..Faults::default()
    }))
    .await
    .expect("emulator");
    let dir = tempfile::tempdir().expect("dir");
    // Leases of 10 minutes: a worker that waited for one to run out would take that long.
    let mut first = Service::start(Start {
        dir: dir.path(),
        database: database.clone(),
        emulator: emulator.url(),
        public_url: None,
        role: "both",
        name: "first",
        extra: &["--stop-grace", "1s", "--lease", "10m"],
    })
    .await;
    let id = first.connect().await;
    first.wait_for_initiating(&id).await;
    for _ in 0..6000 {
        if !emulator.jobs().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(emulator.jobs().len(), 1, "the held initiate created its job");
    let status = first.terminate().await;
    assert!(
        status.success(),
        "exit 0 after SIGTERM: {status:?}\n{}",
        first.log_text()
    );
    assert!(first.log_text().contains("abandoned"), "{}", first.log_text());

    let mut conn = sqlx::PgConnection::connect(&database).await.expect("database");
    const ITEM: &str = "SELECT status, job_id, lease_owner FROM items";
    let row = sqlx::query(ITEM).fetch_one(&mut conn).await.expect("item");
    assert_eq!(
        row.get::<String, _>("status"),
        "initiating",
        "nothing recorded of the step"
    );
    assert_eq!(
        row.get::<Option<String>, _>("lease_owner"),
        None,
        "the lease was given back"
    );

    let _second = Service::start(Start {
        dir: dir.path(),
        database: database.clone(),
        emulator: emulator.url(),
        public_url: Some(first.url.clone()),
        role: "work",
        name: "second",
        extra: &["--lease", "10m"],
    })
    .await;
    // Well within the 10 minutes of a lease: the item was free at once.
    let mut status = String::new();
    for _ in 0..1200 {
        status = sqlx::query(ITEM)
            .fetch_one(&mut conn)
            .await
            .expect("item")
            .get("status");
        if status == "polling" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "polling", "the second worker adopted the job");
    assert_eq!(emulator.jobs().len(), 1, "the same job, adopted through ALREADY_EXISTS");
    drop(conn);
    scratch.drop_database().await;
}
