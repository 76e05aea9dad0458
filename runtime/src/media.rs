//! Media: downloads streamed as they arrive, and uploads by the simple, multipart and
//! resumable protocols, with the document's size and type limits checked before sending.

mod download;
mod limits;
mod multipart;
mod resumable;
mod source;

use bytes::Bytes;
use reqwest::header::HeaderValue;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use download::Download;
pub use source::{MediaSource, ResumableMedia};

use crate::attempt::{Body, Buffered};
use crate::call::{decode, encode};
use crate::execute::{Plan, perform};
use crate::path::PathParam;
use crate::{Call, Error};

/// What a method's `mediaUpload` says: where each protocol uploads to and what it accepts.
#[derive(Debug)]
#[non_exhaustive]
pub struct UploadInfo {
    /// Path of the simple and multipart protocols, relative to the root URL.
    pub simple_path: Option<&'static [PathParam]>,
    /// Where the resumable protocol starts its session, relative to the root URL (the
    /// generator gives the simple path when there is one, as Google's own clients do).
    pub resumable_path: Option<&'static [PathParam]>,
    /// The largest media accepted, in bytes.
    pub max_size: Option<u64>,
    /// Accepted media types (`*/*`, `image/*`, `image/png`); empty accepts any.
    pub accept: &'static [&'static str],
}

impl UploadInfo {
    /// Describes a method's uploads; used by generated code in a `const`.
    pub const fn new(
        simple_path: Option<&'static [PathParam]>,
        resumable_path: Option<&'static [PathParam]>,
        max_size: Option<u64>,
        accept: &'static [&'static str],
    ) -> Self {
        Self {
            simple_path,
            resumable_path,
            max_size,
            accept,
        }
    }
}

/// Media held in memory, for the simple and multipart protocols.
#[derive(Clone, Debug)]
pub struct Media {
    content_type: String,
    data: Bytes,
}

impl Media {
    /// Media of type `content_type` (e.g. `image/png`).
    pub fn new(content_type: impl Into<String>, data: impl Into<Bytes>) -> Self {
        Self {
            content_type: content_type.into(),
            data: data.into(),
        }
    }

    /// The media type.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The size in bytes.
    pub fn len(&self) -> u64 {
        self.data.len() as u64
    }

    /// Whether the media is empty.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

impl Call {
    /// Sends the call with `alt=media` and returns the media as a stream of chunks, read as
    /// the caller consumes them: never the whole file in memory.
    pub async fn send_download<B>(mut self, body: Option<&B>) -> Result<Download, Error>
    where
        B: Serialize + ?Sized,
    {
        self.set_query("alt", "media");
        let body = encode(self.method.id, body)?.map(Body::json);
        let plan = Plan::for_call(&self, body)?;
        let response = perform(&self, plan, crate::attempt::Streamed).await?;
        Ok(Download::new(self.method.id, response))
    }

    /// Uploads `media` in one request: alone (`uploadType=media`) when `metadata` is `None` or
    /// serializes to an empty object (a default request struct: nothing would be said), else
    /// with the metadata (`uploadType=multipart`). Decodes the response as `R`.
    pub async fn send_upload<B, R>(
        mut self,
        upload: &'static UploadInfo,
        metadata: Option<&B>,
        media: Media,
    ) -> Result<R, Error>
    where
        B: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let method = self.method.id;
        let path = upload
            .simple_path
            .ok_or_else(|| unsupported(method, "the simple upload protocol"))?;
        limits::check(method, upload, &media.content_type, media.len())?;
        let content_type = header_value(method, &media.content_type)?;
        let body = match encode(method, metadata)?.filter(|json| json.as_ref() != b"{}") {
            None => {
                self.set_query("uploadType", "media");
                Body {
                    content_type,
                    bytes: media.data,
                }
            }
            Some(json) => {
                self.set_query("uploadType", "multipart");
                multipart::related(&json, &content_type, &media.data)
            }
        };
        let mut plan = Plan::for_call(&self, Some(body))?;
        plan.url = self.url_for(&self.client.inner().root_url, path)?;
        let (status, bytes) = perform(&self, plan, Buffered).await?;
        decode(method, status, &bytes)
    }

    /// Uploads `media` by the resumable protocol: a session is started (with `metadata`, if
    /// any), then the media is sent in chunks; after a dropped connection or a server error
    /// the upload asks the server how much it has and goes on from there, within the call's
    /// retry policy. Decodes the final response as `R`.
    pub async fn send_resumable<B, R>(
        self,
        upload: &'static UploadInfo,
        metadata: Option<&B>,
        media: ResumableMedia,
    ) -> Result<R, Error>
    where
        B: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let method = self.method.id;
        let path = upload
            .resumable_path
            .ok_or_else(|| unsupported(method, "the resumable upload protocol"))?;
        limits::check(method, upload, media.content_type(), media.len())?;
        let metadata = encode(method, metadata)?;
        let (status, bytes) = resumable::upload(self, path, metadata, media).await?;
        decode(method, status, &bytes)
    }
}

fn header_value(method: &'static str, content_type: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(content_type).map_err(|_| Error::InvalidArgument {
        method,
        parameter: "media".to_owned(),
        message: format!("{content_type:?} is not a valid media type"),
    })
}

fn unsupported(method: &'static str, protocol: &str) -> Error {
    Error::InvalidArgument {
        method,
        parameter: "media".to_owned(),
        message: format!("this method does not support {protocol}"),
    }
}
