//! `cargo xtask bench WHAT [ARGS..]`: runs one of the benchmarks of `BENCHMARKS.md`. A thin
//! wrapper: `codegen`, `requests`, `download` and `service` are `cargo run --release -p bench -- WHAT`,
//! `compile` is `bench/compile.sh` (it drives cargo itself, in `target/bench-compile/`).

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result};

/// The benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Benchmark {
    /// Codegen speed: dataportability.v1 and the corpus, against serde_json.
    Codegen,
    /// Compile cost: our youtube.v3/sheets.v4 crates against google-youtube3/google-sheets4.
    Compile,
    /// Request overhead: the generated client against plain reqwest, on the emulator.
    Requests,
    /// Download: a 1 GiB archive, verified, against plain reqwest streaming to a file.
    Download,
    /// The export service: 10,000 connections x 2 groups x 2 daily windows, on SQLite (one
    /// process) or on PostgreSQL (`--database postgres://... --workers 1,2,4 --delay-ms 50`:
    /// one API process and 1, 2, 4 worker processes, exports per minute and the speed-up).
    Service,
}

/// Arguments of `cargo xtask bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Which benchmark.
    #[arg(value_enum)]
    pub benchmark: Benchmark,
    /// Passed on to the benchmark (`cargo run -p bench -- WHAT --help` lists them).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// The commit whose generator the codegen benchmark compares with: the last one that wrote
/// each struct's serde impls out in full, every file through `quote!` and prettyplease (which
/// the generator no longer uses at all).
pub const CODEGEN_BASELINE: &str = "c44edd6";

/// The release `codegen` binaries of [`CODEGEN_BASELINE`] and of this checkout. The old one is
/// built from `git archive` of that commit in `target/bench-codegen/`, once.
fn codegen_binaries(root: &Path, cargo: &std::ffi::OsStr) -> Result<(std::path::PathBuf, std::path::PathBuf)> {
    let base = root.join("target/bench-codegen").join(CODEGEN_BASELINE);
    let source = base.join("src");
    if !source.join("Cargo.toml").exists() {
        std::fs::create_dir_all(&source).with_context(|| format!("cannot create {}", source.display()))?;
        let archive = Command::new("git")
            .args(["archive", "--format=tar", CODEGEN_BASELINE])
            .current_dir(root)
            .output()
            .context("cannot run git archive")?;
        anyhow::ensure!(archive.status.success(), "git archive {CODEGEN_BASELINE} failed");
        let mut tar = Command::new("tar")
            .arg("-x")
            .current_dir(&source)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .context("cannot run tar")?;
        if let Some(mut stdin) = tar.stdin.take() {
            std::io::Write::write_all(&mut stdin, &archive.stdout).context("cannot unpack the baseline")?;
        }
        anyhow::ensure!(tar.wait()?.success(), "cannot unpack the baseline");
    }
    for (dir, target) in [(source.as_path(), base.join("target")), (root, root.join("target"))] {
        let built = Command::new(cargo)
            .args(["build", "--release", "--quiet", "-p", "codegen", "--bin", "codegen"])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(dir)
            .status()
            .context("cannot build codegen")?;
        anyhow::ensure!(built.success(), "cannot build codegen in {}", dir.display());
    }
    Ok((base.join("target/release/codegen"), root.join("target/release/codegen")))
}

/// Runs the benchmark; its exit status.
pub fn run(root: &Path, args: &BenchArgs) -> Result<ExitCode> {
    let mut command = match args.benchmark {
        Benchmark::Compile => {
            let mut command = Command::new("bash");
            command.arg(root.join("bench/compile.sh"));
            command
        }
        other => {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let binary = match other {
                // The `cli` variants run the release `dataportability` binary.
                Benchmark::Download => Some(("dataportability-cli", "dataportability")),
                Benchmark::Service => Some(("dataportability-server", "dataportability-server")),
                _ => None,
            };
            if let Some((package, bin)) = binary {
                let built = Command::new(&cargo)
                    .args(["build", "--release", "--quiet", "-p", package, "--bin", bin])
                    .current_dir(root)
                    .status()
                    .context("cannot build the CLI")?;
                if !built.success() {
                    return Ok(ExitCode::FAILURE);
                }
            }
            let mut command = Command::new(&cargo);
            let name = format!("{other:?}").to_lowercase();
            command.args(["run", "--release", "--quiet", "-p", "bench"]);
            if other == Benchmark::Requests {
                // Without the service benchmark's sqlx, whose `log` feature of tracing no
                // user of a generated crate compiles (bench/Cargo.toml).
                command.arg("--no-default-features");
            }
            command.args(["--", &name]);
            if other == Benchmark::Codegen && !args.args.iter().any(|a| a == "--baseline") {
                let (baseline, current) = codegen_binaries(root, &cargo)?;
                command.arg("--baseline").arg(baseline).arg("--current").arg(current);
            }
            command
        }
    };
    let status = command
        .args(&args.args)
        .current_dir(root)
        .status()
        .context("cannot start the benchmark")?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
