//! The `cargo xtask diff` command: its arguments, where the documents come from, and the
//! exit status.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use api_diff::code_diff;
use api_diff::load::{Loaded, check_same_api};
use api_diff::report_text::TextOptions;
use api_diff::{Report, report_json, report_markdown, report_text};

use crate::api::{ApiSpec, CrateSpec, DATAPORTABILITY_V1, DATAPORTABILITY_V1_CRATE};
use crate::source::Source;

/// The exit status and formats, shown at the end of `cargo xtask diff --help`.
pub const AFTER_HELP: &str = "\
Sources:
  (none)       the committed discovery/dataportability.v1.json against the newest document
               from Google's discovery service (needs the network; offline it fails at once)
  NEW          the committed document against NEW
  OLD NEW      any two revisions of the same API
  A source is a file path or an http(s) URL.

Each change is breaking (code using the generated crate may stop compiling or working),
compatible, or description-only (doc comments only: counted, and listed with -v).

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
    /// JSON for tools (a stable shape, documented in `codegen/diff/src/report_json.rs`).
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

/// Where the two documents come from, and how reports name them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sources {
    /// The older document and its label.
    pub old: (Source, String),
    /// The newer document and its label.
    pub new: (Source, String),
}

impl Sources {
    /// Decides the sources from the arguments: none, one (the newer) or two.
    pub fn from_args(root: &Path, api: &ApiSpec, first: Option<&str>, second: Option<&str>) -> Result<Self> {
        let committed = || (Source::File(root.join(api.document_path)), api.document_path.to_owned());
        let argument = |text: &str| -> Result<(Source, String)> { Ok((Source::parse(text)?, text.to_owned())) };
        Ok(match (first, second) {
            (Some(old), Some(new)) => Self {
                old: argument(old)?,
                new: argument(new)?,
            },
            (Some(new), None) | (None, Some(new)) => Self {
                old: committed(),
                new: argument(new)?,
            },
            (None, None) => Self {
                old: committed(),
                new: (Source::Url(api.discovery_url.to_owned()), api.discovery_url.to_owned()),
            },
        })
    }
}

/// Runs `cargo xtask diff` for the workspace at `root`: prints the report and returns
/// exit status 1 when a change is breaking, 0 otherwise.
pub fn run(root: &Path, args: &DiffArgs) -> Result<ExitCode> {
    let sources = Sources::from_args(root, &DATAPORTABILITY_V1, args.first.as_deref(), args.second.as_deref())?;
    let report = build_report(&sources, args.code.then_some(&DATAPORTABILITY_V1_CRATE))?;
    let text = match args.format {
        Format::Text => report_text::render(
            &report,
            TextOptions {
                verbose: args.verbose,
                color: use_color(args.color),
            },
        ),
        Format::Markdown => report_markdown::render(&report, args.verbose),
        Format::Json => report_json::render(&report),
    };
    write_stdout(&text)?;
    Ok(if report.has_breaking() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Loads both documents and compares them; with `code`, also diffs the crates generated
/// with that crate's options.
pub fn build_report(sources: &Sources, code: Option<&CrateSpec>) -> Result<Report> {
    let old = Loaded::from_text(sources.old.0.load()?, sources.old.1.as_str())?;
    let new = Loaded::from_text(sources.new.0.load()?, sources.new.1.as_str())?;
    check_same_api(&old, &new)?;
    let mut report = Report::new(&old, &new);
    if let Some(spec) = code {
        let options = codegen::Options::with_runtime_path(spec.runtime_path);
        report.code = Some(code_diff::diff_documents(&old, &new, &options)?);
    }
    Ok(report)
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

    #[test]
    fn no_argument_compares_the_committed_document_with_googles() {
        let sources = Sources::from_args(Path::new("/ws"), &DATAPORTABILITY_V1, None, None).expect("sources");
        assert_eq!(
            sources.old,
            (
                Source::File(PathBuf::from("/ws/discovery/dataportability.v1.json")),
                "discovery/dataportability.v1.json".to_owned()
            )
        );
        assert_eq!(sources.new.0, Source::Url(DATAPORTABILITY_V1.discovery_url.to_owned()));
    }

    #[test]
    fn one_argument_is_the_newer_document() {
        let sources =
            Sources::from_args(Path::new("/ws"), &DATAPORTABILITY_V1, Some("new.json"), None).expect("sources");
        assert_eq!(sources.old.1, "discovery/dataportability.v1.json");
        assert_eq!(
            sources.new,
            (Source::File(PathBuf::from("new.json")), "new.json".to_owned())
        );
    }

    #[test]
    fn two_arguments_are_old_then_new_files_or_urls() {
        let sources = Sources::from_args(
            Path::new("/ws"),
            &DATAPORTABILITY_V1,
            Some("a.json"),
            Some("https://x/d"),
        )
        .expect("sources");
        assert_eq!(sources.old.0, Source::File(PathBuf::from("a.json")));
        assert_eq!(sources.new.0, Source::Url("https://x/d".to_owned()));
        let error = Sources::from_args(Path::new("/ws"), &DATAPORTABILITY_V1, Some("ftp://x"), None)
            .expect_err("ftp")
            .to_string();
        assert!(error.contains("unsupported URL scheme"), "{error}");
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
