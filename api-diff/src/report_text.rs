//! The human-readable report, optionally coloured for a terminal.
//!
//! ```text
//! dataportability:v1: revision 20240410 → 20260927
//! old: discovery/dataportability.v1.json
//! new: https://dataportability.googleapis.com/$discovery/rest?version=v1
//!
//! Breaking changes (1):
//!   - auth.oauth2.scopes: scope removed: https://www.googleapis.com/auth/dataportability.businessmessaging.conversations
//!
//! Compatible changes (2):
//!   + resources.archiveJobs.methods.cancel: method added: POST v1/{+name}:cancel
//!   + schemas.InitiatePortabilityArchiveRequest.properties.startTime: field added: string (google-datetime)
//!
//! 3 changes: 1 breaking, 2 compatible (+70 description-only)
//! ```

use anstyle::{AnsiColor, Style};

use crate::change::{Change, Summary};
use crate::code_diff;
use crate::kind::Impact;
use crate::report::Report;

/// How to render the text report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// List description-only changes too (they are always counted).
    pub verbose: bool,
    /// Use ANSI colours (only for a terminal).
    pub color: bool,
}

/// The whole report: header, changes by impact, summary line, and the code diff if any.
pub fn render(report: &Report, options: TextOptions) -> String {
    let mut out = format!(
        "{}\nold: {}\nnew: {}\n\n",
        paint(
            &format!(
                "{}: revision {} → {}",
                report.api, report.old.revision, report.new.revision
            ),
            Style::new().bold(),
            options.color
        ),
        report.old.label,
        report.new.label
    );
    out.push_str(&body(&report.changes, options));
    if let Some(files) = &report.code {
        let heading = match files.len() {
            0 => "Generated code: no file changes".to_owned(),
            1 => "Generated code: 1 file differs".to_owned(),
            n => format!("Generated code: {n} files differ"),
        };
        out.push('\n');
        out.push_str(&paint(&heading, Style::new().bold(), options.color));
        out.push('\n');
        out.push_str(&paint_diff(&code_diff::render(files), options.color));
    }
    out
}

/// The changes grouped by impact (description-only ones only when `verbose`), then the
/// summary line. Sections are separated by blank lines.
pub fn body(changes: &[Change], options: TextOptions) -> String {
    let mut out = String::new();
    for impact in Impact::ALL {
        if impact == Impact::DescriptionOnly && !options.verbose {
            continue;
        }
        let listed: Vec<&Change> = changes.iter().filter(|change| change.impact() == impact).collect();
        if listed.is_empty() {
            continue;
        }
        let heading = format!("{} ({}):", impact.heading(), listed.len());
        out.push_str(&paint(&heading, heading_style(impact), options.color));
        out.push('\n');
        for change in listed {
            let sign = change.kind.sign();
            out.push_str(&format!(
                "  {} {change}\n",
                paint(&sign.to_string(), sign_style(sign), options.color)
            ));
        }
        out.push('\n');
    }
    let summary = Summary::of(changes).to_string();
    out.push_str(&paint(&summary, Style::new().bold(), options.color));
    out.push('\n');
    out
}

fn heading_style(impact: Impact) -> Style {
    match impact {
        Impact::Breaking => AnsiColor::Red.on_default().bold(),
        Impact::Compatible => AnsiColor::Green.on_default().bold(),
        Impact::DescriptionOnly => Style::new().bold().dimmed(),
    }
}

fn sign_style(sign: char) -> Style {
    match sign {
        '+' => AnsiColor::Green.on_default(),
        '-' => AnsiColor::Red.on_default(),
        _ => AnsiColor::Yellow.on_default(),
    }
}

/// `text` in `style` when `color`, else `text` unchanged.
fn paint(text: &str, style: Style, color: bool) -> String {
    if color {
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}

/// A unified diff with added lines green, removed lines red and hunk headers cyan.
fn paint_diff(diff: &str, color: bool) -> String {
    if !color {
        return diff.to_owned();
    }
    let mut out = String::with_capacity(diff.len());
    for line in diff.lines() {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            Style::new().bold()
        } else if line.starts_with('+') {
            AnsiColor::Green.on_default()
        } else if line.starts_with('-') {
            AnsiColor::Red.on_default()
        } else if line.starts_with("@@") {
            AnsiColor::Cyan.on_default()
        } else {
            Style::new()
        };
        out.push_str(&paint(line, style, true));
        out.push('\n');
    }
    out
}
