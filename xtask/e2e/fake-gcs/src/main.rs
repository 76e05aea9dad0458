//! The program `cargo xtask e2e` runs: the generated storage.v1 client against
//! fake-gcs-server, as a user's program would drive it. Every step asserts what it got.
//!
//! Usage: `fake-gcs-e2e SERVER_ADDR PROXY_ADDR` (fake-gcs-server listens on SERVER_ADDR with
//! `-external-url http://PROXY_ADDR`; the program's proxy listens on PROXY_ADDR).
//!
//! Where fake-gcs-server answers differently from Google, the step says so, with the source
//! for Google's behaviour.

mod proxy;

use std::collections::BTreeMap;
use std::future::Future;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use futures_util::TryStreamExt;
use serde_json::Value;
use storage_v1::models::{Bucket, Object};
use storage_v1::prelude::*;
use storage_v1::runtime::reqwest::header::{HeaderValue, RANGE};
use storage_v1::runtime::{Media, ResumableMedia, RetryPolicy};
use storage_v1::{Client, Error};

use crate::proxy::Proxy;

const PROJECT: &str = "e2e-project";
const BUCKET: &str = "e2e-bucket";
/// The resumable upload granularity, and the chunk size the uploads use.
const CHUNK: usize = 256 * 1024;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => {
            println!("every step passed");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("FAILED: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [server, listen] = args.as_slice() else {
        bail!("usage: fake-gcs-e2e SERVER_ADDR PROXY_ADDR");
    };
    let proxy = Proxy::start(listen.parse()?, server.parse()?).await?;
    let client = Client::builder()
        .endpoint(format!("http://{listen}/"))
        .retry_policy(
            RetryPolicy::new()
                .with_initial_backoff(Duration::from_millis(10))
                .with_max_backoff(Duration::from_millis(100)),
        )
        .build()?;

    step("buckets: insert, get, list (items)", buckets(&client)).await?;
    step(
        "objects: simple, multipart and resumable uploads",
        uploads(&client, &proxy),
    )
    .await?;
    step(
        "objects: resumable upload resumed after a dropped connection",
        interrupted_upload(&client, &proxy),
    )
    .await?;
    step("objects: streamed downloads, byte for byte", downloads(&client)).await?;
    step("objects: a Range read", range_read(&client)).await?;
    step("objects: pages() over several pages", paging(&client)).await?;
    step("objects: patch of metadata", patch(&client)).await?;
    step("errors: 404, 409, 412 as typed errors", errors(&client)).await?;
    step("delete: an object and a bucket", delete(&client)).await?;
    Ok(())
}

async fn step(name: &str, work: impl Future<Output = Result<()>>) -> Result<()> {
    let started = Instant::now();
    work.await.with_context(|| format!("step {name:?}"))?;
    println!("ok  {name} ({} ms)", started.elapsed().as_millis());
    Ok(())
}

/// Deterministic, non-repeating-looking content of `len` bytes.
fn content(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| ((i * 31 + i / 251) as u8) ^ seed).collect()
}

