//! The command line.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use dataportability_export::time_range::Relative;

use dataportability_units::{parse_duration, parse_size};

/// The exit codes, shown by `--help` (and in the README).
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the API or the export failed (an API error, a job that failed after its retries or was cancelled, a download that failed)
  2  bad usage (an unknown option or resource group, an output directory that belongs to another endpoint or is in use by another export)
  3  authentication: no credentials, the OAuth flow failed, or the API refused the token (HTTP 401/403)
  4  verification: a downloaded archive did not match its size or checksums (its partial file is deleted)
  5  already exported: a resource group was exported before with one-time access (RESOURCE_EXHAUSTED_ONE_TIME) and no archive of it can be downloaded now; the message names the jobs; run `dataportability reset`, then consent again
  6  not granted: the token does not allow a requested resource group (the user did not allow its scope on the consent screen); each such group is named on a line of its own, the granted groups were exported
  75  too soon: time-based access allows one export of a group every 24 hours (Google answers RESOURCE_EXHAUSTED_TIME_BASED, or FAILED_PRECONDITION); the message names the jobs and says when the next is allowed (nothing was changed: run again then)
  130  interrupted (Ctrl-C): run the same command again to resume";

/// Examples, shown by `export --help`.
pub const EXPORT_EXAMPLES: &str = "\
Examples:
  dataportability --client-secret client_secret.json export --resource myactivity.search --out takeout
  dataportability --endpoint http://127.0.0.1:PORT --token TOKEN export --resource myactivity.search,myactivity.youtube --out takeout --poll-initial 1s

Time filters (the three uses of Google's time-filter guide; --incremental and a period need time-based access, and
Google supports them only for the groups of My Activity, Chrome history and Google Play: myactivity.*, chrome.history, play.*):
  dataportability export --resource myactivity.search --out takeout --incremental        # everything, then what is new since the last run
  dataportability export --resource myactivity.search --out takeout --since 6mo          # the last 6 months
  dataportability export --resource myactivity.search --out takeout --start-time 2024-01-01T00:00:00Z --end-time 2025-01-01T00:00:00Z

Files: DIR/GROUP/FILE.part while downloading, renamed to DIR/GROUP/FILE once its size and checksums are verified. An export with a period or --incremental (and any later export of a group) goes to DIR/GROUP/<EXPORT-TIME>/ or DIR/GROUP/<START>--<EXPORT-TIME>/ (times as 20261201T223550Z), never over an earlier run's files.
Files are created 0600 and directories 0700; no symbolic link under DIR is ever followed.
One export at a time per DIR: DIR/.dataportability.lock names the running one.

Exit codes as in `dataportability --help`, among them:
  75  too soon: a time-based export of a group within 24 hours of the last; the message says when the next is allowed";

