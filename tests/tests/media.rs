//! Generated media methods: `download()` streams the media, `upload()` sends it with the
//! request's metadata, and the document's limits are checked before sending.

use futures_util::TryStreamExt;
use specialcases_v1::models::Box as Thing;
use specialcases_v1::runtime::{Media, ResumableMedia};
use specialcases_v1::{Client, Error};
use tests::RecordingServer;

async fn setup() -> (RecordingServer, Client) {
    let server = RecordingServer::start().await.expect("server starts");
    let client = Client::builder().endpoint(server.url()).build().expect("client builds");
    (server, client)
}

#[tokio::test]
async fn download_streams_the_media_of_a_get() {
    let (server, client) = setup().await;
    let media = "x".repeat(200_000);
    server.respond(200, &media);

    let download = client
        .projects()
        .locations_resource()
        .things()
        .get("projects/p/locations/l/things/t")
        .download()
        .await
        .unwrap();
    let bytes: Vec<_> = download.into_stream().try_collect().await.unwrap();

    assert_eq!(bytes.concat(), media.as_bytes());
    let sent = server.take_single();
    assert_eq!(sent.path, "/special/v1/v1/projects/p/locations/l/things/t");
    assert_eq!(sent.query, "alt=media");
}

#[tokio::test]
async fn upload_sends_metadata_and_media_to_the_upload_path() {
    let (server, client) = setup().await;
    server.respond(200, r#"{"inner": "stored"}"#);

    let thing = client
        .projects()
        .locations_resource()
        .things()
        .insert(
            "projects/p/locations/l",
            Thing {
                inner: Some("meta".into()),
                ..Default::default()
            },
        )
        .upload(Media::new("text/plain", "hello"))
        .await
        .unwrap();

    assert_eq!(thing.inner.as_deref(), Some("stored"));
    let sent = server.take_single();
    assert_eq!(sent.path, "/upload/special/v1/v1/projects/p/locations/l/things");
    assert_eq!(sent.query, "uploadType=multipart");
    let body = String::from_utf8_lossy(&sent.body);
    assert!(
        body.contains(r#"{"inner":"meta"}"#) && body.contains("\r\n\r\nhello\r\n"),
        "{body}"
    );
}

#[tokio::test]
async fn the_documents_limits_are_enforced_before_sending() {
    let (server, client) = setup().await;
    let things = client.projects().locations_resource().things();

    let too_big = things
        .insert("projects/p/locations/l", Thing::default())
        .upload(Media::new("text/plain", vec![b'a'; 10 * 1024 * 1024 + 1]))
        .await
        .unwrap_err();
    let wrong_type = things
        .insert("projects/p/locations/l", Thing::default())
        .upload_resumable(ResumableMedia::from_bytes("image/png", "png"))
        .await
        .unwrap_err();

    for error in [&too_big, &wrong_type] {
        assert!(
            matches!(error, Error::InvalidArgument { parameter, .. } if parameter == "media"),
            "{error:?}"
        );
    }
    assert!(server.requests().is_empty());
}

/// Google's own clients start a resumable session at the simple path with
/// `uploadType=resumable`; the document's `resumable.path` is used only by a method that has
/// no simple path. (The recording server sends no `Location`, so each upload stops there.)
#[tokio::test]
async fn resumable_sessions_start_at_the_simple_path() {
    let (server, client) = setup().await;
    let things = client.projects().locations_resource().things();

    server.respond(200, "{}");
    let error = things
        .insert("projects/p/locations/l", Thing::default())
        .upload_resumable(ResumableMedia::from_bytes("text/plain", "hello"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Upload { .. }), "{error:?}");
    let sent = server.take_single();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str(), sent.query.as_str()),
        (
            "POST",
            "/upload/special/v1/v1/projects/p/locations/l/things",
            "uploadType=resumable"
        )
    );

    server.respond(200, "{}");
    things
        .import("projects/p/locations/l")
        .upload_resumable(ResumableMedia::from_bytes("text/plain", "hello"))
        .await
        .unwrap_err();
    let sent = server.take_single();
    assert_eq!(
        (sent.path.as_str(), sent.query.as_str()),
        (
            "/resumable/upload/special/v1/v1/projects/p/locations/l/things:import",
            "uploadType=resumable"
        )
    );
}
