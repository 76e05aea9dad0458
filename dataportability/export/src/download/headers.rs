//! What a download reads from Cloud Storage's response headers, and transport errors as one
//! line.

use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, HeaderMap};

use crate::hashes::ExpectedHashes;

/// `Content-Range: bytes START-END/TOTAL` → (START, TOTAL).
pub(super) fn content_range(headers: &HeaderMap) -> Option<(u64, u64)> {
    let value = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    let (range, total) = value.trim().strip_prefix("bytes ")?.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()?))
}

/// The object's length in the `Content-Range: bytes */LEN` of a 416.
pub(super) fn unsatisfied_length(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    value.trim().strip_prefix("bytes */")?.trim().parse().ok()
}

/// The whole object's length, for a response whose body starts at `offset`:
/// `Content-Range`'s total, else `offset + Content-Length`, else
/// `x-goog-stored-content-length`.
pub(super) fn object_length(headers: &HeaderMap, offset: u64) -> Option<u64> {
    content_range(headers)
        .map(|(_, total)| total)
        .or_else(|| header_u64(headers, CONTENT_LENGTH.as_str()).and_then(|len| offset.checked_add(len)))
        .or_else(|| header_u64(headers, "x-goog-stored-content-length"))
}

/// The checksums of every `x-goog-hash` header.
pub(super) fn expected_hashes(headers: &HeaderMap) -> ExpectedHashes {
    ExpectedHashes::parse(headers.get_all("x-goog-hash").iter().filter_map(|v| v.to_str().ok()))
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// A transport error as one line, without its URL (a signed URL is a credential): what
/// reqwest says and, when there is one, the innermost cause (`error decoding response body:
/// end of file before message length reached`).
pub(super) fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut innermost = None;
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        innermost = Some(cause.to_string());
        source = cause.source();
    }
    match innermost {
        Some(cause) if !error.to_string().contains(&cause) => format!("{error}: {cause}"),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn ranges_and_lengths_are_read_from_the_headers() {
        let partial = headers(&[("content-range", "bytes 100-199/300"), ("content-length", "100")]);
        assert_eq!(content_range(&partial), Some((100, 300)));
        assert_eq!(object_length(&partial, 100), Some(300));
        let whole = headers(&[("content-length", "300")]);
        assert_eq!(object_length(&whole, 0), Some(300));
        // A length that overflows past the offset is no length (no panic, no wrap).
        let huge = headers(&[("content-length", "18446744073709551615")]);
        assert_eq!(object_length(&huge, 10), None);
        let stored = headers(&[("x-goog-stored-content-length", "300")]);
        assert_eq!(object_length(&stored, 0), Some(300));
        let unsatisfied = headers(&[("content-range", "bytes */300")]);
        assert_eq!(content_range(&unsatisfied), None);
        assert_eq!(unsatisfied_length(&unsatisfied), Some(300));
    }

    #[test]
    fn hashes_may_come_in_several_headers() {
        let h = headers(&[
            ("x-goog-hash", "crc32c=AAAAAA=="),
            ("x-goog-hash", "md5=1B2M2Y8AsgTpgAmY7PhCfg=="),
        ]);
        assert_eq!(expected_hashes(&h).names(), "crc32c+md5");
    }
}
