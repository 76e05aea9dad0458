//! The token cache: one JSON file, written as the export directory's files are (through
//! [`dataportability_export::out_dir::Dir`]): its directory created `0700` and refused unless
//! the user's own and private, the file created `0600` with `O_EXCL | O_NOFOLLOW` under a
//! temporary name and renamed over the cache (a link at the cache's name is refused, never
//! followed), and read with `O_NOFOLLOW`.

use std::io::{Read as _, Write as _};
use std::path::Path;

use dataportability_export::out_dir::Dir;
use serde::{Deserialize, Serialize};

use crate::failure::Failure;

/// What is cached: the scopes consented to and the tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cached {
    pub scopes: Vec<String>,
    pub access_token: String,
    /// Seconds since the Unix epoch, by this machine's clock.
    pub expires_at: Option<i64>,
    pub refresh_token: Option<String>,
}

/// The cache file at `path`: its directory and name.
pub struct Cache {
    dir: Dir,
    name: String,
}

impl Cache {
    /// Opens the cache's directory (created `0700` when missing).
    pub fn open(path: &Path) -> Result<Self, Failure> {
        let failure =
            |e: dataportability_export::Error| Failure::auth(format!("the token cache {}: {e}", path.display()));
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| Failure::auth(format!("the token cache {} has no file name", path.display())))?
            .to_owned();
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir = Dir::create(parent).map_err(failure)?;
        Ok(Self { dir, name })
    }

    /// The cached tokens; `None` when there are none or the file is not a cache.
    pub fn load(&self) -> Result<Option<Cached>, Failure> {
        let file = self.dir.open_read(&self.name).map_err(|e| self.failure(e))?;
        let Some(mut file) = file else { return Ok(None) };
        let mut text = String::new();
        // At most 64 KiB: a cache is a few hundred bytes.
        (&mut file)
            .take(64 * 1024)
            .read_to_string(&mut text)
            .map_err(|e| Failure::auth(format!("{}: {e}", self.dir.join(&self.name).display())))?;
        Ok(serde_json::from_str(&text).ok())
    }

    /// Replaces the cache with `cached`.
    pub fn store(&self, cached: &Cached) -> Result<(), Failure> {
        let text = serde_json::to_vec_pretty(cached).map_err(|e| Failure::auth(e.to_string()))?;
        let (temp, mut file) = self.dir.create_temp(&self.name).map_err(|e| self.failure(e))?;
        let written = file.write_all(&text).and_then(|()| file.sync_all());
        if let Err(error) = written {
            let _ = self.dir.remove(&temp);
            return Err(Failure::auth(format!("{}: {error}", self.dir.join(&temp).display())));
        }
        self.dir.rename(&temp, &self.name).map_err(|e| {
            let _ = self.dir.remove(&temp);
            self.failure(e)
        })
    }

    fn failure(&self, error: dataportability_export::Error) -> Failure {
        Failure::auth(format!("the token cache: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_cache_is_private_and_never_follows_a_link() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("config/dataportability/tokens.json");
        let cache = Cache::open(&path).unwrap();
        assert_eq!(cache.load().unwrap(), None);
        let cached = Cached {
            scopes: vec!["s".into()],
            access_token: "a".into(),
            expires_at: Some(1),
            refresh_token: Some("r".into()),
        };
        cache.store(&cached).unwrap();
        assert_eq!(cache.load().unwrap(), Some(cached.clone()));
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);

        // A link at the cache's name: not read, not written through; its target untouched.
        let target = root.path().join("elsewhere");
        std::fs::write(&target, "precious").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&target, &path).unwrap();
        assert!(cache.load().unwrap_err().message.contains("symbolic link"));
        assert!(cache.store(&cached).unwrap_err().message.contains("symbolic link"));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        assert_eq!(mode(&target), 0o644);

        // A directory others may write to is refused.
        let shared = root.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
        let failure = Cache::open(&shared.join("tokens.json")).err().unwrap();
        assert!(
            failure.message.contains("writable by its group or others"),
            "{}",
            failure.message
        );
    }
}
