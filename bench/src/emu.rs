//! An emulator on its own runtime and thread, so that the client being measured has the other
//! core to itself, and a completed job to read.

use anyhow::{Context, Result};
use dataportability_emulator::{AccessType, Emulator, EmulatorConfig};
use dataportability_v1::models::InitiatePortabilityArchiveRequest;
use dataportability_v1::{Client, StaticToken};

/// The resource group the benchmarks export.
pub const GROUP: &str = "myactivity.search";

/// A running emulator with a completed job of [`GROUP`].
pub struct Running {
    /// Declared first: dropped (stopped) before its runtime.
    pub emulator: Emulator,
    runtime: tokio::runtime::Runtime,
    pub token: String,
    pub job_id: String,
}

impl Running {
    /// Starts an emulator serving archives of `archive_size` bytes on a one-worker runtime, and
    /// makes one completed job.
    pub fn start(archive_size: u64) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("emulator")
            .enable_all()
            .build()?;
        let config = EmulatorConfig {
            archive_size,
            complete_after: std::time::Duration::from_secs(3600),
            ..Default::default()
        };
        let emulator = runtime.block_on(Emulator::start_with(config))?;
        let token = emulator
            .mint_token([GROUP], AccessType::TimeBased)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let client = client(&emulator, &token)?;
        let job_id = runtime.block_on(async {
            let request = InitiatePortabilityArchiveRequest {
                resources: vec![GROUP.to_owned()],
                ..Default::default()
            };
            client.portability_archive().initiate(request).send().await
        })?;
        let job_id = job_id.archive_job_id.context("no archiveJobId")?;
        emulator.complete_job(&job_id).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Ok(Self {
            emulator,
            runtime,
            token,
            job_id,
        })
    }

    /// The job's state resource name.
    pub fn state_name(&self) -> String {
        format!("archiveJobs/{}/portabilityArchiveState", self.job_id)
    }

    /// The signed URL of the job's archive (read once through the generated client).
    pub fn archive_url(&self) -> Result<String> {
        let client = client(&self.emulator, &self.token)?;
        let state = self.runtime.block_on(
            client
                .archive_jobs()
                .get_portability_archive_state(self.state_name())
                .send(),
        )?;
        state.urls.into_iter().next().context("a completed job has a URL")
    }

    /// Runs `future` on the emulator's runtime (for set-up calls only).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

/// The generated client pointed at `emulator`.
pub fn client(emulator: &Emulator, token: &str) -> Result<Client> {
    Ok(Client::builder()
        .endpoint(emulator.url())
        .token_source(StaticToken::new(token))
        .build()?)
}
