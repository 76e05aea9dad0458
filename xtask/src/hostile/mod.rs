//! `cargo xtask hostile`: the hostile-document suite. Every string of a document that uses
//! every part of the format (`xtask/tests/hostile/base.json`), value or map key, is replaced
//! in turn by each payload of [`payloads`] (a TOML table that adds a dependency with a build
//! script, an inner attribute that includes a file, doctests in every fence form, literal and
//! comment breakers, raw HTML, intra-doc links, reference definitions and autolinks, names
//! starting outside ASCII, keywords, control characters), and named cases are added
//! (non-ASCII schema names, no methods, no schemas, Google's
//! directory list).
//!
//! Each document is refused with a clear one-line error that starts with a JSON path, or
//! generates a crate that [`crate::output_check`] finds clean. Then, per payload, one document
//! carrying it in every position that generated is compiled with the named cases in one
//! scratch workspace (sharing the project's target directory): `cargo clippy -D warnings` and
//! `cargo test`. The payloads' code writes marker files; none may exist afterwards, while a
//! canary crate with a doctest and a build script proves that such code would have left one.

mod cases;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use codegen::{GeneratedCrate, Options};
use serde_json::Value;

pub use cases::{Payload, Placement, payloads};

use crate::output_check::check_crate;

/// The base document, relative to the workspace root.
pub const BASE_DOCUMENT: &str = "xtask/tests/hostile/base.json";

/// Arguments of `cargo xtask hostile`.
#[derive(Debug, clap::Args)]
pub struct HostileArgs {
    /// Generate and check only; do not compile and test the crates.
    #[arg(long)]
    pub no_compile: bool,
}

/// Where in a document a string is: a value, or a key of a map the document names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// The JSON pointer of the value (for a key: of the value under it).
    pub pointer: String,
    /// Whether the key is replaced rather than the value.
    pub key: bool,
}

/// What one document gave.
#[derive(Debug)]
pub enum Verdict {
    /// A clean crate.
    Generated(Box<GeneratedCrate>),
    /// A clear error.
    Refused(String),
}

