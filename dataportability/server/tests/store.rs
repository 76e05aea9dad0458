//! One test suite for both stores: every case runs on SQLite (a file in a temporary directory)
//! and on PostgreSQL (a database of its own, created for the case and dropped after it).
//!
//! PostgreSQL is the server named by `DATAPORTABILITY_TEST_POSTGRES` (for example
//! `postgres://postgres@127.0.0.1:5432/test`, a database the user may connect to and create
//! databases from); `.ci/run` sets it. Without it the PostgreSQL cases print why they are
//! skipped and pass.

#[macro_use]
mod skip;

use std::collections::BTreeSet;
use std::sync::Arc;

use dataportability_server::crypto::Sealed;
use dataportability_server::store::postgres::PgStore;
use dataportability_server::store::sqlite::SqliteStore;
use dataportability_server::store::{Archive, Consent, Effects, NewConnection, NewEvent, Status, Store};
use sqlx::Connection as _;

const SEARCH: &str = "myactivity.search";
const SAVED: &str = "saved.collections";

/// A store for one case; dropping it drops the PostgreSQL database.
struct Fixture {
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
    drop_db: Option<(String, String)>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.drop_db.take() {
            // Best effort, on a runtime of its own (the test's is ending).
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async {
                        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut conn)
                                .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

async fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("server.db")).await.expect("sqlite");
    Fixture {
        store: Arc::new(store),
        _dir: Some(dir),
        drop_db: None,
    }
}

/// A fresh database on the server of `DATAPORTABILITY_TEST_POSTGRES`, or `None` (printed).
async fn postgres(case: &str) -> Option<Fixture> {
    let Ok(admin) = std::env::var("DATAPORTABILITY_TEST_POSTGRES") else {
        skip_note!(
            "SKIPPED {case} on PostgreSQL: DATAPORTABILITY_TEST_POSTGRES is not set \
             (for example postgres://postgres@127.0.0.1:5432/test; .ci/run sets it)"
        );
        return None;
    };
    let name = format!("store_{}_{}", case, hex_suffix());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("DATAPORTABILITY_TEST_POSTGRES={admin}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let mut url = url::Url::parse(&admin).expect("DATAPORTABILITY_TEST_POSTGRES is a URL");
    url.set_path(&name);
    let store = PgStore::connect(url.as_str(), 8).await.expect("postgres");
    Some(Fixture {
        store: Arc::new(store),
        _dir: None,
        drop_db: Some((admin, name)),
    })
}

fn hex_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}_{:x}", std::process::id(), nanos & 0xffff_ffff)
}

/// Runs `$case` on SQLite and, when configured, on PostgreSQL.
macro_rules! both {
    ($($case:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let fixture = super::sqlite().await;
                    super::$case(fixture.store.clone()).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    if let Some(fixture) = super::postgres(stringify!($case)).await {
                        super::$case(fixture.store.clone()).await;
                    }
                }
            )*
        }
    };
}

both!(
    a_state_works_once_and_not_after_it_expires,
    consent_makes_granted_items_due_and_refuses_the_others,
    a_lease_is_held_by_one_worker_until_it_runs_out,
    save_writes_the_item_its_job_archives_and_events_at_once,
    heartbeat_and_graceful_release,
    concurrent_claims_never_hand_one_item_to_two_workers,
    needs_consent_and_end,
);

async fn connection(store: &Arc<dyn Store>, id: &str, state: &str) {
    let connection = NewConnection {
        id: id.to_owned(),
        user_ref: format!("user-{id}"),
        groups: vec![SEARCH.to_owned(), SAVED.to_owned()],
        return_url: Some("https://app.example/back".to_owned()),
        created_at: "2026-01-01T00:00:00Z".to_owned(),
    };
    store
        .create_connection(&connection, state, "verifier", 1_000_000)
        .await
        .expect("create");
}

fn consent(groups: &[&str], now_ms: i64) -> Consent {
    Consent {
        granted: groups.iter().map(|g| (*g).to_owned()).collect(),
        access_type: Some("ACCESS_TYPE_TIME_BASED".to_owned()),
        grant_end: None,
        sealed: Sealed {
            key_id: "k1".to_owned(),
            nonce: vec![1; 12],
            ciphertext: vec![2, 3, 4],
        },
        now: "2026-01-01T00:00:00Z".to_owned(),
        now_ms,
    }
}

/// A consented connection whose two items are due at `now_ms`.
async fn due(store: &Arc<dyn Store>, id: &str, now_ms: i64) {
    connection(store, id, &format!("state-{id}")).await;
    store
        .consented(id, &consent(&[SEARCH, SAVED], now_ms))
        .await
        .expect("consent");
}

