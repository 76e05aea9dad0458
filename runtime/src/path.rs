//! Path templates (RFC 6570 level 2, as Discovery documents use them): expansion and
//! validation of path parameters before any request is sent.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters `{name}` leaves as they are: RFC 3986 unreserved.
const SIMPLE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Characters `{+name}` leaves as they are when the document sets
/// `fullyEncodeReservedExpansion`: unreserved and `/`.
const RESERVED_SLASH_ONLY: &AsciiSet = &SIMPLE.remove(b'/');

/// Characters `{+name}` leaves as they are otherwise: unreserved and the reserved characters
/// that cannot change the structure of the URL (`?`, `#`, `[`, `]` and `%` are still encoded).
const RESERVED: &AsciiSet = &RESERVED_SLASH_ONLY
    .remove(b':')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=');

/// How a path parameter is expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStyle {
    /// `{name}`: every reserved character is percent-encoded, `/` included.
    Simple,
    /// `{+name}`: `/` is kept; other reserved characters are encoded
    /// (the document sets `fullyEncodeReservedExpansion`).
    ReservedSlashOnly,
    /// `{+name}`: reserved characters that keep the URL's structure are kept.
    Reserved,
}

/// One piece of a method's path template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathParam {
    /// Text copied as it is.
    Literal(&'static str),
    /// A parameter expanded from the call's value.
    Param {
        /// The parameter's name in the Discovery document.
        name: &'static str,
        /// How the value is encoded.
        style: PathStyle,
        /// The regular expression the value must match, from the document.
        pattern: Option<&'static str>,
    },
}

/// Why a path parameter was rejected: (parameter name, message).
pub(crate) type PathError = (String, String);

