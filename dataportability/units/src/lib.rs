//! Durations (`500ms`, `1.5h`, `5m`, `14d`) and sizes (`64KiB`, `1GB`, `5m`) as the Data
//! Portability emulator and CLI read them on their command lines: one parser, so that the two
//! never disagree on what a value means.
//!
//! A crate of its own, without dependencies, because the two share no other crate: the CLI
//! must not depend on the emulator's server stack, and the emulator does not use the export
//! library.
//!
//! | form                   | duration                     | size                                  |
//! | ---------------------- | ---------------------------- | ------------------------------------- |
//! | bare number            | seconds (`30`, `1.5`)        | bytes (`65536`)                       |
//! | decimal units          | `ms`, `s`, `m`/`min`, `h`, `d` | `B`, `KB`/`k`, `MB`/`m`, `GB`/`g`, `TB`/`t` (powers of 1000) |
//! | binary units           |                              | `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024) |
//! | fraction               | yes (`1.5h`, `0.5s`)         | no (whole bytes)                      |
//! | case                   | as written                   | any (`64kib`, `1GiB`)                 |

use std::time::Duration;

/// A duration: a number (a fraction is allowed) with a unit `ms`, `s`, `m` (or `min`), `h` or
/// `d`; a bare number is seconds. Space between number and unit is allowed.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (e.g. 500ms, 30s, 5m, 1.5h, 14d)"))?;
    let seconds = match unit.trim() {
        "ms" => number / 1000.0,
        "" | "s" => number,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        "d" => number * 86_400.0,
        other => {
            return Err(format!(
                "unknown duration unit `{other}` in `{text}` (use ms, s, m, h or d)"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{text}` is out of range"))
}

/// A size in bytes: a whole number with an optional unit, case-insensitive: `B`; `KB`, `MB`,
/// `GB`, `TB` or their first letter (powers of 1000); `KiB`, `MiB`, `GiB`, `TiB` (powers of
/// 1024).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 65536, 256KiB, 1MB, 1GiB)"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" | "k" => 1_000,
        "mb" | "m" => 1_000_000,
        "gb" | "g" => 1_000_000_000,
        "tb" | "t" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => {
            return Err(format!(
                "unknown size unit `{}` in `{text}` (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)",
                unit.trim()
            ));
        }
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// A duration for people: `5m`, `1h`, `250ms`, `1m30s`.
pub fn show_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = duration.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (value, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if value > 0 {
            out.push_str(&format!("{value}{unit}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_duration_form() {
        let seconds = Duration::from_secs;
        for (text, expected) in [
            ("500ms", Duration::from_millis(500)),
            ("20ms", Duration::from_millis(20)),
            ("7", seconds(7)),
            ("1.5", Duration::from_millis(1500)),
            ("3s", seconds(3)),
            ("0.5s", Duration::from_millis(500)),
            ("5m", seconds(300)),
            ("5min", seconds(300)),
            ("5 m", seconds(300)),
            ("1.5h", seconds(5400)),
            ("6h", seconds(21_600)),
            ("14d", seconds(1_209_600)),
            (" 2d ", seconds(172_800)),
        ] {
            assert_eq!(parse_duration(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn refused_durations_say_why() {
        for (text, says) in [
            ("", "is not a duration"),
            ("soon", "is not a duration"),
            ("-1s", "is not a duration"),
            ("1.2.3s", "is not a duration"),
            ("5 weeks", "unknown duration unit `weeks`"),
            ("3M", "unknown duration unit `M`"),
            ("99999999999999999999d", "out of range"),
        ] {
            let error = parse_duration(text).expect_err(text);
            assert!(error.contains(says), "{text}: {error}");
        }
    }

    #[test]
    fn every_size_form() {
        for (text, expected) in [
            ("65536", 65_536),
            ("10b", 10),
            ("1k", 1_000),
            ("1KB", 1_000),
            ("5m", 5_000_000),
            ("1MB", 1_000_000),
            ("5GB", 5_000_000_000),
            ("2g", 2_000_000_000),
            ("1TB", 1_000_000_000_000),
            ("1t", 1_000_000_000_000),
            ("64KiB", 65_536),
            ("256KiB", 262_144),
            ("1mib", 1 << 20),
            ("1gib", 1 << 30),
            ("1TiB", 1 << 40),
            ("4 MiB", 4 << 20),
        ] {
            assert_eq!(parse_size(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn refused_sizes_say_why() {
        for (text, says) in [
            ("x", "is not a size"),
            ("1.5MB", "unknown size unit `.5MB`"),
            ("-1", "is not a size"),
            ("3 parsecs", "unknown size unit `parsecs`"),
            ("99999999999GiB", "too large"),
            ("20000000000GiB", "too large"),
        ] {
            let error = parse_size(text).expect_err(text);
            assert!(error.contains(says), "{text}: {error}");
        }
    }

    #[test]
    fn durations_show_for_people() {
        assert_eq!(show_duration(Duration::from_secs(3600)), "1h");
        assert_eq!(show_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(show_duration(Duration::from_millis(40)), "40ms");
    }
}
