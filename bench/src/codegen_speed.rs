//! Codegen speed: the Data Portability document and the whole corpus, against the floor of
//! parsing the same JSON with `serde_json` (into a `Value`), with the time of each stage.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use codegen::Options;

use crate::stats::{children_cpu_time, cpu_time, fmt_duration, load_average, median};

/// Time spent in each stage of `codegen::generate` for one document.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stages {
    pub parse: Duration,
    pub resolve: Duration,
    pub emit: Duration,
    pub format: Duration,
}

impl Stages {
    fn total(&self) -> Duration {
        self.parse + self.resolve + self.emit + self.format
    }

    fn add(&mut self, other: &Stages) {
        self.parse += other.parse;
        self.resolve += other.resolve;
        self.emit += other.emit;
        self.format += other.format;
    }
}

/// `codegen::generate`, stage by stage: the same calls, timed.
pub fn generate_timed(json: &str, options: &Options) -> Result<(codegen::GeneratedCrate, Stages)> {
    let mut stages = Stages::default();
    let t = Instant::now();
    let document = codegen::parse::parse(json)?;
    stages.parse = t.elapsed();
    let t = Instant::now();
    let api = codegen::resolve::resolve(&document)?;
    stages.resolve = t.elapsed();
    let header = codegen::file_header(&api);
    let t = Instant::now();
    let outputs = codegen::emit::emit(&api, options, &header);
    stages.emit = t.elapsed();
    let t = Instant::now();
    let mut files = std::collections::BTreeMap::new();
    for (path, output) in outputs {
        let text = codegen::format::format_output(output, &header);
        files.insert(path, text);
    }
    stages.format = t.elapsed();
    Ok((
        codegen::GeneratedCrate {
            name: api.crate_name,
            files,
        },
        stages,
    ))
}

/// The goal for the new generator against the old one, on the corpus, 2 workers.
const SPEED_UP_GOAL: f64 = 5.0;

/// The goal for the generator against `serde_json` parsing the same documents.
const PARSE_RATIO_GOAL: f64 = 20.0;

