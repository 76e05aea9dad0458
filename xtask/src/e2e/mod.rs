//! `cargo xtask e2e`: a generated client against a server we did not write. The storage.v1
//! crate is generated from the corpus into a scratch workspace under `target/e2e/`, with the
//! program in `xtask/e2e/fake-gcs/`, and run against fake-gcs-server (see [`fake_gcs`]).
//!
//! Every request goes through the program's loopback proxy (which can drop a connection in
//! the middle of an upload), so fake-gcs-server's external URL is the proxy's: the session
//! URLs it hands out then have the same origin as the client's endpoint, as Google's do.

pub mod fake_gcs;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result};
use codegen::Options;

/// Where the program's sources are, relative to the workspace root.
const PROGRAM_DIR: &str = "xtask/e2e/fake-gcs";
/// The scratch workspace, relative to the workspace root.
const SCRATCH_DIR: &str = "target/e2e";

/// Arguments of `cargo xtask e2e`.
#[derive(Debug, clap::Args)]
pub struct E2eArgs {
    /// The storage.v1 Discovery document.
    #[arg(long, default_value = "../shared/corpus/storage.v1.json")]
    pub document: PathBuf,
}

/// Runs the end-to-end test; exit status 0 when every step passed.
pub fn run(root: &Path, args: &E2eArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let binary = fake_gcs::binary(&root.join("target/fake-gcs-server"))?;
    println!(
        "fake-gcs-server: {} ({:.1} s)",
        binary.display(),
        started.elapsed().as_secs_f64()
    );

    let scratch = root.join(SCRATCH_DIR);
    let generate_started = Instant::now();
    write_scratch_workspace(root, &scratch, &args.document)?;
    println!(
        "generated storage.v1 into {} ({:.1} s)",
        scratch.display(),
        generate_started.elapsed().as_secs_f64()
    );

    let build_started = Instant::now();
    cargo(&scratch, root, &["build", "--quiet", "--package", "fake-gcs-e2e"])?;
    println!("built the program ({:.1} s)", build_started.elapsed().as_secs_f64());

    let server_port = fake_gcs::free_port()?;
    let mut proxy_port = fake_gcs::free_port()?;
    while proxy_port == server_port {
        proxy_port = fake_gcs::free_port()?;
    }
    let proxy_url = format!("http://127.0.0.1:{proxy_port}");
    let server = fake_gcs::Server::start(&binary, server_port, &proxy_url, &scratch.join("fake-gcs-server.log"))?;
    let run_started = Instant::now();
    let program = root.join("target/debug/fake-gcs-e2e");
    let status = Command::new(&program)
        .arg(format!("127.0.0.1:{}", server.port))
        .arg(format!("127.0.0.1:{proxy_port}"))
        .status()
        .with_context(|| format!("cannot run {}", program.display()))?;
    drop(server);
    println!(
        "ran the program ({:.1} s); cargo xtask e2e took {:.1} s",
        run_started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Writes the scratch workspace: the generated crate, the program, a manifest and the
/// project's lock file (the same versions, so the shared target directory already has them).
fn write_scratch_workspace(root: &Path, scratch: &Path, document: &Path) -> Result<()> {
    let json = std::fs::read_to_string(document).with_context(|| format!("cannot read {}", document.display()))?;
    let options = Options::with_runtime_path(&root.join("runtime").to_string_lossy());
    let generated =
        codegen::generate(&json, &options).with_context(|| format!("cannot generate {}", document.display()))?;
    xtask::write_dir(&generated, &scratch.join("storage-v1"))?;

    let program = scratch.join("fake-gcs");
    for relative in ["Cargo.toml", "src/main.rs", "src/proxy.rs"] {
        let from = root.join(PROGRAM_DIR).join(relative);
        let to = program.join(relative);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::copy(&from, &to).with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    }
    std::fs::write(
        scratch.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"storage-v1\", \"fake-gcs\"]\n\n\
         [profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
    )
    .context("cannot write the scratch workspace manifest")?;
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).context("cannot copy Cargo.lock")?;
    Ok(())
}

fn cargo(dir: &Path, root: &Path, args: &[&str]) -> Result<()> {
    xtask::nested_cargo::run(dir, &root.join("target"), args)
}
