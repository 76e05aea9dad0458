//! A media download: the response body as a stream of chunks.

use std::fmt;
use std::pin::Pin;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::stream;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Response, StatusCode};

use crate::Error;
use crate::attempt::transport;

/// The body of a media download, read as the caller consumes it.
///
/// A body that ends before its `Content-Length` is an error, never a short success.
pub struct Download {
    method: &'static str,
    response: Response,
}

impl Download {
    pub(crate) fn new(method: &'static str, response: Response) -> Self {
        Self { method, response }
    }

    /// The HTTP status (`200`, or `206` for a range).
    pub fn status(&self) -> StatusCode {
        self.response.status()
    }

    /// The response headers (`Content-Length`, `Content-Range`, `x-goog-hash`, ...).
    pub fn headers(&self) -> &HeaderMap {
        self.response.headers()
    }

    /// The size of the body, when the server said.
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// The media type, when the server said.
    pub fn content_type(&self) -> Option<&str> {
        self.response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// The next chunk of the body, or `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        self.response
            .chunk()
            .await
            .map_err(|source| transport(self.method, source))
    }

    /// The body as a stream of chunks; it ends after the first error.
    pub fn into_stream(self) -> Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>> {
        Box::pin(stream::unfold(Some(self), |download| async move {
            let mut download = download?;
            match download.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(download))),
                Ok(None) => None,
                Err(error) => Some((Err(error), None)),
            }
        }))
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("method", &self.method)
            .field("status", &self.status())
            .field("content_length", &self.content_length())
            .finish_non_exhaustive()
    }
}
