//! What the user sees: indicatif bars on a terminal (one spinner per job while it is polled,
//! one bar per download), plain lines otherwise (logs, pipes, tests).
//!
//! Every line goes through [`shown`]: a job id, a state, a URL or an error message from the
//! server reaches the terminal escaped and cut, never as the escape sequences it may be.

use std::borrow::Cow;
use std::io::IsTerminal as _;
use std::time::Duration;

use discovery_runtime::untrusted::printable;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The most characters of one printed line: room for a signed URL (about 1,000), not for a
/// megabyte of a hostile server's text.
pub const LINE_CHARS: usize = 4096;

/// `text` as it may be printed: control and escape characters escaped, cut after
/// [`LINE_CHARS`] characters (the one function every line of the CLI goes through).
pub fn shown(text: &str) -> Cow<'_, str> {
    printable(text, LINE_CHARS)
}

/// Prints `text` as one line on stdout, [`shown`].
pub fn print_line(text: impl AsRef<str>) {
    println!("{}", shown(text.as_ref()));
}

/// The progress display of one run.
#[derive(Clone)]
pub struct Ui {
    /// `None` when stdout is not a terminal: bars are hidden and events are printed as lines.
    multi: Option<MultiProgress>,
}

impl Ui {
    /// Bars when stdout is a terminal, plain lines otherwise.
    pub fn new() -> Self {
        let multi = std::io::stdout()
            .is_terminal()
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stdout()));
        Self { multi }
    }

    /// Whether bars are shown.
    pub fn is_interactive(&self) -> bool {
        self.multi.is_some()
    }

    /// Prints a line above the bars (or just a line), [`shown`].
    pub fn line(&self, text: impl AsRef<str>) {
        let text = shown(text.as_ref());
        match &self.multi {
            Some(multi) => {
                if multi.println(text.as_ref()).is_err() {
                    println!("{text}");
                }
            }
            None => println!("{text}"),
        }
    }

    /// Sets a spinner's message, [`shown`].
    pub fn set_message(&self, bar: &ProgressBar, text: &str) {
        bar.set_message(shown(text).into_owned());
    }

    /// A spinner for a job being polled.
    pub fn spinner(&self, prefix: &str) -> ProgressBar {
        let Some(multi) = &self.multi else {
            return ProgressBar::hidden();
        };
        let bar = multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix:.bold} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(prefix.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A byte bar for a download.
    pub fn bytes(&self, prefix: &str, total: Option<u64>) -> ProgressBar {
        let Some(multi) = &self.multi else {
            return ProgressBar::hidden();
        };
        let bar = multi.add(ProgressBar::new(total.unwrap_or(0)));
        bar.set_style(
            ProgressStyle::with_template("  {prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .map(|style| style.progress_chars("=> "))
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(prefix.to_owned());
        bar
    }
}
