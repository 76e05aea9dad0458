//! Local file names for signed URLs.

/// The local file names of a job's URLs: the last path segment of each, restricted to
/// `[A-Za-z0-9._-]` (others become `_`), `archive-N.zip` when nothing usable is left, and
/// prefixed with `N-` when two URLs would share a name.
///
/// ```
/// let names = workflow::download::file_names(&[
///     "https://storage.example/b/j/myactivity.search.zip?Signature=x".into(),
///     "https://storage.example/b/k/myactivity.search.zip".into(),
///     "https://storage.example/".into(),
/// ]);
/// assert_eq!(names, ["myactivity.search.zip", "1-myactivity.search.zip", "archive-2.zip"]);
/// ```
pub fn file_names(urls: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(urls.len());
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
        let mut name = if clean.is_empty() || clean.starts_with('.') {
            format!("archive-{index}.zip")
        } else {
            clean
        };
        if names.contains(&name) {
            name = format!("{index}-{name}");
        }
        names.push(name);
    }
    names
}
