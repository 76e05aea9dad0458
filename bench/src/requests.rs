//! Request overhead: `getPortabilityArchiveState` through the generated client against the
//! same request sent with plain reqwest and hand-written serde types, on 127.0.0.1.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::emu::{Running, client};
use crate::stats::{fmt_duration, median, percentile};

/// What a user would write by hand for the same response.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct HandState {
    name: Option<String>,
    state: Option<String>,
    #[serde(default)]
    urls: Vec<String>,
    start_time: Option<DateTime<Utc>>,
    export_time: Option<DateTime<Utc>>,
}

/// The clients measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Variant {
    /// The generated client.
    Generated,
    /// reqwest and hand-written serde types.
    Plain,
}

struct Clients {
    generated: dataportability_v1::Client,
    plain: reqwest::Client,
    url: String,
    token: String,
    name: String,
}

impl Clients {
    async fn one(&self, variant: Variant) -> Result<()> {
        match variant {
            Variant::Generated => {
                let state = self
                    .generated
                    .archive_jobs()
                    .get_portability_archive_state(self.name.as_str())
                    .send()
                    .await?;
                if state.urls.is_empty() {
                    bail!("no URL");
                }
            }
            Variant::Plain => {
                let response = self.plain.get(&self.url).bearer_auth(&self.token).send().await?;
                if !response.status().is_success() {
                    bail!("HTTP {}", response.status());
                }
                let body = response.bytes().await?;
                let state: HandState = serde_json::from_slice(&body)?;
                if state.urls.is_empty() {
                    bail!("no URL");
                }
            }
        }
        Ok(())
    }

    /// `count` requests, `concurrency` in flight at a time; the latency of each and the wall time.
    async fn batch(&self, variant: Variant, count: usize, concurrency: usize) -> Result<(Vec<Duration>, Duration)> {
        let started = Instant::now();
        let per_task = count / concurrency;
        let tasks = (0..concurrency).map(|_| async move {
            let mut latencies = Vec::with_capacity(per_task);
            for _ in 0..per_task {
                let t = Instant::now();
                self.one(variant).await?;
                latencies.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>(latencies)
        });
        let mut all = Vec::with_capacity(count);
        for latencies in futures_join_all(tasks).await {
            all.extend(latencies?);
        }
        Ok((all, started.elapsed()))
    }
}

/// `join_all` without another dependency: a `JoinSet` would need `'static` futures.
async fn futures_join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}

pub fn run(requests: usize, rounds: usize, concurrency: &[usize], only: Option<Variant>) -> Result<()> {
    let running = Running::start(64 * 1024)?;
    let clients = Clients {
        generated: client(&running.emulator, &running.token)?,
        plain: reqwest::Client::new(),
        url: format!("{}v1/{}", running.emulator.url(), running.state_name()),
        token: running.token.clone(),
        name: running.state_name(),
    };
    // The client side: one thread, so the emulator's worker has the other core.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    if let Some(variant) = only {
        // For a profiler: one variant, no report.
        for &c in concurrency {
            runtime.block_on(clients.batch(variant, requests * rounds, c))?;
        }
        return Ok(());
    }
    println!(
        "request overhead: getPortabilityArchiveState (COMPLETE, one signed URL) against the emulator on 127.0.0.1"
    );
    println!(
        "  client on a current-thread runtime, emulator on its own 1-worker runtime; {rounds} rounds x {requests} requests per variant, alternating; release build"
    );
    for &c in concurrency {
        let (mut generated, mut plain) = (Vec::new(), Vec::new());
        let (mut generated_wall, mut plain_wall) = (Duration::ZERO, Duration::ZERO);
        let mut round_ratios = Vec::new();
        runtime.block_on(async {
            // warm-up: connections, allocator, the emulator's caches
            clients.batch(Variant::Generated, requests.min(500), c).await?;
            clients.batch(Variant::Plain, requests.min(500), c).await?;
            for round in 0..rounds {
                let order = if round % 2 == 0 {
                    [Variant::Generated, Variant::Plain]
                } else {
                    [Variant::Plain, Variant::Generated]
                };
                let mut walls = [Duration::ZERO; 2];
                for variant in order {
                    let (latencies, wall) = clients.batch(variant, requests, c).await?;
                    match variant {
                        Variant::Generated => {
                            generated.extend(latencies);
                            generated_wall += wall;
                            walls[0] = wall;
                        }
                        Variant::Plain => {
                            plain.extend(latencies);
                            plain_wall += wall;
                            walls[1] = wall;
                        }
                    }
                }
                round_ratios.push(walls[1].as_secs_f64() / walls[0].as_secs_f64());
            }
            Ok::<_, anyhow::Error>(())
        })?;
        let rps = |n: usize, wall: Duration| n as f64 / wall.as_secs_f64();
        let g_rps = rps(generated.len(), generated_wall);
        let p_rps = rps(plain.len(), plain_wall);
        round_ratios.sort_by(f64::total_cmp);
        println!("  concurrency {c}:");
        println!(
            "    generated client  {:>8.0} req/s  p50 {:>9}  p99 {:>9}",
            g_rps,
            fmt_duration(median(&mut generated)),
            fmt_duration(percentile(&mut generated, 99.0))
        );
        println!(
            "    plain reqwest     {:>8.0} req/s  p50 {:>9}  p99 {:>9}",
            p_rps,
            fmt_duration(median(&mut plain)),
            fmt_duration(percentile(&mut plain, 99.0))
        );
        println!(
            "    ratio generated/plain: {:.1} % of plain's req/s (rounds: min {:.1} %, median {:.1} %, max {:.1} %; goal >= 97 %)",
            100.0 * g_rps / p_rps,
            100.0 * round_ratios[0],
            100.0 * round_ratios[round_ratios.len() / 2],
            100.0 * round_ratios[round_ratios.len() - 1]
        );
    }
    let (compiled, cached) = pattern_costs(&clients.name);
    println!(
        "  the path check of one call: regex_lite::Regex::new + is_match {} (what the runtime did per call before f8ced18), is_match on a compiled Regex {}",
        fmt_duration(compiled),
        fmt_duration(cached)
    );
    Ok(())
}

/// What checking `name` against the method's `pattern` costs per call: compiling the regex
/// each time, or matching with one compiled once.
fn pattern_costs(name: &str) -> (Duration, Duration) {
    const PATTERN: &str = "^archiveJobs/[^/]+/portabilityArchiveState$";
    const N: u32 = 20_000;
    let t = Instant::now();
    for _ in 0..N {
        let regex = regex_lite::Regex::new(std::hint::black_box(PATTERN)).expect("valid");
        assert!(regex.is_match(name));
    }
    let compiled = t.elapsed() / N;
    let regex = regex_lite::Regex::new(PATTERN).expect("valid");
    let t = Instant::now();
    for _ in 0..N {
        assert!(regex.is_match(std::hint::black_box(name)));
    }
    (compiled, t.elapsed() / N)
}
