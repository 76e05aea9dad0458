//! `cargo run --release -p bench -- <benchmark>`: the benchmarks of BENCHMARKS.md. Each prints
//! its figures and the ratios against its baseline, measured in the same run. The compile-cost
//! benchmark is `bench/compile.sh` (it drives cargo itself).

mod codegen_speed;
mod download;
mod emu;
mod procfs;
mod requests;
mod service;
#[cfg(feature = "postgres")]
mod service_pg;
#[cfg(not(feature = "postgres"))]
#[path = "service_pg_absent.rs"]
mod service_pg;
mod stats;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Codegen speed: dataportability.v1 and a corpus, against serde_json parsing the same JSON.
    Codegen {
        /// The corpus directory (default ../shared/corpus).
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Iterations over dataportability.v1.
        #[arg(long, default_value_t = 50)]
        iterations: usize,
        /// Threads for the parallel corpus run (default: the number of CPUs).
        #[arg(long)]
        jobs: Option<usize>,
        /// The `codegen` binary of an older generator, run side by side with `--current`
        /// (`cargo xtask bench codegen` builds both).
        #[arg(long, requires = "current")]
        baseline: Option<PathBuf>,
        /// The `codegen` binary of this checkout, compared with `--baseline`.
        #[arg(long, requires = "baseline")]
        current: Option<PathBuf>,
        /// Rounds of the side-by-side comparison (old and new alternate).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Request overhead: the generated client against plain reqwest, on the emulator.
    Requests {
        /// Requests per round and variant.
        #[arg(long, default_value_t = 5000)]
        requests: usize,
        /// Rounds (the variants alternate).
        #[arg(long, default_value_t = 6)]
        rounds: usize,
        /// Requests in flight (several values: several runs).
        #[arg(long, value_delimiter = ',', default_value = "1,16")]
        concurrency: Vec<usize>,
        /// Run only this client, without a report (for a profiler).
        #[arg(long, value_enum)]
        only: Option<requests::Variant>,
    },
    /// Download: an archive from the emulator, streamed to a file.
    Download {
        /// Archive size in MiB.
        #[arg(long, default_value_t = 1024)]
        mib: u64,
        /// Rounds (the variants alternate).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// The clients, the first is the baseline.
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "plain,md5-memory,cli,cli-md5"
        )]
        variants: Vec<download::Variant>,
        /// Scratch directory (default target/bench-download).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// The export service: connections x 2 groups x 2 daily windows against the emulator, on
    /// SQLite (one process) or PostgreSQL (`--database postgres://...`, `--workers 1,2,4`).
    Service {
        /// Connections (users).
        #[arg(long, default_value_t = 10_000)]
        connections: usize,
        /// The service's --concurrency.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Scratch directory (default target/bench-service).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// A PostgreSQL server to run on (`postgres://USER@HOST:PORT/DB`; the benchmark creates
        /// and drops a database of its own there). Default: SQLite.
        #[arg(long)]
        database: Option<String>,
        /// Worker processes beside one API process (0: one process doing both). Several
        /// numbers (`1,2,4`): one run each, and the speed-up of each over the first.
        #[arg(long, value_delimiter = ',', default_value = "0")]
        workers: Vec<usize>,
        /// Each service process's `--database-connections` (its PostgreSQL pool).
        #[arg(long, default_value_t = 8)]
        database_connections: u32,
        /// Each of Google's answers takes this long (the emulator's delay), in milliseconds.
        #[arg(long, default_value_t = 0)]
        delay_ms: u64,
        /// The service's binary (default target/release/dataportability-server).
        #[arg(long)]
        server_binary: Option<PathBuf>,
    },
    /// One download (the child process of `download`).
    #[command(hide = true)]
    DownloadOne {
        #[command(flatten)]
        source: download::Source,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum)]
        variant: download::Variant,
    },
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    match cli.command {
        Command::Codegen {
            corpus,
            iterations,
            jobs,
            baseline,
            current,
            rounds,
        } => {
            let corpus = corpus.unwrap_or_else(|| root().join("../shared/corpus"));
            let jobs = jobs.unwrap_or(cpus);
            if let (Some(baseline), Some(current)) = (&baseline, &current) {
                codegen_speed::compare(&root(), &corpus, baseline, current, jobs, rounds)?;
            }
            codegen_speed::run(&root(), &corpus, iterations, jobs)
        }
        Command::Requests {
            requests,
            rounds,
            concurrency,
            only,
        } => requests::run(requests, rounds, &concurrency, only),
        Command::Download {
            mib,
            rounds,
            variants,
            dir,
        } => {
            let dir = dir.unwrap_or_else(|| download::default_dir(&root()));
            download::run(mib << 20, rounds, &variants, &dir)
        }
        Command::DownloadOne { source, out, variant } => download::one(&source, &out, variant),
        Command::Service {
            connections,
            concurrency,
            dir,
            database,
            workers,
            delay_ms,
            server_binary,
            database_connections,
        } => service::run(
            &root(),
            connections,
            concurrency,
            dir,
            service::Scale {
                database,
                workers,
                delay_ms,
                binary: server_binary,
                database_connections,
            },
        ),
    }
}