async fn a_state_works_once_and_not_after_it_expires(store: Arc<dyn Store>) {
    connection(&store, "c1", "s1").await;
    connection(&store, "c2", "s2").await;
    assert_eq!(
        store.take_state("s1", 10).await.expect("take"),
        Some(("c1".to_owned(), "verifier".to_owned()))
    );
    assert_eq!(
        store.take_state("s1", 10).await.expect("again"),
        None,
        "a state works once"
    );
    assert_eq!(store.take_state("s2", 2_000_000).await.expect("late"), None, "expired");
    assert_eq!(
        store.take_state("s2", 10).await.expect("gone"),
        None,
        "an expired state is gone"
    );
}

async fn consent_makes_granted_items_due_and_refuses_the_others(store: Arc<dyn Store>) {
    connection(&store, "c1", "s1").await;
    store.consented("c1", &consent(&[SEARCH], 500)).await.expect("consent");
    let items = store.items("c1").await.expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!((items[0].group.as_str(), items[0].status), (SEARCH, Status::Due));
    assert_eq!(items[0].due_at, 500);
    assert!(items[0].granted);
    assert_eq!((items[1].group.as_str(), items[1].status), (SAVED, Status::NotGranted));
    let events = store.events(0, 10).await.expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].kind.as_str(), events[0].group.as_deref()),
        ("export_refused", Some(SAVED))
    );
    let grant = store.grant("c1").await.expect("grant").expect("a grant");
    assert_eq!(grant.ciphertext, vec![2, 3, 4]);
    let connection = store.connection("c1").await.expect("get").expect("exists");
    assert_eq!(connection.groups, vec![SEARCH.to_owned(), SAVED.to_owned()]);
    assert_eq!(store.next_due().await.expect("next"), Some(500));
}

async fn a_lease_is_held_by_one_worker_until_it_runs_out(store: Arc<dyn Store>) {
    due(&store, "c1", 100).await;
    assert!(
        store.claim("a", 50, 50, 1_000, 10).await.expect("early").is_empty(),
        "not due yet"
    );
    let taken = store.claim("a", 100, 100, 1_000, 10).await.expect("claim");
    assert_eq!(taken.len(), 2);
    assert!(
        store.claim("b", 999, 999, 2_000, 10).await.expect("held").is_empty(),
        "leased to a"
    );
    // The lease runs out: b takes the items over, and a can no longer write them.
    assert_eq!(store.leases_taken_over(), 0, "no lease had run out");
    let over = store.claim("b", 1_001, 1_001, 2_000, 10).await.expect("take over");
    assert_eq!(over.len(), 2);
    assert_eq!(store.leases_taken_over(), 2, "both leases had run out");
    let mut item = taken[0].clone();
    item.status = Status::Polling;
    assert!(
        !store.save("a", &item, &Effects::default()).await.expect("save"),
        "a lost the lease"
    );
    assert_eq!(
        store.items("c1").await.expect("items")[0].status,
        Status::Due,
        "nothing written"
    );
    assert!(store.save("b", &item, &Effects::default()).await.expect("save b"));
    assert_eq!(store.items("c1").await.expect("items")[0].status, Status::Polling);
}

