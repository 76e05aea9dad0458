//! Signed URLs of archives, in the shape of Cloud Storage's V2 signed URLs
//! (`?GoogleAccessId=..&Expires=<unix seconds>&Signature=..`), signed with HMAC-MD5 under a
//! key random per emulator.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use md5::Md5;

use crate::archive::Part;

/// The bucket of every archive URL.
pub(crate) const BUCKET: &str = "dataportability-emulator";

/// The object path of file `part` of the archive of `group` in job `job`:
/// `/storage/BUCKET/JOB/GROUP.zip`, or `GROUP-001.zip` .. `GROUP-NNN.zip` for an archive of
/// several files (the names are ours: Google does not document them).
pub(crate) fn object_path(job: &str, group: &str, part: Part) -> String {
    if part.count <= 1 {
        format!("/storage/{BUCKET}/{job}/{group}.zip")
    } else {
        format!("/storage/{BUCKET}/{job}/{group}-{:03}.zip", part.index + 1)
    }
}

/// The group and part of an object's file name (the inverse of [`object_path`]'s last
/// segment), given the number of files per archive.
pub(crate) fn parse_file_name(file: &str, count: u32) -> Option<(&str, Part)> {
    if count <= 1 {
        return file.strip_suffix(".zip").map(|group| (group, Part::WHOLE));
    }
    let (group, number) = file.strip_suffix(".zip")?.rsplit_once('-')?;
    if number.len() < 3 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let index = number.parse::<u32>().ok()?.checked_sub(1)?;
    (index < count).then_some((group, Part { index, count }))
}

/// The service account the URLs claim to be signed by.
pub(crate) const ACCESS_ID: &str = "dataportability-emulator@emulator.iam.gserviceaccount.com";

/// Signs and verifies download URLs.
pub(crate) struct Signer {
    key: [u8; 64],
}

impl Signer {
    /// A signer with a fresh random key: URLs of one emulator are not valid on another.
    pub fn new() -> Self {
        Self {
            key: crate::auth::random_bytes(),
        }
    }

    /// The signed URL of `path` (absolute, e.g. `/storage/bucket/job/file.zip`) below `base`
    /// (ending with `/`), valid until `expires` (Unix seconds).
    pub fn url(&self, base: &str, path: &str, expires: i64) -> String {
        let signature = URL_SAFE_NO_PAD.encode(self.mac(path, expires).finalize().into_bytes());
        format!(
            "{}{}?GoogleAccessId={ACCESS_ID}&Expires={expires}&Signature={signature}",
            base.trim_end_matches('/'),
            path
        )
    }

    /// Whether `signature` signs `path` with `expires`.
    pub fn verify(&self, path: &str, expires: i64, signature: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(signature)
            .is_ok_and(|bytes| self.mac(path, expires).verify_slice(&bytes).is_ok())
    }

    fn mac(&self, path: &str, expires: i64) -> Hmac<Md5> {
        let mut mac = <Hmac<Md5> as KeyInit>::new(&self.key.into());
        mac.update(format!("GET\n{expires}\n{path}").as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_round_trip() {
        let whole = object_path("j", "myactivity.search", Part::WHOLE);
        assert!(whole.ends_with("/j/myactivity.search.zip"));
        assert_eq!(
            parse_file_name("myactivity.search.zip", 1),
            Some(("myactivity.search", Part::WHOLE))
        );
        let second = Part { index: 1, count: 3 };
        assert!(object_path("j", "g", second).ends_with("/j/g-002.zip"));
        assert_eq!(parse_file_name("g-002.zip", 3), Some(("g", second)));
        assert_eq!(parse_file_name("g-004.zip", 3), None);
        assert_eq!(parse_file_name("g-000.zip", 3), None);
        assert_eq!(parse_file_name("g.zip", 3), None);
        assert_eq!(parse_file_name("g-1.zip", 3), None);
    }

    #[test]
    fn a_signature_covers_path_and_expiry() {
        let signer = Signer::new();
        let url = signer.url("http://127.0.0.1:1/", "/storage/b/j/g.zip", 100);
        let signature = url.rsplit("Signature=").next().expect("signature");
        assert!(url.starts_with("http://127.0.0.1:1/storage/b/j/g.zip?GoogleAccessId="));
        assert!(signer.verify("/storage/b/j/g.zip", 100, signature));
        assert!(!signer.verify("/storage/b/j/h.zip", 100, signature));
        assert!(!signer.verify("/storage/b/j/g.zip", 101, signature));
        assert!(!Signer::new().verify("/storage/b/j/g.zip", 100, signature));
        assert!(!signer.verify("/storage/b/j/g.zip", 100, "not base64!"));
    }
}
