//! `cargo xtask fuzz --cases N`: runs the whole generator on random inputs and checks that it
//! never panics, that every error is a clear one-line message, and that every crate it writes
//! is clean ([`crate::output_check`]: the Rust parses with `syn`, no code block in the docs
//! would run, `Cargo.toml` has only the runtime dependency).
//!
//! An input also fails when its generation takes more than `--max-time-factor` times the
//! time expected for its size (a linear model calibrated on the seed documents at the start of
//! the run, with a floor for small inputs), twice in a row: the generator's cost must stay
//! linear-ish in its input, whatever the input's shape.
//!
//! Inputs alternate between mutations of real documents (`mutate`: the committed ones in
//! `discovery/`, the special-cases fixture, and `--dir` directories) and small random documents
//! (`random_doc`). Runs are reproducible: case `i` of seed `s` is always the same input.

mod mutate;
mod random_doc;
mod strings;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use codegen::{Error, Options};
use serde_json::Value;

use crate::output_check::check_crate;

/// Arguments of `cargo xtask fuzz`.
#[derive(Debug, clap::Args)]
pub struct FuzzArgs {
    /// How many inputs to run.
    #[arg(long, default_value_t = 10_000)]
    pub cases: u64,
    /// The run's seed: the same seed and count give the same inputs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also mutate the documents (`*.json`) of this directory (may be repeated).
    #[arg(long, value_name = "DIR")]
    pub dir: Vec<PathBuf>,
    /// Skip documents larger than this many bytes as mutation seeds (big ones are slow).
    #[arg(long, default_value_t = 100_000)]
    pub max_seed_bytes: u64,
    /// Stop taking new inputs after this many seconds (the summary counts what ran).
    #[arg(long, value_name = "SECONDS")]
    pub max_seconds: Option<u64>,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// Print the first N refusals (to see how deep the inputs get).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub show_refusals: u64,
    /// Fail an input whose generation takes more than this many times the time expected for
    /// its size (measured twice, so one slow moment of a busy machine is not a failure).
    #[arg(long, default_value_t = 50.0, value_name = "FACTOR")]
    pub max_time_factor: f64,
    /// Where failing inputs are written.
    #[arg(long, value_name = "DIR", default_value = "target/fuzz-failures")]
    pub failures: PathBuf,
}

/// What the run saw.
#[derive(Debug, Default)]
struct Tally {
    generated: u64,
    refused: BTreeMap<&'static str, u64>,
    failures: Vec<(u64, String)>,
}