/// Expands `template` with `values`, checking each value first.
#[cfg(test)]
pub(crate) fn expand(template: &[PathParam], values: &[(&'static str, String)]) -> Result<String, PathError> {
    let mut out = String::new();
    expand_into(&mut out, template, values).map(|()| out)
}

/// Expands `template` with `values` at the end of `out` (the base URL, so that the whole URL
/// is built in one allocation), checking each value first.
pub(crate) fn expand_into(
    out: &mut String,
    template: &[PathParam],
    values: &[(&'static str, String)],
) -> Result<(), PathError> {
    for piece in template {
        match *piece {
            PathParam::Literal(text) => out.push_str(text),
            PathParam::Param { name, style, pattern } => {
                let value = values
                    .iter()
                    .rev()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.as_str())
                    .ok_or_else(|| (name.to_owned(), "is required".to_owned()))?;
                check(value, style, pattern).map_err(|message| (name.to_owned(), message))?;
                encode_into(out, value, style);
            }
        }
    }
    Ok(())
}

/// Appends `value` to `out`, percent-encoding what `style` encodes; a value with nothing to
/// encode (the usual case: resource names) is copied as it is, after one pass over its bytes.
fn encode_into(out: &mut String, value: &str, style: PathStyle) {
    let kept = match style {
        PathStyle::Simple => &KEPT_SIMPLE,
        PathStyle::ReservedSlashOnly => &KEPT_RESERVED_SLASH_ONLY,
        PathStyle::Reserved => &KEPT_RESERVED,
    };
    if value.bytes().all(|byte| kept[usize::from(byte)]) {
        out.push_str(value);
        return;
    }
    let set = match style {
        PathStyle::Simple => SIMPLE,
        PathStyle::ReservedSlashOnly => RESERVED_SLASH_ONLY,
        PathStyle::Reserved => RESERVED,
    };
    out.extend(utf8_percent_encode(value, set));
}

/// [`kept`] as tables, one lookup per byte.
const KEPT_SIMPLE: [bool; 256] = kept_table(PathStyle::Simple);
const KEPT_RESERVED_SLASH_ONLY: [bool; 256] = kept_table(PathStyle::ReservedSlashOnly);
const KEPT_RESERVED: [bool; 256] = kept_table(PathStyle::Reserved);

const fn kept_table(style: PathStyle) -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = kept(style, byte as u8);
        byte += 1;
    }
    table
}

/// Whether `style` leaves `byte` as it is: the complement of its [`AsciiSet`] (a test checks
/// they agree on every byte).
const fn kept(style: PathStyle, byte: u8) -> bool {
    let unreserved = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~');
    unreserved
        || match style {
            PathStyle::Simple => false,
            PathStyle::ReservedSlashOnly => byte == b'/',
            PathStyle::Reserved => matches!(
                byte,
                b'/' | b':' | b'@' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
            ),
        }
}

fn check(value: &str, style: PathStyle, pattern: Option<&'static str>) -> Result<(), String> {
    if value.is_empty() {
        return Err("must not be empty".to_owned());
    }
    let dot_segment = |segment: &str| segment == "." || segment == "..";
    let has_dot_segment = match style {
        PathStyle::Simple => dot_segment(value),
        PathStyle::Reserved | PathStyle::ReservedSlashOnly => value.split('/').any(dot_segment),
    };
    if has_dot_segment {
        return Err(format!("{value:?} contains a `.` or `..` path segment"));
    }
    if let Some(pattern) = pattern
        && !crate::pattern::is_match(pattern, value)?
    {
        return Err(format!("{value:?} does not match the pattern {pattern:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: PathParam = PathParam::Param {
        name: "name",
        style: PathStyle::ReservedSlashOnly,
        pattern: Some("^archiveJobs/[^/]+$"),
    };
    const CANCEL: &[PathParam] = &[PathParam::Literal("v1/"), NAME, PathParam::Literal(":cancel")];

    fn value(v: &str) -> Vec<(&'static str, String)> {
        vec![("name", v.to_owned())]
    }

    #[test]
    fn reserved_expansion_keeps_slashes() {
        assert_eq!(
            expand(CANCEL, &value("archiveJobs/a b")).unwrap(),
            "v1/archiveJobs/a%20b:cancel"
        );
    }

    #[test]
    fn simple_expansion_encodes_slashes() {
        let template = [PathParam::Param {
            name: "name",
            style: PathStyle::Simple,
            pattern: None,
        }];
        assert_eq!(expand(&template, &value("a/b?c")).unwrap(), "a%2Fb%3Fc");
    }

    #[test]
    fn rejects_values_outside_the_pattern() {
        for bad in ["foo", "archiveJobs/../x", "archiveJobs/", ""] {
            let (param, message) = expand(CANCEL, &value(bad)).unwrap_err();
            assert_eq!(param, "name");
            assert!(!message.is_empty(), "{bad}");
        }
        let (_, message) = expand(CANCEL, &value("foo")).unwrap_err();
        assert!(message.contains("^archiveJobs/[^/]+$"), "{message}");
    }

    #[test]
    fn rejects_dot_segments_even_when_the_pattern_allows_them() {
        let (_, message) = expand(CANCEL, &value("archiveJobs/..")).unwrap_err();
        assert!(message.contains(".."), "{message}");
    }

    #[test]
    fn the_fast_check_agrees_with_the_encode_sets() {
        for style in [PathStyle::Simple, PathStyle::ReservedSlashOnly, PathStyle::Reserved] {
            let set = match style {
                PathStyle::Simple => SIMPLE,
                PathStyle::ReservedSlashOnly => RESERVED_SLASH_ONLY,
                PathStyle::Reserved => RESERVED,
            };
            for byte in 0..=255u8 {
                let encoded = percent_encoding::percent_encode(&[byte], set).to_string();
                assert_eq!(kept(style, byte), encoded.as_bytes() == [byte], "{style:?} {byte}");
            }
            let mut out = String::new();
            encode_into(&mut out, "a b/ü:?", style);
            assert_eq!(out, utf8_percent_encode("a b/ü:?", set).to_string());
        }
    }

    #[test]
    fn missing_value_names_the_parameter() {
        assert_eq!(expand(CANCEL, &[]).unwrap_err().0, "name");
    }
}
