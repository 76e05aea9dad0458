//! The consent flow once in a real browser: Debian's `chromium`, headless, driven over
//! WebDriver (`chromedriver`, plain HTTP with reqwest) through the service's consent URL, the
//! emulator's OAuth pages and the service's callback, back to the app's `returnUrl`.
//!
//! Skipped, with the reason printed, when `chromedriver` is not installed; `.ci/run` installs
//! `chromium chromium-driver` with apt-get and runs it.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find(names: &[&str]) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

async fn webdriver(http: &reqwest::Client, method: reqwest::Method, url: String, body: Option<Value>) -> Value {
    let mut request = http.request(method, &url);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let text = request
        .send()
        .await
        .expect("chromedriver")
        .text()
        .await
        .expect("answer");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("{url}: not JSON: {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_consents_in_chromium_and_lands_on_the_return_url() {
    let Some(chromedriver) = find(&["chromedriver"]) else {
        println!("skipped: chromedriver is not installed (apt-get install chromium chromium-driver; .ci/run does)");
        return;
    };
    let chromium = find(&["chromium", "chromium-browser", "google-chrome"]);

    // The app's page the user comes back to.
    let app = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let app_url = format!("http://{}", app.local_addr().expect("addr"));
    let router = axum::Router::new().route(
        "/connected",
        axum::routing::get(|| async { axum::response::Html("<html><body><h1 id=done>connected</h1></body></html>") }),
    );
    tokio::spawn(async move { axum::serve(app, router).await });

    let h = Harness::start().await;
    let (status, created) = h
        .call(
            reqwest::Method::POST,
            "/v1/connections",
            Some(json!({"userRef": "browser-user", "groups": [SEARCH, SAVED], "returnUrl": format!("{app_url}/connected")})),
        )
        .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().expect("id").to_owned();
    let consent_url = created["consentUrl"].as_str().expect("consentUrl").to_owned();

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let _driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let driver = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..1500 {
        if let Ok(r) = http.get(format!("{driver}/status")).send().await
            && r.status().is_success()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ready, "chromedriver did not start");
    let mut options = json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]});
    if let Some(binary) = chromium {
        options["binary"] = json!(binary);
    }
    let session = webdriver(
        &http,
        reqwest::Method::POST,
        format!("{driver}/session"),
        Some(json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}})),
    )
    .await;
    let session_id = session["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {session}"))
        .to_owned();
    let base = format!("{driver}/session/{session_id}");
    webdriver(
        &http,
        reqwest::Method::POST,
        format!("{base}/url"),
        Some(json!({"url": consent_url})),
    )
    .await;
    let landed = webdriver(&http, reqwest::Method::GET, format!("{base}/url"), None).await;
    let source = webdriver(&http, reqwest::Method::GET, format!("{base}/source"), None).await;
    webdriver(&http, reqwest::Method::DELETE, base.clone(), None).await;

    assert_eq!(landed["value"], format!("{app_url}/connected?connection={id}"));
    assert!(source["value"].as_str().unwrap_or_default().contains("connected"));
    let connection = h.connection(&id).await;
    assert_eq!(connection["status"], "active");
    let granted: Vec<bool> = connection["groupStates"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["granted"].as_bool().unwrap_or(false))
        .collect();
    assert_eq!(granted, [true, true]);
    // The grant works: the first window exports both groups.
    h.export_window().await;
    let connection = h.connection(&id).await;
    for group in connection["groupStates"].as_array().expect("groups") {
        assert_eq!(group["archives"].as_array().expect("archives").len(), 1, "{group}");
    }
}
