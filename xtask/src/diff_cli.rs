//! The `cargo xtask diff` command: its arguments, where the documents come from, and the
//! exit status.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use api_diff::code_diff;
use api_diff::load::{Loaded, check_same_api};
use api_diff::report_text::TextOptions;
use api_diff::{Report, report_json, report_markdown, report_text};

use crate::api::{self, ApiEntry, MANIFEST_PATH, Manifest};
use crate::source::Source;

/// The exit status and formats, shown at the end of `cargo xtask diff --help`.
pub const AFTER_HELP: &str = "\
Sources:
  (none)       for each API of discovery/manifest.json (or the one --api names), the committed
               document against the newest from its source (needs the network)
  NEW          the committed document of NEW's API (or --api's) against NEW
  OLD NEW      any two revisions of the same API
  A source is a file path or an http(s) URL.

Each change is breaking (code using the generated crate may stop compiling or working),
compatible, or description-only (doc comments only: counted, and listed with -v).
With several APIs the reports follow each other (--format json: a JSON array of them).

Exit status:
  0  no breaking change
  1  breaking changes
  2  error (unreadable or invalid document, network failure, bad arguments)";

/// Output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A report for a terminal (coloured only when stdout is a terminal).
    #[default]
    Text,
    /// Markdown for a pull request description.
    Markdown,
    /// JSON for tools (a stable shape, documented in `api-diff/src/report_json.rs`).
    Json,
}

/// When to colour the text report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Arguments of `cargo xtask diff`.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct DiffArgs {
    /// The older document; alone, the newer document, compared with the committed one.
    #[arg(value_name = "OLD")]
    pub first: Option<String>,
    /// The newer document.
    #[arg(value_name = "NEW")]
    pub second: Option<String>,
    /// The API of the manifest to compare (`NAME`, `NAME:VERSION` or its crate's directory name).
    #[arg(long, value_name = "NAME")]
    pub api: Option<String>,
    /// Also generate both crates in memory and print the unified diff of their files.
    #[arg(long)]
    pub code: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// List description-only changes too (text and Markdown; JSON always lists them).
    #[arg(short, long)]
    pub verbose: bool,
    /// Colour the text report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// A document to compare: where it comes from and how reports name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// Where to read it.
    pub source: Source,
    /// Its name in reports.
    pub label: String,
}

impl Input {
    /// A document named on the command line (a path or a URL), labelled as written.
    pub fn argument(text: &str) -> Result<Self> {
        Ok(Self {
            source: Source::parse(text)?,
            label: text.to_owned(),
        })
    }

    /// The committed document of `api`, labelled by its path in the workspace.
    pub fn committed(root: &Path, api: &ApiEntry) -> Self {
        Self {
            source: Source::File(root.join(&api.document)),
            label: api.document.clone(),
        }
    }

    /// The newest document of `api`, from the manifest's `source`.
    pub fn newest(api: &ApiEntry) -> Result<Self> {
        let Some(url) = &api.source else {
            bail!(
                "{} has no `source` in {MANIFEST_PATH} (a hand-written document): give the document to compare with",
                api.id()
            );
        };
        Ok(Self {
            source: Source::parse(url)?,
            label: url.clone(),
        })
    }

    /// Reads and parses the document.
    pub fn load(&self) -> Result<Loaded> {
        Ok(Loaded::from_text(self.source.load()?, self.label.as_str())?)
    }
}

