//! The reference crate reads as `rustfmt` formats it: every file of
//! `generated/dataportability-v1/src`, without its `rustfmt::skip` line, is what `rustfmt` (its
//! default settings, the 2024 edition) makes of it. The emitters lay code out as `rustfmt`
//! would; this test catches a layout rule they miss.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The line that keeps `rustfmt` (and `cargo fmt`) away from generated files.
const SKIP: &str = "#![cfg_attr(rustfmt, rustfmt::skip)]\n";

#[test]
fn the_reference_crate_is_laid_out_as_rustfmt_lays_it_out() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/dataportability-v1/src");
    // An empty configuration: the defaults, not the workspace's `rustfmt.toml`.
    let config_dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(config_dir.path().join("rustfmt.toml"), "").expect("empty rustfmt.toml");

    let mut files = Vec::new();
    collect_rs(&crate_dir, &mut files);
    files.sort();
    assert!(files.len() > 5, "{} files in {}", files.len(), crate_dir.display());
    let mut differing = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("generated file is readable");
        let unskipped = text.replacen(SKIP, "", 1);
        let formatted = rustfmt(&unskipped, config_dir.path());
        if formatted != unskipped {
            differing.push(first_difference(file, &unskipped, &formatted));
        }
    }
    assert!(
        differing.is_empty(),
        "rustfmt lays these out otherwise:\n{}",
        differing.join("\n")
    );
}

fn collect_rs(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("directory is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rs(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// `text` as `rustfmt` formats it, with the configuration in `config_dir`.
fn rustfmt(text: &str, config_dir: &Path) -> String {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--config-path"])
        .arg(config_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rustfmt runs (rustup component add rustfmt)");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(text.as_bytes())
        .expect("rustfmt reads the file");
    let output = child.wait_with_output().expect("rustfmt finishes");
    assert!(
        output.status.success(),
        "rustfmt failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("rustfmt writes UTF-8")
}

/// The first line where the two texts differ, with both versions of it.
fn first_difference(file: &Path, written: &str, formatted: &str) -> String {
    let line = written
        .lines()
        .zip(formatted.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| written.lines().count().min(formatted.lines().count()));
    let at = |text: &str| text.lines().nth(line).unwrap_or("<end of file>").to_owned();
    format!(
        "{}:{}: written {:?}, rustfmt {:?}",
        file.display(),
        line + 1,
        at(written),
        at(formatted)
    )
}
