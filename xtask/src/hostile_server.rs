//! `cargo xtask hostile-server`: the hostile-server suite, with its report. A broken or hostile
//! server (and, for the emulator, client) in every case of the `hostile` test targets of the
//! runtime, the export library, the CLI and the emulator; each test prints one line
//! `hostile-server: CASE | BOUND | KEPT`, collected here into a table.
//!
//! The cases are ordinary tests (`cargo test --workspace` runs them too, silently); this runs
//! them one at a time with their output, with the workspace's features, so it reuses the test
//! build.

use std::path::Path;
use std::process::{ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, Result};

use xtask::nested_cargo;

/// The prefix of a report line.
const MARKER: &str = "hostile-server: ";

/// Runs the suite; exit status 0 when every case held.
pub fn run(root: &Path) -> Result<ExitCode> {
    let started = Instant::now();
    let output = nested_cargo::command()
        .args([
            "test",
            "--workspace",
            "--test",
            "hostile",
            "--",
            "--nocapture",
            "--test-threads=1",
        ])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo test")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let rows = report_rows(&stdout);
    for (case, bound, kept) in &rows {
        println!("{case}\n    bound: {bound}\n    kept:  {kept}");
    }
    if !output.status.success() {
        print!("{stdout}");
        println!("hostile-server: a case failed ({})", output.status);
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "hostile-server: {} cases held ({:.1} s)",
        rows.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// The `(case, bound, kept)` of every report line (the test harness may print `test NAME ... `
/// before it on the same line).
fn report_rows(stdout: &str) -> Vec<(String, String, String)> {
    stdout
        .lines()
        .filter_map(|line| line.find(MARKER).map(|at| &line[at + MARKER.len()..]))
        .map(|row| {
            let mut parts = row.splitn(3, " | ").map(str::trim);
            let mut next = || parts.next().unwrap_or_default().to_owned();
            (next(), next(), next())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lines_are_found_after_the_test_name() {
        let stdout = "running 2 tests\ntest a ... hostile-server: case one | bound | 1 s\nok\n\
                      hostile-server: case two | b | kept | with a bar\ntest result: ok.\n";
        assert_eq!(
            report_rows(stdout),
            [
                ("case one".into(), "bound".into(), "1 s".into()),
                ("case two".into(), "b".into(), "kept | with a bar".into())
            ]
        );
    }
}
