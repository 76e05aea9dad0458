//! Refresh tokens encrypted at rest: AES-256-GCM with the connection id as associated data
//! (a ciphertext copied to another connection does not decrypt), a random 96-bit nonce per
//! ciphertext, and the id of the key stored beside each ciphertext so keys can rotate.
//!
//! The key file holds one key a line, `KEY_ID:BASE64(32 bytes)`; the last line encrypts, every
//! line decrypts. `DATAPORTABILITY_SERVER_KEYS` may hold the same text instead of a file.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// A failure to load keys or to decrypt; it never contains key or token bytes.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The key file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A line of the key text is not `KEY_ID:BASE64(32 bytes)`.
    #[error("key text, line {line}: expected KEY_ID:BASE64 of 32 bytes")]
    BadKey {
        /// The line number (from 1).
        line: usize,
    },
    /// No key at all.
    #[error("no key in the key text")]
    NoKey,
    /// A ciphertext names a key that is not loaded.
    #[error("the grant was encrypted with key {0:?}, which is not loaded")]
    UnknownKey(String),
    /// The ciphertext does not decrypt under its key and connection.
    #[error("the stored grant does not decrypt (wrong key, or not this connection's)")]
    Decrypt,
}

/// An encrypted refresh token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// The key that sealed it.
    pub key_id: String,
    /// The 12-byte nonce.
    pub nonce: Vec<u8>,
    /// The ciphertext with its tag.
    pub ciphertext: Vec<u8>,
}

/// The loaded keys.
pub struct KeyRing {
    keys: Vec<(String, Aes256Gcm)>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("KeyRing").field("key_ids", &ids).finish()
    }
}

impl KeyRing {
    /// Reads keys from `text` (see the module's doc).
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let mut keys = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || CryptoError::BadKey { line: index + 1 };
            let (id, key) = line.split_once(':').ok_or_else(bad)?;
            let bytes = STANDARD.decode(key.trim()).map_err(|_| bad())?;
            if bytes.len() != 32 || id.trim().is_empty() {
                return Err(bad());
            }
            let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes));
            keys.push((id.trim().to_owned(), cipher));
        }
        if keys.is_empty() {
            return Err(CryptoError::NoKey);
        }
        Ok(Self { keys })
    }

    /// Reads the key file at `path`, creating it (`0600`, one new random key) if it does not
    /// exist.
    pub fn load_or_create(path: &Path) -> Result<Self, CryptoError> {
        let io = |source| CryptoError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::getrandom(&mut key).map_err(|e| io(std::io::Error::other(e.to_string())))?;
                let text = format!("k1:{}\n", STANDARD.encode(key));
                write_private(path, &text).map_err(io)?;
                Self::parse(&text)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// Encrypts `token` for `connection` with the newest key.
    pub fn seal(&self, connection: &str, token: &str) -> Sealed {
        let (key_id, cipher) = self.keys.last().expect("a key ring has a key");
        let mut nonce = [0u8; 12];
        // getrandom fails only without an OS random source, where nothing can be kept secret.
        getrandom::getrandom(&mut nonce).expect("the OS random source");
        let payload = Payload {
            msg: token.as_bytes(),
            aad: connection.as_bytes(),
        };
        let ciphertext = cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .expect("AES-GCM encrypts any message under 64 GiB");
        Sealed {
            key_id: key_id.clone(),
            nonce: nonce.to_vec(),
            ciphertext,
        }
    }

    /// Decrypts a token sealed for `connection`.
    pub fn open(&self, connection: &str, sealed: &Sealed) -> Result<String, CryptoError> {
        let (_, cipher) = self
            .keys
            .iter()
            .find(|(id, _)| *id == sealed.key_id)
            .ok_or_else(|| CryptoError::UnknownKey(sealed.key_id.clone()))?;
        if sealed.nonce.len() != 12 {
            return Err(CryptoError::Decrypt);
        }
        let payload = Payload {
            msg: &sealed.ciphertext,
            aad: connection.as_bytes(),
        };
        let plain = cipher
            .decrypt(Nonce::from_slice(&sealed.nonce), payload)
            .map_err(|_| CryptoError::Decrypt)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Decrypt)
    }
}

/// Writes `text` to a new file at `path` readable by its owner only.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::getrandom(&mut bytes).expect("the OS random source");
    hex::encode(bytes)
}

/// SHA-256 of `text`, hex.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_only_for_its_connection_and_keys_rotate() {
        let old = KeyRing::parse(&format!("k1:{}", STANDARD.encode([1u8; 32]))).unwrap();
        let sealed = old.seal("c1", "1//refresh");
        assert_eq!(sealed.key_id, "k1");
        assert!(!String::from_utf8_lossy(&sealed.ciphertext).contains("refresh"));
        assert_eq!(old.open("c1", &sealed).unwrap(), "1//refresh");
        assert!(matches!(old.open("c2", &sealed), Err(CryptoError::Decrypt)));
        let rotated = KeyRing::parse(&format!(
            "k1:{}\nk2:{}\n",
            STANDARD.encode([1u8; 32]),
            STANDARD.encode([2u8; 32])
        ))
        .unwrap();
        assert_eq!(rotated.open("c1", &sealed).unwrap(), "1//refresh");
        assert_eq!(rotated.seal("c1", "t").key_id, "k2");
        let only_new = KeyRing::parse(&format!("k2:{}", STANDARD.encode([2u8; 32]))).unwrap();
        assert!(matches!(only_new.open("c1", &sealed), Err(CryptoError::UnknownKey(_))));
    }

    #[test]
    fn bad_key_text_names_the_line_and_no_key_bytes() {
        let error = KeyRing::parse("# keys\nk1:c2hvcnQ=\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "key text, line 2: expected KEY_ID:BASE64 of 32 bytes"
        );
        assert!(matches!(KeyRing::parse(""), Err(CryptoError::NoKey)));
    }

    #[test]
    fn the_key_file_is_created_private_once() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let ring = KeyRing::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let sealed = ring.seal("c", "t");
        let again = KeyRing::load_or_create(&path).unwrap();
        assert_eq!(again.open("c", &sealed).unwrap(), "t");
    }
}