thread_local! {
    /// The message of the last panic on this thread, recorded by the panic hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs the fuzzer; exit status 1 when any input failed.
pub fn run(root: &Path, args: &FuzzArgs) -> Result<ExitCode> {
    let seeds = load_seeds(root, args)?;
    println!(
        "fuzzing the generator: {} cases, seed {}, {} seed documents, {} thread(s)",
        args.cases,
        args.seed,
        seeds.len(),
        args.jobs
    );
    let options = Options::default();
    let budget = TimeBudget::calibrate(&seeds, &options, args.max_time_factor);
    println!(
        "time check: an input may take {:.0}x its expected time ({:.1} ns per byte read and written, the slowest seed's; at least {} bytes' worth: {:.1} ms)",
        budget.factor,
        budget.ns_per_byte,
        TimeBudget::FLOOR_BYTES,
        budget.limit(0).as_secs_f64() * 1e3
    );
    let started = Instant::now();
    let next = AtomicU64::new(0);
    let shown = AtomicU64::new(0);
    let ran = AtomicU64::new(0);
    let tally = Mutex::new(Tally::default());
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(info.to_string()));
    }));
    std::thread::scope(|scope| {
        for _ in 0..args.jobs.max(1) {
            scope.spawn(|| {
                let mut local = Tally::default();
                loop {
                    let case = next.fetch_add(1, Ordering::Relaxed);
                    let out_of_time = args
                        .max_seconds
                        .is_some_and(|limit| started.elapsed().as_secs() >= limit);
                    if case >= args.cases || out_of_time {
                        break;
                    }
                    ran.fetch_add(1, Ordering::Relaxed);
                    if case > 0 && case.is_multiple_of(10_000) {
                        println!("  {case} inputs, {:.0} s", started.elapsed().as_secs_f64());
                    }
                    let input = input(case, args.seed, &seeds);
                    match timed_run(&input, &options, &budget) {
                        Outcome::Generated => local.generated += 1,
                        Outcome::Refused(kind, message) => {
                            if shown.fetch_add(1, Ordering::Relaxed) < args.show_refusals {
                                println!("refused case {case}: {message}");
                            }
                            *local.refused.entry(kind).or_default() += 1;
                        }
                        Outcome::Failed(problem) => {
                            save_failure(&args.failures, case, &input);
                            local.failures.push((case, problem));
                        }
                    }
                }
                let mut total = tally.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                total.generated += local.generated;
                for (kind, n) in local.refused {
                    *total.refused.entry(kind).or_default() += n;
                }
                total.failures.extend(local.failures);
            });
        }
    });
    std::panic::set_hook(previous_hook);
    let elapsed = started.elapsed().as_secs_f64();
    let tally = tally.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let refused: u64 = tally.refused.values().sum();
    let ran = ran.into_inner();
    println!(
        "{ran} inputs in {elapsed:.1} s ({:.0}/s): {} generated a clean crate, {refused} refused {:?}, {} failed",
        ran as f64 / elapsed.max(1e-9),
        tally.generated,
        tally.refused,
        tally.failures.len()
    );
    for (case, problem) in tally.failures.iter().take(20) {
        println!("FAILED case {case}: {problem}");
    }
    if !tally.failures.is_empty() {
        println!("failing inputs are in {}", args.failures.display());
    }
    Ok(if tally.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Input `case` of the run with `seed`: even cases are random documents, odd ones mutations.
fn input(case: u64, seed: u64, seeds: &[Value]) -> String {
    let mut rng = fastrand::Rng::with_seed(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ case);
    if case.is_multiple_of(2) || seeds.is_empty() {
        serde_json::to_string(&random_doc::document(&mut rng)).unwrap_or_default()
    } else {
        let original = &seeds[rng.usize(0..seeds.len())];
        mutate::mutate(original, &mut rng)
    }
}

/// How long generating an input may take: `factor` times a linear model of the bytes it reads
/// and writes. The output counts because the work is mostly in it: a 14 KB document full of
/// special cases writes far more code per byte than Google's documents do, and the model must
/// not call it slow; a blowup (a walk that is quadratic or cubic in the input) still takes far
/// more than its output's worth.
struct TimeBudget {
    ns_per_byte: f64,
    factor: f64,
}

impl TimeBudget {
    /// Inputs smaller than this (input and output bytes) are expected to take as long as one of
    /// this size (fixed costs).
    const FLOOR_BYTES: usize = 20_000;

    /// The slowest time per byte read and written among the seed documents (each generated
    /// twice, the faster counted), or 2 µs per byte without seeds.
    fn calibrate(seeds: &[Value], options: &Options, factor: f64) -> Self {
        let ns_per_byte = seeds
            .iter()
            .filter_map(|seed| serde_json::to_string(seed).ok())
            .map(|text| {
                let (fastest, bytes) = (0..2)
                    .map(|_| {
                        let started = Instant::now();
                        let written = codegen::generate(&text, options).map_or(0, |g| output_bytes(&g));
                        (started.elapsed(), text.len() + written)
                    })
                    .min()
                    .unwrap_or_default();
                fastest.as_nanos() as f64 / bytes.max(Self::FLOOR_BYTES) as f64
            })
            .max_by(f64::total_cmp)
            .unwrap_or(2_000.0);
        Self { ns_per_byte, factor }
    }

    /// The most an input may take that reads and writes `bytes` in all.
    fn limit(&self, bytes: usize) -> Duration {
        let expected = self.ns_per_byte * bytes.max(Self::FLOOR_BYTES) as f64;
        Duration::from_nanos((expected * self.factor).min(u64::MAX as f64) as u64)
    }
}

/// The bytes of a generated crate.
fn output_bytes(generated: &codegen::GeneratedCrate) -> usize {
    generated.files.values().map(String::len).sum()
}

/// [`run_one`], and a failure when it took longer than the budget twice.
fn timed_run(input: &str, options: &Options, budget: &TimeBudget) -> Outcome {
    let started = Instant::now();
    let (outcome, written) = run_one(input, options);
    let first = started.elapsed();
    let limit = budget.limit(input.len() + written);
    if first <= limit || matches!(outcome, Outcome::Failed(_)) {
        return outcome;
    }
    let started = Instant::now();
    let _ = run_one(input, options);
    let second = started.elapsed();
    if second <= limit {
        return outcome;
    }
    Outcome::Failed(format!(
        "too slow: {:.1} ms and {:.1} ms for {} bytes read and {written} written, more than {:.0}x the expected {:.1} ms",
        first.as_secs_f64() * 1e3,
        second.as_secs_f64() * 1e3,
        input.len(),
        budget.factor,
        limit.as_secs_f64() * 1e3 / budget.factor
    ))
}

enum Outcome {
    Generated,
    Refused(&'static str, String),
    Failed(String),
}

/// Generates and checks one input: its outcome, and the bytes of the crate generated (0 when
/// none).
fn run_one(input: &str, options: &Options) -> (Outcome, usize) {
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| codegen::generate(input, options)));
    let written = match &result {
        Ok(Ok(generated)) => output_bytes(generated),
        _ => 0,
    };
    let outcome = match result {
        Err(_) => {
            let message = LAST_PANIC.with(|last| last.borrow_mut().take()).unwrap_or_default();
            Outcome::Failed(format!("panic: {message}"))
        }
        Ok(Ok(generated)) => {
            let problems = check_crate(&generated);
            if problems.is_empty() {
                Outcome::Generated
            } else {
                Outcome::Failed(problems.join("; "))
            }
        }
        Ok(Err(error)) => {
            let message = error.to_string();
            if message.chars().any(char::is_control) {
                return (
                    Outcome::Failed(format!("an error message with control characters: {message:?}")),
                    0,
                );
            }
            match error {
                Error::Parse { .. } => Outcome::Refused("parse", message),
                Error::Unsupported { .. } => Outcome::Refused("unsupported", message),
                Error::DirectoryList => Outcome::Refused("directory list", message),
                _ => Outcome::Refused("other", message),
            }
        }
    };
    (outcome, written)
}