/// The objects the upload step stores: name and content.
fn stored() -> [(&'static str, Vec<u8>); 4] {
    [
        ("simple.txt", b"uploaded with uploadType=media".to_vec()),
        ("multipart.bin", content(300_000, 1)),
        ("resumable.bin", content(5 * CHUNK + 1000, 2)),
        ("interrupted.bin", content(4 * CHUNK + 123, 3)),
    ]
}

async fn buckets(client: &Client) -> Result<()> {
    let created = client
        .buckets()
        .insert(
            PROJECT,
            Bucket {
                name: Some(BUCKET.into()),
                ..Default::default()
            },
        )
        .send()
        .await?;
    ensure!(created.name.as_deref() == Some(BUCKET), "inserted {created:?}");
    let got = client.buckets().get(BUCKET).send().await?;
    ensure!(
        got.name.as_deref() == Some(BUCKET) && got.time_created.is_some(),
        "got {got:?}"
    );

    let mut expected = vec![BUCKET.to_owned()];
    for i in 0..4 {
        let name = format!("e2e-list-{i}");
        client
            .buckets()
            .insert(
                PROJECT,
                Bucket {
                    name: Some(name.clone()),
                    ..Default::default()
                },
            )
            .send()
            .await?;
        expected.push(name);
    }
    let mut names: Vec<String> = client
        .buckets()
        .list(PROJECT)
        .max_results(2)
        .items()
        .map_ok(|bucket| bucket.name.unwrap_or_default())
        .try_collect()
        .await?;
    names.sort();
    expected.sort();
    ensure!(names == expected, "items() listed {names:?}, expected {expected:?}");
    // fake-gcs-server returns every bucket in one page: its listBuckets ignores maxResults
    // and pageToken. Google returns at most maxResults buckets per page, with a
    // nextPageToken (https://cloud.google.com/storage/docs/json_api/v1/buckets/list), so
    // items() over several pages is shown against our own server (tests/tests/paging.rs).
    let pages: Vec<_> = client
        .buckets()
        .list(PROJECT)
        .max_results(2)
        .pages()
        .try_collect()
        .await?;
    ensure!(
        pages.len() == 1,
        "fake-gcs-server now pages buckets ({} pages): update this step",
        pages.len()
    );
    Ok(())
}

async fn uploads(client: &Client, proxy: &Proxy) -> Result<()> {
    let [simple, multipart, resumable, _] = stored();
    let objects = client.objects();

    // A default request struct is no metadata: the media goes alone, named by `name`.
    let object = objects
        .insert(BUCKET, Object::default())
        .name(simple.0)
        .upload(Media::new("text/plain", simple.1.clone()))
        .await?;
    check_object(&object, simple.0, simple.1.len())?;

    let metadata = BTreeMap::from([("origin".to_owned(), "multipart".to_owned())]);
    let object = objects
        .insert(
            BUCKET,
            Object {
                name: Some(multipart.0.into()),
                metadata: metadata.clone(),
                ..Default::default()
            },
        )
        .upload(Media::new("application/octet-stream", multipart.1.clone()))
        .await?;
    check_object(&object, multipart.0, multipart.1.len())?;
    ensure!(object.metadata == metadata, "multipart metadata: {:?}", object.metadata);

    let before = proxy.content_ranges();
    let object = objects
        .insert(
            BUCKET,
            Object {
                name: Some(resumable.0.into()),
                ..Default::default()
            },
        )
        .upload_resumable(
            ResumableMedia::from_bytes("application/octet-stream", resumable.1.clone()).with_chunk_size(CHUNK as u64),
        )
        .await?;
    check_object(&object, resumable.0, resumable.1.len())?;
    let ranges = new_session(&before, &proxy.content_ranges())?;
    let total = resumable.1.len();
    let expected: Vec<String> = (0..total)
        .step_by(CHUNK)
        .map(|start| format!("bytes {start}-{}/{total}", (start + CHUNK).min(total) - 1))
        .collect();
    ensure!(ranges == expected, "the chunks sent: {ranges:?}");
    println!("    resumable upload: {} chunks", ranges.len());

    // Every protocol posts to the document's simple path, as Google's own clients do.
    let path = format!("/upload/storage/v1/b/{BUCKET}/o");
    let expected: Vec<_> = ["media", "multipart", "resumable"]
        .into_iter()
        .map(|upload_type| (path.clone(), upload_type.to_owned()))
        .collect();
    ensure!(proxy.uploads() == expected, "uploads sent: {:?}", proxy.uploads());
    Ok(())
}

async fn interrupted_upload(client: &Client, proxy: &Proxy) -> Result<()> {
    let [.., (name, data)] = stored();
    let total = data.len();
    let before = proxy.content_ranges();
    // The second chunk's connection is dropped after 100 000 of its bytes.
    proxy.cut_chunk(CHUNK as u64, 100_000);
    let object = client
        .objects()
        .insert(
            BUCKET,
            Object {
                name: Some(name.into()),
                ..Default::default()
            },
        )
        .upload_resumable(ResumableMedia::from_bytes("application/octet-stream", data).with_chunk_size(CHUNK as u64))
        .await?;
    check_object(&object, name, total)?;
    ensure!(proxy.cuts() == 1, "the proxy dropped {} connections", proxy.cuts());
    // After the drop, the client asked how much the server had (`bytes */N`) and went on
    // from there: the second chunk again, never the first.
    let ranges = new_session(&before, &proxy.content_ranges())?;
    let chunk = |start: usize| format!("bytes {start}-{}/{total}", (start + CHUNK).min(total) - 1);
    let expected = vec![
        chunk(0),
        chunk(CHUNK),
        format!("bytes */{total}"),
        chunk(CHUNK),
        chunk(2 * CHUNK),
        chunk(3 * CHUNK),
        chunk(4 * CHUNK),
    ];
    ensure!(ranges == expected, "the requests of the session: {ranges:?}");
    println!("    sent: {}", ranges.join(", "));
    Ok(())
}

/// The `Content-Range`s of the one session that is in `after` but not in `before`.
fn new_session(before: &[(String, Vec<String>)], after: &[(String, Vec<String>)]) -> Result<Vec<String>> {
    let mut new = after.iter().filter(|(id, _)| !before.iter().any(|(old, _)| old == id));
    match (new.next(), new.next()) {
        (Some((_, ranges)), None) => Ok(ranges.clone()),
        _ => bail!("expected exactly one new upload session"),
    }
}

fn check_object(object: &Object, name: &str, size: usize) -> Result<()> {
    ensure!(
        object.name.as_deref() == Some(name) && object.bucket.as_deref() == Some(BUCKET),
        "stored {:?} in {:?}",
        object.name,
        object.bucket
    );
    ensure!(
        object.size == Some(size as u64),
        "{name}: size {:?}, expected {size}",
        object.size
    );
    Ok(())
}

async fn downloads(client: &Client) -> Result<()> {
    for (name, data) in stored() {
        let mut download = client.objects().get(BUCKET, name).download().await?;
        ensure!(download.status() == 200, "{name}: status {}", download.status());
        // Compared chunk by chunk as they arrive, never collected.
        let mut offset = 0;
        let mut chunks = 0;
        while let Some(chunk) = download.chunk().await? {
            let end = offset + chunk.len();
            ensure!(end <= data.len(), "{name}: more than {} bytes", data.len());
            ensure!(chunk[..] == data[offset..end], "{name}: bytes {offset}..{end} differ");
            offset = end;
            chunks += 1;
        }
        ensure!(offset == data.len(), "{name}: {offset} bytes of {}", data.len());
        println!("    {name}: {offset} bytes in {chunks} chunks");
    }
    Ok(())
}

async fn range_read(client: &Client) -> Result<()> {
    let [_, _, (name, data), _] = stored();
    let download = client
        .objects()
        .get(BUCKET, name)
        .header(RANGE, HeaderValue::from_static("bytes=1000-299999"))
        .download()
        .await?;
    ensure!(download.status() == 206, "status {}", download.status());
    let content_range = download.headers().get("content-range").and_then(|v| v.to_str().ok());
    let expected_range = format!("bytes 1000-299999/{}", data.len());
    ensure!(
        content_range == Some(expected_range.as_str()),
        "Content-Range {content_range:?}"
    );
    let bytes: Vec<_> = download.into_stream().try_collect().await?;
    ensure!(bytes.concat() == data[1000..300_000], "the range's bytes differ");
    Ok(())
}

async fn paging(client: &Client) -> Result<()> {
    let mut expected = Vec::new();
    for i in 0..7 {
        let name = format!("page/object-{i}");
        client
            .objects()
            .insert(BUCKET, Object::default())
            .name(name.as_str())
            .upload(Media::new("text/plain", name.clone()))
            .await?;
        expected.push(name);
    }
    let pages: Vec<_> = client
        .objects()
        .list(BUCKET)
        .prefix("page/")
        .max_results(2)
        .pages()
        .try_collect()
        .await?;
    let sizes: Vec<usize> = pages.iter().map(|page| page.items.len()).collect();
    ensure!(sizes == [2, 2, 2, 1], "page sizes {sizes:?}");
    let names: Vec<String> = pages
        .into_iter()
        .flat_map(|page| page.items)
        .filter_map(|object| object.name)
        .collect();
    ensure!(names == expected, "listed {names:?}");
    // objects.list has no items(): its response has two repeated fields, `items` and
    // `prefixes`, so which one is "the items" is not unambiguous (see the README).
    Ok(())
}

async fn patch(client: &Client) -> Result<()> {
    let name = "multipart.bin";
    let before = client.objects().get(BUCKET, name).send().await?;
    let patched = client
        .objects()
        .patch(
            BUCKET,
            name,
            Object {
                metadata: BTreeMap::from([("reviewed".to_owned(), "yes".to_owned())]),
                content_language: Some("en".into()),
                ..Default::default()
            },
        )
        .if_metageneration_match(before.metageneration.context("no metageneration")?)
        .send()
        .await?;
    // Patch semantics: the keys sent are changed, the others kept
    // (https://cloud.google.com/storage/docs/json_api/v1/objects/patch).
    let expected = BTreeMap::from([
        ("origin".to_owned(), "multipart".to_owned()),
        ("reviewed".to_owned(), "yes".to_owned()),
    ]);
    ensure!(
        patched.metadata == expected,
        "metadata after patch: {:?}",
        patched.metadata
    );
    ensure!(patched.content_language.as_deref() == Some("en"), "{patched:?}");
    ensure!(
        patched.size == before.size && patched.md5_hash == before.md5_hash,
        "the media changed"
    );
    let got = client.objects().get(BUCKET, name).send().await?;
    ensure!(got.metadata == expected, "metadata read back: {:?}", got.metadata);

    // A read-modify-write keeps fields this crate does not know (a newer API revision's):
    // fake-gcs-server sends none, so one is added to what it sent, as a newer server would.
    let mut json = serde_json::to_value(&got)?;
    json["fieldFromTheFuture"] = serde_json::json!({"nested": [1, 2, 3]});
    let round_trip = serde_json::to_value(serde_json::from_value::<Object>(json.clone())?)?;
    ensure!(
        round_trip.get("fieldFromTheFuture") == json.get("fieldFromTheFuture"),
        "an unknown field was lost in a read-modify-write: {round_trip}"
    );
    Ok(())
}

async fn errors(client: &Client) -> Result<()> {
    // Google's reasons are `notFound`, `conflict` and `conditionNotMet`
    // (https://cloud.google.com/storage/docs/json_api/v1/status-codes); fake-gcs-server puts
    // the HTTP status text there (`Not Found`, `Conflict`, `Precondition Failed`). Either way
    // the error is typed, with the status and the server's reason.
    let missing = client.objects().get(BUCKET, "no-such-object").send().await;
    let reason = api_error(missing, 404)?;
    println!("    404 reason {reason:?}");

    let again = client
        .buckets()
        .insert(
            PROJECT,
            Bucket {
                name: Some(BUCKET.into()),
                ..Default::default()
            },
        )
        .send()
        .await;
    let reason = api_error(again, 409)?;
    println!("    409 reason {reason:?}");

    // fake-gcs-server v1.54.0 checks ifGenerationMatch on multipart uploads only (its
    // simpleUpload and uploadFileContent create the object with NoConditions); Google checks
    // it on every upload (https://cloud.google.com/storage/docs/request-preconditions). A
    // multipart upload meets the check on both.
    let stale = client
        .objects()
        .insert(
            BUCKET,
            Object {
                name: Some("simple.txt".into()),
                ..Default::default()
            },
        )
        .if_generation_match(1)
        .upload(Media::new("text/plain", "overwrite"))
        .await;
    let reason = api_error(stale, 412)?;
    println!("    412 reason {reason:?}");
    Ok(())
}

/// The reason of the API error `result` must be, with status `status`.
fn api_error<T: std::fmt::Debug>(result: Result<T, Error>, status: u16) -> Result<String> {
    match result {
        Ok(value) => bail!("expected HTTP {status}, got {value:?}"),
        Err(Error::Api(api)) => {
            ensure!(api.status.as_u16() == status, "expected HTTP {status}: {api}");
            ensure!(api.is_google_format, "not Google's error format: {api}");
            Ok(api.reason().with_context(|| format!("no reason: {api}"))?.to_owned())
        }
        Err(other) => bail!("expected an API error with HTTP {status}, got {other}"),
    }
}

async fn delete(client: &Client) -> Result<()> {
    client.objects().delete(BUCKET, "simple.txt").send().await?;
    api_error(client.objects().get(BUCKET, "simple.txt").send().await, 404)?;
    client.buckets().delete("e2e-list-0").send().await?;
    api_error(client.buckets().get("e2e-list-0").send().await, 404)?;
    Ok(())
}
