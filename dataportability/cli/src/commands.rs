//! The one-call commands: check-access, state, retry, cancel, reset, scopes.
//!
//! Everything printed goes through [`print_line`]: job ids, states and URLs come from the
//! server. Answers are bounded by what they can be
//! ([`SMALL_RESPONSE_LIMIT`], and `job::state`'s own limit).

use dataportability_export::job::SMALL_RESPONSE_LIMIT;
use dataportability_v1::models::{CancelPortabilityArchiveRequest, CheckAccessTypeRequest, ResetAuthorizationRequest};
use dataportability_v1::{Client, RequestOptions, Scope};

use crate::failure::Failure;
use crate::ui::print_line;

pub async fn check_access(client: &Client) -> Result<(), Failure> {
    let access = client
        .access_type()
        .check(CheckAccessTypeRequest::default())
        .max_response_bytes(SMALL_RESPONSE_LIMIT)
        .send()
        .await?;
    let list = |groups: &[String]| {
        if groups.is_empty() {
            "(none)".to_owned()
        } else {
            groups.join(", ")
        }
    };
    print_line(format!("one-time:   {}", list(&access.one_time_resources)));
    print_line(format!("time-based: {}", list(&access.time_based_resources)));
    Ok(())
}

pub async fn state(client: &Client, job: &str) -> Result<(), Failure> {
    let state = dataportability_export::job::state(client, job).await?;
    print_line(format!("job:    {}", dataportability_export::job::job_id(job)));
    print_line(format!(
        "state:  {}",
        state.state.as_ref().map_or("(none)", |s| s.as_str())
    ));
    if let Some(start) = state.start_time {
        print_line(format!("start:  {}", start.to_rfc3339()));
    }
    if let Some(export) = state.export_time {
        print_line(format!("export: {}", export.to_rfc3339()));
    }
    for url in &state.urls {
        print_line(format!("url:    {url}"));
    }
    Ok(())
}

pub async fn retry(client: &Client, job: &str) -> Result<(), Failure> {
    let new = dataportability_export::retry::retry(client, job).await?;
    print_line(format!(
        "job {} retried: the new job is {new}",
        dataportability_export::job::job_id(job)
    ));
    Ok(())
}

pub async fn cancel(client: &Client, job: &str) -> Result<(), Failure> {
    client
        .archive_jobs()
        .cancel(
            dataportability_export::job::job_name(job),
            CancelPortabilityArchiveRequest::default(),
        )
        .max_response_bytes(SMALL_RESPONSE_LIMIT)
        .send()
        .await?;
    print_line(format!("job {} cancelled", dataportability_export::job::job_id(job)));
    Ok(())
}

pub async fn reset(client: &Client) -> Result<(), Failure> {
    client
        .authorization()
        .reset(ResetAuthorizationRequest::default())
        .max_response_bytes(SMALL_RESPONSE_LIMIT)
        .send()
        .await?;
    print_line("authorization reset: the granted scopes are revoked and earlier archives removed");
    Ok(())
}

pub fn scopes() {
    let width = Scope::ALL.iter().map(|s| s.short_name().len()).max().unwrap_or(0);
    for scope in Scope::ALL {
        print_line(format!("{:<width$}  {}", scope.short_name(), scope.description()));
    }
}

/// The resource groups named on the command line (short names or scope URLs), as short
/// names, without duplicates, in the order given.
pub fn parse_groups(names: &[String]) -> Result<Vec<Scope>, Failure> {
    let mut groups: Vec<Scope> = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let scope = name.parse::<Scope>().map_err(|_| {
            Failure::usage(format!(
                "unknown resource group `{name}` (`dataportability scopes` lists them)"
            ))
        })?;
        if !groups.contains(&scope) {
            groups.push(scope);
        }
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_short_names_or_urls_deduplicated() {
        let names = [
            "myactivity.search",
            "https://www.googleapis.com/auth/dataportability.myactivity.search",
            "myactivity.youtube",
        ]
        .map(String::from);
        let groups = parse_groups(&names).unwrap();
        assert_eq!(
            groups.iter().map(|s| s.short_name()).collect::<Vec<_>>(),
            ["myactivity.search", "myactivity.youtube"]
        );
        let failure = parse_groups(&["myactivity.serch".into()]).unwrap_err();
        assert_eq!(failure.code, crate::failure::Code::Usage);
        assert!(failure.message.contains("unknown resource group `myactivity.serch`"));
    }
}