async fn save_writes_the_item_its_job_archives_and_events_at_once(store: Arc<dyn Store>) {
    due(&store, "c1", 0).await;
    let mut item = store.claim("w", 0, 0, 1_000, 1).await.expect("claim").remove(0);
    item.status = Status::Initiating;
    item.job_id = Some("job-1".to_owned());
    let effects = Effects {
        new_job: Some("job-1".to_owned()),
        keep_lease: true,
        ..Effects::default()
    };
    assert!(store.save("w", &item, &effects).await.expect("save"));
    assert!(
        store
            .claim("x", 0, 0, 1_000, 10)
            .await
            .expect("claim")
            .iter()
            .all(|i| i.group != item.group),
        "kept"
    );
    // The same job twice is recorded once.
    assert!(store.save("w", &item, &effects).await.expect("again"));
    assert_eq!(
        store.jobs("c1", &item.group).await.expect("jobs"),
        vec!["job-1".to_owned()]
    );
    item.status = Status::Due;
    item.round = 1;
    item.due_at = 86_400_000;
    let archive = Archive {
        connection_id: "c1".to_owned(),
        group: item.group.clone(),
        round: 0,
        object_key: format!("c1/{}/0000/a.zip", item.group),
        job_id: "job-1".to_owned(),
        size: 4096,
        crc32c: "0badcafe".to_owned(),
        md5: Some("00112233445566778899aabbccddeeff".to_owned()),
        start_time: None,
        export_time: Some("2026-01-01T00:00:00Z".to_owned()),
        stored_at: "2026-01-01T00:01:00Z".to_owned(),
    };
    let events = (0..3)
        .map(|n| NewEvent {
            kind: "archive_stored",
            connection_id: "c1".to_owned(),
            group: Some(item.group.clone()),
            data: serde_json::json!({ "n": n }),
            at: "2026-01-01T00:01:00Z".to_owned(),
        })
        .collect();
    let effects = Effects {
        archives: vec![archive.clone()],
        events,
        ..Effects::default()
    };
    assert!(store.save("w", &item, &effects).await.expect("save archive"));
    assert_eq!(store.archives("c1").await.expect("archives"), vec![archive]);
    let events = store.events(0, 10).await.expect("events");
    let numbers: Vec<_> = events.iter().map(|e| e.data["n"].as_i64()).collect();
    assert_eq!(numbers, vec![Some(0), Some(1), Some(2)]);
    assert!(events.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(store.events(events[1].seq, 10).await.expect("after").len(), 1);
    let saved = store.items("c1").await.expect("items");
    let saved = saved.iter().find(|i| i.group == item.group).expect("item");
    assert_eq!((saved.round, saved.due_at, saved.status), (1, 86_400_000, Status::Due));
    // The lease was given back: anyone may take the item when it is due.
    assert_eq!(
        store
            .claim("y", 86_400_000, 86_400_000, 86_500_000, 10)
            .await
            .expect("claim")
            .len(),
        2
    );
    let counts = store.counts().await.expect("counts");
    assert_eq!(counts.archives, 1);
    assert_eq!(counts.last_event, events[2].seq);
    assert_eq!(counts.min_round, 0);
    store.set_webhook_cursor(7).await.expect("cursor");
    store.set_webhook_cursor(9).await.expect("cursor");
    assert_eq!(store.webhook_cursor().await.expect("cursor"), 9);
}

async fn heartbeat_and_graceful_release(store: Arc<dyn Store>) {
    due(&store, "c1", 0).await;
    due(&store, "c2", 0).await;
    assert_eq!(store.claim("a", 0, 0, 1_000, 3).await.expect("claim").len(), 3);
    assert_eq!(store.claim("b", 0, 0, 1_000, 3).await.expect("claim").len(), 1);
    // a's heartbeat carries its three leases past their first end; b's one runs out.
    assert_eq!(store.renew("a", 5_000).await.expect("renew"), 3);
    assert_eq!(store.claim("c", 2_000, 2_000, 9_000, 10).await.expect("after").len(), 1);
    // a stops gracefully: its items are free at once.
    assert_eq!(store.release("a").await.expect("release"), 3);
    assert_eq!(
        store.claim("d", 2_000, 2_000, 9_000, 10).await.expect("released").len(),
        3
    );
    assert_eq!(store.release("a").await.expect("nothing"), 0);
}

async fn concurrent_claims_never_hand_one_item_to_two_workers(store: Arc<dyn Store>) {
    for n in 0..40 {
        due(&store, &format!("c{n:02}"), 0).await;
    }
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let owner = format!("w{worker}");
            let mut mine = Vec::new();
            loop {
                let items = store.claim(&owner, 0, 0, 1_000, 3).await.expect("claim");
                if items.is_empty() {
                    return mine;
                }
                mine.extend(items.into_iter().map(|i| (i.connection_id, i.group)));
            }
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("worker"));
    }
    let distinct: BTreeSet<_> = all.iter().cloned().collect();
    assert_eq!(all.len(), 80, "every item was taken");
    assert_eq!(distinct.len(), 80, "no item was taken twice");
}

async fn needs_consent_and_end(store: Arc<dyn Store>) {
    due(&store, "c1", 0).await;
    store.claim("w", 0, 0, 1_000, 10).await.expect("claim");
    store.needs_consent("c1", "revoked", "now").await.expect("needs");
    store.needs_consent("c1", "revoked", "now").await.expect("twice");
    let items = store.items("c1").await.expect("items");
    assert!(items.iter().all(|i| i.status == Status::NeedsConsent));
    assert!(store.grant("c1").await.expect("grant").is_none());
    let kinds: Vec<_> = store
        .events(0, 10)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec!["consent_needed".to_owned()], "one event");
    assert!(store.claim("x", 0, 0, 2_000, 10).await.expect("claim").is_empty());
    store.end("c1", true, "now").await.expect("end");
    let connection = store.connection("c1").await.expect("get").expect("kept");
    assert_eq!(connection.status.as_str(), "ended");
    assert!(store.archives("c1").await.expect("archives").is_empty());
    assert_eq!(store.next_due().await.expect("next"), None);
}
