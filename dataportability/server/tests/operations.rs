//! The service's operations, in one process against the emulator: what `/metrics` counts
//! after a known sequence of calls and a lease taken over; the webhook delivered by one of two
//! serving processes at a time.

#[macro_use]
mod skip;
mod common;
mod scratch_db;

use std::time::Duration;

use common::*;
use scratch_db::ScratchDatabase;

/// The value of the sample `series` (name and labels, exactly as written) in `text`.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

async fn scrape(h: &Harness) -> String {
    h.http
        .get(format!("{}/metrics", h.url()))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text")
}

#[tokio::test]
async fn metrics_count_google_calls_by_method_and_status_and_leases_taken_over() {
    let h = Harness::start().await;
    let id = h.connect("u", &[SEARCH]).await;
    // The next API request answers 503: the first initiate fails, the next one succeeds.
    h.emulator.set_faults(dataportability_emulator::Faults {
        unavailable: 1,
        ..Default::default()
    });
    h.run_due().await;
    h.advance(Duration::from_secs(2));
    h.run_due().await;
    // A worker claims the item, due for its poll, and dies: its lease runs out unrenewed.
    h.advance(Duration::from_secs(5 * 60 + 1));
    let app = &h.service().app;
    let now = app.now().timestamp_millis();
    let dead = app.store.claim("dead-worker", now, 0, 1, 10).await.expect("claim");
    assert_eq!(dead.len(), 1);
    // The lease ran out at 1 ms after the epoch: this process takes the item over.
    h.run_due().await;
    let connection = h.connection(&id).await;
    assert_eq!(
        connection["groupStates"][0]["archives"].as_array().map(Vec::len),
        Some(1),
        "{connection}"
    );

    let text = scrape(&h).await;
    let calls = |method: &str, status: &str| {
        sample(
            &text,
            &format!("dataportability_google_calls_total{{method=\"{method}\",status=\"{status}\"}}"),
        )
    };
    assert_eq!(calls("initiate", "503"), Some(1.0), "{text}");
    assert_eq!(calls("initiate", "200"), Some(1.0), "{text}");
    assert_eq!(calls("getPortabilityArchiveState", "200"), Some(1.0), "{text}");
    assert_eq!(calls("token", "200"), Some(1.0), "{text}");
    assert_eq!(calls("accessType.check", "200"), Some(1.0), "{text}");
    assert_eq!(
        sample(&text, "dataportability_google_requests_total"),
        Some(5.0),
        "every call counted once: {text}"
    );
    assert_eq!(
        sample(&text, "dataportability_leases_taken_over_total"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "dataportability_items{status=\"due\"}"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "dataportability_step_failures_total"),
        Some(1.0),
        "{text}"
    );
    let size = connection["groupStates"][0]["archives"][0]["size"].as_f64();
    assert_eq!(sample(&text, "dataportability_archive_bytes_total"), size, "{text}");
    assert!(
        text.contains("# TYPE dataportability_google_calls_total counter"),
        "{text}"
    );
}

/// Two `serve` processes (two app instances here) on one PostgreSQL database and one
/// receiver: every event is delivered, in order, and never by both at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serving_processes_deliver_the_webhook_one_at_a_time_in_order() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use dataportability_server::store::{Database, NewConnection};

    let Ok(admin) = std::env::var("DATAPORTABILITY_TEST_POSTGRES") else {
        skip_note!("SKIPPED the webhook across processes: DATAPORTABILITY_TEST_POSTGRES is not set");
        return;
    };
    let name = format!("webhook_{}", std::process::id());
    let scratch = ScratchDatabase::create(&admin, &name).await;

    // The receiver: each batch's seqs, and the most deliveries it ever had at once.
    #[derive(Default)]
    struct Receiver {
        batches: Mutex<Vec<Vec<i64>>>,
        now: AtomicUsize,
        most: AtomicUsize,
    }
    let receiver = Arc::new(Receiver::default());
    let state = Arc::clone(&receiver);
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let state = Arc::clone(&state);
            async move {
                let at_once = state.now.fetch_add(1, Ordering::SeqCst) + 1;
                state.most.fetch_max(at_once, Ordering::SeqCst);
                // Slow, so that two deliveries at once would overlap here.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let batch: serde_json::Value = serde_json::from_slice(&body).expect("json");
                let seqs = batch["events"]
                    .as_array()
                    .expect("events")
                    .iter()
                    .map(|e| e["seq"].as_i64().expect("seq"))
                    .collect();
                state.batches.lock().expect("batches").push(seqs);
                state.now.fetch_sub(1, Ordering::SeqCst);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let hook = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await });

    let emulator = dataportability_emulator::Emulator::start_with(emulator_config())
        .await
        .expect("emulator");
    let dir = tempfile::tempdir().expect("dir");
    let keys = {
        use base64::Engine as _;
        format!("k1:{}\n", base64::engine::general_purpose::STANDARD.encode([7u8; 32]))
    };
    let mut services = Vec::new();
    for n in 0..2 {
        let config = dataportability_server::Config {
            database: Database::Postgres(scratch.url.clone()),
            database_connections: 4,
            archives: dir.path().join("archives").into(),
            keys: dataportability_server::crypto::KeyRing::parse(&keys).expect("keys"),
            api_key: API_KEY.to_owned(),
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            oauth: dataportability_server::OAuthSetup::Emulator {
                cache: dir.path().join(format!("client-{n}.json")),
            },
            api_url: emulator.url().to_owned(),
            clock: Arc::new(dataportability_server::clock::SystemClock),
            settings: dataportability_server::app::Settings::default(),
            webhook: Some(dataportability_server::app::Webhook {
                url: hook.clone(),
                secret: b"secret".to_vec(),
            }),
            scheduler: false,
            serve: true,
        };
        services.push(dataportability_server::start(config).await.expect("service"));
    }
    // Events arrive while both deliver: a connection created and ended is one event.
    let store = Arc::clone(&services[0].app.store);
    const EVENTS: i64 = 40;
    for n in 0..EVENTS {
        let connection = NewConnection {
            id: format!("c{n}"),
            user_ref: format!("u{n}"),
            groups: vec![SEARCH.to_owned()],
            return_url: None,
            created_at: "2026-01-01T00:00:00Z".to_owned(),
        };
        store
            .create_connection(&connection, &format!("state-{n}"), "verifier", 0)
            .await
            .expect("create");
        store
            .end(&connection.id, false, "2026-01-01T00:00:00Z")
            .await
            .expect("end");
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    let mut delivered = Vec::new();
    for _ in 0..1500 {
        delivered = receiver.batches.lock().expect("batches").concat();
        if delivered.len() as i64 >= EVENTS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let batches = receiver.batches.lock().expect("batches").len();
    assert_eq!(
        delivered,
        (1..=EVENTS).collect::<Vec<_>>(),
        "every event once, in order"
    );
    assert!(batches > 1, "several batches: {batches}");
    assert_eq!(receiver.most.load(Ordering::SeqCst), 1, "never two deliveries at once");
    for service in &services {
        service.stop();
    }
    drop(services);
    scratch.drop_database().await;
}
