//! The service end to end against the emulator, in one process: consent, scheduled exports
//! over daily windows, the API's errors, partial consent, deletion, a refused grant, and a
//! restart in the middle of an `initiate`.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::json;

const DAY: Duration = Duration::from_secs(24 * 3600);

#[tokio::test]
async fn a_user_connects_and_gets_an_archive_a_day_each_incremental_from_the_last() {
    let h = Harness::start().await;
    let id = h.connect("user-1", &[SEARCH, SAVED]).await;
    let connection = h.connection(&id).await;
    assert_eq!(connection["status"], "active");
    assert_eq!(connection["accessType"], "ACCESS_TYPE_TIME_BASED");
    assert!(connection["grantEnd"].is_string(), "{connection}");

    h.export_window().await;
    let connection = h.connection(&id).await;
    for group in connection["groupStates"].as_array().unwrap() {
        assert_eq!(group["archives"].as_array().unwrap().len(), 1, "{group}");
        assert_eq!(group["status"], "due", "{group}");
        assert!(group["nextExportAllowedAt"].is_string());
    }
    // Nothing more within the day.
    h.advance(Duration::from_secs(3600));
    h.run_due().await;
    assert_eq!(h.emulator.jobs().len(), 2);

    h.advance(DAY);
    h.export_window().await;
    h.advance(DAY);
    h.export_window().await;
    assert_eq!(h.emulator.jobs().len(), 6, "one job per group and day");

    let connection = h.connection(&id).await;
    let groups = connection["groupStates"].as_array().unwrap();
    let search = groups.iter().find(|g| g["group"] == SEARCH).unwrap();
    let archives = search["archives"].as_array().unwrap();
    assert_eq!(archives.len(), 3);
    // Incremental: each window starts where the last one's data ended.
    assert!(archives[0].get("startTime").is_none(), "{}", archives[0]);
    assert_eq!(archives[1]["startTime"], archives[0]["exportTime"]);
    assert_eq!(archives[2]["startTime"], archives[1]["exportTime"]);
    // A group without time filters gets everything each time.
    let saved = groups.iter().find(|g| g["group"] == SAVED).unwrap();
    assert!(
        saved["archives"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a.get("startTime").is_none())
    );
    // Each archive is on disk with the recorded size and CRC32C.
    for archive in groups.iter().flat_map(|g| g["archives"].as_array().unwrap()) {
        let path = h
            .dir
            .path()
            .join("archives")
            .join(archive["objectKey"].as_str().unwrap());
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            archive["size"].as_u64().unwrap()
        );
        assert_eq!(crc32c_hex(&path), archive["crc32c"].as_str().unwrap());
    }
    // The feed lists each archive once, in order.
    let events = h.events().await;
    let stored: Vec<&Value> = events.iter().filter(|e| e["kind"] == "archive_stored").collect();
    assert_eq!(stored.len(), 6);
    let mut keys: Vec<&str> = stored
        .iter()
        .map(|e| e["data"]["objectKey"].as_str().unwrap())
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 6);
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
}

use serde_json::Value;

