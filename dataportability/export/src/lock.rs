//! One run per output directory: an exclusive `flock` on `DIR/.dataportability.lock`, held
//! for the whole run.
//!
//! The file says who holds it (`pid 1234, started 2026-12-01T22:00:00Z`), so a second run
//! can tell the user. The kernel releases a `flock` when its process dies, however it dies:
//! a lock file left behind by a killed run (it still names a pid) is *stale*, and the next run
//! takes it over and says so. On exit the holder deletes the file before closing it; a run
//! that locked a file which was deleted or replaced meanwhile (the path no longer names the
//! locked file) tries again, so two runs can never each hold a lock on a different file.

use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};

use rustix::fs::{AtFlags, FlockOperation, Mode, OFlags};
use rustix::io::Errno;

use crate::out_dir::{Dir, FILE_MODE};
use crate::{Error, Result};

/// The lock file's name in an output directory.
pub const LOCK_FILE: &str = ".dataportability.lock";

/// The exclusive lock of an output directory, released (and its file deleted) when dropped.
#[derive(Debug)]
pub struct Lock {
    dir: Dir,
    file: File,
    stale: Option<String>,
}

impl Lock {
    /// Takes the lock of `dir` without waiting: [`Error::Locked`] names the holder when
    /// another process has it.
    pub fn acquire(dir: &Dir) -> Result<Self> {
        let flags = OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let io = |e: Errno| dir_error(dir, e);
        loop {
            let fd = rustix::fs::openat(dir.as_fd(), LOCK_FILE, flags, Mode::from_raw_mode(FILE_MODE)).map_err(
                |e| match e {
                    Errno::LOOP => Error::Link {
                        path: dir.join(LOCK_FILE),
                    },
                    e => io(e),
                },
            )?;
            let mut file = File::from(fd);
            match rustix::fs::flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => {}
                Err(Errno::WOULDBLOCK) => {
                    let holder = read_holder(&mut file);
                    return Err(Error::Locked {
                        dir: dir.path().to_owned(),
                        holder: if holder.is_empty() {
                            "another process".into()
                        } else {
                            holder
                        },
                    });
                }
                Err(e) => return Err(io(e)),
            }
            // The holder before us may have deleted the file between our open and our lock.
            let locked = rustix::fs::fstat(&file).map_err(io)?;
            match rustix::fs::statat(dir.as_fd(), LOCK_FILE, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(now) if (now.st_dev, now.st_ino) == (locked.st_dev, locked.st_ino) => {}
                Ok(_) | Err(Errno::NOENT) => continue,
                Err(e) => return Err(io(e)),
            }
            let previous = read_holder(&mut file);
            let holder = format!(
                "pid {}, started {}",
                std::process::id(),
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            file.set_len(0).map_err(Error::io(dir.join(LOCK_FILE)))?;
            file.seek(SeekFrom::Start(0)).map_err(Error::io(dir.join(LOCK_FILE)))?;
            file.write_all(format!("{holder}\n").as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(Error::io(dir.join(LOCK_FILE)))?;
            return Ok(Self {
                dir: dir.clone(),
                file,
                stale: (!previous.is_empty()).then_some(previous),
            });
        }
    }

    /// The holder named by a lock file that was left behind by a run that did not end
    /// normally (killed, crashed), now taken over.
    pub fn stale(&self) -> Option<&str> {
        self.stale.as_deref()
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Deleted while still locked; the lock goes with the descriptor, just after.
        let _ = self.dir.remove(LOCK_FILE);
        let _ = rustix::fs::flock(&self.file, FlockOperation::Unlock);
    }
}

/// The first line of a lock file, at most 200 bytes (it is only shown).
fn read_holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.seek(SeekFrom::Start(0));
    let _ = file.take(200).read_to_string(&mut text);
    text.lines().next().unwrap_or_default().trim().to_owned()
}

fn dir_error(dir: &Dir, errno: Errno) -> Error {
    Error::io(dir.join(LOCK_FILE))(errno.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_with_the_holder_and_a_stale_one_is_taken_over() {
        let root = tempfile::tempdir().unwrap();
        let dir = Dir::create(root.path()).unwrap();
        let first = Lock::acquire(&dir).unwrap();
        assert_eq!(first.stale(), None);
        let error = Lock::acquire(&dir).unwrap_err().to_string();
        assert!(
            error.contains(&format!("pid {}, started 20", std::process::id())),
            "{error}"
        );
        drop(first);
        assert!(!dir.join(LOCK_FILE).exists(), "released and deleted");

        // A run killed with its lock file left behind.
        std::fs::write(dir.join(LOCK_FILE), "pid 999999, started 2026-01-01T00:00:00Z\n").unwrap();
        let taken = Lock::acquire(&dir).unwrap();
        assert_eq!(taken.stale(), Some("pid 999999, started 2026-01-01T00:00:00Z"));
    }
}
