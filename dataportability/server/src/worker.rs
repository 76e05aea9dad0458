//! The scheduler and its workers: take the items that are due, move each one step on
//! (initiate, poll, download), and record the result.
//!
//! Nothing lost, nothing twice:
//! - an `initiate` is recorded (status `initiating`, with its period) before it is sent, and
//!   its answer is written in the same transaction that moves the item on; a process killed in
//!   between finds the item `initiating` and sends the same `initiate` again: Google answers
//!   `ALREADY_EXISTS` with the running job, which is adopted, or `RESOURCE_EXHAUSTED` naming a
//!   job we do not know, which is taken when it is `COMPLETE` (the export library's
//!   [`incremental::initiate`]). So each (connection, group, window) has one Google job;
//! - a `FAILED` job is retried (`archiveJobs.retry`, which makes a new job for the same
//!   window), recorded the same way;
//! - archives are downloaded into a staging directory (resumed with `Range` after a restart,
//!   expired URLs refreshed: the export library's [`Downloader`]), verified against
//!   `x-goog-hash` and the length, moved to their object key, and recorded with their
//!   `archive_stored` events in the transaction that ends the window.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use dataportability_export::download::{DownloadOptions, Downloader};
use dataportability_export::incremental::{self, CompletedExport, History, Origin};
use dataportability_export::state_file::GroupState;
use dataportability_export::time_range::{TIME_FILTER_GROUPS, TimeRange, rfc3339};
use dataportability_v1::models::PortabilityArchiveState;
use dataportability_v1::models::portability_archive_state::State;
use dataportability_v1::{Client, StaticToken};
use futures_util::StreamExt as _;
use tracing::Instrument as _;

use crate::app::App;
use crate::metrics::{Metrics, api_outcome, export_outcome, oauth_outcome};
use crate::oauth::OAuthError;
use crate::store::{Archive, Effects, Item, NewEvent, Status};

/// The method name of a job's state in `/metrics`.
const GET_STATE: &str = "getPortabilityArchiveState";

/// Why a step did not finish.
#[derive(Debug)]
enum StepError {
    /// The grant is gone: the connection needs consent.
    Grant(String),
    /// A failure worth another attempt, after `retry_after` if the server said.
    Transient {
        message: String,
        retry_after: Option<Duration>,
    },
    /// The store failed.
    Store(String),
}

impl From<crate::store::StoreError> for StepError {
    fn from(error: crate::store::StoreError) -> Self {
        StepError::Store(error.0)
    }
}

fn transient(message: impl std::fmt::Display) -> StepError {
    StepError::Transient {
        message: message.to_string(),
        retry_after: None,
    }
}

/// Runs the scheduler until the process stops ([`App::stopping`]): each tick syncs the clock,
/// claims the due items and works on up to [`crate::app::Settings::concurrency`] at once.
/// Once stopping, it claims nothing more, starts no new step, and returns when the steps in
/// flight have finished; the heartbeat renews their leases until then.
pub async fn run(app: Arc<App>) {
    if let Err(error) = app.store.release_all_leases().await {
        tracing::warn!(%error, "giving back the leases of an earlier process");
    }
    let scheduler = async {
        while !app.is_stopping() {
            let worked = tick(&app).await;
            if worked == 0 {
                tokio::select! {
                    _ = app.wake.notified() => {}
                    _ = app.stopped() => {}
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                }
            }
        }
    };
    tokio::select! {
        _ = scheduler => {}
        _ = heartbeat(&app) => {}
    }
}

/// The clock of leases: the system's, not the service's [`crate::clock::Clock`]. A lease
/// measures whether a worker process is alive, which happens in real time; a test that moves
/// the service's clock by hours moves when items are due, not how long a worker has to
/// renew its leases.
fn lease_clock() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// Renews this process's leases four times per lease, so an item worked on for longer than a
/// lease (a slow download) stays this worker's, and a killed worker's items are free one
/// lease after its last heartbeat.
async fn heartbeat(app: &Arc<App>) {
    let every = (app.settings.lease / 4).max(Duration::from_millis(100));
    loop {
        tokio::time::sleep(every).await;
        let until = App::later(lease_clock(), app.settings.lease);
        if let Err(error) = app.store.renew(&app.owner, until.timestamp_millis()).await {
            tracing::warn!(%error, "renewing the leases failed");
        }
    }
}

