//! `dataportability`: export your Google data with the Data Portability API.
//!
//! Run `dataportability --help`; the README's "Export your data" has examples.

mod args;
mod auth;
mod commands;
mod export;
mod failure;
mod oauth;
mod ui;

use std::process::ExitCode;

use clap::Parser as _;
use clap::error::ErrorKind;
use dataportability_v1::{Client, Scope};

use crate::args::{Cli, Command};
use crate::failure::{Code, Failure};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            return fail(&Failure::new(Code::Failed, format!("cannot start: {error}")));
        }
    };
    let outcome = runtime.block_on(async {
        // Biased: the Ctrl-C handler is installed (on its first poll) before the command starts.
        tokio::select! {
            biased;
            _ = tokio::signal::ctrl_c() => Err(Failure::new(
                Code::Interrupted,
                "interrupted; run the same command again to resume",
            )),
            outcome = run(cli) => outcome,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => fail(&failure),
    }
}

fn fail(failure: &Failure) -> ExitCode {
    eprintln!("error: {}", failure.message);
    failure.exit_code()
}

/// `--help` and `--version` go to stdout with status 0; a usage error is one line on stderr
/// with status 2.
fn usage_error(error: &clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            ExitCode::SUCCESS
        }
        _ => {
            let rendered = error.to_string();
            let first = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid usage");
            let first = first.trim_start_matches("error: ");
            fail(&Failure::usage(format!("{first} (see `dataportability --help`)")))
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    if let Command::Scopes = cli.command {
        commands::scopes();
        return Ok(());
    }
    let groups = commands::parse_groups(&cli.global.resources)?;
    if matches!(cli.command, Command::Export(_)) && groups.is_empty() {
        return Err(Failure::usage(
            "export needs at least one --resource GROUP (`dataportability scopes` lists them)",
        ));
    }
    let scopes = if groups.is_empty() {
        Scope::ALL.to_vec()
    } else {
        groups.clone()
    };
    // A period is checked before anything is sent (or any sign-in starts).
    let request = match &cli.command {
        Command::Export(args) => export::request(args, &groups)?,
        _ => dataportability_export::incremental::ExportRequest::All,
    };
    let endpoint = cli.global.endpoint.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let source = auth::token_source(&cli.global, &scopes).await?;
    let mut builder = Client::builder().shared_token_source(source);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint(endpoint);
    }
    let client = builder.build().map_err(|e| Failure::usage(e.to_string()))?;
    match &cli.command {
        Command::CheckAccess => commands::check_access(&client).await,
        Command::Export(args) => export::run(&client, args, request, &groups, endpoint, &ui::Ui::new()).await,
        Command::State { job } => commands::state(&client, job).await,
        Command::Retry { job } => commands::retry(&client, job).await,
        Command::Cancel { job } => commands::cancel(&client, job).await,
        Command::Reset => commands::reset(&client).await,
        Command::Scopes => Ok(()),
    }
}
