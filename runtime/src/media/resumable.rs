//! The resumable upload protocol: start a session, send chunks, and after an interruption
//! ask the server how much it has and go on from there.

use std::time::Instant;

use bytes::Bytes;
use reqwest::header::{CONTENT_RANGE, HeaderMap, HeaderName, HeaderValue, LOCATION, RANGE};
use reqwest::{StatusCode, Url};
use tokio::time::sleep;

use super::source::ResumableMedia;
use crate::attempt::{Body, Streamed, UploadReply, UploadStatus};
use crate::execute::{Plan, perform};
use crate::path::PathParam;
use crate::{Call, Error, HttpMethod, RetryPolicy};

/// Uploads `media` and returns the final response's status and body.
pub(super) async fn upload(
    mut call: Call,
    path: &'static [PathParam],
    metadata: Option<Bytes>,
    mut media: ResumableMedia,
) -> Result<(StatusCode, Bytes), Error> {
    let method = call.method.id;
    let content_type = super::header_value(method, media.content_type())?;
    call.set_query("uploadType", "resumable");
    let session = start(&call, path, metadata, &content_type, media.len()).await?;
    let policy = call.client.inner().options.with(&call.overrides).retry;
    let total = media.len();
    let started = Instant::now();
    let mut offset = 0;
    let mut failures = 0;
    loop {
        let reply = if offset < total || total == 0 {
            let chunk = media.read_chunk(offset).await.map_err(|e| read_error(method, e))?;
            let end = offset + chunk.len() as u64;
            let range = if total == 0 {
                "bytes */0".to_owned()
            } else {
                format!("bytes {offset}-{}/{total}", end - 1)
            };
            let body = Body {
                content_type: content_type.clone(),
                bytes: chunk,
            };
            match put(&call, &session, Some(body), &range, RetryPolicy::never()).await {
                Ok(reply) => reply,
                Err(error) => {
                    failures += 1;
                    let Some(delay) = policy.next_delay(&error, true, failures, started.elapsed(), fastrand::f64())
                    else {
                        return Err(error);
                    };
                    tracing::debug!(
                        offset,
                        delay_ms = delay.as_millis() as u64,
                        "upload chunk failed; asking the server how much it has"
                    );
                    sleep(delay).await;
                    query(&call, &session, total, &policy).await?
                }
            }
        } else {
            // The server has every byte but has not answered with the result yet.
            failures += 1;
            if failures > policy.max_attempts() {
                return Err(protocol_error(
                    method,
                    format!("the server has all {total} bytes but did not finish the upload"),
                ));
            }
            query(&call, &session, total, &policy).await?
        };
        match reply {
            UploadReply::Done(status, body) => return Ok((status, body)),
            UploadReply::Incomplete(headers) => {
                let next = received(&headers).map_err(|message| protocol_error(method, message))?;
                if next > total {
                    return Err(protocol_error(
                        method,
                        format!("the server reports {next} bytes of {total}"),
                    ));
                }
                if next > offset {
                    failures = 0;
                }
                offset = next;
            }
        }
    }
}

/// Starts a session: the metadata goes with the first request; the answer's `Location` is
/// the session URL.
async fn start(
    call: &Call,
    path: &'static [PathParam],
    metadata: Option<Bytes>,
    content_type: &HeaderValue,
    length: u64,
) -> Result<Url, Error> {
    let method = call.method.id;
    let mut plan = Plan::for_call(call, metadata.map(Body::json))?;
    plan.url = call.url_for(&call.client.inner().root_url, path)?;
    plan.headers
        .push((HeaderName::from_static("x-upload-content-type"), content_type.clone()));
    plan.headers.push((
        HeaderName::from_static("x-upload-content-length"),
        HeaderValue::from(length),
    ));
    let response = perform(call, plan, Streamed).await?;
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| protocol_error(method, "the session start had no Location header".to_owned()))?;
    let session = response
        .url()
        .join(location)
        .map_err(|e| protocol_error(method, format!("the session URL is not valid: {e}")))?;
    let endpoint = Url::parse(call.client.inner().root_url.as_str())
        .map_err(|e| protocol_error(method, format!("the endpoint URL is not valid: {e}")))?;
    session_url(session, &endpoint).map_err(|message| protocol_error(method, message))
}

