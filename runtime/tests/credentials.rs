//! Credentials go only to the API endpoint, against a hostile or compromised server on
//! 127.0.0.1: a resumable upload's session URL must be on the endpoint's origin, the API key
//! never goes in it, and no redirect is followed (so none can carry `Authorization` or
//! `x-goog-api-key` elsewhere, or downgrade to `http`).

mod support;

use std::time::Duration;

use discovery_runtime::__private::{Call, HttpMethod, MethodInfo, PathParam, UploadInfo};
use discovery_runtime::reqwest::header::{HeaderName, HeaderValue};
use discovery_runtime::{Client, ClientBuilder, Error, ResumableMedia, RetryPolicy, StaticToken};
use serde_json::Value;
use support::{API, GET, Reply, Server};

const TOKEN: &str = "ya29.SECRET-TOKEN-VALUE";
const KEY: &str = "AIzaSECRET-KEY-VALUE";
const INSERT: MethodInfo = MethodInfo::new("test.things.insert", HttpMethod::Post, &[PathParam::Literal("things")]);
const UPLOAD: UploadInfo = UploadInfo::new(
    None,
    Some(&[PathParam::Literal("resumable/upload/svc/v1/things")]),
    None,
    &[],
);

fn client(server: &Server) -> Client {
    ClientBuilder::new(&API)
        .endpoint(server.url())
        .token_source(StaticToken::new(TOKEN))
        .api_key(KEY)
        .retry_policy(RetryPolicy::new().with_initial_backoff(Duration::from_millis(1)))
        .build()
        .expect("client")
}

/// A server that records what it receives and answers 200 to everything.
fn thief() -> Server {
    Server::start([], Reply::json(200, "{}"))
}

fn port(server: &Server) -> u16 {
    server
        .url()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port")
}

async fn upload(client: &Client) -> Result<Value, Error> {
    Call::new(client, &INSERT)
        .send_resumable::<(), Value>(&UPLOAD, None, ResumableMedia::from_bytes("text/plain", "secret media"))
        .await
}

#[tokio::test]
async fn a_session_url_on_another_origin_fails_and_sends_nothing_there() {
    let thief = thief();
    for location in [
        // Another port of the same host.
        format!("{}steal", thief.url()),
        // Another host name for the same address and port: not the endpoint's origin.
        format!("http://localhost:{}/steal", port(&thief)),
        // Another scheme.
        format!("https://127.0.0.1:{}/steal", port(&thief)),
    ] {
        let server = Server::start([Reply::json(200, "").header("location", &location)], Reply::Close);

        let error = upload(&client(&server)).await.unwrap_err();

        assert!(matches!(error, Error::Upload { .. }), "{location}: {error:?}");
        let message = error.to_string();
        assert!(message.contains("not on the API endpoint"), "{message}");
        assert!(!message.contains(KEY) && !message.contains(TOKEN), "{message}");
        assert_eq!(server.requests().len(), 1, "{location}: only the session start");
    }
    assert!(thief.requests().is_empty(), "the thief received {:?}", thief.requests());
}

#[tokio::test]
async fn the_api_key_never_goes_in_a_session_url() {
    let server = Server::start(
        [
            // A server that even puts a key in the session URL does not get ours there.
            Reply::json(200, "").header("location", "/session/1?upload_id=abc&key=planted"),
            Reply::json(200, r#"{"name": "done"}"#),
        ],
        Reply::Close,
    );

    let response = upload(&client(&server)).await.unwrap();

    assert_eq!(response, serde_json::json!({"name": "done"}));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[0].target.contains(&format!("key={KEY}")),
        "{}",
        requests[0].target
    );
    assert_eq!(requests[1].target, "/session/1?upload_id=abc");
    assert_eq!(requests[1].body, b"secret media");
}

#[tokio::test]
async fn no_redirect_is_followed_so_no_credential_leaves_the_endpoint() {
    let thief = thief();
    for (status, location) in [
        (302, format!("{}steal", thief.url())),
        (307, format!("http://localhost:{}/steal", port(&thief))),
        (308, format!("{}steal", thief.url())),
        // Even to the endpoint itself: a redirect is not an answer of Google's APIs.
        (301, "/svc/v1/elsewhere".to_owned()),
    ] {
        let server = Server::start([Reply::json(status, "").header("location", &location)], Reply::Close);
        let mut call = Call::new(&client(&server), &GET);
        call.add_header(
            HeaderName::from_static("x-goog-api-key"),
            HeaderValue::from_static("AIzaSECRET-HEADER-KEY"),
        );

        let error = call.send_json::<(), Value>(None).await.unwrap_err();

        assert_eq!(error.status().map(|s| s.as_u16()), Some(status), "{error:?}");
        assert_eq!(server.requests().len(), 1, "{status} {location}: not followed");
    }
    assert!(thief.requests().is_empty(), "the thief received {:?}", thief.requests());
}
