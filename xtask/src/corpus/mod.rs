//! `cargo xtask corpus DIR`: generate a crate for every Discovery document in a directory, to
//! prove the generator is general; optionally check determinism and compile a sample.

mod compile;
mod generate_all;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use codegen::Options;

pub use compile::{SampleCrate, compile_sample, read_sample_list};
pub use generate_all::{DocumentOutcome, Summary, generate_all};

/// The sample compiled by `--compile-sample`, relative to the workspace root.
pub const SAMPLE_LIST: &str = "xtask/corpus-sample.txt";

/// Arguments of `cargo xtask corpus`.
#[derive(Debug, clap::Args)]
pub struct CorpusArgs {
    /// Directory of Discovery documents (`*.json`).
    pub dir: PathBuf,
    /// Generate every document twice and fail if any output differs.
    #[arg(long)]
    pub check_deterministic: bool,
    /// Compile these documents' crates (comma-separated file stems, e.g. `storage.v1,gmail.v1`)
    /// with `cargo check` and `cargo clippy -- -D warnings`.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub compile: Vec<String>,
    /// Compile the sample listed in `xtask/corpus-sample.txt`.
    #[arg(long)]
    pub compile_sample: bool,
    /// Also write every generated crate under this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads (default: the number of CPUs).
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// Runs `cargo xtask corpus`: exit status 1 when a document fails or the sample does not
/// compile cleanly.
pub fn run(root: &Path, args: &CorpusArgs) -> Result<ExitCode> {
    let options = Options::with_runtime_path(&root.join("runtime").to_string_lossy());
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let summary = generate_all(&args.dir, &options, jobs, args.check_deterministic)?;
    for (name, note) in summary.skipped() {
        println!("skipped {name}: {note}");
    }
    for (name, error) in summary.failures() {
        println!("FAILED {name}: {error}");
    }
    println!("{}", summary.line());
    if let Some(out) = &args.out {
        write_all(&summary, out)?;
    }
    let mut names = args.compile.clone();
    if args.compile_sample {
        names.extend(read_sample_list(&root.join(SAMPLE_LIST))?);
    }
    let failed = summary.failures().count() > 0;
    if !names.is_empty() {
        let mut sample = Vec::new();
        for name in &names {
            match summary.outcomes.iter().find(|o| &o.name == name) {
                Some(DocumentOutcome {
                    name,
                    result: Ok(generated),
                    ..
                }) => sample.push(SampleCrate {
                    document: name,
                    generated,
                }),
                Some(DocumentOutcome { result: Err(_), .. }) => bail!("{name} is in the sample but failed to generate"),
                None => bail!("{name} is in the sample but not in {}", args.dir.display()),
            }
        }
        compile_sample(root, &root.join("target/corpus-compile"), &sample)?;
        println!(
            "compiled {} crates: cargo check and cargo clippy -D warnings are clean",
            sample.len()
        );
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn write_all(summary: &Summary, out: &Path) -> Result<()> {
    for outcome in &summary.outcomes {
        if let Ok(generated) = &outcome.result {
            crate::write::write_dir(generated, &out.join(&outcome.name))?;
        }
    }
    Ok(())
}
