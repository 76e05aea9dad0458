//! One attempt of a call: one HTTP exchange, and what the caller expects back: a body read
//! within its limit, an unread streaming body, or a resumable upload's status.

use std::future::Future;
use std::time::SystemTime;

use bytes::Bytes;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Request, RequestBuilder, Response, StatusCode, Url};

use crate::auth::AccessToken;
use crate::body::{self, ReadError};
use crate::{ApiError, Error, HttpMethod, retry_after};

/// How much of an error response's body is read: enough for any Google error JSON; the
/// rest is dropped, since only a snippet of a body that is not Google's format is kept.
const ERROR_BODY_LIMIT: usize = 1024 * 1024;

/// A request body and its media type.
#[derive(Clone, Debug)]
pub(crate) struct Body {
    pub(crate) content_type: HeaderValue,
    pub(crate) bytes: Bytes,
}

impl Body {
    /// A JSON body.
    pub(crate) fn json(bytes: Bytes) -> Self {
        Self {
            content_type: HeaderValue::from_static("application/json"),
            bytes,
        }
    }
}

/// Everything an attempt sends; the same for every attempt of a call.
pub(crate) struct Exchange<'a> {
    pub(crate) http: &'a reqwest::Client,
    pub(crate) verb: HttpMethod,
    /// The Discovery id of the method, for errors.
    pub(crate) method: &'static str,
    /// The full URL, API key included: never logged nor put in an error.
    pub(crate) url: Url,
    /// The client's headers, sent with every request.
    pub(crate) default_headers: &'a HeaderMap,
    /// The call's own headers, which replace the client's of the same name (usually none).
    pub(crate) extra_headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Option<Body>,
    pub(crate) max_response_bytes: u64,
}

/// What an attempt waits for once the response's status and headers have arrived.
pub(crate) trait Expect: Copy + Send + Sync {
    /// What a successful attempt gives.
    type Output: Send;

    /// Whether `status` is an answer rather than an error.
    fn accepts(self, status: StatusCode) -> bool {
        status.is_success()
    }

    /// The HTTP status of an answer, for tracing.
    fn status(output: &Self::Output) -> StatusCode;

    /// Turns an accepted response into the output.
    fn receive(
        self,
        response: Response,
        exchange: &Exchange<'_>,
    ) -> impl Future<Output = Result<Self::Output, Error>> + Send;
}

/// A success status and the whole body, read within the call's response limit.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Buffered;

impl Expect for Buffered {
    type Output = (StatusCode, Bytes);

    fn status(output: &Self::Output) -> StatusCode {
        output.0
    }

    async fn receive(self, response: Response, exchange: &Exchange<'_>) -> Result<Self::Output, Error> {
        let status = response.status();
        read_body(response, exchange).await.map(|body| (status, body))
    }
}

/// A success status; the body is left unread, to be streamed by the caller.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Streamed;

impl Expect for Streamed {
    type Output = Response;

    fn status(output: &Self::Output) -> StatusCode {
        output.status()
    }

    async fn receive(self, response: Response, _: &Exchange<'_>) -> Result<Self::Output, Error> {
        Ok(response)
    }
}

/// The answer to a resumable upload request: done (with the response body), or
/// `308 Resume Incomplete` with the headers that say how much the server has.
#[derive(Debug)]
pub(crate) enum UploadReply {
    Done(StatusCode, Bytes),
    Incomplete(HeaderMap),
}

/// A success status or `308 Resume Incomplete`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UploadStatus;

/// `308`, which resumable uploads use for "resume incomplete".
pub(crate) const RESUME_INCOMPLETE: StatusCode = StatusCode::PERMANENT_REDIRECT;

impl Expect for UploadStatus {
    type Output = UploadReply;

    fn accepts(self, status: StatusCode) -> bool {
        status.is_success() || status == RESUME_INCOMPLETE
    }

    fn status(output: &Self::Output) -> StatusCode {
        match output {
            UploadReply::Done(status, _) => *status,
            UploadReply::Incomplete(_) => RESUME_INCOMPLETE,
        }
    }

    async fn receive(self, response: Response, exchange: &Exchange<'_>) -> Result<Self::Output, Error> {
        let status = response.status();
        if status == RESUME_INCOMPLETE {
            return Ok(UploadReply::Incomplete(response.headers().clone()));
        }
        read_body(response, exchange)
            .await
            .map(|body| UploadReply::Done(status, body))
    }
}

impl Exchange<'_> {
    /// Sends the request once and waits for what `expect` wants. A status `expect` does
    /// not accept is an [`ApiError`], with the server's `Retry-After` if it sent one.
    pub(crate) async fn send<E: Expect>(&self, token: Option<&AccessToken>, expect: E) -> Result<E::Output, Error> {
        let method = self.method;
        let mut request = Request::new(self.verb.to_reqwest(), self.url.clone());
        *request.headers_mut() = self.headers();
        let mut request = RequestBuilder::from_parts(self.http.clone(), request);
        if let Some(token) = token {
            // reqwest marks this header sensitive, so it is left out of its own Debug output.
            request = request.bearer_auth(token.secret());
        }
        if let Some(body) = &self.body {
            request = request
                .header(CONTENT_TYPE, body.content_type.clone())
                .body(body.bytes.clone());
        } else if self.verb.has_body() {
            request = request.header(CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        let response = request.send().await.map_err(|source| transport(method, source))?;
        let status = response.status();
        if !expect.accepts(status) {
            let retry_after = retry_after::parse(response.headers(), SystemTime::now());
            let body = body::read_prefix(response, ERROR_BODY_LIMIT).await;
            let mut error = ApiError::from_body(method, status, &body);
            error.retry_after = retry_after.or(error.retry_after);
            return Err(error.into());
        }
        expect.receive(response, self).await
    }
}

impl Exchange<'_> {
    /// The headers of one attempt: the client's, with those the call sets replacing the
    /// client's of the same name. One copy of the client's map; nothing merged when the call
    /// sets none.
    fn headers(&self) -> HeaderMap {
        let mut headers = self.default_headers.clone();
        if !self.extra_headers.is_empty() {
            let mut call_headers = HeaderMap::new();
            for (name, value) in &self.extra_headers {
                call_headers.append(name, value.clone());
            }
            headers.extend(call_headers);
        }
        headers
    }
}

async fn read_body(response: Response, exchange: &Exchange<'_>) -> Result<Bytes, Error> {
    let method = exchange.method;
    match body::read_limited(response, exchange.max_response_bytes).await {
        Ok(body) => Ok(body),
        Err(ReadError::TooLarge) => Err(Error::BodyTooLarge {
            method,
            limit: exchange.max_response_bytes,
        }),
        Err(ReadError::Transport(source)) => Err(transport(method, source)),
    }
}

/// A transport error, without the URL (which may carry an API key).
pub(crate) fn transport(method: &'static str, source: reqwest::Error) -> Error {
    Error::Transport {
        method,
        source: source.without_url(),
    }
}
