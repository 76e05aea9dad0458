//! A `cargo` command for builds that xtask starts itself (the corpus sample, the hostile
//! suite, the e2e program).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// `cargo` (the one that runs xtask, else the one on `PATH`) without the variables `cargo run`
/// gives xtask's own package: build scripts that watch one (ring's watches
/// `CARGO_MANIFEST_DIR`) would otherwise rebuild, there and in the next workspace build.
pub fn command() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if is_package_variable(&name) {
            command.env_remove(name.as_ref());
        }
    }
    command
}

/// Runs `cargo ARGS` in `dir` with `target_dir` as its target directory; a failed run is an
/// error naming the command and the directory.
pub fn run(dir: &Path, target_dir: &Path, args: &[&str]) -> Result<()> {
    let status = command()
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("cargo {} failed in {} ({status})", args.join(" "), dir.display());
    }
    Ok(())
}

fn is_package_variable(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_MANIFEST_")
        || ["CARGO_CRATE_NAME", "CARGO_BIN_NAME", "CARGO_PRIMARY_PACKAGE"].contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_variables_are_removed_and_cargo_settings_kept() {
        assert!(is_package_variable("CARGO_MANIFEST_DIR"));
        assert!(is_package_variable("CARGO_PKG_NAME"));
        assert!(is_package_variable("CARGO_BIN_NAME"));
        assert!(!is_package_variable("CARGO_TARGET_DIR"));
        assert!(!is_package_variable("CARGO_HOME"));
    }
}
