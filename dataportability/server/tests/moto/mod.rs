//! moto's S3-compatible server (`moto_server`, from the `moto[server]` package on PyPI), started
//! for a test on a free port of 127.0.0.1 and stopped when dropped.
//!
//! The program is `$MOTO_SERVER`, or `moto_server` on the `PATH`; `.ci/run` installs it.
//! Without it a test prints why it is skipped.

#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;

pub const REGION: &str = "us-east-1";
pub const KEY_ID: &str = "testing";
pub const SECRET: &str = "testing";

pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// Starts moto, or prints why `case` is skipped and answers `None`.
    pub async fn start(case: &str) -> Option<Self> {
        let program = std::env::var("MOTO_SERVER").unwrap_or_else(|_| "moto_server".to_owned());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = match Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => child,
            Err(error) => {
                skip_note!(
                    "SKIPPED {case}: no S3-compatible server ({program}: {error}); \
                     pip install 'moto[server]' or set MOTO_SERVER (.ci/run does)"
                );
                return None;
            }
        };
        let moto = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        for _ in 0..600 {
            if http.get(format!("{}/", moto.endpoint)).send().await.is_ok() {
                return Some(moto);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("moto_server did not answer on {}", moto.endpoint);
    }

    /// Creates `bucket` (moto does not check signatures).
    pub async fn bucket(&self, bucket: &str) {
        let response = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .expect("create bucket");
        assert!(response.status().is_success(), "create bucket: {}", response.status());
    }

    /// A client of `bucket`.
    pub fn store(&self, bucket: &str) -> Arc<dyn ObjectStore> {
        Arc::new(
            AmazonS3Builder::new()
                .with_endpoint(&self.endpoint)
                .with_allow_http(true)
                .with_region(REGION)
                .with_access_key_id(KEY_ID)
                .with_secret_access_key(SECRET)
                .with_bucket_name(bucket)
                .build()
                .expect("s3 client"),
        )
    }

    /// The environment a service process needs for `--archives s3://...`.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".to_owned()),
            ("AWS_REGION", REGION.to_owned()),
            ("AWS_ACCESS_KEY_ID", KEY_ID.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", SECRET.to_owned()),
        ]
    }
}