/// The old and the new generator side by side: each `codegen` binary run once per document
/// (`codegen DOC OUT_DIR`, `jobs` at a time), rounds alternating between the two, so both
/// pay the same process starts and file writes under the same load. Reports the wall time
/// (median of the rounds) and the CPU time the binaries used (user + system, summed over
/// their processes, median of the rounds): the wall time depends on what else the machine
/// runs, the CPU time much less.
pub fn compare(root: &Path, corpus: &Path, baseline: &Path, current: &Path, jobs: usize, rounds: usize) -> Result<()> {
    let scratch = std::env::temp_dir().join(format!("bench-codegen-{}", std::process::id()));
    let documents = corpus_paths(corpus)?;
    let single = vec![root.join("discovery/dataportability.v1.json")];
    println!("codegen, old and new binaries side by side ({rounds} rounds alternating, one process per document)");
    println!("  old: {}\n  new: {}", baseline.display(), current.display());
    println!("  load average before: {}", load_average());
    for (label, paths, jobs, repeat) in [
        ("dataportability.v1, 1 process", &single, 1, 20),
        ("corpus", &documents, jobs, 1),
    ] {
        let (mut old, mut new) = (Vec::new(), Vec::new());
        let (mut old_cpu, mut new_cpu) = (Vec::new(), Vec::new());
        for _ in 0..rounds.max(1) {
            let (wall, cpu) = run_binary(baseline, paths, &scratch.join("old"), jobs, repeat)?;
            old.push(wall);
            old_cpu.push(cpu);
            let (wall, cpu) = run_binary(current, paths, &scratch.join("new"), jobs, repeat)?;
            new.push(wall);
            new_cpu.push(cpu);
        }
        let (old, new) = (median(&mut old), median(&mut new));
        let (old_cpu, new_cpu) = (median(&mut old_cpu), median(&mut new_cpu));
        let per = |d: Duration| d / repeat as u32;
        println!("  {label} ({} documents, {jobs} workers, per run):", paths.len());
        println!(
            "    wall  old {:>10}  new {:>10}  speed-up {:.1}x",
            fmt_duration(per(old)),
            fmt_duration(per(new)),
            ratio(old, new)
        );
        println!(
            "    CPU   old {:>10}  new {:>10}  speed-up {:.1}x  (user + system of the binaries)",
            fmt_duration(per(old_cpu)),
            fmt_duration(per(new_cpu)),
            ratio(old_cpu, new_cpu)
        );
        if label == "corpus" {
            let met = |r: f64| if r >= SPEED_UP_GOAL { "met" } else { "missed" };
            println!(
                "    goal: new at least {SPEED_UP_GOAL}x faster than old: wall {}, CPU {}",
                met(ratio(old, new)),
                met(ratio(old_cpu, new_cpu))
            );
        }
    }
    println!("  load average after: {}", load_average());
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// The wall time of running `binary` over every path (`repeat` times each), `jobs` at a time,
/// and the CPU time its processes used.
fn run_binary(
    binary: &Path,
    paths: &[PathBuf],
    out: &Path,
    jobs: usize,
    repeat: usize,
) -> Result<(Duration, Duration)> {
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let work: Vec<&PathBuf> = paths.iter().flat_map(|p| std::iter::repeat_n(p, repeat)).collect();
    let cpu = children_cpu_time();
    let t = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                while let Some(path) = work.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let name = path
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let ok = std::process::Command::new(binary)
                        .arg(path)
                        .arg(out.join(name))
                        .stdout(std::process::Stdio::null())
                        .stderr(std::process::Stdio::null())
                        .status()
                        .is_ok_and(|s| s.success());
                    if !ok {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let elapsed = t.elapsed();
    let cpu = children_cpu_time().saturating_sub(cpu);
    let failed = failed.into_inner();
    if failed > 0 {
        println!("    ({} of {} runs of {} failed)", failed, work.len(), binary.display());
    }
    Ok((elapsed, cpu))
}

fn floor(json: &str) -> Result<serde_json::Value> {
    Ok(serde_json::from_str(json)?)
}

pub fn run(root: &Path, corpus: &Path, iterations: usize, jobs: usize) -> Result<()> {
    let options = Options::with_runtime_path("../runtime");

    // 1. The Data Portability document, `iterations` times; medians.
    let path = root.join("discovery/dataportability.v1.json");
    let json = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let (mut gen_times, mut floor_times, mut all_stages) = (Vec::new(), Vec::new(), Vec::new());
    let mut lines = 0;
    for i in 0..iterations + 2 {
        let t = Instant::now();
        std::hint::black_box(floor(&json)?);
        let f = t.elapsed();
        let t = Instant::now();
        let (generated, stages) = generate_timed(&json, &options)?;
        let g = t.elapsed();
        lines = generated.files.values().map(|text| text.lines().count()).sum::<usize>();
        if i >= 2 {
            // two warm-up rounds
            floor_times.push(f);
            gen_times.push(g);
            all_stages.push(stages);
        }
    }
    let g = median(&mut gen_times);
    let f = median(&mut floor_times);
    println!("codegen speed ({} iterations, median; release build)", iterations);
    println!(
        "  dataportability.v1 ({} KiB JSON, {lines} lines generated):",
        json.len() / 1024
    );
    println!("    generate            {:>10}", fmt_duration(g));
    println!(
        "    serde_json::Value   {:>10}   ratio generate/parse = {:.0}x",
        fmt_duration(f),
        ratio(g, f)
    );
    let pick = |get: fn(&Stages) -> Duration| {
        let mut v: Vec<Duration> = all_stages.iter().map(get).collect();
        median(&mut v)
    };
    println!(
        "    stages: parse {} | resolve {} | emit {} | format {}",
        fmt_duration(pick(|s| s.parse)),
        fmt_duration(pick(|s| s.resolve)),
        fmt_duration(pick(|s| s.emit)),
        fmt_duration(pick(|s| s.format))
    );

    // 2. The whole corpus: documents read into memory first (no I/O timed).
    let documents = read_corpus(corpus)?;
    let bytes: usize = documents.iter().map(|(_, j)| j.len()).sum();
    println!(
        "  corpus: {} documents, {:.1} MiB of JSON ({})",
        documents.len(),
        bytes as f64 / (1 << 20) as f64,
        corpus.display()
    );

    let t = Instant::now();
    for (_, json) in &documents {
        std::hint::black_box(floor(json)?);
    }
    let floor_one = t.elapsed();

    let t = Instant::now();
    let mut stages = Stages::default();
    let mut failed = 0;
    let mut slowest: Vec<(Duration, &str)> = Vec::new();
    let mut lines = 0usize;
    for (name, json) in &documents {
        match generate_timed(json, &options) {
            Ok((generated, s)) => {
                stages.add(&s);
                slowest.push((s.total(), name.as_str()));
                lines += generated.files.values().map(|text| text.lines().count()).sum::<usize>();
            }
            Err(_) => failed += 1,
        }
    }
    let one_thread = t.elapsed();

    let cpu = cpu_time().unwrap_or_default();
    let parallel = parallel_generate(&documents, &options, jobs);
    let parallel_cpu = cpu_time().unwrap_or_default().saturating_sub(cpu);
    let cpu = cpu_time().unwrap_or_default();
    let parallel_floor = parallel_map(&documents, jobs, |json| {
        std::hint::black_box(floor(json).is_ok());
    });
    let parallel_floor_cpu = cpu_time().unwrap_or_default().saturating_sub(cpu);

    println!(
        "    generate, 1 thread      {:>10}  ({failed} failed, {lines} lines generated)",
        fmt_duration(one_thread)
    );
    println!(
        "    generate, {jobs} threads     {:>10}  CPU {:>10}",
        fmt_duration(parallel),
        fmt_duration(parallel_cpu)
    );
    println!(
        "    serde_json, 1 thread    {:>10}   ratio generate/parse = {:.0}x",
        fmt_duration(floor_one),
        ratio(one_thread, floor_one)
    );
    println!(
        "    serde_json, {jobs} threads   {:>10}  CPU {:>10}   ratio generate/parse = {:.0}x wall, {:.0}x CPU \
         (goal: at most {PARSE_RATIO_GOAL}x)",
        fmt_duration(parallel_floor),
        fmt_duration(parallel_floor_cpu),
        ratio(parallel, parallel_floor),
        ratio(parallel_cpu, parallel_floor_cpu)
    );
    let total = stages.total();
    let share = |d: Duration| 100.0 * d.as_secs_f64() / total.as_secs_f64();
    println!(
        "    stages (1 thread): parse {} ({:.0} %) | resolve {} ({:.0} %) | emit {} ({:.0} %) | format {} ({:.0} %)",
        fmt_duration(stages.parse),
        share(stages.parse),
        fmt_duration(stages.resolve),
        share(stages.resolve),
        fmt_duration(stages.emit),
        share(stages.emit),
        fmt_duration(stages.format),
        share(stages.format)
    );
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    let top: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|(d, n)| format!("{n} {}", fmt_duration(*d)))
        .collect();
    println!("    slowest: {}", top.join(", "));
    Ok(())
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

fn corpus_paths(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    Ok(paths)
}

fn read_corpus(dir: &Path) -> Result<Vec<(String, String)>> {
    corpus_paths(dir)?
        .into_iter()
        .map(|p| {
            let name = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
            Ok((name, text))
        })
        .collect()
}

fn parallel_generate(documents: &[(String, String)], options: &Options, jobs: usize) -> Duration {
    parallel_map(documents, jobs, |json| {
        std::hint::black_box(codegen::generate(json, options).is_ok());
    })
}

/// Runs `f` over every document with `jobs` threads taking the next document (as
/// `cargo xtask corpus` does); the wall time.
fn parallel_map(documents: &[(String, String)], jobs: usize, f: impl Fn(&str) + Sync) -> Duration {
    let next = AtomicUsize::new(0);
    let t = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                while let Some((_, json)) = documents.get(next.fetch_add(1, Ordering::Relaxed)) {
                    f(json);
                }
            });
        }
    });
    t.elapsed()
}
