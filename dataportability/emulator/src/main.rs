//! `cargo run -p dataportability-emulator -- [FLAGS]`: the emulator as a program.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use dataportability_emulator::{AccessType, Emulator, EmulatorConfig, Faults, TimeBasedRefusal};
use dataportability_units::{parse_duration, parse_size};

/// A local emulator of Google's Data Portability API.
///
/// Serves Google's six methods at their paths (point a client's endpoint at the printed URL),
/// the signed archive URLs it hands out, and a control surface: POST /emulator/v1/tokens
/// {"resources": [...], "accessType": "ACCESS_TYPE_ONE_TIME"} mints a bearer token; POST
/// /emulator/v1/jobs/{id}:complete and :fail move a job on; POST /emulator/v1/clock:advance
/// {"seconds": N} moves the clock; PUT /emulator/v1/faults sets the injected faults; GET
/// /emulator/v1/clientSecret gives an installed-app OAuth client secret JSON whose URIs point
/// at the emulator's OAuth server (/o/oauth2/v2/auth, /token, /revoke).
///
/// The first line on stdout is `listening on http://127.0.0.1:PORT`.
#[derive(Debug, Parser)]
#[command(name = "emulator", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// How long a job stays IN_PROGRESS before it completes (emulator time), e.g. 3s, 5m.
    #[arg(long, value_parser = parse_duration, default_value = "3s")]
    complete_after: Duration,
    /// Size of each archive, e.g. 65536, 64KiB, 1GiB, 5GB (generated as a stream).
    #[arg(long, value_parser = parse_size, default_value = "64KiB")]
    archive_size: u64,
    /// How long a signed URL stays valid.
    #[arg(long, value_parser = parse_duration, default_value = "6h")]
    url_expiry: Duration,
    /// How long an archive is kept after its job completed.
    #[arg(long, value_parser = parse_duration, default_value = "14d")]
    retention: Duration,
    /// Least time between two time-based exports of the same group (0 for no limit).
    #[arg(long, value_parser = parse_duration, default_value = "24h")]
    time_based_interval: Duration,
    /// How long an access token is valid (emulator time); then API calls answer 401.
    #[arg(long, value_parser = parse_duration, default_value = "1h")]
    token_lifetime: Duration,
    /// How long a time-based grant lasts; then its refresh token answers invalid_grant.
    #[arg(long, value_parser = parse_duration, default_value = "30d")]
    time_based_grant: Duration,
    /// Into how many files each resource group's archive is split (one signed URL each).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=999))]
    files_per_archive: u32,
    /// The access type the OAuth consent screen grants: one-time or time-based.
    #[arg(long, value_name = "TYPE", default_value = "one-time", value_parser = AccessType::parse)]
    consent_access_type: AccessType,
    /// Write the installed-app OAuth client secret JSON (pointing at this emulator) to FILE.
    #[arg(long, value_name = "FILE")]
    client_secret_file: Option<std::path::PathBuf>,
    /// The largest request body accepted, e.g. 1MiB.
    #[arg(long, value_parser = parse_size, default_value = "1MiB")]
    body_limit: u64,
    /// Close a connection that has not sent a whole request head after this long (an idle
    /// keep-alive connection too).
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    header_timeout: Duration,
    /// Answer 400 and close a connection whose request body takes longer than this.
    #[arg(long, value_parser = parse_duration, default_value = "60s")]
    body_timeout: Duration,
    /// Serve at most N connections at a time; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 128, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Fault: the first N API requests answer 503 UNAVAILABLE.
    #[arg(long, value_name = "N", default_value_t = 0)]
    unavailable: u32,
    /// Fault: the next N API requests answer 429 RESOURCE_EXHAUSTED with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 0)]
    rate_limited: u32,
    /// The Retry-After of rate-limited answers, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 1)]
    retry_after: u64,
    /// Fault: delay every API response by this long (real time), e.g. 500ms.
    #[arg(long, value_parser = parse_duration, default_value = "0s")]
    delay: Duration,
    /// Fault: cut off the JSON body of the first N successful API responses half-way.
    #[arg(long, value_name = "N", default_value_t = 0)]
    truncated_json: u32,
    /// Fault: drop the connection of the first N archive downloads mid-body.
    #[arg(long, value_name = "N", default_value_t = 0)]
    dropped_downloads: u32,
    /// How many body bytes a dropped download sends before the connection drops, e.g. 1MiB.
    #[arg(long, value_parser = parse_size, default_value = "1024")]
    drop_after: u64,
    /// Fault: the first N jobs created end FAILED instead of COMPLETE.
    #[arg(long, value_name = "N", default_value_t = 0)]
    failed_jobs: u32,
    /// Fault: the first N initiates that create a job never answer (the job exists).
    #[arg(long, value_name = "N", default_value_t = 0)]
    held_initiates: u32,
    /// How a time-based export within the interval is refused: resource-exhausted (429
    /// RESOURCE_EXHAUSTED_TIME_BASED, as Google's sample client reads it) or failed-precondition
    /// (400, as the time-based guide says).
    #[arg(long, value_name = "FORM", default_value = "resource-exhausted", value_parser = parse_refusal)]
    time_based_refusal: TimeBasedRefusal,
}

impl Args {
    fn config(&self) -> EmulatorConfig {
        EmulatorConfig {
            port: self.port,
            complete_after: self.complete_after,
            archive_size: self.archive_size,
            url_expiry: self.url_expiry,
            retention: self.retention,
            time_based_interval: self.time_based_interval,
            token_lifetime: self.token_lifetime,
            time_based_grant: self.time_based_grant,
            files_per_archive: self.files_per_archive,
            consent_access_type: self.consent_access_type,
            body_limit: usize::try_from(self.body_limit).unwrap_or(usize::MAX),
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            faults: Faults {
                unavailable: self.unavailable,
                rate_limited: self.rate_limited,
                retry_after_seconds: self.retry_after,
                delay_millis: u64::try_from(self.delay.as_millis()).unwrap_or(u64::MAX),
                truncated_json: self.truncated_json,
                dropped_downloads: self.dropped_downloads,
                drop_after_bytes: self.drop_after,
                failed_jobs: self.failed_jobs,
                held_initiates: self.held_initiates,
            },
            time_based_refusal: self.time_based_refusal,
        }
    }
}

fn parse_refusal(text: &str) -> Result<TimeBasedRefusal, String> {
    match text {
        "resource-exhausted" => Ok(TimeBasedRefusal::ResourceExhausted),
        "failed-precondition" => Ok(TimeBasedRefusal::FailedPrecondition),
        other => Err(format!("{other:?} is not resource-exhausted or failed-precondition")),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let emulator = match Emulator::start_with(args.config()).await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("emulator: cannot listen on 127.0.0.1:{}: {error}", args.port);
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &args.client_secret_file {
        let json = serde_json::to_string_pretty(&emulator.client_secret_json()).unwrap_or_default();
        if let Err(error) = std::fs::write(path, json + "\n") {
            eprintln!("emulator: cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
    }
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "listening on {}", emulator.url().trim_end_matches('/'));
    let _ = stdout.flush();
    tokio::select! {
        result = emulator.wait() => {
            if let Err(error) = result {
                eprintln!("emulator: {error}");
                return ExitCode::FAILURE;
            }
        }
        _ = tokio::signal::ctrl_c() => {}
    }
    ExitCode::SUCCESS
}
