//! One call of one method: parameters in, typed response out.

use std::any::type_name;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue, PROXY_AUTHORIZATION};
use reqwest::{StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::endpoint::BaseUrl;
use crate::error::snippet;
use crate::options::CallOverrides;
use crate::path::{self, PathParam};
use crate::query::QueryValue;
use crate::{Client, Error, HttpMethod, RetryPolicy};

/// What the runtime needs to know of a method; generated as a `const` per method.
#[derive(Debug)]
#[non_exhaustive]
pub struct MethodInfo {
    /// The Discovery id, e.g. `dataportability.archiveJobs.retry`.
    pub id: &'static str,
    /// The HTTP verb.
    pub http_method: HttpMethod,
    /// The path template, relative to the client's base URL, split into pieces.
    pub path: &'static [PathParam],
}

impl MethodInfo {
    /// Describes a method; used by generated code in a `const`.
    pub const fn new(id: &'static str, http_method: HttpMethod, path: &'static [PathParam]) -> Self {
        Self { id, http_method, path }
    }
}

/// A call being built: the parameters, headers and options of one request to one method.
///
/// Generated builders wrap a `Call`; their setters fill it and their `send` runs it. The
/// future `send` returns can be dropped at any time: that cancels the call and closes its
/// connection.
#[derive(Debug, Clone)]
pub struct Call {
    pub(crate) client: Client,
    pub(crate) method: &'static MethodInfo,
    path_values: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) overrides: CallOverrides,
}

impl Call {
    /// Starts a call of `method` through `client`.
    pub fn new(client: &Client, method: &'static MethodInfo) -> Self {
        Self {
            client: client.clone(),
            method,
            path_values: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            overrides: CallOverrides::default(),
        }
    }

    /// The method this call is for.
    pub fn method(&self) -> &'static MethodInfo {
        self.method
    }

    /// Sets a path parameter; it is validated against its pattern when the call is sent.
    pub fn set_path(&mut self, name: &'static str, value: impl Into<String>) {
        self.path_values.retain(|(n, _)| *n != name);
        self.path_values.push((name, value.into()));
    }

    /// Sets a query parameter, replacing any earlier value.
    pub fn set_query(&mut self, name: &'static str, value: impl QueryValue) {
        self.query.retain(|(n, _)| *n != name);
        self.query.push((name, value.to_query_value()));
    }

    /// Sets a repeated query parameter to these values, replacing any earlier ones.
    pub fn set_query_repeated<V: QueryValue>(&mut self, name: &'static str, values: impl IntoIterator<Item = V>) {
        self.query.retain(|(n, _)| *n != name);
        self.query
            .extend(values.into_iter().map(|v| (name, v.to_query_value())));
    }

    /// Adds an HTTP header to the request. A header the client sets by itself (such as
    /// `User-Agent` or `x-goog-user-project`) is replaced by the call's values. Credentials
    /// (`Authorization`, `Proxy-Authorization`, `x-goog-api-key`) are marked sensitive, so
    /// `Debug` output does not show them.
    pub fn add_header(&mut self, name: HeaderName, mut value: HeaderValue) {
        if name == AUTHORIZATION || name == PROXY_AUTHORIZATION || name.as_str() == "x-goog-api-key" {
            value.set_sensitive(true);
        }
        self.headers.push((name, value));
    }

    /// Retries this call with `policy` instead of the client's.
    pub fn set_retry_policy(&mut self, policy: RetryPolicy) {
        self.overrides.retry = Some(policy);
    }

    /// Bounds the whole call, retries included, to `timeout` (instead of the client's
    /// overall timeout).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.overrides.timeout = Some(timeout);
    }

    /// Bounds each attempt of this call to `timeout` (instead of the client's attempt
    /// timeout).
    pub fn set_attempt_timeout(&mut self, timeout: Duration) {
        self.overrides.attempt_timeout = Some(timeout);
    }

    /// Limits this call's JSON response body to `limit` bytes instead of the client's
    /// [`max_response_bytes`](crate::ClientBuilder::max_response_bytes): for a method whose
    /// answers are known to be small, so that a broken or hostile server cannot make the client
    /// hold (and decode) more than they can be.
    pub fn set_max_response_bytes(&mut self, limit: u64) {
        self.overrides.max_response_bytes = Some(limit);
    }

    /// Fetches at most `pages` pages when this call is paged (instead of the client's
    /// [`max_pages`](crate::ClientBuilder::max_pages)).
    pub fn set_max_pages(&mut self, pages: u64) {
        self.overrides.max_pages = Some(pages);
    }

    /// Declares whether this call is safe to repeat, overriding what its HTTP method implies:
    /// `true` lets the retry policy retry a POST or PATCH known to be idempotent, `false`
    /// keeps a GET, PUT or DELETE from being retried.
    pub fn set_idempotent(&mut self, idempotent: bool) {
        self.overrides.idempotent = Some(idempotent);
    }

    /// Whether this call may be retried: its [`set_idempotent`](Self::set_idempotent)
    /// override, or else [`HttpMethod::is_idempotent`].
    pub fn is_idempotent(&self) -> bool {
        self.overrides
            .idempotent
            .unwrap_or_else(|| self.method.http_method.is_idempotent())
    }

    /// The URL the call goes to; fails if a path parameter is missing or does not match its
    /// pattern.
    pub fn url(&self) -> Result<Url, Error> {
        self.url_for(&self.client.inner().base_url, self.method.path)
    }

    /// The URL of `template` below `base`, with the call's path and query parameters: the
    /// method's own URL, or one of its media upload URLs.
    pub(crate) fn url_for(&self, base: &BaseUrl, template: &[PathParam]) -> Result<Url, Error> {
        let mut text = base.start();
        path::expand_into(&mut text, template, &self.path_values).map_err(|(parameter, message)| {
            Error::InvalidArgument {
                method: self.method.id,
                parameter,
                message,
            }
        })?;
        let mut url = base.join(text).map_err(|message| Error::InvalidArgument {
            method: self.method.id,
            parameter: "path".to_owned(),
            message,
        })?;
        if !self.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(self.query.iter().map(|(n, v)| (*n, v.as_str())));
        }
        Ok(url)
    }
}

/// Decodes a successful JSON response as `R`.
pub(crate) fn decode<R: DeserializeOwned>(method: &'static str, status: StatusCode, bytes: &[u8]) -> Result<R, Error> {
    // A 204 (or any empty success) carries no body; treat it as the empty message `{}`.
    let bytes: &[u8] = if status == StatusCode::NO_CONTENT || bytes.is_empty() {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|source| Error::Decode {
        method,
        type_name: type_name::<R>(),
        source,
        snippet: snippet(bytes),
    })
}

pub(crate) fn encode<B: Serialize + ?Sized>(method: &'static str, body: Option<&B>) -> Result<Option<Bytes>, Error> {
    body.map(|body| serde_json::to_vec(body).map(Bytes::from))
        .transpose()
        .map_err(|source| Error::Encode { method, source })
}