/// Export your Google data with the Data Portability API.
///
/// Credentials: --token (or DATAPORTABILITY_TOKEN), or --client-secret FILE for the OAuth
/// installed-app flow (the scopes are those of the --resource groups; all groups when none
/// is given). --endpoint points the tool at another server, such as the emulator.
#[derive(Debug, Parser)]
#[command(name = "dataportability", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The API's root URL, e.g. an emulator's http://127.0.0.1:PORT/ [default: Google's]
    #[arg(
        long,
        global = true,
        env = "DATAPORTABILITY_ENDPOINT",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub endpoint: Option<String>,

    /// An OAuth 2.0 access token with the dataportability scopes
    #[arg(
        long,
        global = true,
        env = "DATAPORTABILITY_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,

    /// An OAuth client secret (JSON of a "Desktop app" client) for the installed-app flow;
    /// takes precedence over a token. Its auth_uri and token_uri are the endpoints used (the
    /// emulator's --client-secret-file points them at the emulator)
    #[arg(long, global = true, value_name = "FILE")]
    pub client_secret: Option<PathBuf>,

    /// Where the OAuth flow keeps its tokens [default: $XDG_CONFIG_HOME/dataportability/tokens.json]
    #[arg(long, global = true, value_name = "FILE")]
    pub token_cache: Option<PathBuf>,

    /// A resource group, e.g. myactivity.search (repeat, or separate with commas). For export:
    /// the groups to export; for other commands: the OAuth scopes to ask for [default: all]
    #[arg(long = "resource", global = true, value_name = "GROUP", value_delimiter = ',', num_args = 1..)]
    pub resources: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the resource groups the token grants, one-time and time-based
    CheckAccess,
    /// Export resource groups into a directory: one job per group, wait, retry failures,
    /// download and verify; run it again after an interruption to resume
    #[command(after_help = EXPORT_EXAMPLES)]
    Export(ExportArgs),
    /// Show a job's state (and its signed URLs once complete)
    State {
        /// The job id (or archiveJobs/ID)
        job: String,
    },
    /// Retry a FAILED job (at most 3 times per job); prints the new job id
    Retry {
        /// The job id (or archiveJobs/ID)
        job: String,
    },
    /// Cancel a job IN_PROGRESS that was started with time-based access
    Cancel {
        /// The job id (or archiveJobs/ID)
        job: String,
    },
    /// Revoke the granted scopes: the app may export the groups again, earlier archives are
    /// removed
    Reset,
    /// List the resource groups with their descriptions
    Scopes,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The directory of the archives (DIR/GROUP/FILE) and of the resumable state file
    /// (DIR/.dataportability-state.json)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// The first wait between two polls of a job
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub poll_initial: Duration,

    /// The longest wait between two polls (the wait doubles up to it)
    #[arg(long, value_name = "DURATION", default_value = "60m", value_parser = parse_duration)]
    pub poll_max: Duration,

    /// Give up on a job not finished after this long [default: never]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub deadline: Option<Duration>,

    /// How many times a FAILED job is retried (Google allows 3)
    #[arg(long, value_name = "N", default_value_t = dataportability_export::retry::MAX_RETRIES)]
    pub max_retries: u32,

    /// The wait before resuming a failed download (doubling after each failure)
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub download_retry_wait: Duration,

    /// How many files are downloaded at the same time (jobs are always waited for together)
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub parallel_downloads: u32,

    /// Download each file at most this fast, in bytes per second, e.g. 500KiB [default: no limit]
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub limit_rate: Option<u64>,

    /// Which checksums of x-goog-hash are verified: crc32c (MD5 when the server sends no
    /// CRC32C, as Google's storage tools do), or md5 (both)
    #[arg(long, value_enum, default_value = "crc32c")]
    pub verify: VerifyArg,

    /// Refuse an archive larger than this (a server that sends more than it announced is
    /// refused at the announced length anyway)
    #[arg(long, value_name = "SIZE", default_value = "1TiB", value_parser = parse_size)]
    pub max_archive_size: u64,

    /// Refuse a job whose state lists more download URLs than this (a job has a few; each
    /// becomes a file)
    #[arg(long, value_name = "N", default_value_t = dataportability_export::download::DEFAULT_MAX_URLS)]
    pub max_urls: usize,

    /// Give up an attempt (and resume) when a download receives less than this per second over
    /// --min-speed-window; 0 turns the check off
    #[arg(long, value_name = "SIZE", default_value = "1KiB", value_parser = parse_size)]
    pub min_speed: u64,

    /// The window over which --min-speed is measured
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub min_speed_window: Duration,

    /// Give a file up after this many attempts in all (the bytes received stay in FILE.part
    /// for the next run)
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attempts_per_file: u32,

    /// Give a file up when it is not downloaded after this long, its retries included (the
    /// bytes received stay in FILE.part for the next run); 0 for no limit
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
    pub file_deadline: Duration,

    /// Export only data from this time on: RFC 3339 (2024-01-01T00:00:00Z) or a date
    /// (2024-01-01, midnight UTC) [default: the earliest data]
    #[arg(long, value_name = "TIME", value_parser = parse_time, conflicts_with = "since")]
    pub start_time: Option<DateTime<Utc>>,

    /// Export only data before this time (not in the future) [default: up to now]
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub end_time: Option<DateTime<Utc>>,

    /// Export only the last SPAN: 12h, 30d, 2w, 6mo, 1y (calendar months and years)
    #[arg(long, value_name = "SPAN", value_parser = parse_relative)]
    pub since: Option<Relative>,

    /// The first run exports everything; each later run exports only what is new since the
    /// group's last completed export (startTime = its exportTime), into a directory of its own.
    /// Needs time-based access: one export per group every 24 hours (exit code 75 before), for
    /// 30 days
    #[arg(long, conflicts_with_all = ["start_time", "end_time", "since"])]
    pub incremental: bool,
}

/// `--verify`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum VerifyArg {
    /// CRC32C, or MD5 when the server sends no CRC32C.
    Crc32c,
    /// MD5 and CRC32C.
    Md5,
}

impl From<VerifyArg> for dataportability_export::hashes::Verify {
    fn from(value: VerifyArg) -> Self {
        match value {
            VerifyArg::Crc32c => Self::Crc32c,
            VerifyArg::Md5 => Self::Md5,
        }
    }
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    dataportability_export::time_range::parse_time(text).map_err(|e| e.to_string())
}

fn parse_relative(text: &str) -> Result<Relative, String> {
    Relative::parse(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn groups_repeat_or_are_comma_separated() {
        let cli = Cli::try_parse_from([
            "dataportability",
            "export",
            "--resource",
            "a,b",
            "--resource",
            "c",
            "--out",
            "d",
        ])
        .unwrap();
        assert_eq!(cli.global.resources, ["a", "b", "c"]);
    }

    #[test]
    fn time_options_parse_and_exclude_each_other() {
        let parse = |extra: &[&str]| {
            let mut args = vec!["dataportability", "export", "--out", "d"];
            args.extend(extra);
            Cli::try_parse_from(args)
        };
        let cli = parse(&["--start-time", "2024-01-01", "--end-time", "2025-01-01T00:00:00+01:00"]).unwrap();
        let Command::Export(export) = cli.command else {
            panic!("export")
        };
        assert_eq!(
            export.start_time.map(|t| t.to_rfc3339()).as_deref(),
            Some("2024-01-01T00:00:00+00:00")
        );
        assert_eq!(
            export.end_time.map(|t| t.to_rfc3339()).as_deref(),
            Some("2024-12-31T23:00:00+00:00")
        );
        assert!(parse(&["--since", "6mo"]).is_ok());
        assert!(parse(&["--since", "6 fortnights"]).is_err());
        assert!(parse(&["--start-time", "yesterday"]).is_err());
        assert!(parse(&["--incremental", "--since", "30d"]).is_err());
        assert!(parse(&["--start-time", "2024-01-01", "--since", "30d"]).is_err());
    }
}
