//! `cargo xtask diff` as a user runs it: exit status, formats, colour and `--code`, on small
//! documents in a temporary directory (no network: an unreachable URL is 127.0.0.1:1).

use std::path::{Path, PathBuf};
use std::process::Output;

use codegen::tiny_document::TinyDocument;
use serde_json::{Value, json};

/// A small document that the generator accepts: schema `Job` with `properties`, and `scopes`.
fn document(revision: &str, properties: Value, scopes: Value) -> Value {
    TinyDocument::new("dataportability", "v1")
        .revision(revision)
        .scopes(scopes)
        .schemas(json!({"Job": {"id": "Job", "type": "object", "properties": properties}}))
        .resources(json!({"jobs": {"methods": {"get": {
            "id": "dataportability.jobs.get",
            "httpMethod": "GET",
            "path": "v1/{+name}",
            "parameters": {"name": {"type": "string", "location": "path", "required": true}},
            "parameterOrder": ["name"],
            "response": {"$ref": "Job"},
        }}}}))
        .value()
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).expect("write document");
    path
}

fn xtask(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run xtask")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

/// Old and new documents: the new one adds a field (compatible) and, when `breaking`,
/// removes a scope.
fn pair(dir: &Path, breaking: bool) -> (String, String) {
    let scopes = json!({"https://www.googleapis.com/auth/dataportability.a": {"description": "A"}});
    let old = document("20240101", json!({"state": {"type": "string"}}), scopes.clone());
    let new_scopes = if breaking { json!({}) } else { scopes };
    let new = document(
        "20240202",
        json!({"state": {"type": "string"}, "startTime": {"type": "string", "format": "google-datetime"}}),
        new_scopes,
    );
    let old = write(dir, "old.json", &old);
    let new = write(dir, "new.json", &new);
    (old.display().to_string(), new.display().to_string())
}

#[test]
fn compatible_changes_exit_0_with_a_plain_text_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = pair(dir.path(), false);
    let output = xtask(&["diff", &old, &new]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.starts_with("dataportability:v1: revision 20240101 → 20240202\n"),
        "{text}"
    );
    assert!(
        text.contains("  + schemas.Job.properties.startTime: field added: string (google-datetime)\n"),
        "{text}"
    );
    assert!(text.ends_with("1 change: 0 breaking, 1 compatible\n"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour when stdout is not a terminal: {text:?}"
    );
}

#[test]
fn breaking_changes_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = pair(dir.path(), true);
    let output = xtask(&["diff", &old, &new]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains("Breaking changes (1):\n  - auth.oauth2.scopes: scope removed: https://www.googleapis.com/auth/dataportability.a\n"),
        "{text}"
    );
    let coloured = stdout(&xtask(&["diff", &old, &new, "--color", "always"]));
    assert!(coloured.contains("\u{1b}["), "{coloured:?}");
}

#[test]
fn json_has_the_documented_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = pair(dir.path(), true);
    let output = xtask(&["diff", &old, &new, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert_eq!(report["formatVersion"], 1);
    assert_eq!(report["api"], "dataportability:v1");
    assert_eq!(report["old"], json!({"source": old, "revision": "20240101"}));
    assert_eq!(
        report["summary"],
        json!({"changes": 2, "breaking": 1, "compatible": 1, "descriptionOnly": 0})
    );
    assert_eq!(report["code"], Value::Null);
    assert_eq!(
        report["changes"][0],
        json!({
            "impact": "breaking",
            "kind": "scope-removed",
            "path": "auth.oauth2.scopes",
            "subject": "https://www.googleapis.com/auth/dataportability.a",
            "old": null,
            "new": null,
            "message": "scope removed: https://www.googleapis.com/auth/dataportability.a",
            "reason": "code naming the Scope variant no longer compiles",
        })
    );
    assert_eq!(report["changes"][1]["new"], "string (google-datetime)");
}

#[test]
fn markdown_is_for_a_pull_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = pair(dir.path(), true);
    let text = stdout(&xtask(&["diff", &old, &new, "--format", "markdown"]));
    assert!(
        text.starts_with("### API changes: `dataportability:v1` 20240101 → 20240202\n"),
        "{text}"
    );
    assert!(text.contains("**2 changes: 1 breaking, 1 compatible**"), "{text}");
    assert!(
        text.contains("#### Breaking changes (1)\n\n- `auth.oauth2.scopes`: scope removed:"),
        "{text}"
    );
}

#[test]
fn code_shows_the_generated_crates_diff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = pair(dir.path(), false);
    let output = xtask(&["diff", &old, &new, "--code"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("changed: Cargo.toml\n"), "{text}");
    assert!(
        text.contains("-version = \"0.1.0+20240101\"\n+version = \"0.1.0+20240202\"\n"),
        "{text}"
    );
    assert!(text.contains("--- a/src/models.rs\n+++ b/src/models.rs\n"), "{text}");
    assert!(text.contains("+    pub start_time: "), "{text}");
}

#[test]
fn errors_exit_2_with_a_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.json").display().to_string();
    let output = xtask(&["diff", &missing, &missing]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("could not read") && error.contains("missing.json"),
        "{error}"
    );

    let (old, _) = pair(dir.path(), false);
    let url = "http://127.0.0.1:1/$discovery/rest?version=v1";
    let output = xtask(&["diff", &old, url]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains(url) && error.contains("if you are offline"), "{error}");

    let other = write(
        dir.path(),
        "other.json",
        &json!({"kind": "discovery#restDescription", "name": "drive", "version": "v3"}),
    );
    let output = xtask(&["diff", &old, &other.display().to_string()]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn one_argument_is_compared_with_the_committed_document() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let committed = root.join("discovery/dataportability.v1.json");
    let output = xtask(&["diff", &committed.display().to_string(), "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert_eq!(report["old"]["source"], "discovery/dataportability.v1.json");
    assert_eq!(report["summary"]["changes"], 0);
}
