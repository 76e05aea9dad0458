//! Matching path parameters against the document's `pattern`s. Nearly every pattern is
//! literal text, `[^/]+` segments and `.*`/`.+` between `^` and `$`; those are matched by a
//! small matcher, the rest by regex-lite. Either way each pattern is compiled once per
//! process, not once per call; the most common shape (literal text and `[^/]+` segments each
//! ending at a `/`) is not compiled at all but read straight from the pattern's text.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

/// The largest compiled regex, in bytes (regex-lite's approximate measure).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The deepest nesting of groups and repetitions a regex may have.
const REGEX_NEST_LIMIT: u32 = 64;

/// Compiled patterns, by pattern text.
static COMPILED: LazyLock<RwLock<HashMap<&'static str, Arc<Matcher>>>> = LazyLock::new(Default::default);

/// Whether `value` matches `pattern`; an error if the pattern is not a valid regex.
pub(crate) fn is_match(pattern: &'static str, value: &str) -> Result<bool, String> {
    if let Some(matched) = match_direct(pattern, value) {
        return Ok(matched);
    }
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

/// Matches the most common shape of pattern straight from its text, with no compiled form,
/// lock or allocation: `^`, then literal text and `[^/]+` segments, each segment followed by
/// `/` or the end, then optionally `.*` or `.+`, then `$` (`^projects/[^/]+/locations/[^/]+$`,
/// `^archiveJobs/[^/]+/portabilityArchiveState$`, `^.*$`). A segment then ends at the next `/`
/// of the value, so one pass decides. `None` for any other pattern.
fn match_direct(pattern: &str, value: &str) -> Option<bool> {
    let body = pattern.strip_prefix('^')?.strip_suffix('$')?.as_bytes();
    // What of the value is left to match; `None` after a mismatch. The rest of the pattern is
    // still read then: a `?` or `*` later on would make it a pattern of another shape.
    let mut value = Some(value.as_bytes());
    let mut rest = body;
    while !rest.is_empty() {
        let (piece, after) = next_piece(rest)?;
        value = value.and_then(|value| piece.read(value));
        rest = after;
    }
    Some(value.is_some_and(<[u8]>::is_empty))
}

/// A piece of a pattern [`match_direct`] reads.
enum Direct<'a> {
    /// Text matched byte for byte.
    Literal(&'a [u8]),
    /// `[^/]+`, followed by `/` or the end.
    Segment,
    /// `.*` (`min` 0) or `.+` (`min` 1), at the end.
    Any { min: usize },
}

impl Direct<'_> {
    /// What is left of `value` after this piece; `None` if it does not match.
    fn read(self, value: &[u8]) -> Option<&[u8]> {
        match self {
            Direct::Literal(text) => value.strip_prefix(text),
            Direct::Segment => {
                let end = value.iter().position(|&b| b == b'/').unwrap_or(value.len());
                (end > 0).then(|| &value[end..])
            }
            Direct::Any { min } => (value.len() >= min && !value.contains(&b'\n')).then_some(&[]),
        }
    }
}

/// The first piece of `body` and what follows it; `None` at the end, or if `body` is not of
/// the shape [`match_direct`] reads.
fn next_piece(body: &[u8]) -> Option<(Direct<'_>, &[u8])> {
    let literal = body.iter().position(|&b| is_meta(b)).unwrap_or(body.len());
    if literal > 0 {
        return Some((Direct::Literal(&body[..literal]), &body[literal..]));
    }
    if let Some(after) = body.strip_prefix(b"[^/]+") {
        return match after.first() {
            None | Some(b'/') => Some((Direct::Segment, after)),
            Some(_) => None,
        };
    }
    match body {
        b".*" => Some((Direct::Any { min: 0 }, &[])),
        b".+" => Some((Direct::Any { min: 1 }, &[])),
        _ => None,
    }
}

/// Whether `byte` has a meaning in a regex outside a class.
fn is_meta(byte: u8) -> bool {
    matches!(
        byte,
        b'\\' | b'.' | b'^' | b'$' | b'|' | b'?' | b'*' | b'+' | b'(' | b')' | b'[' | b']' | b'{' | b'}'
    )
}