/// One round of the scheduler: the items due now, each moved one step on. Answers how many.
pub async fn tick(app: &Arc<App>) -> usize {
    if app.is_stopping() {
        return 0;
    }
    app.clock.sync().await;
    let now = app.now();
    let lease_now = lease_clock();
    let until = App::later(lease_now, app.settings.lease);
    let limit = i64::try_from(app.settings.concurrency * 4).unwrap_or(128);
    let items = match app
        .store
        .claim(
            &app.owner,
            now.timestamp_millis(),
            lease_now.timestamp_millis(),
            until.timestamp_millis(),
            limit,
        )
        .await
    {
        Ok(items) => items,
        Err(error) => {
            tracing::warn!(%error, "claiming due items failed");
            return 0;
        }
    };
    let count = items.len();
    let items: Vec<Item> = {
        let mut in_flight = app.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        items
            .into_iter()
            .filter(|item| in_flight.insert((item.connection_id.clone(), item.group.clone())))
            .collect()
    };
    futures_util::stream::iter(items)
        .for_each_concurrent(app.settings.concurrency, |item| {
            let app = Arc::clone(app);
            async move {
                let key = (item.connection_id.clone(), item.group.clone());
                // Stopping: a claimed item whose step has not started is left to the release.
                if !app.is_stopping() {
                    let span = crate::logging::item_span(&item);
                    work(&app, item).instrument(span).await;
                }
                app.in_flight.lock().unwrap_or_else(|p| p.into_inner()).remove(&key);
            }
        })
        .await;
    count
}

/// Moves one item a step on and records the outcome.
async fn work(app: &Arc<App>, item: Item) {
    let before = item.clone();
    let result = step(app, item).await;
    let now = app.now();
    let outcome = match result {
        Ok((item, effects)) => {
            tracing::info!(
                from = before.status.as_str(),
                to = item.status.as_str(),
                job_state = item.job_state.as_deref(),
                archives = effects.archives.len(),
                due = %chrono::DateTime::from_timestamp_millis(item.due_at)
                    .map(rfc3339)
                    .unwrap_or_default(),
                "step done"
            );
            app.store.save(&app.owner, &item, &effects).await.map(|_| ())
        }
        Err(StepError::Grant(reason)) => {
            app.tokens.lock().await.remove(&before.connection_id);
            app.store
                .needs_consent(&before.connection_id, &reason, &rfc3339(now))
                .await
        }
        Err(StepError::Transient { message, retry_after }) => failed(app, before.clone(), message, retry_after).await,
        Err(StepError::Store(message)) => failed(app, before.clone(), message, None).await,
    };
    if let Err(error) = outcome {
        tracing::warn!(%error, "recording the step failed");
    }
}

/// Records a failed attempt: the item is tried again after a growing wait, or after the
/// server's `Retry-After`, which also holds every request to Google that long.
async fn failed(app: &App, mut item: Item, message: String, retry_after: Option<Duration>) -> crate::store::Result<()> {
    Metrics::add(&app.metrics.step_failures, 1);
    tracing::warn!(
        attempt = item.attempts + 1,
        error = %printable(&message),
        "the step failed; it is tried again"
    );
    if let Some(wait) = retry_after {
        app.limiter.hold(wait).await;
    }
    item.attempts += 1;
    item.last_error = Some(printable(&message));
    let wait = backoff(app, item.attempts).max(retry_after.unwrap_or_default());
    item.due_at = App::later(app.now(), wait).timestamp_millis();
    app.store.save(&app.owner, &item, &Effects::default()).await.map(|_| ())
}

/// The wait after `attempts` failed attempts in a row: 1 s doubling, at most the setting.
fn backoff(app: &App, attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    Duration::from_secs(1u64 << exp).min(app.settings.max_backoff)
}