#[tokio::test]
async fn the_api_refuses_bad_requests_with_one_json_message() {
    let h = Harness::start().await;
    let url = h.url();
    // No key, a wrong key.
    let none = h.http.get(format!("{url}/v1/events")).send().await.unwrap();
    assert_eq!(none.status().as_u16(), 401);
    let body: Value = none.json().await.unwrap();
    assert!(body["error"]["message"].is_string());
    let wrong = h
        .http
        .get(format!("{url}/v1/events"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    // Unknown connection.
    let (status, body) = h.call(Method::GET, "/v1/connections/c_nope", None).await;
    assert_eq!((status, body["error"]["code"].as_u64()), (404, Some(404)));
    let (status, _) = h.call(Method::DELETE, "/v1/connections/c_nope", None).await;
    assert_eq!(status, 404);
    // Malformed bodies name the field.
    let cases = [
        (json!({"groups": [SEARCH]}), "userRef"),
        (json!({"userRef": 5, "groups": [SEARCH]}), "userRef"),
        (json!({"userRef": "u", "groups": "x"}), "groups"),
        (json!({"userRef": "u", "groups": [SEARCH, "nope.nope"]}), "groups[1]"),
        (json!({"userRef": "u", "groups": []}), "groups"),
        (
            json!({"userRef": "u", "groups": [SEARCH], "returnUrl": "ftp://x"}),
            "returnUrl",
        ),
        (json!({"userRef": "u", "groups": [SEARCH], "extra": 1}), "extra"),
    ];
    for (body, field) in cases {
        let (status, answer) = h.call(Method::POST, "/v1/connections", Some(body.clone())).await;
        assert_eq!(status, 400, "{body}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{body}: {message}");
    }
    let raw = h
        .http
        .post(format!("{url}/v1/connections"))
        .bearer_auth(API_KEY)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    let (status, _) = h.call(Method::GET, "/v1/events?after=-1", None).await;
    assert_eq!(status, 400);

    // A forged state and a replayed one are refused and change nothing.
    let (id, consent_url) = h.create("u", &[SEARCH]).await;
    let forged = h
        .http
        .get(format!("{url}/oauth/callback?state=forged&code=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 400);
    let body: Value = forged.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("state"));
    assert_eq!(h.connection(&id).await["status"], "pending_consent");
    let google = h.http.get(&consent_url).send().await.unwrap();
    let callback = google.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(h.http.get(&callback).send().await.unwrap().status().as_u16(), 303);
    let events_before = h.events().await.len();
    let replayed = h.http.get(&callback).send().await.unwrap();
    assert_eq!(replayed.status().as_u16(), 400);
    assert_eq!(h.connection(&id).await["status"], "active");
    assert_eq!(h.events().await.len(), events_before);
    // Health and metrics need no key, and show no token.
    let health = h.http.get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let metrics = h
        .http
        .get(format!("{url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("dataportability_items{status=\"due\"} 1"), "{metrics}");
    assert!(!metrics.contains("ya29") && !metrics.contains("1//"));
}

#[tokio::test]
async fn a_partial_consent_exports_the_granted_group_and_reports_the_other() {
    let h = Harness::start().await;
    h.emulator
        .set_consent(dataportability_emulator::ConsentChoices {
            granted_resources: Some(vec![SEARCH.to_owned()]),
            ..Default::default()
        })
        .unwrap();
    let id = h.connect("u", &[SEARCH, SAVED]).await;
    h.export_window().await;
    let connection = h.connection(&id).await;
    let groups = connection["groupStates"].as_array().unwrap();
    let saved = groups.iter().find(|g| g["group"] == SAVED).unwrap();
    assert_eq!(saved["granted"], false);
    assert_eq!(saved["status"], "not_granted");
    let search = groups.iter().find(|g| g["group"] == SEARCH).unwrap();
    assert_eq!(search["archives"].as_array().unwrap().len(), 1);
    let events = h.events().await;
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "export_refused" && e["group"] == SAVED)
    );
    assert_eq!(h.emulator.jobs().len(), 1);
}

#[tokio::test]
async fn deleting_a_connection_resets_revokes_and_deletes_its_archives_on_request() {
    let h = Harness::start().await;
    let kept = h.connect("keep", &[SEARCH]).await;
    let gone = h.connect("gone", &[SEARCH]).await;
    h.export_window().await;
    let archives = h.dir.path().join("archives");
    assert!(archives.join(&kept).exists() && archives.join(&gone).exists());
    let (status, body) = h.call(Method::DELETE, &format!("/v1/connections/{kept}"), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["authorization"], "reset");
    let (status, _) = h
        .call(
            Method::DELETE,
            &format!("/v1/connections/{gone}?deleteArchives=true"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(archives.join(&kept).exists());
    assert!(!archives.join(&gone).exists());
    assert_eq!(
        h.connection(&gone).await["groupStates"][0]["archives"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(h.connection(&kept).await["status"], "ended");
    let events = h.events().await;
    let ended = events.iter().filter(|e| e["kind"] == "connection_ended").count();
    assert_eq!(ended, 2, "{events:?}");
    // Nothing runs for them any more.
    h.advance(DAY * 2);
    h.run_due().await;
    assert_eq!(h.emulator.jobs().len(), 2);
}

#[tokio::test]
async fn a_revoked_grant_marks_the_connection_as_needing_consent() {
    let h = Harness::start().await;
    let id = h.connect("u", &[SEARCH]).await;
    h.export_window().await;
    // The user revokes the app's access in their Google account: every token of the grant
    // stops working. The emulator's revocation takes any token of the consent; the test
    // reads none from the service, so it resets with a token of its own is not possible:
    // instead the grant ends (time-based grants end after 30 days).
    h.advance(Duration::from_secs(31 * 24 * 3600));
    h.run_due().await;
    let connection = h.connection(&id).await;
    assert_eq!(connection["status"], "needs_consent", "{connection}");
    assert_eq!(connection["groupStates"][0]["status"], "needs_consent");
    let events = h.events().await;
    let needed: Vec<&Value> = events.iter().filter(|e| e["kind"] == "consent_needed").collect();
    assert_eq!(needed.len(), 1);
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains("1//") && !text.contains("ya29"), "no token in events");
}

#[tokio::test]
async fn a_restart_during_an_unanswered_initiate_adopts_googles_job() {
    let h = &mut Harness::start().await;
    let id = h.connect("u", &[SEARCH]).await;
    // The first initiate creates its job and never answers: the service is stopped there.
    h.emulator.set_faults(dataportability_emulator::Faults {
        held_initiates: 1,
        ..Default::default()
    });
    let app = h.service().app.clone();
    let stuck = tokio::spawn(async move { dataportability_server::worker::tick(&app).await });
    for _ in 0..3000 {
        if !h.emulator.jobs().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(h.emulator.jobs().len(), 1, "the held initiate created its job");
    stuck.abort();
    h.restart().await;
    let item = &h.connection(&id).await["groupStates"][0];
    assert_eq!(item["status"], "initiating", "recorded before it was sent");
    h.export_window().await;
    assert_eq!(
        h.emulator.jobs().len(),
        1,
        "adopted through ALREADY_EXISTS, not a second job"
    );
    let connection = h.connection(&id).await;
    let archives = connection["groupStates"][0]["archives"].as_array().unwrap();
    assert_eq!(archives.len(), 1);
    assert_eq!(archives[0]["jobId"], h.emulator.jobs()[0].id.as_str());
}

#[tokio::test]
async fn faults_on_the_way_are_retried_and_failed_jobs_retried_once_per_window() {
    let h = Harness::start().await;
    let id = h.connect("u", &[SEARCH, SAVED]).await;
    h.emulator.set_faults(dataportability_emulator::Faults {
        unavailable: 2,
        rate_limited: 1,
        dropped_downloads: 1,
        failed_jobs: 1,
        ..Default::default()
    });
    for _ in 0..6 {
        h.export_window().await;
        h.advance(Duration::from_secs(120));
    }
    let connection = h.connection(&id).await;
    for group in connection["groupStates"].as_array().unwrap() {
        assert_eq!(group["archives"].as_array().unwrap().len(), 1, "{group}");
    }
    let jobs = h.emulator.jobs();
    assert_eq!(jobs.len(), 3, "two windows, one failed job retried: {jobs:?}");
}

#[tokio::test]
async fn events_are_pushed_to_the_webhook_signed_in_order_and_the_database_is_private() {
    use std::sync::{Arc, Mutex};
    /// (signature, body) of each delivery.
    type Deliveries = Arc<Mutex<Vec<(String, Vec<u8>)>>>;
    let received: Deliveries = Arc::default();
    let store = received.clone();
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let store = store.clone();
            async move {
                let signature = headers
                    .get("x-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                store.lock().unwrap().push((signature, body.to_vec()));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let mut h = Harness::start().await;
    h.webhook = Some(dataportability_server::app::Webhook {
        url: hook,
        secret: b"webhook-secret".to_vec(),
    });
    h.restart().await;
    h.connect("u", &[SEARCH, SAVED]).await;
    h.export_window().await;
    let mut delivered = Vec::new();
    for _ in 0..500 {
        delivered = received.lock().unwrap().clone();
        let events: usize = delivered
            .iter()
            .map(|(_, body)| {
                serde_json::from_slice::<Value>(body).unwrap()["events"]
                    .as_array()
                    .unwrap()
                    .len()
            })
            .sum();
        if events >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut seqs = Vec::new();
    for (signature, body) in &delivered {
        assert_eq!(
            signature,
            &dataportability_server::webhook::signature(b"webhook-secret", body)
        );
        let batch: Value = serde_json::from_slice(body).unwrap();
        for event in batch["events"].as_array().unwrap() {
            assert_eq!(event["kind"], "archive_stored");
            seqs.push(event["seq"].as_i64().unwrap());
        }
    }
    assert_eq!(seqs, [1, 2], "each event once, in order");

    use std::os::unix::fs::PermissionsExt as _;
    for file in ["server.db", "server.db-wal"] {
        let mode = std::fs::metadata(h.dir.path().join(file)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{file} is private: {mode:o}");
    }
}

#[tokio::test]
async fn a_one_time_grant_is_exported_once() {
    let h = Harness::start_with(dataportability_emulator::EmulatorConfig {
        consent_access_type: dataportability_emulator::AccessType::OneTime,
        ..emulator_config()
    })
    .await;
    let id = h.connect("u", &[SEARCH]).await;
    assert_eq!(h.connection(&id).await["accessType"], "ACCESS_TYPE_ONE_TIME");
    h.export_window().await;
    h.advance(DAY * 3);
    h.run_due().await;
    let connection = h.connection(&id).await;
    let group = &connection["groupStates"][0];
    assert_eq!(group["status"], "done", "{group}");
    assert_eq!(group["archives"].as_array().unwrap().len(), 1);
    assert_eq!(h.emulator.jobs().len(), 1);
}
