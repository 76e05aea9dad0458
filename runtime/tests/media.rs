//! Media downloads and uploads (simple, multipart, resumable) against a scripted server on
//! 127.0.0.1.

mod support;

use std::time::Duration;

use discovery_runtime::__private::{Call, HttpMethod, MethodInfo, PathParam, UploadInfo};
use discovery_runtime::{Client, ClientBuilder, Error, Media, ResumableMedia, RetryPolicy};
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use support::{API, Reply, Server};

const INSERT: MethodInfo = MethodInfo::new("test.things.insert", HttpMethod::Post, &[PathParam::Literal("things")]);
const UPLOAD: UploadInfo = UploadInfo::new(
    Some(&[PathParam::Literal("upload/svc/v1/things")]),
    Some(&[PathParam::Literal("resumable/upload/svc/v1/things")]),
    Some(1 << 20),
    &["text/*", "application/octet-stream"],
);
const GET: MethodInfo = support::GET;

fn client(server: &Server) -> Client {
    ClientBuilder::new(&API)
        .endpoint(server.url())
        .retry_policy(RetryPolicy::new().with_initial_backoff(Duration::from_millis(1)))
        .build()
        .expect("client")
}

fn media(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[tokio::test]
async fn a_download_streams_the_body_with_alt_media() {
    let body = media(100_000);
    let server = Server::start(
        [Reply::Respond {
            status: 200,
            headers: vec![],
            body: body.clone(),
            chunked: true,
        }],
        Reply::Close,
    );

    let mut call = Call::new(&client(&server), &GET);
    call.set_query("fields", "x");
    let download = call.send_download::<()>(None).await.unwrap();
    let chunks: Vec<_> = download.into_stream().try_collect().await.unwrap();

    assert!(chunks.len() > 1, "the body arrives in pieces");
    assert_eq!(chunks.concat(), body);
    assert_eq!(server.requests()[0].target, "/svc/v1/things/1?fields=x&alt=media");
}

#[tokio::test]
async fn a_download_cut_short_is_an_error_not_a_short_success() {
    let server = Server::start(
        [Reply::Truncated {
            status: 200,
            body: vec![1; 1000],
            declared: 5000,
        }],
        Reply::Close,
    );

    let download = Call::new(&client(&server), &GET)
        .send_download::<()>(None)
        .await
        .unwrap();
    assert_eq!(download.content_length(), Some(5000));
    let result: Result<Vec<_>, _> = download.into_stream().try_collect().await;

    assert!(matches!(result, Err(Error::Transport { .. })), "{result:?}");
}

#[tokio::test]
async fn a_simple_upload_sends_the_media_alone() {
    let server = Server::start([Reply::json(200, r#"{"name": "a"}"#)], Reply::Close);

    let response: Value = Call::new(&client(&server), &INSERT)
        .send_upload::<(), _>(&UPLOAD, None, Media::new("text/plain", "hello"))
        .await
        .unwrap();

    let sent = &server.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.target.as_str()),
        ("POST", "/upload/svc/v1/things?uploadType=media")
    );
    assert_eq!(sent.header("content-type"), Some("text/plain"));
    assert_eq!(sent.body, b"hello");
    assert_eq!(response, json!({"name": "a"}));
}

#[tokio::test]
async fn empty_metadata_is_a_simple_upload() {
    let server = Server::start([Reply::json(200, r#"{"name": "a"}"#)], Reply::Close);

    let _: Value = Call::new(&client(&server), &INSERT)
        .send_upload(&UPLOAD, Some(&json!({})), Media::new("text/plain", "hello"))
        .await
        .unwrap();

    let sent = &server.requests()[0];
    assert_eq!(sent.target, "/upload/svc/v1/things?uploadType=media");
    assert_eq!(sent.body, b"hello");
}

#[tokio::test]
async fn a_multipart_upload_sends_metadata_then_media() {
    let server = Server::start([Reply::json(200, r#"{"name": "a"}"#)], Reply::Close);

    let _: Value = Call::new(&client(&server), &INSERT)
        .send_upload(&UPLOAD, Some(&json!({"name": "a"})), Media::new("text/plain", "hello"))
        .await
        .unwrap();

    let sent = &server.requests()[0];
    assert_eq!(sent.target, "/upload/svc/v1/things?uploadType=multipart");
    let content_type = sent.header("content-type").unwrap();
    let boundary = content_type.strip_prefix("multipart/related; boundary=").unwrap();
    let expected = format!(
        "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{\"name\":\"a\"}}\r\n\
         --{boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
    );
    assert_eq!(String::from_utf8_lossy(&sent.body), expected);
}

#[tokio::test]
async fn limits_are_checked_before_anything_is_sent() {
    let server = Server::start([], Reply::json(200, "{}"));
    let client = client(&server);

    let too_big = Call::new(&client, &INSERT)
        .send_upload::<(), Value>(&UPLOAD, None, Media::new("text/plain", vec![0; (1 << 20) + 1]))
        .await
        .unwrap_err();
    let wrong_type = Call::new(&client, &INSERT)
        .send_resumable::<(), Value>(&UPLOAD, None, ResumableMedia::from_bytes("image/png", "x"))
        .await
        .unwrap_err();

    assert!(
        too_big.to_string().contains("over the method's limit of 1048576 bytes"),
        "{too_big}"
    );
    assert!(
        wrong_type
            .to_string()
            .contains(r#""image/png" is not one the method accepts"#),
        "{wrong_type}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_resumable_upload_resumes_from_the_offset_the_server_reports() {
    const CHUNK: usize = 256 * 1024;
    let total = 600_000;
    let data = media(total);
    // A relative Location resolves against the session start's URL.
    let session = "/session/1?upload_id=abc";
    let server = Server::start(
        [
            Reply::json(200, "").header("location", session),
            Reply::json(308, "").header("range", &format!("bytes=0-{}", CHUNK - 1)),
            // The connection drops during the second chunk ...
            Reply::Close,
            // ... and the server says it kept 300,000 bytes.
            Reply::json(308, "").header("range", "bytes=0-299999"),
            Reply::json(308, "").header("range", &format!("bytes=0-{}", 300_000 + CHUNK - 1)),
            Reply::json(200, r#"{"name": "done"}"#),
        ],
        Reply::Close,
    );
    let media = ResumableMedia::from_bytes("application/octet-stream", data.clone()).with_chunk_size(CHUNK as u64);

    let response: Value = Call::new(&client(&server), &INSERT)
        .send_resumable(&UPLOAD, Some(&json!({"name": "big"})), media)
        .await
        .unwrap();

    assert_eq!(response, json!({"name": "done"}));
    let requests = server.requests();
    let start = &requests[0];
    assert_eq!(
        (start.method.as_str(), start.target.as_str()),
        ("POST", "/resumable/upload/svc/v1/things?uploadType=resumable")
    );
    assert_eq!(start.header("x-upload-content-type"), Some("application/octet-stream"));
    assert_eq!(start.header("x-upload-content-length"), Some("600000"));
    assert_eq!(start.body, br#"{"name":"big"}"#);
    let ranges: Vec<&str> = requests[1..]
        .iter()
        .map(|r| r.header("content-range").unwrap())
        .collect();
    assert_eq!(
        ranges,
        [
            "bytes 0-262143/600000",
            "bytes 262144-524287/600000",
            "bytes */600000",
            "bytes 300000-562143/600000",
            "bytes 562144-599999/600000",
        ]
    );
    for request in &requests[1..] {
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("PUT", "/session/1?upload_id=abc")
        );
    }
    // What the server kept, then what was sent after the resume, is the whole media.
    let mut received = requests[1].body.clone();
    received.extend_from_slice(&requests[2].body[..300_000 - CHUNK]);
    received.extend_from_slice(&requests[4].body);
    received.extend_from_slice(&requests[5].body);
    assert_eq!(received, data);
}

#[tokio::test]
async fn a_resumable_upload_gives_up_within_the_retry_policy() {
    let server = Server::start([Reply::json(200, "").header("location", "/session/2")], Reply::Close);
    let client = ClientBuilder::<Client>::new(&API)
        .endpoint(server.url())
        .retry_policy(
            RetryPolicy::new()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();

    let error = Call::new(&client, &INSERT)
        .send_resumable::<(), Value>(&UPLOAD, None, ResumableMedia::from_bytes("text/plain", "abc"))
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(server.requests().len() <= 6, "bounded: {}", server.requests().len());
}
