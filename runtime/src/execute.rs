//! Running a call: attempts, retries with backoff, timeouts, the 401 refresh, and the
//! call's tracing span.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::{Instant, sleep, timeout};
use tracing::field::Empty;
use tracing::{Instrument, Span};

use crate::attempt::{Body, Buffered, Exchange, Expect};
use crate::auth::AccessToken;
use crate::call::{decode, encode};
use crate::client::Inner;
use crate::error::TimeoutScope;
use crate::options::CallOptions;
use crate::{Call, Error, HttpMethod, RetryPolicy};

/// One HTTP request of a call: by default the method's own; media uploads and downloads
/// change its URL, verb, body, headers or retry policy.
pub(crate) struct Plan {
    pub(crate) url: Url,
    pub(crate) verb: HttpMethod,
    pub(crate) body: Option<Body>,
    /// Headers added to the call's own.
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) idempotent: bool,
    /// Replaces the call's retry policy for this request.
    pub(crate) retry: Option<RetryPolicy>,
    /// Whether the client's API key goes in the URL (`key=`): not to a resumable upload's
    /// session URL, which is the server's and authorizes the upload by itself.
    pub(crate) api_key: bool,
}

impl Plan {
    /// The method's own request, with `body`.
    pub(crate) fn for_call(call: &Call, body: Option<Body>) -> Result<Self, Error> {
        Ok(Self {
            url: call.url()?,
            verb: call.method.http_method,
            body,
            headers: Vec::new(),
            idempotent: call.is_idempotent(),
            retry: None,
            api_key: true,
        })
    }
}

/// Sends `call` with a JSON `body` until it succeeds or its retry policy gives up, within
/// the call's timeout, and reads the whole response.
pub(crate) async fn run(call: Call, body: Option<Bytes>) -> Result<(StatusCode, Bytes), Error> {
    let plan = Plan::for_call(&call, body.map(Body::json))?;
    perform(&call, plan, Buffered).await
}

/// Sends `plan` for `call` until it gives what `expect` wants or the retry policy gives up,
/// within the call's timeout. The request runs in one `tracing` span named `call` whose
/// fields are the method id, the number of the last attempt, its HTTP status and the latency.
pub(crate) async fn perform<E: Expect>(call: &Call, plan: Plan, expect: E) -> Result<E::Output, Error> {
    let Plan {
        mut url,
        verb,
        body,
        headers,
        idempotent,
        retry,
        api_key,
    } = plan;
    let method = call.method;
    let inner = call.client.inner();
    if let Some(key) = inner.api_key.as_ref().filter(|_| api_key) {
        url.query_pairs_mut().append_pair("key", key.secret());
    }
    let mut options = inner.options.with(&call.overrides);
    if let Some(retry) = retry {
        options.retry = retry;
    }
    let mut extra_headers = call.headers.clone();
    extra_headers.extend(headers);
    let exchange = Exchange {
        http: &inner.http,
        verb,
        method: method.id,
        url,
        default_headers: &inner.headers,
        extra_headers,
        body,
        max_response_bytes: options.max_response_bytes,
    };
    let span = tracing::info_span!(
        "call",
        method = method.id,
        attempt = Empty,
        status = Empty,
        latency_ms = Empty
    );
    let runner = Runner {
        inner,
        exchange,
        options,
        idempotent,
        span: span.clone(),
    };
    async move {
        let started = Instant::now();
        let result = match runner.options.timeout {
            Some(limit) => timeout(limit, runner.attempts(expect)).await.unwrap_or_else(|_| {
                Err(Error::Timeout {
                    method: method.id,
                    scope: TimeoutScope::Call,
                    after: limit,
                })
            }),
            None => runner.attempts(expect).await,
        };
        runner.span.record("latency_ms", millis(started.elapsed()));
        result
    }
    .instrument(span)
    .await
}

struct Runner<'a> {
    inner: &'a Inner,
    exchange: Exchange<'a>,
    options: CallOptions,
    idempotent: bool,
    span: Span,
}

impl Runner<'_> {
    /// The attempt loop: one attempt, then a retry after a wait while the policy allows,
    /// and one immediate retry with a fresh token after an HTTP 401.
    async fn attempts<E: Expect>(&self, expect: E) -> Result<E::Output, Error> {
        let started = Instant::now();
        let policy = &self.options.retry;
        let mut attempt: u32 = 0;
        let mut counted: u32 = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            counted += 1;
            self.span.record("attempt", attempt);
            let token = self.token().await?;
            let attempt_started = Instant::now();
            let result = self.attempt(token.as_ref(), expect).await;
            let status = match &result {
                Ok(output) => Some(E::status(output)),
                Err(error) => error.status(),
            };
            let status_code = status.map(|status| status.as_u16());
            if let Some(code) = status_code {
                self.span.record("status", code);
            }
            tracing::debug!(
                attempt,
                status = status_code,
                latency_ms = millis(attempt_started.elapsed()),
                "attempt finished"
            );
            let error = match result {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            if status == Some(StatusCode::UNAUTHORIZED)
                && !refreshed
                && let (Some(source), Some(token)) = (&self.inner.token_source, &token)
            {
                tracing::debug!(attempt, "token rejected; retrying once with a fresh token");
                source.invalidate(token);
                refreshed = true;
                counted -= 1;
                continue;
            }
            let delay = policy.next_delay(&error, self.idempotent, counted, started.elapsed(), fastrand::f64());
            let Some(delay) = delay else { return Err(error) };
            tracing::debug!(
                attempt,
                error = error_kind(&error),
                delay_ms = millis(delay),
                "retrying after a transient failure"
            );
            sleep(delay).await;
        }
    }

    async fn token(&self) -> Result<Option<AccessToken>, Error> {
        let Some(source) = &self.inner.token_source else {
            return Ok(None);
        };
        source.token().await.map(Some).map_err(|source| Error::Auth {
            method: self.exchange.method,
            source,
        })
    }

    async fn attempt<E: Expect>(&self, token: Option<&AccessToken>, expect: E) -> Result<E::Output, Error> {
        match self.options.attempt_timeout {
            Some(limit) => timeout(limit, self.exchange.send(token, expect))
                .await
                .unwrap_or_else(|_| {
                    Err(Error::Timeout {
                        method: self.exchange.method,
                        scope: TimeoutScope::Attempt,
                        after: limit,
                    })
                }),
            None => self.exchange.send(token, expect).await,
        }
    }
}

/// What kind of failure, for logs: never a body, a URL or a message from the server.
fn error_kind(error: &Error) -> &'static str {
    match error {
        Error::Api(_) => "http status",
        Error::Transport { .. } => "transport",
        Error::Timeout { .. } => "timeout",
        _ => "other",
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Sending, here beside the retry loop it runs (so that `call` does not import what imports it).
impl Call {
    /// Sends the call with an optional JSON body and decodes the JSON response as `R`,
    /// retrying transient failures as the retry policy allows.
    pub async fn send_json<B, R>(self, body: Option<&B>) -> Result<R, Error>
    where
        B: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let method = self.method.id;
        let body = encode(method, body)?;
        let (status, bytes) = run(self, body).await?;
        decode(method, status, &bytes)
    }

    /// Sends the call with an optional JSON body, for a method that documents no response.
    pub async fn send_empty<B>(self, body: Option<&B>) -> Result<(), Error>
    where
        B: Serialize + ?Sized,
    {
        let body = encode(self.method.id, body)?;
        run(self, body).await.map(drop)
    }
}
