//! The shape of the generated Data Portability crate: scopes, revision, enums, wire format.

use dataportability_v1::models::portability_archive_state::State;
use dataportability_v1::models::{InitiatePortabilityArchiveRequest, PortabilityArchiveState};
use dataportability_v1::{REVISION, Scope};

#[test]
fn every_scope_is_listed_and_parses_from_its_url_and_its_group_name() {
    assert_eq!(Scope::ALL.len(), 73);
    let scope: Scope = "myactivity.search".parse().unwrap();
    assert_eq!(scope, Scope::MyactivitySearch);
    assert_eq!(
        scope.as_str(),
        "https://www.googleapis.com/auth/dataportability.myactivity.search"
    );
    assert_eq!(scope.short_name(), "myactivity.search");
    assert_eq!(scope.as_str().parse::<Scope>(), Ok(scope));
    for scope in Scope::ALL {
        assert_eq!(scope.as_str().parse::<Scope>(), Ok(*scope));
        assert_eq!(scope.short_name().parse::<Scope>(), Ok(*scope));
        assert!(!scope.description().is_empty());
    }
    let error = "businessmessaging.conversations".parse::<Scope>().unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"unknown OAuth scope "businessmessaging.conversations""#
    );
}

#[test]
fn the_crate_carries_its_revision() {
    assert_eq!(REVISION, "20260927");
}

#[test]
fn enums_and_unknown_fields_round_trip() {
    let json = r#"{"state":"CANCELLED","urls":["u"],"startTime":"2026-01-01T00:00:00Z","newField":true}"#;
    let state: PortabilityArchiveState = serde_json::from_str(json).unwrap();
    assert_eq!(state.state, Some(State::Cancelled));
    assert_eq!(
        serde_json::to_string(&state).unwrap(),
        r#"{"startTime":"2026-01-01T00:00:00Z","state":"CANCELLED","urls":["u"],"newField":true}"#
    );
    let future: PortabilityArchiveState = serde_json::from_str(r#"{"state":"ARCHIVED"}"#).unwrap();
    match &future.state {
        Some(State::UnknownValue(value)) => assert_eq!(value.as_str(), "ARCHIVED"),
        other => panic!("expected an unknown value, got {other:?}"),
    }
    assert_eq!(future.state, Some(State::from("ARCHIVED")));
    assert_eq!(serde_json::to_string(&future).unwrap(), r#"{"state":"ARCHIVED"}"#);
    assert_eq!(State::from("IN_PROGRESS"), State::InProgress);
    assert_eq!(State::InProgress.to_string(), "IN_PROGRESS");
}

#[test]
fn empty_requests_serialize_as_empty_objects() {
    let request = InitiatePortabilityArchiveRequest::default();
    assert_eq!(serde_json::to_string(&request).unwrap(), "{}");
}

#[test]
fn the_documents_mtls_and_regional_endpoints_are_on_the_builder() {
    let mtls = dataportability_v1::Client::builder().mtls_endpoint().build().unwrap();
    assert_eq!(
        mtls.runtime().base_url(),
        "https://dataportability.mtls.googleapis.com/"
    );
    let error = dataportability_v1::Client::builder()
        .location("europe-west1")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("declares none"), "{error}");

    let regional = specialcases_v1::Client::builder().location("us-east1").build().unwrap();
    assert_eq!(
        regional.runtime().base_url(),
        "https://specialcases.us-east1.rep.googleapis.com/special/v1/"
    );
    assert_eq!(specialcases_v1::ENDPOINTS.len(), 2);
}
