//! Download: a large archive from the emulator's signed URL, streamed to a file, by several
//! clients, each in a child process of its own (so that its peak RSS is its own).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};
use tokio::io::AsyncWriteExt;

use crate::emu::Running;
use crate::stats::{cpu_time, peak_rss};

/// The clients measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Variant {
    /// reqwest, each chunk written to a `tokio::fs::File`: the baseline.
    Plain,
    /// The same, plus CRC32C of the bytes (hardware-accelerated), compared with `x-goog-hash`.
    PlainCrc32c,
    /// The same, plus a 256 KiB write buffer and `sync_all` at the end.
    PlainCrc32cSynced,
    /// The same, plus CRC32C and MD5 of the bytes, compared with `x-goog-hash`.
    PlainVerified,
    /// The same, plus a 256 KiB write buffer and `sync_all` at the end (what the workflow does).
    PlainVerifiedSynced,
    /// Like `plain-verified-synced`, but CRC32C and MD5 are computed on a thread of their own,
    /// fed the chunks (reference-counted, not copied) through a bounded channel.
    PlainVerifiedPipelined,
    /// `dataportability_export::download::Downloader::download_all` (resumable, verified).
    Workflow,
    /// The `dataportability` binary: `export` resuming the completed job from a state file,
    /// verifying CRC32C (the default); the whole process is timed (start, one poll, download,
    /// fsync, rename) and its peak RSS is its own.
    Cli,
    /// The same with `--verify md5` (CRC32C and MD5).
    CliMd5,
    /// No download: MD5 of as many bytes in memory (64 KiB chunks of a 1 MiB buffer): the
    /// ceiling of any client that verifies MD5.
    Md5Memory,
}

impl Variant {
    fn flag(self) -> &'static str {
        match self {
            Variant::Plain => "plain",
            Variant::PlainCrc32c => "plain-crc32c",
            Variant::PlainCrc32cSynced => "plain-crc32c-synced",
            Variant::PlainVerified => "plain-verified",
            Variant::PlainVerifiedSynced => "plain-verified-synced",
            Variant::PlainVerifiedPipelined => "plain-verified-pipelined",
            Variant::Workflow => "workflow",
            Variant::Cli => "cli",
            Variant::CliMd5 => "cli-md5",
            Variant::Md5Memory => "md5-memory",
        }
    }
}

/// Where the child finds the archive: its URL, and the job for the workflow.
#[derive(Clone, Debug, clap::Args)]
pub struct Source {
    #[arg(long)]
    pub url: String,
    #[arg(long)]
    pub endpoint: String,
    #[arg(long)]
    pub token: String,
    #[arg(long)]
    pub job: String,
    /// The `dataportability` binary (default: beside this one, `target/release/`).
    #[arg(long)]
    pub cli: Option<PathBuf>,
    /// The archive's size (for `md5-memory`).
    #[arg(long, default_value_t = 1 << 30)]
    pub size: u64,
}

/// What one child reports.
#[derive(Clone, Copy, Debug)]
struct Outcome {
    bytes: u64,
    elapsed: Duration,
    peak_rss: u64,
    /// CPU time of the whole child (user + system).
    cpu: Duration,
}

