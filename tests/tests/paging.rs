//! Pagination of generated list methods against a recording server: every page is fetched
//! with the previous page's token, items come out in order, and the stream ends on an error.

use futures_util::TryStreamExt;
use specialcases_v1::Client;
use specialcases_v1::models::Formats;
use tests::RecordingServer;

const PARENT: &str = "projects/p/locations/l";

async fn setup() -> (RecordingServer, Client) {
    let server = RecordingServer::start().await.expect("server starts");
    let client = Client::builder().endpoint(server.url()).build().expect("client builds");
    (server, client)
}

#[tokio::test]
async fn pages_follow_next_page_token_until_it_is_absent() {
    let (server, client) = setup().await;
    server.respond(200, r#"{"things": [{"refs": {}}], "nextPageToken": "t1"}"#);
    server.respond(200, r#"{"things": [], "nextPageToken": "t2", "unreachable": ["x"]}"#);
    server.respond(200, r#"{"things": [{}, {}]}"#);

    let pages: Vec<_> = client
        .projects()
        .locations_resource()
        .things()
        .list(PARENT)
        .page_size(2)
        .pages()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(pages.len(), 3);
    assert_eq!(pages[1].unreachable, ["x"]);
    let queries: Vec<String> = server.requests().into_iter().map(|r| r.query).collect();
    assert_eq!(
        queries,
        ["pageSize=2", "pageSize=2&pageToken=t1", "pageSize=2&pageToken=t2"]
    );
}

#[tokio::test]
async fn items_flatten_every_page_in_order() {
    let (server, client) = setup().await;
    server.respond(
        200,
        r#"{"things": [{"tags": ["RED"]}, {"tags": ["GREEN"]}], "nextPageToken": "t1"}"#,
    );
    server.respond(200, r#"{"things": [{"tags": ["BLUE"]}]}"#);

    let items: Vec<_> = client
        .projects()
        .locations_resource()
        .things()
        .list(PARENT)
        .items()
        .try_collect()
        .await
        .unwrap();

    let tags: Vec<&str> = items.iter().map(|thing| thing.tags[0].as_str()).collect();
    assert_eq!(tags, ["RED", "GREEN", "BLUE"]);
}

#[tokio::test]
async fn an_error_ends_the_stream_after_the_pages_before_it() {
    let (server, client) = setup().await;
    server.respond(200, r#"{"things": [{}], "nextPageToken": "t1"}"#);
    server.respond(
        400,
        r#"{"error": {"code": 400, "message": "bad filter", "status": "INVALID_ARGUMENT"}}"#,
    );

    let mut pages = client.projects().locations_resource().things().list(PARENT).pages();
    assert!(pages.try_next().await.unwrap().is_some());
    let error = pages.try_next().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert!(pages.try_next().await.unwrap().is_none(), "nothing after the error");
}

#[tokio::test]
async fn a_repeated_token_is_an_error_not_an_endless_loop() {
    let (server, client) = setup().await;
    server.respond(200, r#"{"nextPageToken": "same"}"#);
    server.respond(200, r#"{"nextPageToken": "same"}"#);

    let result: Result<Vec<_>, _> = client
        .projects()
        .locations_resource()
        .things()
        .list(PARENT)
        .pages()
        .try_collect()
        .await;

    let error = result.unwrap_err();
    assert!(
        error.to_string().contains("returned a page token twice (after page 2)"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_post_list_resends_its_body_with_every_page() {
    let (server, client) = setup().await;
    server.respond(200, r#"{"a": ["1"], "b": [], "nextPageToken": "t1"}"#);
    server.respond(200, r#"{"a": ["2"]}"#);
    let request = Formats {
        int64: Some(-7),
        ..Default::default()
    };

    let pages: Vec<_> = client
        .projects()
        .locations_resource()
        .things()
        .search(PARENT, request)
        .pages()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(pages.len(), 2);
    let requests = server.requests();
    for sent in &requests {
        assert_eq!(sent.method, "POST");
        assert_eq!(sent.path, "/special/v1/v1/projects/p/locations/l/things:search");
        assert_eq!(sent.json(), serde_json::json!({"int64": "-7"}));
    }
    assert_eq!(requests[1].query, "pageToken=t1");
}
