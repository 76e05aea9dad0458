//! Discovery document revisions (`"revision": "20240410"`), compared as dates when they are.

use std::cmp::Ordering;
use std::fmt;

use anyhow::Result;

/// A document revision as written. Google's are `YYYYMMDD` dates, but not all
/// (`securesourcemanager.v1` ships `"0"`), and a revision names no file, so any text is one.
/// Two revisions of digits compare as numbers (`0` < `20240410`); any other pair compares as
/// text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revision(String);

impl Revision {
    /// Takes a revision as written (never an error: the `Result` keeps callers' `?`).
    pub fn parse(text: &str) -> Result<Self> {
        Ok(Self(text.to_owned()))
    }

    /// The revision as written in the document.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits without leading zeros, when the revision is all digits.
    fn number(&self) -> Option<&str> {
        (!self.0.is_empty() && self.0.bytes().all(|b| b.is_ascii_digit())).then(|| self.0.trim_start_matches('0'))
    }
}

impl Ord for Revision {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.number(), other.number()) {
            (Some(a), Some(b)) => a
                .len()
                .cmp(&b.len())
                .then_with(|| a.cmp(b))
                .then_with(|| self.0.cmp(&other.0)),
            _ => self.0.cmp(&other.0),
        }
    }
}

impl PartialOrd for Revision {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Revision {
    /// The revision with control characters escaped, so it cannot drive a terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_unicode())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revision(text: &str) -> Revision {
        Revision::parse(text).expect("any text is a revision")
    }

    #[test]
    fn orders_as_dates() {
        let older = revision("20240410");
        let newer = revision("20260927");
        assert!(older < newer);
        assert!(revision("20241231") < revision("20250101"));
        assert_eq!(newer.to_string(), "20260927");
    }

    /// `securesourcemanager.v1`'s revision is `0`.
    #[test]
    fn any_text_is_a_revision_and_numbers_compare_as_numbers() {
        assert!(revision("0") < revision("20240410"));
        assert!(revision("9") < revision("10"));
        assert_eq!(revision("0").as_str(), "0");
        assert_eq!(revision("a\u{1b}[2J").to_string(), "a\\u{1b}[2J");
        assert!(revision("") < revision("a"));
    }
}
