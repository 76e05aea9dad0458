//! Tokens: minted with resource groups and an access type; 401 without a valid token, 403
//! without the scope of a requested group; `accessType.check`.

mod common;

use common::*;
use dataportability_emulator::{AccessType, Code};
use dataportability_v1::Client;
use dataportability_v1::models::CheckAccessTypeRequest;

#[tokio::test]
async fn a_request_without_a_token_is_401() {
    let emulator = emulator().await;
    let anonymous = Client::builder().endpoint(emulator.url()).build().expect("client");

    let initiate = anonymous
        .portability_archive()
        .initiate(request(&[SEARCH]))
        .send()
        .await;
    assert_eq!(api_error(initiate), (401, "UNAUTHENTICATED".to_owned()));
    let check = anonymous
        .access_type()
        .check(CheckAccessTypeRequest::default())
        .send()
        .await;
    assert_eq!(api_error(check), (401, "UNAUTHENTICATED".to_owned()));
}

#[tokio::test]
async fn a_token_the_emulator_did_not_mint_is_401() {
    let emulator = emulator().await;
    let forged = client(&emulator, "ya29.not-minted-here");

    let result = forged.portability_archive().initiate(request(&[SEARCH])).send().await;
    assert_eq!(api_error(result), (401, "UNAUTHENTICATED".to_owned()));
    assert_eq!(
        api_error(state(&forged, "abc").await),
        (401, "UNAUTHENTICATED".to_owned())
    );
}

#[tokio::test]
async fn a_token_lacking_a_requested_groups_scope_is_403() {
    let emulator = emulator().await;
    let client = one_time_client(&emulator, &[SEARCH]);

    let result = client
        .portability_archive()
        .initiate(request(&[SEARCH, YOUTUBE]))
        .send()
        .await;
    let error = result.as_ref().err().and_then(|e| e.as_api_error()).cloned();
    assert_eq!(api_error(result), (403, "PERMISSION_DENIED".to_owned()));
    let error = error.expect("API error");
    // The message of Google's troubleshooting page ("Requested resources are not authorized").
    assert_eq!(
        error.message,
        "The requested resources are not authorized by the OAuth token."
    );
    // Nothing was exported: the granted group alone still works.
    initiate(&client, &[SEARCH]).await;
}

#[tokio::test]
async fn another_users_job_is_not_found_and_a_job_needs_its_scopes() {
    let emulator = emulator().await;
    let alice = one_time_client(&emulator, &[SEARCH]);
    let job = initiate(&alice, &[SEARCH]).await;

    let bob = client(
        &emulator,
        &emulator
            .mint_token_for("bob@example.com", [SEARCH], AccessType::OneTime)
            .expect("token"),
    );
    assert_eq!(api_error(state(&bob, &job).await), (404, "NOT_FOUND".to_owned()));
    let alice_other_scope = client(
        &emulator,
        &emulator.mint_token([YOUTUBE], AccessType::OneTime).expect("token"),
    );
    assert_eq!(
        api_error(state(&alice_other_scope, &job).await),
        (403, "PERMISSION_DENIED".to_owned())
    );
}

#[tokio::test]
async fn access_type_check_lists_the_tokens_groups() {
    let emulator = emulator().await;
    let one_time = one_time_client(&emulator, &[YOUTUBE, SEARCH]);
    let time_based = time_based_client(&emulator, &["chrome.history"]);

    let answer = one_time
        .access_type()
        .check(CheckAccessTypeRequest::default())
        .send()
        .await
        .expect("check");
    assert_eq!(answer.one_time_resources, [SEARCH, YOUTUBE]);
    assert!(answer.time_based_resources.is_empty());
    let answer = time_based
        .access_type()
        .check(CheckAccessTypeRequest::default())
        .send()
        .await
        .expect("check");
    assert!(answer.one_time_resources.is_empty());
    assert_eq!(answer.time_based_resources, ["chrome.history"]);
}

#[tokio::test]
async fn minting_a_token_for_an_unknown_group_is_invalid() {
    let emulator = emulator().await;
    let error = emulator
        .mint_token(["myactivity.nope"], AccessType::OneTime)
        .expect_err("unknown group");
    assert_eq!(error.code, Code::InvalidArgument);
    let error = emulator
        .mint_token(Vec::<String>::new(), AccessType::OneTime)
        .expect_err("no group");
    assert_eq!(error.code, Code::InvalidArgument);
}
