//! `skip_note!`: why a test is skipped, written to the terminal even when the test harness
//! captures the test's output (a skip is never silent).

/// Writes the message straight to stderr (`eprintln!` output is captured by `cargo test`).
macro_rules! skip_note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}
