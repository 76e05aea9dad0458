//! One attempt of a call: one HTTP exchange, with the response read within its limits.

use std::time::SystemTime;

use bytes::Bytes;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};

use crate::auth::AccessToken;
use crate::body::{self, ReadError};
use crate::{ApiError, Error, HttpMethod, retry_after};

/// How much of an error response's body is read: enough for any Google error JSON; the
/// rest is dropped, since only a snippet of a body that is not Google's format is kept.
const ERROR_BODY_LIMIT: usize = 1024 * 1024;

/// Everything an attempt sends; the same for every attempt of a call.
pub(crate) struct Exchange<'a> {
    pub(crate) http: &'a reqwest::Client,
    pub(crate) verb: HttpMethod,
    /// The Discovery id of the method, for errors.
    pub(crate) method: &'static str,
    /// The full URL, API key included: never logged nor put in an error.
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    pub(crate) max_response_bytes: u64,
}

impl Exchange<'_> {
    /// Sends the request once; a success gives the status and the body, anything else an
    /// error (an error status is an [`Error::Api`] with the server's `Retry-After`).
    pub(crate) async fn send(&self, token: Option<&AccessToken>) -> Result<(StatusCode, Bytes), Error> {
        let method = self.method;
        let transport = |source: reqwest::Error| Error::Transport { method, source: source.without_url() };
        let mut request = self.http.request(self.verb.to_reqwest(), self.url.clone()).headers(self.headers.clone());
        if let Some(token) = token {
            // reqwest marks this header sensitive, so it is left out of its own Debug output.
            request = request.bearer_auth(token.secret());
        }
        if let Some(body) = &self.body {
            request = request.header(CONTENT_TYPE, HeaderValue::from_static("application/json")).body(body.clone());
        } else if self.verb.has_body() {
            request = request.header(CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = retry_after::parse(response.headers(), SystemTime::now());
            let body = body::read_prefix(response, ERROR_BODY_LIMIT).await;
            let mut error = ApiError::from_body(method, status, &body);
            error.retry_after = retry_after.or(error.retry_after);
            return Err(error.into());
        }
        match body::read_limited(response, self.max_response_bytes).await {
            Ok(body) => Ok((status, body)),
            Err(ReadError::TooLarge) => Err(Error::BodyTooLarge { method, limit: self.max_response_bytes }),
            Err(ReadError::Transport(source)) => Err(transport(source)),
        }
    }
}
