//! Errors of the generator: each names where in the document it is.

/// Why a document could not be turned into a crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not JSON, or a value has the wrong type for its key.
    #[error("{path}: {message}")]
    Parse {
        /// JSON path of the offending value, e.g. `schemas.Foo.properties.bar.type`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The document is JSON of the right shape but says something that cannot be generated.
    #[error("{path}: {message}")]
    Unsupported {
        /// JSON path of the offending value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The JSON is Google's list of Discovery documents (`kind: discovery#directoryList`),
    /// not the document of one API.
    #[error(
        "kind: this is a Discovery directory list (discovery#directoryList), not an API's Discovery \
         document; generate from one of the documents it lists"
    )]
    DirectoryList,
    /// The document is larger than [`crate::Options::max_document_bytes`].
    #[error(
        "document: {bytes} bytes, more than the limit of {limit} bytes (Options::max_document_bytes, \
         the codegen binary's --max-document-bytes)"
    )]
    TooLarge {
        /// The document's size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
}

impl Error {
    /// The same error with control characters and line separators in its text escaped
    /// (`\n`, `\u{1b}`), so that a message quoting the document stays on one line and cannot
    /// drive a terminal.
    pub fn escape_controls(self) -> Self {
        match self {
            Self::Parse { path, message } => Self::Parse {
                path: escape(&path),
                message: escape(&message),
            },
            Self::Unsupported { path, message } => Self::Unsupported {
                path: escape(&path),
                message: escape(&message),
            },
            other => other,
        }
    }
}

fn escape(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if needs_escape(c) {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_stay_on_one_line() {
        let error = Error::Parse {
            path: "schemas.a\nb".to_owned(),
            message: "unknown variant `\u{1b}[2J\r`".to_owned(),
        };
        assert_eq!(
            error.escape_controls().to_string(),
            r"schemas.a\nb: unknown variant `\u{1b}[2J\r`"
        );
    }
}
