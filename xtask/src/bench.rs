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
    /// The export service: 10,000 connections x 2 groups x 2 daily windows on SQLite.
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
            command.args(["run", "--release", "--quiet", "-p", "bench", "--", &name]);
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
