//! The object-store sink against moto's S3 server: multipart uploads streamed in parts, the
//! checksums of the bytes sent, an upload cut before it completes leaves no object, and a
//! connection's objects are deleted by prefix. And `gs://` through object_store's Cloud
//! Storage backend against fake-gcs-server, as far as that server goes (see the test).

#[macro_use]
mod skip;
mod fake_gcs;
mod moto;

use std::io::Write as _;

use dataportability_server::object_sink::{ObjectSink, PART_SIZE};
use dataportability_server::sink::ArchiveSink;
use object_store::ObjectStore as _;
use object_store::path::Path as ObjectPath;

fn file_of(dir: &std::path::Path, name: &str, size: usize) -> (std::path::PathBuf, Vec<u8>) {
    let bytes: Vec<u8> = (0..size).map(|n| (n.wrapping_mul(2654435761) >> 13) as u8).collect();
    let path = dir.join(name);
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&bytes))
        .expect("file");
    (path, bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archives_go_up_in_parts_with_their_checksums_and_a_cut_upload_leaves_nothing() {
    let Some(moto) = moto::Moto::start("the object-store sink test").await else {
        return;
    };
    moto.bucket("archives").await;
    let store = moto.store("archives");
    let dir = tempfile::tempdir().expect("dir");
    let sink = ObjectSink::new(store.clone(), "exports/v1", dir.path().join("staging"));

    // Two and a half parts.
    let size = PART_SIZE * 5 / 2;
    let (path, bytes) = file_of(dir.path(), "big.zip", size);
    let stored = sink.put("c1/g/0000/big.zip", &path).await.expect("put");
    assert_eq!(stored.size, size as u64);
    assert_eq!(stored.crc32c, crc32c::crc32c(&bytes));
    assert_eq!(stored.md5, {
        use md5::Digest as _;
        hex::encode(md5::Md5::digest(&bytes))
    });
    let location = ObjectPath::from("exports/v1/c1/g/0000/big.zip");
    let got = store.get(&location).await.expect("get").bytes().await.expect("bytes");
    assert_eq!(got.len(), size);
    assert!(got == bytes, "the object holds the file's bytes");
    assert!(!path.exists(), "the staged file is gone once stored");

    // A kill during an upload: parts sent, never completed. No object exists.
    let cut = ObjectPath::from("exports/v1/c1/g/0001/cut.zip");
    let mut upload = store.put_multipart(&cut).await.expect("start");
    upload.put_part(vec![7u8; PART_SIZE].into()).await.expect("a part");
    drop(upload);
    assert!(
        matches!(store.head(&cut).await, Err(object_store::Error::NotFound { .. })),
        "an upload never completed is no object"
    );
    // The next attempt uploads the whole file again.
    let (path, small) = file_of(dir.path(), "cut.zip", 1000);
    let stored = sink.put("c1/g/0001/cut.zip", &path).await.expect("again");
    assert_eq!(stored.crc32c, crc32c::crc32c(&small));
    assert_eq!(store.head(&cut).await.expect("head").size, 1000);

    // Keys that leave the prefix are refused; a connection's objects go by prefix.
    let (path, _) = file_of(dir.path(), "x.zip", 10);
    assert!(sink.put("../escape.zip", &path).await.is_err());
    let (path, _) = file_of(dir.path(), "other.zip", 10);
    sink.put("c2/g/0000/other.zip", &path).await.expect("other");
    sink.delete_prefix("c1").await.expect("delete");
    assert!(matches!(
        store.head(&location).await,
        Err(object_store::Error::NotFound { .. })
    ));
    assert!(
        store
            .head(&ObjectPath::from("exports/v1/c2/g/0000/other.zip"))
            .await
            .is_ok()
    );
}

/// `gs://`: object_store's Cloud Storage client pointed at fake-gcs-server by a service-account
/// JSON (`gcs_base_url`, `disable_oauth`) reads, lists and deletes a connection's archives.
///
/// Uploads: object_store writes through Cloud Storage's XML API (`PUT /BUCKET/OBJECT`, and
/// `POST /BUCKET/OBJECT?uploads` for a multipart upload), and fake-gcs-server 1.54.0 implements
/// neither: its path-style routes send both to its JSON-API upload handler, which answers 400
/// `invalid uploadType` unless the request is a signed URL's (its `fakestorage/server.go` and
/// `upload.go`). So the upload half is tried, and reported as skipped with that reason while
/// the server answers so; objects are seeded through the JSON API's media upload instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archives_on_cloud_storage_are_read_listed_and_deleted_through_the_gcs_backend() {
    let Some(gcs) = fake_gcs::FakeGcs::start("the object-store sink test on gs://").await else {
        return;
    };
    gcs.bucket("archives").await;
    let store = gcs.store("archives");
    let dir = tempfile::tempdir().expect("dir");
    let sink = ObjectSink::new(store.clone(), "exports/v1", dir.path().join("staging"));

    let (_, one) = file_of(dir.path(), "one.zip", 3000);
    gcs.upload("archives", "exports/v1/c1/g/0000/one.zip", &one).await;
    gcs.upload("archives", "exports/v1/c2/g/0000/two.zip", b"two").await;
    let location = ObjectPath::from("exports/v1/c1/g/0000/one.zip");
    assert_eq!(store.head(&location).await.expect("head").size, 3000);
    let got = store.get(&location).await.expect("get").bytes().await.expect("bytes");
    assert!(got == one, "the object's bytes");

    // A connection's objects go by prefix (a JSON-API listing, then deletes).
    sink.delete_prefix("c1").await.expect("delete");
    assert!(matches!(
        store.head(&location).await,
        Err(object_store::Error::NotFound { .. })
    ));
    assert!(
        store
            .head(&ObjectPath::from("exports/v1/c2/g/0000/two.zip"))
            .await
            .is_ok()
    );

    // The upload: a multipart upload of two and a half parts.
    let size = PART_SIZE * 5 / 2;
    let (path, bytes) = file_of(dir.path(), "big.zip", size);
    match sink.put("c3/g/0000/big.zip", &path).await {
        Ok(stored) => {
            assert_eq!(stored.size, size as u64);
            assert_eq!(stored.crc32c, crc32c::crc32c(&bytes));
            let location = ObjectPath::from("exports/v1/c3/g/0000/big.zip");
            let got = store.get(&location).await.expect("get").bytes().await.expect("bytes");
            assert!(got == bytes, "the object holds the file's bytes");
        }
        Err(error) => {
            let text = format!("{error:?}");
            assert!(text.contains("invalid uploadType"), "an unexpected failure: {text}");
            skip_note!(
                "SKIPPED the upload half of the gs:// test: fake-gcs-server has no XML API upload \
                 (POST /BUCKET/OBJECT?uploads answered 400 invalid uploadType), which object_store's \
                 Cloud Storage backend uses for multipart uploads"
            );
        }
    }
}