/// Runs `cargo xtask diff` for the workspace at `root`: prints the report (one per API
/// compared) and returns exit status 1 when a change is breaking, 0 otherwise.
pub fn run(root: &Path, args: &DiffArgs) -> Result<ExitCode> {
    let manifest = api::load(root)?;
    let reports = match (args.first.as_deref(), args.second.as_deref()) {
        (Some(old), Some(new)) => {
            let (old, new) = (Input::argument(old)?.load()?, Input::argument(new)?.load()?);
            let entry = match &args.api {
                Some(selector) => Some(manifest.select(Some(selector))?[0].clone()),
                None => listed(&manifest, &new.api()),
            };
            vec![compare(&old, &new, args.code.then(|| code_options(entry.as_ref())))?]
        }
        (Some(new), None) | (None, Some(new)) => {
            let new = Input::argument(new)?.load()?;
            let entry = match &args.api {
                Some(selector) => manifest.select(Some(selector))?[0].clone(),
                None => listed(&manifest, &new.api()).with_context(|| {
                    format!(
                        "{} describes {}, which is not in {MANIFEST_PATH}: give OLD and NEW, or add it with \
                         `cargo xtask add {}`",
                        new.label,
                        new.api(),
                        new.api()
                    )
                })?,
            };
            let old = Input::committed(root, &entry).load()?;
            vec![compare(&old, &new, args.code.then(|| entry.options()))?]
        }
        (None, None) => {
            let mut reports = Vec::new();
            for entry in manifest.select(args.api.as_deref())? {
                // Without --api, hand-written documents (no source) are left out.
                if entry.source.is_none() && args.api.is_none() {
                    continue;
                }
                let new = Input::newest(entry)?.load()?;
                let old = Input::committed(root, entry).load()?;
                reports.push(compare(&old, &new, args.code.then(|| entry.options()))?);
            }
            reports
        }
    };
    write_stdout(&render(&reports, args))?;
    Ok(if reports.iter().any(Report::has_breaking) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The manifest's entry for the API `id` (`name:version`), if it lists one.
fn listed(manifest: &Manifest, id: &str) -> Option<ApiEntry> {
    manifest.apis.iter().find(|entry| entry.id() == id).cloned()
}

/// The generator options for `--code`: the entry's, or those of a crate in `generated/`.
fn code_options(entry: Option<&ApiEntry>) -> codegen::Options {
    entry.map_or_else(
        || codegen::Options::with_runtime_path("../../runtime"),
        ApiEntry::options,
    )
}

/// Compares two loaded documents; with `code`, also diffs the crates generated with those options.
pub fn compare(old: &Loaded, new: &Loaded, code: Option<codegen::Options>) -> Result<Report> {
    check_same_api(old, new)?;
    let mut report = Report::new(old, new)?;
    if let Some(options) = code {
        report.code = Some(code_diff::diff_documents(old, new, &options)?);
    }
    Ok(report)
}

/// The reports in the chosen format, one after the other (JSON: an array when there are several).
fn render(reports: &[Report], args: &DiffArgs) -> String {
    let one = |report: &Report| match args.format {
        Format::Text => report_text::render(
            report,
            TextOptions {
                verbose: args.verbose,
                color: use_color(args.color),
            },
        ),
        Format::Markdown => report_markdown::render(report, args.verbose),
        Format::Json => report_json::render(report),
    };
    if args.format == Format::Json && reports.len() != 1 {
        let values: Vec<serde_json::Value> = reports.iter().map(report_json::to_value).collect();
        let mut text = serde_json::to_string_pretty(&values).unwrap_or_default();
        text.push('\n');
        return text;
    }
    let texts: Vec<String> = reports.iter().map(one).collect();
    texts.join("\n")
}

/// Whether to colour: `always`, `never`, or for `auto` a terminal without `NO_COLOR`.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
                && std::env::var_os("TERM").is_none_or(|term| term != "dumb")
        }
    }
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("could not write the report"),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::api::dataportability_v1;

    #[test]
    fn the_committed_document_and_the_newest_come_from_the_manifest() {
        let api = dataportability_v1();
        assert_eq!(
            Input::committed(Path::new("/ws"), &api),
            Input {
                source: Source::File(PathBuf::from("/ws/discovery/dataportability.v1.json")),
                label: "discovery/dataportability.v1.json".to_owned()
            }
        );
        let newest = Input::newest(&api).expect("source");
        assert_eq!(newest.source, Source::Url(api.source.clone().expect("url")));
        let fixture = ApiEntry { source: None, ..api };
        let error = Input::newest(&fixture).expect_err("no source").to_string();
        assert!(error.contains("has no `source`"), "{error}");
    }

    #[test]
    fn arguments_are_files_or_urls() {
        assert_eq!(
            Input::argument("a.json").expect("file").source,
            Source::File(PathBuf::from("a.json"))
        );
        assert_eq!(
            Input::argument("https://x/d").expect("url").source,
            Source::Url("https://x/d".to_owned())
        );
        let error = Input::argument("ftp://x").expect_err("ftp").to_string();
        assert!(error.contains("unsupported URL scheme"), "{error}");
    }

    #[test]
    fn code_options_follow_the_manifest_entry() {
        let fixture = ApiEntry {
            crate_dir: "tests/fixtures/special-cases".to_owned(),
            ..dataportability_v1()
        };
        assert_eq!(
            code_options(Some(&fixture)).runtime_dependency,
            fixture.options().runtime_dependency
        );
        assert!(code_options(None).runtime_dependency.contains("\"../../runtime\""));
    }

    #[test]
    fn colour_follows_the_choice() {
        assert!(use_color(ColorChoice::Always));
        assert!(!use_color(ColorChoice::Never));
        // Tests never run with stdout on a terminal under `cargo test` capture or in CI.
        if !std::io::stdout().is_terminal() {
            assert!(!use_color(ColorChoice::Auto));
        }
    }
}
