//! The HTTP `Range` header, for one range of bytes (RFC 9110 §14).

use std::ops::Range;

/// What a `Range` header asks of an object of known length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RangeRequest {
    /// The whole object: no header, a unit other than bytes, several ranges, or a malformed
    /// header (which RFC 9110 says to ignore).
    Full,
    /// These bytes (end exclusive, within the object).
    Partial(Range<u64>),
    /// A range that starts past the end: 416.
    Unsatisfiable,
}

/// Interprets `header` for an object of `len` bytes.
pub(crate) fn parse(header: Option<&str>, len: u64) -> RangeRequest {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeRequest::Full;
    };
    if spec.contains(',') {
        return RangeRequest::Full;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeRequest::Full;
    };
    let number = |text: &str| text.trim().parse::<u64>().ok();
    match (first.trim().is_empty(), number(first), number(last)) {
        // bytes=-N: the last N bytes.
        (true, _, Some(suffix)) => {
            if suffix == 0 || len == 0 {
                RangeRequest::Unsatisfiable
            } else {
                RangeRequest::Partial(len.saturating_sub(suffix)..len)
            }
        }
        // bytes=A- and bytes=A-B.
        (false, Some(start), end) if last.trim().is_empty() || end.is_some() => {
            if end.is_some_and(|end| end < start) {
                RangeRequest::Full
            } else if start >= len {
                RangeRequest::Unsatisfiable
            } else {
                let end = end.map_or(len, |end| end.saturating_add(1).min(len));
                RangeRequest::Partial(start..end)
            }
        }
        _ => RangeRequest::Full,
    }
}

#[cfg(test)]
mod tests {
    use super::RangeRequest::{Full, Partial, Unsatisfiable};
    use super::*;

    #[test]
    fn single_ranges() {
        assert_eq!(parse(None, 100), Full);
        assert_eq!(parse(Some("bytes=0-9"), 100), Partial(0..10));
        assert_eq!(parse(Some("bytes=90-"), 100), Partial(90..100));
        assert_eq!(parse(Some("bytes=90-1000"), 100), Partial(90..100));
        assert_eq!(parse(Some("bytes=-10"), 100), Partial(90..100));
        assert_eq!(parse(Some("bytes=-1000"), 100), Partial(0..100));
        assert_eq!(parse(Some("bytes=99-99"), 100), Partial(99..100));
    }

    #[test]
    fn unsatisfiable_and_ignored_ranges() {
        assert_eq!(parse(Some("bytes=100-"), 100), Unsatisfiable);
        assert_eq!(parse(Some("bytes=100-200"), 100), Unsatisfiable);
        assert_eq!(parse(Some("bytes=-0"), 100), Unsatisfiable);
        assert_eq!(parse(Some("bytes=9-3"), 100), Full);
        assert_eq!(parse(Some("bytes=0-1,5-6"), 100), Full);
        assert_eq!(parse(Some("items=0-1"), 100), Full);
        assert_eq!(parse(Some("bytes=x-1"), 100), Full);
        assert_eq!(parse(Some("bytes=-"), 100), Full);
    }
}