pub fn run(size: u64, rounds: usize, variants: &[Variant], dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let running = Running::start(size)?;
    let url = running.archive_url()?;
    // The emulator computes the whole-object hashes once per archive, before the first
    // response: a HEAD waits for that, so that no measured download does.
    let t = Instant::now();
    let head = running.block_on(reqwest::Client::new().head(&url).send())?;
    if !head.status().is_success() {
        bail!("HEAD {}: {}", url, head.status());
    }
    println!(
        "download: a {} MiB archive from the emulator on 127.0.0.1 to a file in {}",
        size >> 20,
        dir.display()
    );
    println!(
        "  (the emulator hashed it in {:.1} s before the first run; each client runs in a child process; {rounds} rounds, alternating)",
        t.elapsed().as_secs_f64()
    );
    let (md5_speed, crc_speed) = hash_speeds();
    println!(
        "  this machine hashes {md5_speed:.0} MiB/s with MD5 and {crc_speed:.0} MiB/s with CRC32C (one core, 64 MiB in 64 KiB chunks)"
    );
    let exe = std::env::current_exe()?;
    let cli = exe.with_file_name("dataportability");
    if variants.iter().any(|v| matches!(v, Variant::Cli | Variant::CliMd5)) && !cli.is_file() {
        bail!(
            "{} is missing: `cargo build --release -p dataportability-cli` first (`cargo xtask bench download` does)",
            cli.display()
        );
    }
    let mut results: Vec<(Variant, Vec<Outcome>)> = variants.iter().map(|v| (*v, Vec::new())).collect();
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..variants.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let variant = results[i].0;
            let out = dir.join(variant.flag());
            let output = Command::new(&exe)
                .args([
                    "download-one",
                    "--url",
                    &url,
                    "--endpoint",
                    running.emulator.url(),
                    "--token",
                    &running.token,
                ])
                .args(["--job", &running.job_id, "--variant", variant.flag(), "--out"])
                .arg(&out)
                .arg("--cli")
                .arg(&cli)
                .args(["--size", &size.to_string()])
                .output()?;
            let _ = std::fs::remove_dir_all(&out);
            if !output.status.success() {
                bail!("{variant:?} failed: {}", String::from_utf8_lossy(&output.stderr));
            }
            let line = String::from_utf8_lossy(&output.stdout);
            let mut fields = line.split_whitespace().map(str::parse::<u64>);
            let mut next = || {
                fields
                    .next()
                    .context("a short report")
                    .and_then(|f| f.context("a number"))
            };
            let outcome = Outcome {
                bytes: next()?,
                elapsed: Duration::from_nanos(next()?),
                peak_rss: next()?,
                cpu: Duration::from_nanos(next()?),
            };
            if outcome.bytes != size {
                bail!("{variant:?} downloaded {} bytes, expected {size}", outcome.bytes);
            }
            results[i].1.push(outcome);
        }
    }
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    let throughput = |outcomes: &[Outcome]| {
        let mut t: Vec<f64> = outcomes
            .iter()
            .map(|o| mib(o.bytes) / o.elapsed.as_secs_f64())
            .collect();
        t.sort_by(f64::total_cmp);
        t[t.len() / 2]
    };
    let baseline = throughput(&results[0].1);
    for (variant, outcomes) in &results {
        let tp = throughput(outcomes);
        let rss = outcomes.iter().map(|o| o.peak_rss).max().unwrap_or(0);
        let all: Vec<String> = outcomes
            .iter()
            .map(|o| format!("{:.0}", mib(o.bytes) / o.elapsed.as_secs_f64()))
            .collect();
        let mut cpu: Vec<Duration> = outcomes.iter().map(|o| o.cpu).collect();
        cpu.sort();
        println!(
            "  {:<20} median {:>6.0} MiB/s = {:>5.1} % of {} ({} MiB/s)  peak RSS {:.1} MiB  CPU {:.2} s",
            variant.flag(),
            tp,
            100.0 * tp / baseline,
            results[0].0.flag(),
            all.join(", "),
            mib(rss),
            cpu[cpu.len() / 2].as_secs_f64()
        );
    }
    println!("  goals: >= 90 % of plain reqwest's throughput, peak RSS < 64 MiB");
    let of = |wanted: Variant| {
        results
            .iter()
            .find(|(v, _)| *v == wanted)
            .map(|(_, o)| (throughput(o), o.iter().map(|o| o.peak_rss).max().unwrap_or(0)))
    };
    if let (Some((plain, _)), Some((cli, rss))) = (of(Variant::Plain), of(Variant::Cli)) {
        println!(
            "  cli (crc32c): {:.1} % of plain (goal >= 90 %), peak RSS {:.1} MiB (goal < 64 MiB)",
            100.0 * cli / plain,
            mib(rss)
        );
    }
    if let (Some((plain, _)), Some((md5, _)), Some((cli, rss))) =
        (of(Variant::Plain), of(Variant::Md5Memory), of(Variant::CliMd5))
    {
        let ceiling = plain.min(md5);
        println!(
            "  cli --verify md5: {:.1} % of min(plain {plain:.0}, md5 in memory {md5:.0}) = {ceiling:.0} MiB/s (goal >= 90 %), peak RSS {:.1} MiB (goal < 64 MiB)",
            100.0 * cli / ceiling,
            mib(rss)
        );
    }
    Ok(())
}