/// Runs the suite; exit status 1 when a case fails.
pub fn run(root: &Path, args: &HostileArgs) -> Result<ExitCode> {
    let scratch = root.join("target/hostile");
    let markers = scratch.join("markers");
    let pwn = scratch.join("pwn");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).with_context(|| format!("cannot clear {}", scratch.display()))?;
    }
    std::fs::create_dir_all(&markers).with_context(|| format!("cannot create {}", markers.display()))?;
    write_pwn_crate(&pwn, &markers)?;

    let options = Options::with_runtime_path(&root.join("runtime").to_string_lossy());
    let base = read_base(root)?;
    let payloads = payloads(&markers, &pwn);
    let mut problems = Vec::new();
    let mut crates = Vec::new();
    let mut singles = 0;
    let mut refused = 0;
    // One thread per payload: the grid is some thousand generations.
    let suites: Vec<PayloadSuite> = std::thread::scope(|scope| {
        let handles: Vec<_> = payloads
            .iter()
            .enumerate()
            .map(|(index, payload)| {
                let (base, options) = (&base, &options);
                scope.spawn(move || run_payload(base, index, payload, options))
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| PayloadSuite::failed("the suite panicked"))
            })
            .collect()
    });
    for ((index, payload), suite) in payloads.iter().enumerate().zip(suites) {
        println!(
            "{}: {} of {} positions refused alone; compiled with it in the other {} positions at once",
            payload.name, suite.refused, suite.documents, suite.merged_positions
        );
        singles += suite.documents;
        refused += suite.refused;
        problems.extend(suite.problems);
        match suite.merged {
            Some(generated) => crates.push((format!("p{index}-{}", payload.name), generated)),
            None => problems.push(format!("{}: no position generated a crate", payload.name)),
        }
    }
    for case in cases::named_cases(&base) {
        match verdict(&case.document.to_string(), &options) {
            Ok(Verdict::Generated(generated)) if case.expect_refusal.is_none() => {
                crates.push((case.name.to_owned(), *generated));
            }
            Ok(Verdict::Refused(message)) if case.expect_refusal.is_some_and(|e| message.contains(e)) => {}
            Ok(Verdict::Generated(_)) => problems.push(format!("{}: generated, expected a refusal", case.name)),
            Ok(Verdict::Refused(message)) => problems.push(format!("{}: refused: {message}", case.name)),
            Err(problem) => problems.push(format!("{}: {problem}", case.name)),
        }
    }
    println!(
        "{} payloads x {} positions: {singles} documents, {refused} refused with a clear error, the rest clean crates; \
         {} crates to compile",
        payloads.len(),
        positions(&base).len(),
        crates.len()
    );
    for problem in &problems {
        println!("FAILED {problem}");
    }
    if !problems.is_empty() {
        return Ok(ExitCode::from(1));
    }
    if args.no_compile {
        return Ok(ExitCode::SUCCESS);
    }
    compile_and_test(root, &scratch, &markers, &crates)?;
    println!(
        "compiled and tested {} crates: clippy -D warnings and cargo test pass, no marker written by document code",
        crates.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The base document with a package name of its own for payload `index`.
fn read_base(root: &Path) -> Result<Value> {
    let path = root.join(BASE_DOCUMENT);
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

/// What one payload gave over every position.
pub struct PayloadSuite {
    /// Documents generated (one per position).
    pub documents: usize,
    /// How many were refused.
    pub refused: usize,
    /// Cases that failed.
    pub problems: Vec<String>,
    /// The crate of the document with the payload in every position that generated alone.
    pub merged: Option<GeneratedCrate>,
    /// How many positions carry the payload in that document.
    pub merged_positions: usize,
}

impl PayloadSuite {
    fn failed(problem: &str) -> Self {
        Self {
            documents: 0,
            refused: 0,
            problems: vec![problem.to_owned()],
            merged: None,
            merged_positions: 0,
        }
    }
}

/// Puts `payload` in each position of `base` in turn, then in all that generated at once.
pub fn run_payload(base: &Value, index: usize, payload: &Payload, options: &Options) -> PayloadSuite {
    let base = renamed(base, &format!("hostile{index}"));
    let all = positions(&base);
    let mut suite = PayloadSuite {
        documents: 0,
        refused: 0,
        problems: Vec::new(),
        merged: None,
        merged_positions: 0,
    };
    let mut accepted = BTreeSet::new();
    for position in &all {
        let document = substitute(&base, &BTreeSet::from([position.clone()]), payload);
        suite.documents += 1;
        match verdict(&document.to_string(), options) {
            Ok(Verdict::Generated(_)) => {
                if must_refuse(position, payload) {
                    suite.problems.push(format!(
                        "{} at {position:?}: generated, but the value does not fit Google's shape",
                        payload.name
                    ));
                }
                accepted.insert(position.clone());
            }
            Ok(Verdict::Refused(_)) => suite.refused += 1,
            Err(problem) => suite
                .problems
                .push(format!("{} at {position:?}: {problem}", payload.name)),
        }
    }
    // All accepted positions at once; if they clash, as many as still generate.
    let mut kept = accepted.clone();
    let mut merged = generate_clean(&substitute(&base, &kept, payload), options);
    if merged.is_none() {
        kept.clear();
        for position in &accepted {
            kept.insert(position.clone());
            match generate_clean(&substitute(&base, &kept, payload), options) {
                Some(generated) => merged = Some(generated),
                None => {
                    kept.remove(position);
                }
            }
        }
    }
    suite.merged_positions = if merged.is_some() { kept.len() } else { 0 };
    suite.merged = merged;
    suite
}

fn generate_clean(document: &Value, options: &Options) -> Option<GeneratedCrate> {
    match verdict(&document.to_string(), options) {
        Ok(Verdict::Generated(generated)) => Some(*generated),
        _ => None,
    }
}

/// A document's verdict, or what is wrong with the generator's answer: a panic, an error
/// that is not one clear line naming a path, or a crate that is not clean.
pub fn verdict(document: &str, options: &Options) -> Result<Verdict, String> {
    let result = std::panic::catch_unwind(|| codegen::generate(document, options))
        .map_err(|_| "the generator panicked".to_owned())?;
    match result {
        Ok(generated) => {
            let problems = check_crate(&generated);
            if problems.is_empty() {
                Ok(Verdict::Generated(Box::new(generated)))
            } else {
                Err(problems.join("; "))
            }
        }
        Err(error) => {
            let message = error.to_string();
            let clear = !message.chars().any(char::is_control)
                && message.split_once(": ").is_some_and(|(path, _)| !path.is_empty());
            if clear {
                Ok(Verdict::Refused(message))
            } else {
                Err(format!("an unclear error: {message:?}"))
            }
        }
    }
}

/// Whether a document with `payload` at `position` must be refused: the fields that become
/// names (`name`, `version`) and the resource and method keys have Google's shapes, which no
/// payload fits. Any other value, `id` and `revision` included, may carry any payload.
fn must_refuse(position: &Position, payload: &Payload) -> bool {
    let identity = !position.key && matches!(position.pointer.as_str(), "/name" | "/version");
    let parent = position.pointer.rsplit_once('/').map_or("", |(parent, _)| parent);
    let named_key = position.key && (parent.ends_with("/methods") || parent.ends_with("/resources"));
    payload.breaks_shapes && (identity || named_key)
}

/// `base` with `name` and `id` set for a package of its own.
fn renamed(base: &Value, name: &str) -> Value {
    let mut document = base.clone();
    if let Value::Object(map) = &mut document {
        map.insert("name".into(), Value::from(name));
        map.insert("id".into(), Value::from(format!("{name}:v1")));
    }
    document
}

/// Every string position of `document`: string values, and the keys of the maps whose keys
/// the document chooses (schemas, properties, parameters, scopes, methods, resources).
pub fn positions(document: &Value) -> Vec<Position> {
    let mut out = Vec::new();
    collect(document, "", false, &mut out);
    out
}

const NAMED_MAPS: &[&str] = &["schemas", "properties", "parameters", "scopes", "methods", "resources"];

fn collect(value: &Value, pointer: &str, named_keys: bool, out: &mut Vec<Position>) {
    match value {
        Value::String(_) => out.push(Position {
            pointer: pointer.to_owned(),
            key: false,
        }),
        Value::Object(map) => {
            for (key, child) in map {
                let child_pointer = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                if named_keys {
                    out.push(Position {
                        pointer: child_pointer.clone(),
                        key: true,
                    });
                }
                let child_named = NAMED_MAPS.contains(&key.as_str()) && child.is_object() && !named_keys;
                collect(child, &child_pointer, child_named, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect(child, &format!("{pointer}/{i}"), false, out);
            }
        }
        _ => {}
    }
}

/// `document` with `payload` placed in every one of `positions`.
pub fn substitute(document: &Value, positions: &BTreeSet<Position>, payload: &Payload) -> Value {
    rebuild(document, "", positions, payload)
}

fn rebuild(value: &Value, pointer: &str, positions: &BTreeSet<Position>, payload: &Payload) -> Value {
    let here = |key: bool| {
        positions.contains(&Position {
            pointer: pointer.to_owned(),
            key,
        })
    };
    match value {
        Value::String(text) if here(false) => Value::from(payload.place(text)),
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (key, child) in map {
                let child_pointer = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                let is_replaced = positions.contains(&Position {
                    pointer: child_pointer.clone(),
                    key: true,
                });
                let new_key = if is_replaced { payload.place(key) } else { key.clone() };
                out.insert(new_key, rebuild(child, &child_pointer, positions, payload));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, child)| rebuild(child, &format!("{pointer}/{i}"), positions, payload))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A crate with a build script that writes a marker: what the TOML payload tries to add.
fn write_pwn_crate(dir: &Path, markers: &Path) -> Result<()> {
    std::fs::create_dir_all(dir.join("src")).with_context(|| format!("cannot create {}", dir.display()))?;
    let manifest = "[package]\nname = \"pwn\"\nversion = \"0.1.0\"\nedition = \"2024\"\n";
    std::fs::write(dir.join("Cargo.toml"), manifest).context("cannot write the pwn crate")?;
    std::fs::write(dir.join("src/lib.rs"), "").context("cannot write the pwn crate")?;
    let build = format!(
        "fn main() {{ std::fs::write({:?}, \"\").unwrap(); }}\n",
        markers.join("pwn-build-script").to_string_lossy()
    );
    std::fs::write(dir.join("build.rs"), build).context("cannot write the pwn crate")?;
    Ok(())
}

/// The canary: a crate whose doctest and build script write markers, to prove that code
/// that ran would have left one.
fn canary_files(markers: &Path) -> Vec<(String, String)> {
    let marker = |name: &str| format!("{:?}", markers.join(name).to_string_lossy());
    vec![
        (
            "Cargo.toml".to_owned(),
            "[package]\nname = \"canary\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n".to_owned(),
        ),
        (
            "build.rs".to_owned(),
            format!(
                "fn main() {{ std::fs::write({}, \"\").unwrap(); }}\n",
                marker("canary-build-script")
            ),
        ),
        (
            "src/lib.rs".to_owned(),
            format!(
                "//! The canary.\n//!\n//! ```\n//! std::fs::write({}, \"\").unwrap();\n//! ```\n",
                marker("canary-doctest")
            ),
        ),
    ]
}

fn compile_and_test(root: &Path, scratch: &Path, markers: &Path, crates: &[(String, GeneratedCrate)]) -> Result<()> {
    let mut members = Vec::new();
    for (name, generated) in crates {
        write_files(&scratch.join("crates").join(name), generated.files.iter())?;
        members.push(format!("crates/{name}"));
    }
    let canary = canary_files(markers);
    write_files(&scratch.join("crates/canary"), canary.iter().map(|(p, c)| (p, c)))?;
    members.push("crates/canary".to_owned());
    let members: Vec<String> = members.iter().map(|m| format!("    {m:?},")).collect();
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [\n{}\n]\n",
        members.join("\n")
    );
    std::fs::write(scratch.join("Cargo.toml"), manifest).context("cannot write the scratch workspace manifest")?;
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).context("cannot copy Cargo.lock")?;

    let target = root.join("target");
    cargo(
        scratch,
        &target,
        &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
    )?;
    cargo(scratch, &target, &["test", "--workspace"])?;

    let mut written: Vec<String> = std::fs::read_dir(markers)
        .with_context(|| format!("cannot list {}", markers.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    written.sort();
    if written != ["canary-build-script", "canary-doctest"] {
        bail!(
            "markers written: {written:?}; expected only the canary's (code from a document ran, or the canary did not)"
        );
    }
    Ok(())
}

fn write_files<'a>(dir: &Path, files: impl Iterator<Item = (&'a String, &'a String)>) -> Result<()> {
    for (path, content) in files {
        let target: PathBuf = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&target, content).with_context(|| format!("cannot write {}", target.display()))?;
    }
    Ok(())
}

fn cargo(dir: &Path, target_dir: &Path, args: &[&str]) -> Result<()> {
    println!("running cargo {} in {}", args.join(" "), dir.display());
    crate::nested_cargo::run(dir, target_dir, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Value {
        read_base(&crate::workspace::root().expect("root")).expect("base document")
    }

    #[test]
    fn positions_cover_values_and_chosen_keys() {
        let positions = positions(&base());
        let has = |pointer: &str, key: bool| {
            positions.contains(&Position {
                pointer: pointer.to_owned(),
                key,
            })
        };
        assert!(has("/id", false) && has("/title", false) && has("/rootUrl", false));
        assert!(has("/schemas/Thing", true) && has("/schemas/Thing/properties/name", true));
        assert!(has("/resources/things/methods/get", true) && has("/resources/things/resources/parts", true));
        assert!(has("/resources/things/methods/get/path", false));
        assert!(has(
            "/auth/oauth2/scopes/https:~1~1www.googleapis.com~1auth~1hostile.read",
            true
        ));
        assert!(!has("/schemas/Thing/type", true), "format keys are not replaced");
        assert!(positions.len() > 80, "{}", positions.len());
    }

    #[test]
    fn payloads_in_every_position_are_refused_or_clean() {
        let root = crate::workspace::root().expect("root");
        let base = base();
        let options = Options::default();
        let markers = root.join("target/hostile-test/markers");
        // Two payloads here (`cargo xtask hostile` runs them all): the TOML one and a fence.
        let all = payloads(&markers, &root.join("target/hostile-test/pwn"));
        for (index, payload) in all
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.name, "toml" | "tilde-fence"))
        {
            let suite = run_payload(&base, index, payload, &options);
            assert!(suite.problems.is_empty(), "{:#?}", suite.problems);
            assert!(suite.merged.is_some(), "{}: nothing generated", payload.name);
        }
    }

    #[test]
    fn the_named_cases_give_what_they_expect() {
        let options = Options::default();
        for case in cases::named_cases(&base()) {
            let verdict = verdict(&case.document.to_string(), &options);
            match (verdict, case.expect_refusal) {
                (Ok(Verdict::Generated(_)), None) => {}
                (Ok(Verdict::Refused(message)), Some(expected)) => {
                    assert!(message.contains(expected), "{}: {message}", case.name);
                }
                (other, _) => panic!("{}: {other:?}", case.name),
            }
        }
    }
}
