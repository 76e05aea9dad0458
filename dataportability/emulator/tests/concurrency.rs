//! 100 concurrent clients initiating and polling see consistent states.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use dataportability_emulator::{AccessType, EmulatorConfig};
use dataportability_v1::models::portability_archive_state::State;

const CLIENTS: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_clients_initiate_and_poll_consistently() {
    let config = EmulatorConfig {
        complete_after: Duration::from_millis(300),
        ..Default::default()
    };
    let emulator = emulator_with(config).await;
    let mut tasks = Vec::new();
    for n in 0..CLIENTS {
        let token = emulator
            .mint_token_for(&format!("user{n}@example.com"), [SEARCH], AccessType::OneTime)
            .expect("token");
        let client = client(&emulator, &token);
        tasks.push(tokio::spawn(async move {
            let id = initiate(&client, &[SEARCH]).await;
            let mut seen = Vec::new();
            for _ in 0..200 {
                let state = state_of(&client, &id).await;
                let done = state.state == Some(State::Complete);
                // URLs exactly when COMPLETE.
                assert_eq!(state.urls.len(), usize::from(done), "{state:?}");
                seen.push(state.state);
                if done {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (id, seen)
        }));
    }
    let mut ids = HashSet::new();
    for task in tasks {
        let (id, seen) = task.await.expect("a client task");
        assert!(ids.insert(id), "job ids are unique");
        // Monotonic: some IN_PROGRESS polls, then COMPLETE, never back.
        let first_complete = seen
            .iter()
            .position(|s| *s == Some(State::Complete))
            .expect("completes");
        assert!(
            seen[..first_complete].iter().all(|s| *s == Some(State::InProgress)),
            "{seen:?}"
        );
        assert_eq!(first_complete, seen.len() - 1);
    }
    assert_eq!(ids.len(), CLIENTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_racing_one_time_initiates_of_one_group_make_exactly_one_job() {
    let emulator = emulator().await;
    let token = emulator.mint_token([SEARCH], AccessType::OneTime).expect("token");
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let client = client(&emulator, &token);
        tasks.push(tokio::spawn(async move {
            client.portability_archive().initiate(request(&[SEARCH])).send().await
        }));
    }
    let mut created = 0;
    for task in tasks {
        match task.await.expect("a client task") {
            Ok(response) => {
                assert!(response.archive_job_id.is_some());
                created += 1;
            }
            // The others find the one job running: Google's answer to the same export again.
            Err(error) => {
                let job = error.metadata("job_id").map(str::to_owned);
                assert_eq!(api_error(Err::<(), _>(error)), (409, "ALREADY_EXISTS".to_owned()));
                assert!(job.is_some());
            }
        }
    }
    assert_eq!(created, 1);
}
