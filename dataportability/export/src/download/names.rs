//! Local file names for signed URLs.

/// The local file names of a job's URLs: the last path segment of each, restricted to
/// `[A-Za-z0-9._-]` (others become `_`), `archive-N.zip` when nothing usable is left, and
/// prefixed with `N-` (then `N-K-`) until it is unique. Names are compared case-insensitively
/// (a file system may be), and a name never equals another's part file (`NAME.part`).
/// A segment longer than 200 bytes is cut, keeping its extension and adding the CRC32C
/// of the whole segment, so the name, its prefix and `.part` stay within the 255 bytes most file
/// systems allow, and the same URL gives the same name on every run.
///
/// ```
/// let names = dataportability_export::download::file_names(&[
///     "https://storage.example/b/j/myactivity.search.zip?Signature=x".into(),
///     "https://storage.example/b/k/myactivity.search.zip".into(),
///     "https://storage.example/".into(),
/// ]);
/// assert_eq!(names, ["myactivity.search.zip", "1-myactivity.search.zip", "archive-2.zip"]);
/// ```
pub fn file_names(urls: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(urls.len());
    // Every name taken, lowercased, once: a name's part file is `NAME.part`, so a name is free
    // when neither it, nor its part, nor (for a `*.part` name) the name it is the part of is
    // taken.
    let mut taken = std::collections::HashSet::with_capacity(urls.len());
    for (index, url) in urls.iter().enumerate() {
        let segment = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.path_segments().and_then(|mut s| s.next_back().map(str::to_owned)))
            .unwrap_or_default();
        let clean: String = segment
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let base = if clean.is_empty() || clean.starts_with('.') {
            format!("archive-{index}.zip")
        } else {
            shorten(&clean, MAX_BASE_BYTES)
        };
        let free = |name: &str| {
            let lower = name.to_lowercase();
            let part_of = lower.strip_suffix(".part").is_some_and(|stem| taken.contains(stem));
            !part_of && !taken.contains(&lower) && !taken.contains(&format!("{lower}.part"))
        };
        let mut name = base.clone();
        let mut attempt = 0usize;
        while !free(&name) {
            name = match attempt {
                0 => format!("{index}-{base}"),
                k => format!("{index}-{k}-{base}"),
            };
            attempt += 1;
        }
        taken.insert(name.to_lowercase());
        names.push(name);
    }
    names
}

/// The longest name kept from a URL: with a prefix (`N-K-`, two 20-digit numbers at most) and
/// `.part`, at most 247 bytes.
const MAX_BASE_BYTES: usize = 200;

/// The longest extension kept when a name is cut.
const MAX_EXTENSION_BYTES: usize = 16;

/// `name` (ASCII) cut to `max` bytes: its start, `-`, the CRC32C of the whole name in hex, and
/// its extension (if short).
fn shorten(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let extension = name
        .rfind('.')
        .map(|dot| &name[dot..])
        .filter(|ext| ext.len() <= MAX_EXTENSION_BYTES)
        .unwrap_or("");
    let tag = format!("-{:08x}", crc32c::crc32c(name.as_bytes()));
    let keep = max.saturating_sub(tag.len() + extension.len());
    format!("{}{tag}{extension}", &name[..keep.min(name.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 10,000-byte segment gives a name that fits with its prefix and `.part`, the same
    /// every time, and different for segments that differ only after the cut.
    #[test]
    fn long_names_are_cut_stably_within_the_file_name_limit() {
        let long = |tail: &str| format!("https://storage.example/b/{}{tail}.zip", "a".repeat(10_000));
        let urls = vec![long("x"), long("y"), long("x")];
        let names = file_names(&urls);
        for name in &names {
            assert!(name.len() + ".part".len() <= 255, "{} bytes", name.len());
            assert!(name.ends_with(".zip"), "{name}");
        }
        assert_ne!(names[0], names[1]);
        assert_eq!(names, file_names(&urls));
        assert_eq!(names[2], format!("2-{}", names[0]));
        assert_eq!(shorten("short.zip", 200), "short.zip");
        let cut = shorten(&"b".repeat(300), 200);
        assert_eq!(cut.len(), 200);
        assert!(!cut.contains('.'));
    }

    #[test]
    fn names_stay_unique_after_their_prefix_and_regardless_of_case() {
        let urls: Vec<String> = ["2-a.zip", "a.zip", "a.zip", "A.ZIP", "a.zip.part", "1-a.zip"]
            .iter()
            .map(|n| format!("https://storage.example/b/{n}"))
            .collect();
        let names = file_names(&urls);
        assert_eq!(
            names,
            ["2-a.zip", "a.zip", "2-1-a.zip", "3-A.ZIP", "4-a.zip.part", "1-a.zip"]
        );
        let lower: std::collections::HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(lower.len(), names.len());
    }
}