fn load_seeds(root: &Path, args: &FuzzArgs) -> Result<Vec<Value>> {
    let mut paths = vec![root.join("tests/fixtures/special_cases.json")];
    let mut dirs = vec![root.join("discovery")];
    dirs.extend(args.dir.iter().cloned());
    for dir in dirs {
        let entries = std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
        for entry in entries {
            let path = entry.with_context(|| format!("cannot list {}", dir.display()))?.path();
            let small = path.metadata().is_ok_and(|m| m.len() <= args.max_seed_bytes);
            if path.extension().is_some_and(|e| e == "json") && small {
                paths.push(path);
            }
        }
    }
    paths.sort();
    let mut seeds = Vec::with_capacity(paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        if let Ok(value) = serde_json::from_str(&text) {
            seeds.push(value);
        }
    }
    Ok(seeds)
}

fn save_failure(dir: &Path, case: u64, input: &str) {
    // Best effort: the failure is reported either way.
    let _ = std::fs::create_dir_all(dir);
    let _ = std::fs::write(dir.join(format!("case-{case}.json")), input);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The long alias chains the random documents sometimes carry generate a clean crate, so
    /// the time check sees the whole generator run on them.
    #[test]
    fn an_alias_chain_generates() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut doc = serde_json::json!({
            "kind": "discovery#restDescription", "name": "tiny", "version": "v1",
            "rootUrl": "https://tiny.googleapis.com/", "schemas": {},
        });
        let Value::Object(map) = &mut doc else { unreachable!() };
        random_doc::add_alias_chain(&mut rng, map);
        let text = doc.to_string();
        match run_one(&text, &Options::default()).0 {
            Outcome::Generated => {}
            Outcome::Refused(_, message) | Outcome::Failed(message) => panic!("{message}"),
        }
    }
}
