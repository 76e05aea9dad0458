//! The limits a method's `mediaUpload` sets, checked before anything is sent.

use super::UploadInfo;
use crate::Error;

/// Fails when `length` is over the method's `maxSize` or `content_type` is not one it accepts.
pub(super) fn check(method: &'static str, upload: &UploadInfo, content_type: &str, length: u64) -> Result<(), Error> {
    let invalid = |message: String| Error::InvalidArgument {
        method,
        parameter: "media".to_owned(),
        message,
    };
    if let Some(max) = upload.max_size.filter(|max| length > *max) {
        return Err(invalid(format!(
            "{length} bytes is over the method's limit of {max} bytes"
        )));
    }
    if !upload.accept.is_empty() && !upload.accept.iter().any(|pattern| accepts(pattern, content_type)) {
        return Err(invalid(format!(
            "media type {content_type:?} is not one the method accepts ({})",
            upload.accept.join(", ")
        )));
    }
    Ok(())
}

/// Whether `content_type` (parameters ignored) matches `pattern`: `*/*`, `type/*` or exact.
fn accepts(pattern: &str, content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let pattern = pattern.trim().to_ascii_lowercase();
    match pattern.strip_suffix("/*") {
        Some("*") => true,
        Some(kind) => essence.split('/').next() == Some(kind) && essence.contains('/'),
        None => essence == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMAGES: UploadInfo = UploadInfo::new(None, None, Some(10), &["image/*", "application/pdf"]);

    #[test]
    fn media_types_match_wildcards_and_ignore_parameters() {
        assert!(accepts("*/*", "text/plain"));
        assert!(accepts("image/*", "image/png"));
        assert!(accepts("message/rfc822", "Message/RFC822; charset=utf-8"));
        assert!(!accepts("image/*", "imagex/png"));
        assert!(!accepts("image/*", "image"));
        assert!(!accepts("image/png", "image/jpeg"));
    }

    #[test]
    fn limits_are_checked_with_a_clear_message() {
        assert!(check("m", &IMAGES, "image/png", 10).is_ok());
        let error = check("m", &IMAGES, "image/png", 11).unwrap_err().to_string();
        assert!(
            error.contains("11 bytes is over the method's limit of 10 bytes"),
            "{error}"
        );
        let error = check("m", &IMAGES, "text/plain", 1).unwrap_err().to_string();
        assert!(
            error.contains(r#""text/plain" is not one the method accepts (image/*, application/pdf)"#),
            "{error}"
        );
    }
}