enum Matcher {
    Pieces(Vec<Atom>),
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
            Some(pieces) => Ok(Matcher::Pieces(atoms(&pieces))),
            // regex-lite runs in time proportional to pattern × input (a bounded backtracker or
            // a PikeVM, never exponential), and its limits bound the compiled size and the
            // parser's nesting; it is already in the runtime's small dependency tree, so the
            // full `regex` crate would buy nothing here.
            None => regex_lite::RegexBuilder::new(pattern)
                .size_limit(REGEX_SIZE_LIMIT)
                .nest_limit(REGEX_NEST_LIMIT)
                .build()
                .map(Matcher::Regex)
                .map_err(|e| format!("the document's pattern {pattern:?} is not valid: {e}")),
        }
    }

    fn is_match(&self, value: &str) -> bool {
        match self {
            Matcher::Pieces(atoms) => match_atoms(atoms, value),
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

/// One step of a simple pattern: a character class, once or repeated.
#[derive(Clone, Copy)]
struct Atom {
    class: Class,
    /// Matches any number of characters of its class (`*`) instead of exactly one.
    repeat: bool,
}

#[derive(Clone, Copy)]
enum Class {
    /// Exactly this character.
    Char(char),
    /// Any character but `/` (`[^/]`).
    NotSlash,
    /// Any character but a newline (`.`).
    NotNewline,
}

impl Class {
    fn matches(self, c: char) -> bool {
        match self {
            Class::Char(want) => c == want,
            Class::NotSlash => c != '/',
            Class::NotNewline => c != '\n',
        }
    }
}

/// The pieces as atoms: a literal is one atom per character, `[^/]+` is `[^/][^/]*`, `.+` is
/// `..*`.
fn atoms(pieces: &[Piece]) -> Vec<Atom> {
    let mut atoms = Vec::new();
    let once = |class| Atom { class, repeat: false };
    let repeated = |class| Atom { class, repeat: true };
    for piece in pieces {
        match piece {
            Piece::Literal(text) => atoms.extend(text.chars().map(|c| once(Class::Char(c)))),
            Piece::Segment => atoms.extend([once(Class::NotSlash), repeated(Class::NotSlash)]),
            Piece::Any { min } => {
                atoms.extend((0..*min).map(|_| once(Class::NotNewline)));
                atoms.push(repeated(Class::NotNewline));
            }
        }
    }
    atoms
}

/// Whether `value` matches the atoms, by following every position in the pattern at once (a
/// Thompson simulation): time `O(atoms × characters)`, memory `O(atoms)`, no recursion, whatever
/// the pattern. Trying each split in turn instead backtracks exponentially on `^.*.*.*...a$`
/// and recurses once per piece.
fn match_atoms(atoms: &[Atom], value: &str) -> bool {
    // `current[i]`: some prefix of `value` read so far leaves atom `i` next (`atoms.len()`: all
    // matched).
    let mut current = vec![false; atoms.len() + 1];
    let mut next = vec![false; atoms.len() + 1];
    current[0] = true;
    close(atoms, &mut current);
    for c in value.chars() {
        next.iter_mut().for_each(|reached| *reached = false);
        let mut any = false;
        #[cfg(test)]
        STEPS.with(|steps| steps.set(steps.get() + atoms.len() as u64));
        for (i, atom) in atoms.iter().enumerate() {
            if current[i] && atom.class.matches(c) {
                next[if atom.repeat { i } else { i + 1 }] = true;
                any = true;
            }
        }
        if !any {
            return false;
        }
        close(atoms, &mut next);
        std::mem::swap(&mut current, &mut next);
    }
    current[atoms.len()]
}

#[cfg(test)]
thread_local! {
    /// Atom visits of [`match_atoms`] on this thread (tests compare them across input sizes).
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Adds the positions reachable by skipping repeated atoms (which may match nothing).
fn close(atoms: &[Atom], reached: &mut [bool]) {
    for (i, atom) in atoms.iter().enumerate() {
        if reached[i] && atom.repeat {
            reached[i + 1] = true;
        }
    }
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
        "^.*.*a$",
        "^a.+b.*$",
        "^[^/]+[^/]+$",
        "^$",
        "^ü.*$",
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
        "a",
        "ab",
        "aab",
        "xa",
        "üx",
        "ü",
        "a\nb",
        "a/",
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
    fn the_direct_match_agrees_with_regex_lite() {
        let mut direct = 0;
        for pattern in PATTERNS.iter().chain(DIRECT_ONLY) {
            let regex = regex_lite::Regex::new(pattern).unwrap();
            for value in VALUES {
                if let Some(matched) = match_direct(pattern, value) {
                    assert_eq!(matched, regex.is_match(value), "{pattern} on {value:?}");
                    direct += 1;
                }
            }
        }
        assert!(direct > 0);
        for pattern in ["^archiveJobs/[^/]+$", "^a/[^/]+/b/.*$", "^.+$", "^$", "^ü.*$"] {
            assert!(match_direct(pattern, "x").is_some(), "{pattern}");
        }
        for pattern in [
            "^v1/[^/]+:run$",
            "^[^/]+[^/]+$",
            "^users/[^/]+/a.b$",
            "^a.+b.*$",
            "^(a|b)$",
            "^a?$",
        ] {
            assert!(match_direct(pattern, "x").is_none(), "{pattern}");
        }
    }

    /// Patterns of the direct shape not in [`PATTERNS`].
    const DIRECT_ONLY: &[&str] = &["^a/[^/]+/b/.*$", "^[^/]+/.+$", "^archiveJobs/[^/]+/[^/]+$", "^.*$"];

    #[test]
    fn simple_patterns_avoid_the_regex_engine() {
        assert!(matches!(Matcher::new("^archiveJobs/[^/]+$"), Ok(Matcher::Pieces(_))));
        assert!(matches!(Matcher::new("^users/[^/]+/a.b$"), Ok(Matcher::Regex(_))));
        assert!(Matcher::new("^(unclosed$").is_err());
    }

    /// Steps of the simulation are bounded by atoms × characters, so these return at once; the
    /// backtracking matcher took seconds on the first (30 characters) and overflowed the stack
    /// on the second.
    #[test]
    fn hostile_patterns_match_in_bounded_time_and_stack() {
        let pattern = format!("^{}a$", ".*".repeat(8));
        let matcher = Matcher::new(&pattern).unwrap();
        assert!(matches!(matcher, Matcher::Pieces(_)));
        assert!(!matcher.is_match(&"b".repeat(30)));
        assert!(matcher.is_match(&format!("{}a", "b".repeat(30))));

        let pattern = format!("^{}a$", ".*".repeat(200_000));
        let matcher = Matcher::new(&pattern).unwrap();
        assert!(!matcher.is_match(&"b".repeat(40)));
        assert!(matcher.is_match("bba"));

        let pattern = format!("^{}$", "[^/]+/".repeat(50_000));
        let matcher = Matcher::new(&pattern).unwrap();
        assert!(!matcher.is_match("a/b/"));
    }

    /// Work grows linearly with the value for a fixed pattern, and with the pattern for a fixed
    /// value (counted, not timed): four times the input, at most four times the steps.
    #[test]
    fn matching_costs_steps_linear_in_pattern_and_value() {
        let steps = |dots: usize, len: usize| {
            let matcher = Matcher::new(&format!("^{}a$", ".*".repeat(dots))).unwrap();
            STEPS.with(|s| s.set(0));
            assert!(!matcher.is_match(&"b".repeat(len)));
            STEPS.with(|s| s.get())
        };
        assert!(steps(8, 400) <= 4 * steps(8, 100));
        assert!(steps(400, 30) <= 4 * steps(100, 30) + 8 * 30);
        assert!(steps(8, 100) > 0);
    }

    #[test]
    fn regex_patterns_have_limits() {
        let nested = format!("^{}a{}$", "(".repeat(200), ")".repeat(200));
        assert!(Matcher::new(&nested).is_err());
        assert!(Matcher::new("^a{1000}{1000}$").is_err());
    }

    #[test]
    fn compiled_patterns_are_cached() {
        assert_eq!(is_match("^cached/[^/]+:run$", "cached/1:run"), Ok(true));
        assert_eq!(is_match("^cached/[^/]+:run$", "cached/1/2:run"), Ok(false));
        assert!(COMPILED.read().unwrap().contains_key("^cached/[^/]+:run$"));
        // A pattern read straight from its text is never compiled.
        assert_eq!(is_match("^direct/[^/]+$", "direct/1"), Ok(true));
        assert!(!COMPILED.read().unwrap().contains_key("^direct/[^/]+$"));
    }
}
