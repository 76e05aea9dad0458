//! How the program ends: an exit code and one line for stderr.

use std::fmt;
use std::process::ExitCode;

/// The documented exit codes (see `--help` and the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    /// 1: the API or the export failed.
    Failed = 1,
    /// 2: bad usage.
    Usage = 2,
    /// 3: no credentials, or the API refused them.
    Auth = 3,
    /// 4: a downloaded archive failed its size or checksum check.
    Verification = 4,
    /// 5: a resource group was already exported with one-time access
    /// (`RESOURCE_EXHAUSTED_ONE_TIME`): only `reset` and a new consent allow it again.
    Exhausted = 5,
    /// 6: the token does not grant a requested resource group (the user did not allow its scope
    /// on the consent screen); the granted groups were exported.
    NotGranted = 6,
    /// 75 (`EX_TEMPFAIL` of sysexits.h: try again later): a time-based export of a group within
    /// 24 hours of the last one.
    TooSoon = 75,
    /// 130: interrupted (Ctrl-C), as shells report a SIGINT.
    Interrupted = 130,
}

/// Why the program stops: the exit code and a one-line message.
#[derive(Debug)]
pub struct Failure {
    pub code: Code,
    pub message: String,
}

impl Failure {
    /// A failure whose message is one line, escaped and cut ([`crate::ui::shown`]): it may
    /// quote a server.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: crate::ui::shown(&one_line(&message.into())).into_owned(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Code::Usage, message)
    }

    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(Code::Auth, message)
    }

    /// Prefixes the message with `context: `.
    pub fn context(self, context: impl fmt::Display) -> Self {
        Self {
            message: format!("{context}: {}", self.message),
            ..self
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code as u8)
    }

    /// Of several failures, the one whose code is the most specific: authentication, then
    /// verification, then usage, then the rest.
    /// A group not granted or exported too soon ranks last: the user's choice, and Google's
    /// schedule, are no failures of the export.
    pub fn rank(&self) -> u8 {
        match self.code {
            Code::Interrupted => 7,
            Code::Exhausted => 6,
            Code::Auth => 5,
            Code::Verification => 4,
            Code::Usage => 3,
            Code::Failed => 2,
            Code::NotGranted => 1,
            Code::TooSoon => 0,
        }
    }
}

/// What to do after `RESOURCE_EXHAUSTED_ONE_TIME`.
const EXHAUSTED_HINT: &str = "run `dataportability reset`, then consent again (a new --client-secret sign-in or a \
                                  new token) to export it again";

/// The one line shown for a group whose one-time access is used up: the jobs Google names and
/// what to do.
fn exhausted(previous_job_ids: &[String]) -> String {
    let jobs = if previous_job_ids.is_empty() {
        String::new()
    } else {
        format!(" by job(s) {}", previous_job_ids.join(", "))
    };
    format!(
        "already exported with one-time access{jobs} (RESOURCE_EXHAUSTED_ONE_TIME), and no archive of it can be \
         downloaded now: {EXHAUSTED_HINT}"
    )
}

/// What to do when the token does not grant a group.
const NOT_GRANTED: &str = "not granted: the token does not allow this resource group (the user did not allow its \
                           scope on the consent screen); the granted groups are exported; sign in again allowing it \
                           to export it";

/// What to do when the API says the access token expired (after its hour).
pub const EXPIRED_HINT: &str = "the access token expired: pass a new --token, or use --client-secret, whose tokens \
                                are refreshed automatically";

/// Whether the API refused the access token as expired (401, `ACCESS_TOKEN_EXPIRED`).
fn is_expired_token(error: &dataportability_export::Error) -> bool {
    match error {
        dataportability_export::Error::Api(api) => api
            .as_api_error()
            .is_some_and(|e| e.status.as_u16() == 401 && e.reason() == Some("ACCESS_TOKEN_EXPIRED")),
        _ => false,
    }
}

impl From<dataportability_export::Error> for Failure {
    fn from(error: dataportability_export::Error) -> Self {
        if let dataportability_export::Error::Exhausted { previous_job_ids, .. } = &error {
            return Failure::new(Code::Exhausted, exhausted(previous_job_ids));
        }
        if error.is_not_granted() {
            return Failure::new(Code::NotGranted, NOT_GRANTED);
        }
        if is_expired_token(&error) {
            return Failure::new(Code::Auth, format!("{error} ({EXPIRED_HINT})"));
        }
        let code = if error.is_too_soon() {
            Code::TooSoon
        } else if matches!(error, dataportability_export::Error::TimeRange(_)) {
            Code::Usage
        } else if error.is_auth() {
            Code::Auth
        } else if error.is_verification() {
            Code::Verification
        } else if matches!(
            &error,
            dataportability_export::Error::Api(dataportability_v1::Error::InvalidArgument { .. })
                | dataportability_export::Error::Locked { .. }
        ) {
            Code::Usage
        } else {
            Code::Failed
        };
        Failure::new(code, error.to_string())
    }
}

impl From<dataportability_v1::Error> for Failure {
    fn from(error: dataportability_v1::Error) -> Self {
        dataportability_export::Error::from(error).into()
    }
}

/// Newlines and runs of blanks become one space: an error is one line.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line() {
        let failure = Failure::usage("bad\n  value\r\nhere");
        assert_eq!(failure.message, "bad value here");
        assert_eq!(failure.context("export").message, "export: bad value here");
    }

    #[test]
    fn messages_are_escaped_and_cut() {
        let failure = Failure::usage(format!("\u{1b}]0;owned\u{7}{}", "x".repeat(100_000)));
        assert!(
            failure.message.starts_with(r"\u{1b}]0;owned\u{7}xxx"),
            "{}",
            &failure.message[..40]
        );
        assert!(failure.message.len() < 4200, "{}", failure.message.len());
    }
}
