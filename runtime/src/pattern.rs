//! Matching path parameters against the document's `pattern`s. Nearly every pattern is
//! literal text, `[^/]+` segments and `.*`/`.+` between `^` and `$`; those are matched by a
//! small matcher, the rest by regex-lite. Either way each pattern is compiled once per
//! process, not once per call.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

/// Compiled patterns, by pattern text.
static COMPILED: LazyLock<RwLock<HashMap<&'static str, Arc<Matcher>>>> = LazyLock::new(Default::default);

/// Whether `value` matches `pattern`; an error if the pattern is not a valid regex.
pub(crate) fn is_match(pattern: &'static str, value: &str) -> Result<bool, String> {
    let cached = COMPILED
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(pattern)
        .cloned();
    let matcher = match cached {
        Some(matcher) => matcher,
        None => {
            let matcher = Arc::new(Matcher::new(pattern)?);
            COMPILED
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(pattern, matcher.clone());
            matcher
        }
    };
    Ok(matcher.is_match(value))
}

enum Matcher {
    Pieces(Vec<Piece>),
    Regex(regex_lite::Regex),
}

enum Piece {
    Literal(String),
    /// `[^/]+`
    Segment,
    /// `.*` (at least 0 characters) or `.+` (at least 1), never a newline.
    Any {
        min: usize,
    },
}

impl Matcher {
    fn new(pattern: &str) -> Result<Self, String> {
        match simple(pattern) {
            Some(pieces) => Ok(Matcher::Pieces(pieces)),
            None => regex_lite::Regex::new(pattern)
                .map(Matcher::Regex)
                .map_err(|e| format!("the document's pattern {pattern:?} is not valid: {e}")),
        }
    }

    fn is_match(&self, value: &str) -> bool {
        match self {
            Matcher::Pieces(pieces) => match_pieces(pieces, value),
            Matcher::Regex(regex) => regex.is_match(value),
        }
    }
}

/// The pieces of an anchored pattern made only of literal text, `[^/]+`, `.*` and `.+`.
fn simple(pattern: &str) -> Option<Vec<Piece>> {
    let body = pattern.strip_prefix('^')?.strip_suffix('$')?;
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = body;
    let push = |pieces: &mut Vec<Piece>, literal: &mut String, piece: Piece| {
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(literal)));
        }
        pieces.push(piece);
    };
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("[^/]+") {
            push(&mut pieces, &mut literal, Piece::Segment);
            rest = after;
        } else if let Some(after) = rest.strip_prefix(".*") {
            push(&mut pieces, &mut literal, Piece::Any { min: 0 });
            rest = after;
        } else if let Some(after) = rest.strip_prefix(".+") {
            push(&mut pieces, &mut literal, Piece::Any { min: 1 });
            rest = after;
        } else if "\\.^$|?*+()[]{}".contains(c) {
            return None;
        } else {
            literal.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Some(pieces)
}

fn match_pieces(pieces: &[Piece], value: &str) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return value.is_empty();
    };
    let (min, max) = match first {
        Piece::Literal(text) => return value.strip_prefix(text.as_str()).is_some_and(|v| match_pieces(rest, v)),
        Piece::Segment => (1, value.find('/').unwrap_or(value.len())),
        Piece::Any { min } => (*min, value.find('\n').unwrap_or(value.len())),
    };
    (min..=max)
        .rev()
        .filter(|&n| value.is_char_boundary(n))
        .any(|n| match_pieces(rest, &value[n..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATTERNS: &[&str] = &[
        "^archiveJobs/[^/]+$",
        "^archiveJobs/[^/]+/portabilityArchiveState$",
        "^projects/[^/]+/locations/[^/]+/things/.*$",
        "^.+$",
        "^v1/[^/]+:run$",
        "^[^/]+/[^/]+$",
        "^users/[^/]+/a.b$",
        "^(foo|bar)/[0-9]+$",
    ];

    const VALUES: &[&str] = &[
        "",
        "archiveJobs/1",
        "archiveJobs/",
        "archiveJobs/1/2",
        "archiveJobs/ü",
        "archiveJobs/1/portabilityArchiveState",
        "archiveJobs//portabilityArchiveState",
        "projects/p/locations/l/things/",
        "projects/p/locations/l/things/a/b",
        "projects/p/locations/l/things/a\nb",
        "a\nb",
        "v1/x:run",
        "v1/x/y:run",
        "a/b",
        "a/\n",
        "users/u/a.b",
        "users/u/axb",
        "foo/12",
        "baz/1",
    ];

    #[test]
    fn the_matcher_agrees_with_regex_lite() {
        for pattern in PATTERNS {
            let regex = regex_lite::Regex::new(pattern).unwrap();
            let matcher = Matcher::new(pattern).unwrap();
            for value in VALUES {
                assert_eq!(matcher.is_match(value), regex.is_match(value), "{pattern} on {value:?}");
            }
        }
    }

    #[test]
    fn simple_patterns_avoid_the_regex_engine() {
        assert!(matches!(Matcher::new("^archiveJobs/[^/]+$"), Ok(Matcher::Pieces(_))));
        assert!(matches!(Matcher::new("^users/[^/]+/a.b$"), Ok(Matcher::Regex(_))));
        assert!(Matcher::new("^(unclosed$").is_err());
    }

    #[test]
    fn compiled_patterns_are_cached() {
        assert_eq!(is_match("^cached/[^/]+$", "cached/1"), Ok(true));
        assert_eq!(is_match("^cached/[^/]+$", "cached/1/2"), Ok(false));
        assert!(COMPILED.read().unwrap().contains_key("^cached/[^/]+$"));
    }
}
