//! The one-call commands, usage and exit codes, end to end against an in-process emulator.

mod common;

use std::time::Duration;

use common::*;
use dataportability_emulator::{AccessType, EmulatorConfig};
use dataportability_v1::models::InitiatePortabilityArchiveRequest;

async fn initiate(client: &dataportability_v1::Client, group: &str) -> String {
    let request = InitiatePortabilityArchiveRequest {
        resources: vec![group.into()],
        ..Default::default()
    };
    client
        .portability_archive()
        .initiate(request)
        .send()
        .await
        .unwrap()
        .archive_job_id
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_retry_cancel_check_access_and_reset() {
    let config = EmulatorConfig {
        complete_after: Duration::from_secs(3600),
        ..Default::default()
    };
    let emulator = emulator(config).await;
    let token = token(&emulator, &[SEARCH, YOUTUBE], AccessType::TimeBased);
    let client = client(&emulator, &token);
    let base = ["--endpoint", emulator.url(), "--token", token.as_str()];
    let cli = |args: &[&str]| {
        let mut all = base.to_vec();
        all.extend_from_slice(args);
        run_owned(all.iter().map(|s| s.to_string()).collect())
    };

    let access = cli(&["check-access"]).await;
    assert!(access.status.success());
    assert_eq!(
        text(&access.stdout),
        "one-time:   (none)\ntime-based: myactivity.search, myactivity.youtube\n"
    );

    let job = initiate(&client, SEARCH).await;
    let state = cli(&["state", &job]).await;
    assert!(
        text(&state.stdout).contains("state:  IN_PROGRESS"),
        "{}",
        text(&state.stdout)
    );
    let cancel = cli(&["cancel", &format!("archiveJobs/{job}")]).await;
    assert!(cancel.status.success(), "{}", text(&cancel.stderr));
    assert_eq!(text(&cancel.stdout), format!("job {job} cancelled\n"));
    let state = cli(&["state", &job]).await;
    assert!(
        text(&state.stdout).contains("state:  CANCELLED"),
        "{}",
        text(&state.stdout)
    );

    let failed = initiate(&client, YOUTUBE).await;
    emulator.fail_job(&failed).unwrap();
    let retry = cli(&["retry", &failed]).await;
    assert!(retry.status.success(), "{}", text(&retry.stderr));
    let printed = text(&retry.stdout);
    let new = printed.trim().rsplit(' ').next().unwrap().to_owned();
    assert_eq!(printed, format!("job {failed} retried: the new job is {new}\n"));
    emulator.complete_job(&new).unwrap();
    let state = cli(&["state", &new]).await;
    let shown = text(&state.stdout);
    assert!(
        shown.contains("state:  COMPLETE") && shown.contains("url:    http://127.0.0.1:"),
        "{shown}"
    );

    // A retry of a job that did not fail is the API's refusal: exit 1, one line.
    let refused = cli(&["retry", &new]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).starts_with("error: dataportability.archiveJobs.retry: HTTP 400 FAILED_PRECONDITION")
    );

    let reset = cli(&["reset"]).await;
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    // The reset revoked the token: authentication failure.
    let revoked = cli(&["check-access"]).await;
    assert_eq!(revoked.status.code(), Some(3), "{}", text(&revoked.stderr));
    assert_eq!(text(&revoked.stderr).lines().count(), 1);
}

async fn run_owned(args: Vec<String>) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_and_credential_errors_have_their_exit_codes_and_one_line() {
    let cases: [(&[&str], i32, &str); 6] = [
        (
            &["export", "--out", "x"],
            2,
            "error: export needs at least one --resource GROUP",
        ),
        (
            &["export", "--resource", "nope", "--out", "x", "--token", "t"],
            2,
            "error: unknown resource group `nope`",
        ),
        (&["--bogus"], 2, "error: unexpected argument '--bogus' found"),
        (
            &["export", "--resource", SEARCH, "--out", "x", "--poll-max", "soon"],
            2,
            "error: invalid value 'soon'",
        ),
        (&["check-access"], 3, "error: no credentials"),
        (
            &["state", "a/b", "--token", "t", "--endpoint", "http://127.0.0.1:9/"],
            2,
            "error: dataportability",
        ),
    ];
    for (args, code, start) in cases {
        let output = run(args).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.starts_with(start), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }

    let emulator = emulator(EmulatorConfig::default()).await;
    let refused = run(&[
        "--endpoint",
        emulator.url(),
        "--token",
        "ya29.not-minted",
        "check-access",
    ])
    .await;
    assert_eq!(refused.status.code(), Some(3));
    let other = token(&emulator, &[YOUTUBE], AccessType::OneTime);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let forbidden = run(&[
        "--endpoint",
        emulator.url(),
        "--token",
        &other,
        "export",
        "--resource",
        SEARCH,
        "--out",
        dir,
    ])
    .await;
    // A token lacking the group's scope: the user did not grant it (exit 6, documented).
    assert_eq!(
        forbidden.status.code(),
        Some(6),
        "a token lacking the group's scope: {}",
        text(&forbidden.stderr)
    );
    assert!(
        text(&forbidden.stderr)
            .contains("myactivity.search: not granted: the token does not allow this resource group"),
        "{}",
        text(&forbidden.stderr)
    );

    // An output directory of another endpoint's export is refused.
    let elsewhere = run(&[
        "--endpoint",
        "http://127.0.0.1:9/",
        "--token",
        "t",
        "export",
        "--resource",
        SEARCH,
        "--out",
        dir,
    ])
    .await;
    assert_eq!(elsewhere.status.code(), Some(2), "{}", text(&elsewhere.stderr));
    assert!(
        text(&elsewhere.stderr).contains("belongs to an export from"),
        "{}",
        text(&elsewhere.stderr)
    );
}

#[tokio::test]
async fn help_documents_the_commands_and_exit_codes_and_scopes_lists_groups() {
    let help = run(&["--help"]).await;
    assert!(help.status.success());
    let help = text(&help.stdout);
    for needle in [
        "check-access",
        "export",
        "state",
        "retry",
        "cancel",
        "reset",
        "scopes",
        "--client-secret",
        "DATAPORTABILITY_TOKEN",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
    for code in [
        "0  success",
        "1  the API",
        "2  bad usage",
        "3  authentication",
        "4  verification",
        "5  already exported",
        "130  interrupted",
    ] {
        assert!(help.contains(code), "{code}: {help}");
    }
    let scopes = text(&run(&["scopes"]).await.stdout);
    assert!(scopes.lines().count() > 50, "{scopes}");
    let search = scopes
        .lines()
        .find(|l| l.starts_with("myactivity.search "))
        .expect("a line for the group");
    assert!(search.contains("Move a copy"), "{search}");
}
