//! Helpers shared by the unit tests: a one-shot local HTTP server and sample documents.

use std::io::{Read, Write};
use std::net::TcpListener;

use codegen::tiny_document::TinyDocument;
use serde_json::{Value, json};

/// Serves one HTTP/1.1 response on 127.0.0.1 and returns a URL that gets it.
pub(crate) fn serve_once(status_line: &'static str, body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local address").port();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut request = Vec::new();
        let mut buffer = [0u8; 1024];
        while !request.windows(4).any(|window| window == b"\r\n\r\n") {
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
            }
        }
        let response = format!(
            "HTTP/1.1 {status_line}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes());
    });
    format!("http://127.0.0.1:{port}/$discovery/rest?version=v1")
}

/// A small Data Portability Discovery document with the given revision and etag.
pub(crate) fn sample_document(revision: &str, etag: &str) -> Value {
    TinyDocument::new("dataportability", "v1")
        .revision(revision)
        .set("etag", json!(etag))
        .set("title", json!("Data Portability API"))
        .schemas(json!({
            "Zeta": {"id": "Zeta", "type": "object"},
            "Alpha": {"id": "Alpha", "type": "object", "properties": {"b": {"type": "string"}, "a": {"type": "integer"}}}
        }))
        .set("scopes", json!(["z", "a"]))
        .value()
}

/// A small hand-built generated crate with files at several depths.
pub(crate) fn sample_crate() -> codegen::GeneratedCrate {
    let files = [
        ("Cargo.toml", "[package]\nname = \"sample\"\n"),
        ("README.md", "# sample\n"),
        (
            "src/lib.rs",
            "//! Sample.\n\npub mod resources;\n\npub fn one() -> u32 {\n    1\n}\n",
        ),
        ("src/resources/mod.rs", "pub mod jobs;\n"),
        ("src/resources/jobs.rs", "pub struct Jobs;\n"),
    ];
    codegen::GeneratedCrate {
        name: "sample".into(),
        files: files
            .iter()
            .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
            .collect(),
    }
}

/// Writes `files` (keyed by `/`-separated relative paths) under `dir`.
pub(crate) fn write_files(dir: &std::path::Path, files: &std::collections::BTreeMap<String, String>) {
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
}
