//! The service's operations, in one process against the emulator: what `/metrics` counts
//! after a known sequence of calls and a lease taken over.

mod common;

use std::time::Duration;

use common::*;

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