/// MiB/s of MD5 and of CRC32C over 64 MiB fed in 64 KiB chunks.
fn hash_speeds() -> (f64, f64) {
    let chunk: Vec<u8> = (0..64 * 1024).map(|i| (i * 7 + 3) as u8).collect();
    let t = Instant::now();
    let mut md5 = Md5::new();
    for _ in 0..1024 {
        md5.update(&chunk);
    }
    std::hint::black_box(md5.finalize());
    let md5_speed = 64.0 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut crc = 0;
    for _ in 0..1024 {
        crc = crc32c::crc32c_append(crc, &chunk);
    }
    std::hint::black_box(crc);
    (md5_speed, 64.0 / t.elapsed().as_secs_f64())
}

/// The child: one download, then `bytes nanoseconds peak_rss_bytes` on stdout.
pub fn one(source: &Source, out: &Path, variant: Variant) -> Result<()> {
    match variant {
        Variant::Cli | Variant::CliMd5 => return cli(source, out, variant == Variant::CliMd5),
        Variant::Md5Memory => return md5_memory(source),
        _ => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    std::fs::create_dir_all(out)?;
    let file = out.join("archive.zip");
    let url = source.url.as_str();
    let (bytes, elapsed) = runtime.block_on(async {
        match variant {
            Variant::Plain => timed(plain(url, &file, Hashes::None, false)).await,
            Variant::PlainCrc32c => timed(plain(url, &file, Hashes::Crc32c, false)).await,
            Variant::PlainCrc32cSynced => timed(plain(url, &file, Hashes::Crc32c, true)).await,
            Variant::PlainVerified => timed(plain(url, &file, Hashes::Both, false)).await,
            Variant::PlainVerifiedSynced => timed(plain(url, &file, Hashes::Both, true)).await,
            Variant::PlainVerifiedPipelined => timed(pipelined(url, &file)).await,
            Variant::Cli | Variant::CliMd5 | Variant::Md5Memory => unreachable!("handled above"),
            Variant::Workflow => {
                let client = dataportability_v1::Client::builder()
                    .endpoint(&source.endpoint)
                    .token_source(dataportability_v1::StaticToken::new(&source.token))
                    .build()?;
                // The state read (one API call, fresh URLs) is not timed: only the download.
                let state = dataportability_export::job::state(&client, &source.job).await?;
                let downloader = dataportability_export::download::Downloader::new(
                    client,
                    dataportability_export::download::DownloadOptions::default(),
                )?;
                timed(async {
                    let done = downloader.download_all(&source.job, &state, out, |_| {}).await?;
                    if done.len() != 1 || done[0].verified != "crc32c" {
                        bail!("unexpected outcome {done:?}");
                    }
                    Ok(done[0].bytes)
                })
                .await
            }
        }
    })?;
    println!(
        "{bytes} {} {} {}",
        elapsed.as_nanos(),
        peak_rss().unwrap_or(0),
        cpu_time().unwrap_or_default().as_nanos()
    );
    Ok(())
}

/// The `dataportability` binary resuming the completed job (a state file names it), timed as
/// a whole; its peak RSS and CPU time are those of the child (`getrusage(RUSAGE_CHILDREN)`:
/// this process has no other child).
fn cli(source: &Source, out: &Path, md5: bool) -> Result<()> {
    use crate::emu::GROUP;
    let binary = source.cli.clone().context("--cli")?;
    std::fs::create_dir_all(out)?;
    let state = serde_json::json!({
        "version": 1,
        "endpoint": source.endpoint,
        "groups": {GROUP: {"jobId": source.job, "originalJobId": source.job}},
    });
    std::fs::write(out.join(".dataportability-state.json"), state.to_string())?;
    let mut command = Command::new(&binary);
    command
        .args(["--endpoint", &source.endpoint, "--token", &source.token, "export"])
        .args(["--resource", GROUP, "--poll-initial", "10ms", "--out"])
        .arg(out)
        .args(["--verify", if md5 { "md5" } else { "crc32c" }]);
    let started = Instant::now();
    let output = command.output()?;
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "{} failed: {stdout}{}",
            binary.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let wanted = if md5 {
        "size, crc32c+md5 verified"
    } else {
        "size, crc32c verified"
    };
    if !stdout.contains(wanted) {
        bail!("expected {wanted:?}: {stdout}");
    }
    let bytes = std::fs::metadata(out.join(GROUP).join(format!("{GROUP}.zip")))?.len();
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let time = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    println!(
        "{bytes} {} {} {}",
        elapsed.as_nanos(),
        usage.ru_maxrss as u64 * 1024,
        (time(usage.ru_utime) + time(usage.ru_stime)).as_nanos()
    );
    Ok(())
}

/// MD5 of the archive's size in bytes, in memory.
fn md5_memory(source: &Source) -> Result<()> {
    let size = source.size;
    let buffer: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let started = Instant::now();
    let mut md5 = Md5::new();
    let mut done = 0u64;
    while done < size {
        let at = (done % (1 << 20)) as usize;
        let n = (64 * 1024).min((size - done) as usize).min(buffer.len() - at);
        md5.update(&buffer[at..at + n]);
        done += n as u64;
    }
    std::hint::black_box(md5.finalize());
    let elapsed = started.elapsed();
    println!(
        "{done} {} {} {}",
        elapsed.as_nanos(),
        peak_rss().unwrap_or(0),
        cpu_time().unwrap_or_default().as_nanos()
    );
    Ok(())
}

async fn timed(future: impl std::future::Future<Output = Result<u64>>) -> Result<(u64, Duration)> {
    let started = Instant::now();
    let bytes = future.await?;
    Ok((bytes, started.elapsed()))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Hashes {
    None,
    Crc32c,
    Both,
}

async fn plain(url: &str, out: &Path, hashes: Hashes, synced: bool) -> Result<u64> {
    let mut response = reqwest::Client::new().get(url).send().await?.error_for_status()?;
    let expected = response
        .headers()
        .get("x-goog-hash")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let file = tokio::fs::File::create(out).await?;
    let mut file = tokio::io::BufWriter::with_capacity(if synced { 256 * 1024 } else { 0 }, file);
    let mut md5 = Md5::new();
    let mut crc = 0u32;
    let mut bytes = 0u64;
    while let Some(chunk) = response.chunk().await? {
        if hashes != Hashes::None {
            crc = crc32c::crc32c_append(crc, &chunk);
        }
        if hashes == Hashes::Both {
            md5.update(&chunk);
        }
        file.write_all(&chunk).await?;
        bytes += chunk.len() as u64;
    }
    file.flush().await?;
    if synced {
        file.get_ref().sync_all().await?;
    }
    let expected = expected.unwrap_or_default();
    let crc = format!("crc32c={}", STANDARD.encode(crc.to_be_bytes()));
    let md5 = format!("md5={}", STANDARD.encode(md5.finalize()));
    let ok = match hashes {
        Hashes::None => true,
        Hashes::Crc32c => expected.split(',').any(|h| h == crc),
        Hashes::Both => expected.split(',').any(|h| h == crc) && expected.split(',').any(|h| h == md5),
    };
    if !ok {
        bail!("hash mismatch: {expected:?}");
    }
    Ok(bytes)
}

/// Streams to the file with a 256 KiB buffer and `sync_all`, hashing on another thread.
async fn pipelined(url: &str, out: &Path) -> Result<u64> {
    let mut response = reqwest::Client::new().get(url).send().await?.error_for_status()?;
    let expected = response
        .headers()
        .get("x-goog-hash")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (sender, receiver) = std::sync::mpsc::sync_channel::<bytes::Bytes>(64);
    let hasher = std::thread::spawn(move || {
        let mut md5 = Md5::new();
        let mut crc = 0u32;
        for chunk in receiver {
            crc = crc32c::crc32c_append(crc, &chunk);
            md5.update(&chunk);
        }
        (crc, md5.finalize())
    });
    let mut file = tokio::io::BufWriter::with_capacity(256 * 1024, tokio::fs::File::create(out).await?);
    let mut bytes = 0u64;
    while let Some(chunk) = response.chunk().await? {
        file.write_all(&chunk).await?;
        bytes += chunk.len() as u64;
        // A full channel blocks this worker thread: backpressure when hashing is slower.
        let sender = sender.clone();
        tokio::task::block_in_place(move || sender.send(chunk))?;
    }
    drop(sender);
    file.flush().await?;
    file.get_ref().sync_all().await?;
    let (crc, md5) = hasher
        .join()
        .map_err(|_| anyhow::anyhow!("the hashing thread panicked"))?;
    let crc = format!("crc32c={}", STANDARD.encode(crc.to_be_bytes()));
    let md5 = format!("md5={}", STANDARD.encode(md5));
    if !(expected.split(',').any(|h| h == crc) && expected.split(',').any(|h| h == md5)) {
        bail!("hash mismatch: {expected:?}");
    }
    Ok(bytes)
}

/// The default scratch directory.
pub fn default_dir(root: &Path) -> PathBuf {
    root.join("target/bench-download")
}