/// The wait before poll number `polls` (from 0): the minimum, doubling, at most the maximum.
pub fn poll_wait(min: Duration, max: Duration, polls: i64) -> Duration {
    let exp = u32::try_from(polls.clamp(0, 16)).unwrap_or(0);
    min.saturating_mul(1u32 << exp).min(max).max(min)
}

async fn step(app: &Arc<App>, item: Item) -> Result<(Item, Effects), StepError> {
    match item.status {
        Status::Due | Status::Initiating => initiate(app, item).await,
        Status::Polling => poll(app, item).await,
        Status::Downloading => {
            let client = client(app, &item.connection_id).await?;
            let job = item.job_id.clone().unwrap_or_default();
            app.limiter.acquire().await;
            let state = dataportability_export::job::state(&client, &job).await;
            app.metrics.google_call(GET_STATE, export_outcome(&state));
            let state = state.map_err(export_error)?;
            download(app, client, item, state).await
        }
        _ => Ok((item, Effects::default())),
    }
}

/// An access token for `connection`: the cached one, or a refreshed one.
async fn access_token(app: &App, connection: &str) -> Result<String, StepError> {
    let now = app.now();
    if let Some((token, expires)) = app.tokens.lock().await.get(connection)
        && *expires > now
    {
        return Ok(token.clone());
    }
    let sealed = app
        .store
        .grant(connection)
        .await?
        .ok_or_else(|| StepError::Grant("no stored grant".to_owned()))?;
    let refresh = app.keys.open(connection, &sealed).map_err(transient)?;
    app.limiter.acquire().await;
    let tokens = app.oauth.refresh(&refresh).await;
    app.metrics.google_call("refresh", oauth_outcome(&tokens));
    let tokens = match tokens {
        Ok(tokens) => tokens,
        Err(OAuthError::InvalidGrant(reason)) => return Err(StepError::Grant(format!("invalid_grant: {reason}"))),
        Err(error) => return Err(transient(error)),
    };
    // A minute of margin, so a token does not expire on the way.
    let lifetime = Duration::from_secs(u64::try_from(tokens.expires_in.saturating_sub(60)).unwrap_or(0));
    let expires = App::later(now, lifetime);
    app.tokens
        .lock()
        .await
        .insert(connection.to_owned(), (tokens.access_token.clone(), expires));
    Ok(tokens.access_token)
}

async fn client(app: &App, connection: &str) -> Result<Client, StepError> {
    let token = access_token(app, connection).await?;
    Client::builder()
        .endpoint(&app.api_url)
        .http_client(app.http.clone())
        .attempt_timeout(app.settings.request_timeout)
        .token_source(StaticToken::new(token))
        .build()
        .map_err(transient)
}

/// Reads an export library error: a refused token drops the cached one.
fn export_error(error: dataportability_export::Error) -> StepError {
    if let dataportability_export::Error::Api(api) = &error {
        let retry_after = api.retry_after();
        return StepError::Transient {
            message: error.to_string(),
            retry_after,
        };
    }
    transient(error)
}

