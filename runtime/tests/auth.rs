//! Tokens and API keys: the 401 refresh, the `key` parameter, and secrets never shown in
//! `Debug` output or errors (traces: see `tracing.rs`).

mod support;

use std::error::Error as _;
use std::fmt;
use std::sync::Mutex;

use discovery_runtime::__private::Call;
use discovery_runtime::reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use discovery_runtime::{
    AccessToken, AuthError, BoxFuture, Client, ClientBuilder, Error, RetryPolicy, StaticToken, TokenSource,
};
use serde_json::Value;
use support::{API, GET, POST, Reply, Server};

const TOKEN: &str = "ya29.SECRET-TOKEN-VALUE";
const KEY: &str = "AIzaSECRET-KEY-VALUE";

/// Hands out `token-1`, then `token-2` after it is invalidated, and so on.
#[derive(Default)]
struct Rotating {
    state: Mutex<(u32, Vec<String>)>,
}

impl Rotating {
    fn invalidated(&self) -> Vec<String> {
        self.state.lock().unwrap().1.clone()
    }
}

impl fmt::Debug for Rotating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rotating")
    }
}

impl TokenSource for Rotating {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        let generation = self.state.lock().unwrap().0 + 1;
        Box::pin(async move { Ok(AccessToken::new(format!("token-{generation}"))) })
    }

    fn invalidate(&self, rejected: &AccessToken) {
        let mut state = self.state.lock().unwrap();
        state.0 += 1;
        state.1.push(rejected.secret().to_owned());
    }
}

#[derive(Debug)]
struct Failing;

impl TokenSource for Failing {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(async { Err(AuthError::new("the refresh token was revoked")) })
    }
}

fn builder(server: &Server) -> ClientBuilder<Client> {
    ClientBuilder::new(&API)
        .endpoint(server.url())
        .retry_policy(RetryPolicy::never())
}

#[tokio::test]
async fn a_401_gets_one_fresh_token_and_one_retry_even_for_a_post() {
    let server = Server::start([Reply::json(401, "{}")], Reply::json(200, "{}"));
    let source = std::sync::Arc::new(Rotating::default());
    let client: Client = builder(&server).shared_token_source(source.clone()).build().unwrap();

    Call::new(&client, &POST).send_empty::<()>(None).await.unwrap();

    let requests = server.requests();
    let sent: Vec<_> = requests
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default())
        .collect();
    assert_eq!(sent, ["Bearer token-1", "Bearer token-2"]);
    assert_eq!(source.invalidated(), ["token-1"]);
}

#[tokio::test]
async fn a_second_401_is_returned() {
    let server = Server::start(
        [],
        Reply::json(
            401,
            r#"{"error": {"code": 401, "message": "Invalid Credentials", "status": "UNAUTHENTICATED"}}"#,
        ),
    );
    let source = std::sync::Arc::new(Rotating::default());
    let client: Client = builder(&server)
        .shared_token_source(source.clone())
        .retry_policy(RetryPolicy::new())
        .build()
        .unwrap();

    let error = Call::new(&client, &GET).send_json::<(), Value>(None).await.unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(server.requests().len(), 2);
    assert_eq!(source.invalidated(), ["token-1"]);
}

#[tokio::test]
async fn a_token_source_failure_sends_nothing() {
    let server = Server::start([], Reply::json(200, "{}"));
    let client: Client = builder(&server)
        .token_source(Failing)
        .retry_policy(RetryPolicy::new())
        .build()
        .unwrap();

    let error = Call::new(&client, &GET).send_json::<(), Value>(None).await.unwrap_err();

    assert!(matches!(error, Error::Auth { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "test.things.get: authentication failed: the refresh token was revoked"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn the_api_key_is_sent_as_the_key_parameter() {
    let server = Server::start([], Reply::json(200, "{}"));
    let client: Client = builder(&server).api_key(KEY).build().unwrap();

    let mut call = Call::new(&client, &GET);
    call.set_query("fields", "name");
    call.send_json::<(), Value>(None).await.unwrap();

    assert_eq!(
        server.requests()[0].target,
        format!("/svc/v1/things/1?fields=name&key={KEY}")
    );
    assert!(!call_url_contains_key(&client));
}

fn call_url_contains_key(client: &Client) -> bool {
    Call::new(client, &GET).url().unwrap().as_str().contains(KEY)
}

/// Formats an error the ways a program might show it: Display, Debug, and every source.
fn shown(error: &Error) -> String {
    let mut text = format!("{error} {error:?}");
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    text
}

fn assert_no_secret(what: &str, text: &str) {
    assert!(!text.contains("SECRET"), "{what} shows a secret: {text}");
}

#[tokio::test]
async fn secrets_never_appear_in_debug_output_or_errors() {
    let server = Server::start(
        [],
        Reply::json(
            403,
            r#"{"error": {"code": 403, "message": "Denied", "status": "PERMISSION_DENIED"}}"#,
        ),
    );
    let builder = builder(&server).token_source(StaticToken::new(TOKEN)).api_key(KEY);
    assert_no_secret("the builder", &format!("{builder:?}"));
    let client: Client = builder.build().unwrap();
    assert_no_secret("the client", &format!("{client:?}"));
    let mut call = Call::new(&client, &GET);
    call.add_header(AUTHORIZATION, HeaderValue::from_static("Bearer ya29.SECRET-PER-CALL"));
    call.add_header(
        HeaderName::from_static("x-goog-api-key"),
        HeaderValue::from_static("AIzaSECRET-PER-CALL"),
    );
    assert_no_secret("a call", &format!("{call:?}"));

    let error = Call::new(&client, &GET).send_json::<(), Value>(None).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));
    assert_no_secret("an API error", &shown(&error));
    let sent = &server.requests()[0];
    assert_eq!(sent.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert!(sent.target.contains(&format!("key={KEY}")));

    // A transport error: nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable: Client = ClientBuilder::new(&API)
        .endpoint(format!("http://127.0.0.1:{port}/"))
        .token_source(StaticToken::new(TOKEN))
        .api_key(KEY)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let error = Call::new(&unreachable, &GET)
        .send_json::<(), Value>(None)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_no_secret("a transport error", &shown(&error));
}
