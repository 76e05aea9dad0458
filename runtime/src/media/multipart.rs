//! `multipart/related` bodies: JSON metadata and media in one request.

use bytes::{BufMut, Bytes, BytesMut};
use reqwest::header::HeaderValue;

use crate::attempt::Body;

/// A `multipart/related` body with `metadata` (JSON) then `media` of type `media_type`,
/// separated by a random boundary that occurs in neither.
pub(super) fn related(metadata: &[u8], media_type: &HeaderValue, media: &[u8]) -> Body {
    let boundary = loop {
        let candidate: String = std::iter::repeat_with(fastrand::alphanumeric).take(32).collect();
        let needle = candidate.as_bytes();
        if !contains(metadata, needle) && !contains(media, needle) {
            break candidate;
        }
    };
    let mut body = BytesMut::with_capacity(metadata.len() + media.len() + 256);
    body.put_slice(format!("--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n").as_bytes());
    body.put_slice(metadata);
    body.put_slice(format!("\r\n--{boundary}\r\nContent-Type: ").as_bytes());
    body.put_slice(media_type.as_bytes());
    body.put_slice(b"\r\n\r\n");
    body.put_slice(media);
    body.put_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = HeaderValue::from_str(&format!("multipart/related; boundary={boundary}"))
        .unwrap_or_else(|_| HeaderValue::from_static("multipart/related"));
    Body {
        content_type,
        bytes: Bytes::from(body),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_then_media_between_boundaries() {
        let body = related(br#"{"name":"a"}"#, &HeaderValue::from_static("text/plain"), b"hello");
        let content_type = body.content_type.to_str().unwrap();
        let boundary = content_type.strip_prefix("multipart/related; boundary=").unwrap();
        let text = String::from_utf8(body.bytes.to_vec()).unwrap();
        assert_eq!(
            text,
            format!(
                "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{\"name\":\"a\"}}\r\n\
                 --{boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
            )
        );
    }
}
