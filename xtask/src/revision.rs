//! Discovery document revisions (`"revision": "20240410"`), compared as dates.

use std::fmt;

use anyhow::{Result, bail};

/// A document revision: a `YYYYMMDD` date, so ordering the strings orders the dates.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Revision(String);

impl Revision {
    /// Parses a revision, which must be exactly eight ASCII digits.
    pub fn parse(text: &str) -> Result<Self> {
        if text.len() != 8 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
            bail!("revision {text:?} is not a YYYYMMDD date");
        }
        Ok(Self(text.to_owned()))
    }

    /// The revision as written in the document.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_as_dates() {
        let older = Revision::parse("20240410").expect("valid");
        let newer = Revision::parse("20260927").expect("valid");
        assert!(older < newer);
        assert!(Revision::parse("20241231").expect("valid") < Revision::parse("20250101").expect("valid"));
        assert_eq!(newer.to_string(), "20260927");
    }

    #[test]
    fn rejects_what_is_not_yyyymmdd() {
        for bad in ["2024041", "202404100", "2024-04-10", "", "abcdefgh"] {
            let error = Revision::parse(bad).expect_err(bad).to_string();
            assert!(error.contains("YYYYMMDD"), "{error}");
        }
    }
}