/// The session URL the server gave, if it is on the API endpoint's origin (scheme, host and
/// port): the media and the credentials go nowhere else. Any `key` parameter is removed: the
/// API key never goes in a session URL.
fn session_url(session: Url, endpoint: &Url) -> Result<Url, String> {
    if session.origin() != endpoint.origin() {
        return Err(format!(
            "the server's session URL is on {}, not on the API endpoint {}; nothing was sent there",
            session.origin().ascii_serialization(),
            endpoint.origin().ascii_serialization()
        ));
    }
    if !session.query_pairs().any(|(name, _)| name == "key") {
        return Ok(session);
    }
    let kept: Vec<(String, String)> = session
        .query_pairs()
        .filter(|(name, _)| name != "key")
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let mut cleaned = session;
    cleaned.set_query(None);
    if !kept.is_empty() {
        cleaned.query_pairs_mut().extend_pairs(kept);
    }
    Ok(cleaned)
}

/// Asks the server how much of the media it has.
async fn query(call: &Call, session: &Url, total: u64, policy: &RetryPolicy) -> Result<UploadReply, Error> {
    put(call, session, None, &format!("bytes */{total}"), policy.clone()).await
}

async fn put(
    call: &Call,
    session: &Url,
    body: Option<Body>,
    range: &str,
    retry: RetryPolicy,
) -> Result<UploadReply, Error> {
    let range =
        HeaderValue::from_str(range).map_err(|_| protocol_error(call.method.id, format!("bad range {range:?}")))?;
    let plan = Plan {
        url: session.clone(),
        verb: HttpMethod::Put,
        body,
        headers: vec![(CONTENT_RANGE, range)],
        idempotent: true,
        retry: Some(retry),
        api_key: false,
    };
    perform(call, plan, UploadStatus).await
}

/// How many bytes the server has, from a `308`'s `Range: bytes=0-N` (none: zero).
fn received(headers: &HeaderMap) -> Result<u64, String> {
    let Some(range) = headers.get(RANGE) else { return Ok(0) };
    let text = range.to_str().map_err(|_| "the Range header is not text".to_owned())?;
    let last = text
        .strip_prefix("bytes=0-")
        .and_then(|last| last.trim().parse::<u64>().ok())
        .ok_or_else(|| format!("cannot read the Range header {text:?}"))?;
    // The server's number: `u64::MAX` has no successor (a panic in debug, 0 in release).
    last.checked_add(1)
        .ok_or_else(|| format!("the Range header {text:?} names more bytes than can be counted"))
}

fn protocol_error(method: &'static str, message: String) -> Error {
    Error::Upload { method, message }
}

fn read_error(method: &'static str, error: std::io::Error) -> Error {
    Error::Upload {
        method,
        message: format!("cannot read the media: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_how_much_the_server_has() {
        let mut headers = HeaderMap::new();
        assert_eq!(received(&headers), Ok(0));
        headers.insert(RANGE, HeaderValue::from_static("bytes=0-262143"));
        assert_eq!(received(&headers), Ok(262_144));
        headers.insert(RANGE, HeaderValue::from_static("bytes=5-9"));
        assert!(received(&headers).unwrap_err().contains("bytes=5-9"));
        headers.insert(RANGE, HeaderValue::from_static("bytes=0-18446744073709551615"));
        assert!(
            received(&headers)
                .unwrap_err()
                .contains("more bytes than can be counted")
        );
    }

    #[test]
    fn session_urls_stay_on_the_endpoint_origin() {
        let endpoint = Url::parse("https://www.googleapis.com/").unwrap();
        let same = Url::parse("https://www.googleapis.com/upload/x?upload_id=1").unwrap();
        assert_eq!(session_url(same.clone(), &endpoint), Ok(same));
        for other in [
            "http://www.googleapis.com/upload/x",
            "https://www.googleapis.com:8443/upload/x",
            "https://evil.example/upload/x",
            "https://www.googleapis.com.evil.example/upload/x",
        ] {
            let error = session_url(Url::parse(other).unwrap(), &endpoint).unwrap_err();
            assert!(
                error.contains("not on the API endpoint https://www.googleapis.com"),
                "{error}"
            );
        }
        let keyed = Url::parse("https://www.googleapis.com/upload/x?key=secret&upload_id=1").unwrap();
        assert_eq!(
            session_url(keyed, &endpoint).unwrap().as_str(),
            "https://www.googleapis.com/upload/x?upload_id=1"
        );
    }
}