fn parse_time(text: Option<&str>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// What the export library needs to know of the item's earlier jobs: a job Google names that
/// is among them is ours, already handled.
async fn entry(app: &App, item: &Item) -> Result<GroupState, StepError> {
    let jobs = app.store.jobs(&item.connection_id, &item.group).await?;
    let mut entry = GroupState::default();
    if let Some(last) = jobs.last() {
        entry.job_id = last.clone();
        entry.original_job_id = last.clone();
    }
    entry.history = History {
        access_type: item.access_type.clone(),
        earlier: jobs
            .iter()
            .map(|job| CompletedExport {
                job_id: job.clone(),
                ..CompletedExport::default()
            })
            .collect(),
        ..History::default()
    };
    Ok(entry)
}

async fn initiate(app: &Arc<App>, mut item: Item) -> Result<(Item, Effects), StepError> {
    let now = app.now();
    if item.status == Status::Due {
        if let Some(next) = parse_time(item.next_allowed_at.as_deref())
            && next > now
        {
            item.due_at = next.timestamp_millis();
            return Ok((item, Effects::default()));
        }
        // Incremental for the groups that take a time filter: from the last exportTime.
        item.range_start = item
            .last_export_time
            .clone()
            .filter(|_| TIME_FILTER_GROUPS.contains(&item.group.as_str()));
        item.status = Status::Initiating;
        item.job_state = None;
        let recorded = Effects {
            keep_lease: true,
            ..Effects::default()
        };
        if !app.store.save(&app.owner, &item, &recorded).await? {
            return Err(StepError::Store("the lease was lost".to_owned()));
        }
    }
    let range = TimeRange {
        start: parse_time(item.range_start.as_deref()),
        end: None,
    };
    let client = client(app, &item.connection_id).await?;
    let entry = entry(app, &item).await?;
    app.limiter.acquire().await;
    let answer = incremental::initiate(&client, &item.group, &range, Some(&entry)).await;
    app.metrics.google_call("initiate", export_outcome(&answer));
    let failed_job = item
        .job_id
        .clone()
        .filter(|_| item.job_state.as_deref() == Some("FAILED"));
    let known: Vec<String> = entry.history.earlier.iter().map(|e| e.job_id.clone()).collect();
    let answer = match answer {
        Err(
            dataportability_export::Error::TooSoon { previous_job_ids, .. }
            | dataportability_export::Error::Exhausted { previous_job_ids, .. },
        ) if previous_job_ids.iter().any(|job| !known.contains(job)) => {
            // Google names a job of this group we never recorded: our own `initiate`, whose
            // answer was lost, and whose job is no longer running (else Google would have
            // answered ALREADY_EXISTS) and did not complete (else the export library would
            // have recovered it): it FAILED. It is this window's job: adopt it and poll it
            // (a FAILED job is retried).
            let job = previous_job_ids
                .iter()
                .rev()
                .find(|job| !known.contains(job))
                .cloned()
                .unwrap_or_default();
            Ok(incremental::Initiated {
                job_id: job,
                access_type: item.access_type.clone(),
                origin: Origin::Adopted,
            })
        }
        other => other,
    };
    let initiated = match answer {
        Ok(initiated) => initiated,
        Err(dataportability_export::Error::TooSoon { .. } | dataportability_export::Error::Exhausted { .. })
            if failed_job.is_some() =>
        {
            // The window's job failed and its retry was not answered (or not sent): retry it.
            return retry(app, &client, item).await;
        }
        Err(dataportability_export::Error::TooSoon { next_allowed_at, .. }) => {
            let next = next_allowed_at.unwrap_or_else(|| App::later(now, app.settings.interval));
            item.status = Status::Due;
            item.range_start = None;
            item.next_allowed_at = Some(rfc3339(next));
            item.due_at = next.timestamp_millis();
            item.attempts = 0;
            return Ok((item, Effects::default()));
        }
        Err(dataportability_export::Error::Exhausted { message, .. }) => {
            item.status = Status::Refused;
            item.last_error = Some(printable(&message));
            let event = event(
                app,
                &item,
                "export_refused",
                serde_json::json!({
                    "reason": "the group was already exported with one-time access",
                }),
            );
            return Ok((
                item,
                Effects {
                    events: vec![event],
                    ..Effects::default()
                },
            ));
        }
        Err(dataportability_export::Error::GrantEnded { .. }) => {
            return Err(StepError::Grant("the time-based grant ended".to_owned()));
        }
        Err(error) => return Err(refused_token(app, &item, export_error(error)).await),
    };
    let recovered = initiated.origin == Origin::Recovered;
    crate::logging::record_job(&initiated.job_id);
    item.job_id = Some(initiated.job_id.clone());
    item.access_type = initiated.access_type.clone().or(item.access_type);
    item.job_state = None;
    item.polls = 0;
    item.attempts = 0;
    item.last_error = None;
    if recovered {
        item.status = Status::Downloading;
        item.due_at = now.timestamp_millis();
    } else if initiated.origin == Origin::Adopted {
        // A job an earlier attempt started: it may be done already.
        item.status = Status::Polling;
        item.due_at = now.timestamp_millis();
    } else {
        item.status = Status::Polling;
        item.due_at = App::later(now, app.settings.poll_min).timestamp_millis();
    }
    Ok((
        item,
        Effects {
            new_job: Some(initiated.job_id),
            ..Effects::default()
        },
    ))
}

/// A 401 from the API: the cached access token is dropped so the next attempt refreshes.
async fn refused_token(app: &App, item: &Item, error: StepError) -> StepError {
    if let StepError::Transient { message, .. } = &error
        && message.contains("401")
    {
        app.tokens.lock().await.remove(&item.connection_id);
    }
    error
}

async fn retry(app: &Arc<App>, client: &Client, mut item: Item) -> Result<(Item, Effects), StepError> {
    let now = app.now();
    let failed = item.job_id.clone().unwrap_or_default();
    app.limiter.acquire().await;
    let request = dataportability_v1::models::RetryPortabilityArchiveRequest::default();
    let answer = client
        .archive_jobs()
        .retry(dataportability_export::job::job_name(&failed), request)
        .send()
        .await;
    app.metrics.google_call("retry", api_outcome(&answer));
    match answer {
        Ok(state) => {
            let name = state.archive_job_id.unwrap_or_default();
            let Some(job) = dataportability_export::refusal::job_ids(dataportability_export::job::job_id(&name))
                .into_iter()
                .next()
            else {
                return Err(transient("retry answered no valid job name"));
            };
            crate::logging::record_job(&job);
            item.job_id = Some(job.clone());
            item.job_state = None;
            item.status = Status::Polling;
            item.polls = 0;
            item.attempts = 0;
            item.due_at = App::later(now, app.settings.poll_min).timestamp_millis();
            Ok((
                item,
                Effects {
                    new_job: Some(job),
                    ..Effects::default()
                },
            ))
        }
        Err(error) if error.status().is_some_and(|s| s.as_u16() == 400 || s.as_u16() == 404) => {
            item.status = Status::Refused;
            item.last_error = Some(format!(
                "the job failed and cannot be retried: {}",
                printable(&error.to_string())
            ));
            let event = event(
                app,
                &item,
                "export_refused",
                serde_json::json!({
                    "reason": "the export job failed and Google allows no more retries",
                }),
            );
            Ok((
                item,
                Effects {
                    events: vec![event],
                    ..Effects::default()
                },
            ))
        }
        Err(error) => Err(refused_token(app, &item, export_error(error.into())).await),
    }
}

async fn poll(app: &Arc<App>, mut item: Item) -> Result<(Item, Effects), StepError> {
    let now = app.now();
    let client = client(app, &item.connection_id).await?;
    let job = item.job_id.clone().unwrap_or_default();
    app.limiter.acquire().await;
    let state = dataportability_export::job::state(&client, &job).await;
    app.metrics.google_call(GET_STATE, export_outcome(&state));
    let state = state.map_err(export_error);
    let state = match state {
        Ok(state) => state,
        Err(error) => return Err(refused_token(app, &item, error).await),
    };
    match state.state {
        Some(State::Complete) => download(app, client, item, state).await,
        Some(State::Failed) | Some(State::Cancelled) => {
            // Recorded first: a restart that finds the item `initiating` with a FAILED job
            // adopts the retry's job, or retries.
            item.job_state = Some("FAILED".to_owned());
            item.status = Status::Initiating;
            let recorded = Effects {
                keep_lease: true,
                ..Effects::default()
            };
            if !app.store.save(&app.owner, &item, &recorded).await? {
                return Err(StepError::Store("the lease was lost".to_owned()));
            }
            retry(app, &client, item).await
        }
        other => {
            item.job_state = other.map(|s| s.as_str().to_owned());
            let wait = poll_wait(app.settings.poll_min, app.settings.poll_max, item.polls);
            item.polls += 1;
            item.due_at = App::later(now, wait).timestamp_millis();
            Ok((item, Effects::default()))
        }
    }
}

async fn download(
    app: &Arc<App>,
    client: Client,
    mut item: Item,
    state: PortabilityArchiveState,
) -> Result<(Item, Effects), StepError> {
    let job = item.job_id.clone().unwrap_or_default();
    let prefix = format!("{}/{}/{:04}", item.connection_id, item.group, item.round);
    let staging = app.sink.staging(&prefix);
    let downloader = Downloader::with_http(client, app.http.clone(), DownloadOptions::default());
    let files = match downloader.download_all(&job, &state, &staging, |_| {}).await {
        Ok(files) => files,
        Err(error) => {
            // The job completed: its archives are fetched at the next attempt.
            item.status = Status::Downloading;
            return Err(refused_token(app, &item, export_error(error)).await);
        }
    };
    let now = app.now();
    let export_time = state.export_time.map(rfc3339);
    let start_time = state.start_time.map(rfc3339);
    let mut effects = Effects::default();
    for file in &files {
        let name = file.path.file_name().and_then(|n| n.to_str()).unwrap_or("archive.zip");
        let key = format!("{prefix}/{name}");
        let crc = match file.checksums.crc32c {
            Some(crc) if !file.already_present => crc,
            _ => crc32c_of(&file.path).await.map_err(transient)?,
        };
        let size = i64::try_from(file.bytes).unwrap_or(i64::MAX);
        let stored = app.sink.put(&key, &file.path).await.map_err(transient)?;
        if stored.crc32c != crc || stored.size != file.bytes {
            return Err(transient(format!(
                "{key}: stored {} bytes with CRC32C {:08x}, the download was {} bytes with {crc:08x}",
                stored.size, stored.crc32c, file.bytes
            )));
        }
        Metrics::add(&app.metrics.bytes, file.bytes);
        let archive = Archive {
            connection_id: item.connection_id.clone(),
            group: item.group.clone(),
            round: item.round,
            object_key: key.clone(),
            job_id: job.clone(),
            size,
            crc32c: format!("{crc:08x}"),
            md5: Some(stored.md5),
            start_time: start_time.clone(),
            export_time: export_time.clone(),
            stored_at: rfc3339(now),
        };
        effects.events.push(event(
            app,
            &item,
            "archive_stored",
            serde_json::to_value(&archive).unwrap_or_default(),
        ));
        effects.archives.push(archive);
    }
    Metrics::add(&app.metrics.exports, 1);
    item.round += 1;
    item.last_export_time = export_time.or_else(|| Some(rfc3339(now)));
    item.last_export_at = Some(rfc3339(now));
    item.job_state = Some("COMPLETE".to_owned());
    item.polls = 0;
    item.attempts = 0;
    item.last_error = None;
    item.range_start = None;
    if item.access_type.as_deref() == Some("ACCESS_TYPE_TIME_BASED") {
        let next = App::later(now, app.settings.interval);
        item.status = Status::Due;
        item.next_allowed_at = Some(rfc3339(next));
        item.due_at = next.timestamp_millis();
    } else {
        item.status = Status::Done;
    }
    Ok((item, effects))
}

async fn crc32c_of(path: &std::path::Path) -> std::io::Result<u32> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::Read as _;
        let mut file = std::fs::File::open(path)?;
        let mut crc = 0u32;
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                return Ok(crc);
            }
            crc = crc32c::crc32c_append(crc, &buffer[..n]);
        }
    })
    .await
    .map_err(std::io::Error::other)?
}

fn event(app: &App, item: &Item, kind: &'static str, data: serde_json::Value) -> NewEvent {
    NewEvent {
        kind,
        connection_id: item.connection_id.clone(),
        group: Some(item.group.clone()),
        data,
        at: rfc3339(app.now()),
    }
}

/// At most 300 printable characters of a message, URLs without their query string (a signed
/// URL's signature is no error detail: see [`crate::logging::redact`]).
pub fn printable(text: &str) -> String {
    crate::logging::redact(text)
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_wait_within_googles_five_to_sixty_minutes() {
        let min = Duration::from_secs(300);
        let max = Duration::from_secs(3600);
        assert_eq!(poll_wait(min, max, 0), min);
        assert_eq!(poll_wait(min, max, 1), Duration::from_secs(600));
        assert_eq!(poll_wait(min, max, 4), max);
        assert_eq!(poll_wait(min, max, 1000), max);
    }
}
