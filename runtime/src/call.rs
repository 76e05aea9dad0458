//! One call of one method: parameters in, typed response out.

use std::any::type_name;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, snippet};
use crate::path::{self, PathParam};
use crate::query::QueryValue;
use crate::{Client, Error};

/// The HTTP verb of a method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
}

impl HttpMethod {
    fn to_reqwest(self) -> reqwest::Method {
        match self {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
            HttpMethod::Patch => reqwest::Method::PATCH,
            HttpMethod::Delete => reqwest::Method::DELETE,
            HttpMethod::Head => reqwest::Method::HEAD,
        }
    }
}

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

/// A call being built: the parameters and headers of one request to one method.
///
/// Generated builders wrap a `Call`; their setters fill it and their `send` runs it.
#[derive(Debug, Clone)]
pub struct Call {
    client: Client,
    method: &'static MethodInfo,
    path_values: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    headers: Vec<(HeaderName, HeaderValue)>,
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
    pub fn set_query_repeated<V: QueryValue>(
        &mut self,
        name: &'static str,
        values: impl IntoIterator<Item = V>,
    ) {
        self.query.retain(|(n, _)| *n != name);
        self.query.extend(values.into_iter().map(|v| (name, v.to_query_value())));
    }

    /// Adds an HTTP header to the request.
    pub fn add_header(&mut self, name: HeaderName, value: HeaderValue) {
        self.headers.push((name, value));
    }

    /// The URL the call goes to; fails if a path parameter is missing or does not match its
    /// pattern.
    pub fn url(&self) -> Result<Url, Error> {
        let path = path::expand(self.method.path, &self.path_values).map_err(|(parameter, message)| {
            Error::InvalidArgument { method: self.method.id, parameter, message }
        })?;
        let text = format!("{}{}", self.client.base_url(), path);
        let mut url = Url::parse(&text).map_err(|e| Error::InvalidArgument {
            method: self.method.id,
            parameter: "path".to_owned(),
            message: format!("{text:?} is not a valid URL: {e}"),
        })?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(self.query.iter().map(|(n, v)| (*n, v.as_str())));
        }
        Ok(url)
    }

    /// Sends the call with an optional JSON body and decodes the JSON response as `R`.
    pub async fn send_json<B, R>(self, body: Option<&B>) -> Result<R, Error>
    where
        B: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let method = self.method.id;
        let body = encode(method, body)?;
        let (status, bytes) = self.execute(body).await?;
        // A 204 carries no body; treat it as the empty message `{}`.
        let bytes: &[u8] = if status == StatusCode::NO_CONTENT { b"{}" } else { &bytes };
        serde_json::from_slice(bytes).map_err(|source| Error::Decode {
            method,
            type_name: type_name::<R>(),
            source,
            snippet: snippet(bytes),
        })
    }

    /// Sends the call with an optional JSON body, for a method that documents no response.
    pub async fn send_empty<B>(self, body: Option<&B>) -> Result<(), Error>
    where
        B: Serialize + ?Sized,
    {
        let body = encode(self.method.id, body)?;
        self.execute(body).await.map(drop)
    }

    async fn execute(self, body: Option<Vec<u8>>) -> Result<(StatusCode, Vec<u8>), Error> {
        let method = self.method.id;
        let url = self.url()?;
        let inner = self.client.inner();
        let mut request = inner
            .http
            .request(self.method.http_method.to_reqwest(), url)
            .header(USER_AGENT, &inner.user_agent)
            .header("x-goog-api-client", &inner.api_client)
            .header(ACCEPT, "application/json");
        if let Some(source) = &inner.token_source {
            let token = source.token().await.map_err(|source| Error::Auth { method, source })?;
            request = request.bearer_auth(token.secret());
        }
        for (name, value) in self.headers {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        } else if matches!(self.method.http_method, HttpMethod::Post | HttpMethod::Put | HttpMethod::Patch) {
            request = request.header(reqwest::header::CONTENT_LENGTH, "0");
        }
        let transport = |source: reqwest::Error| Error::Transport { method, source: source.without_url() };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(transport)?;
        if !status.is_success() {
            return Err(ApiError::from_body(method, status, &bytes).into());
        }
        Ok((status, bytes.to_vec()))
    }
}

fn encode<B: Serialize + ?Sized>(method: &'static str, body: Option<&B>) -> Result<Option<Vec<u8>>, Error> {
    body.map(serde_json::to_vec).transpose().map_err(|source| Error::Encode { method, source })
}
