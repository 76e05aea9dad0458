//! The output directory of an export, used without ever following a symbolic link.
//!
//! The directory given by the user (`--out`) is opened once; everything under it is reached
//! relative to that handle with `openat`/`mkdirat`/`renameat` and `O_NOFOLLOW`, so a link
//! placed at a part file, a final name, the state file or a group's directory — even while
//! the export runs — is never followed: the tool stops with [`Error::Link`] and the link's
//! target is left untouched. Files are created `0600` and directories `0700`: archives are
//! personal data. Every rename is followed by an `fsync` of the directory, so the new name is
//! on disk before the tool says so.
//!
//! A directory the tool did not create must be the user's: `--out` (and any directory under it)
//! owned by another user, or writable by its group or others, is refused, since whoever can
//! write there can swap names under the export. A file opened for writing that has another
//! hard link is refused before anything is written or its mode changed: writing it would
//! change the other name's content too.
//!
//! Unix only (Linux, macOS, the BSDs): it needs `openat`, `O_NOFOLLOW` and `flock`.

use std::fs::File;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

use crate::{Error, Result};

/// The mode of every file the tool creates: readable by its owner only.
pub const FILE_MODE: u32 = 0o600;
/// The mode of every directory the tool creates.
pub const DIR_MODE: u32 = 0o700;

/// An open directory; entries are opened relative to it, never through a link. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Dir {
    fd: Arc<OwnedFd>,
    path: PathBuf,
}

/// What a name in a directory is, without following a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Nothing has that name.
    Missing,
    /// A regular file of this many bytes.
    File(u64),
    /// A symbolic link.
    Link,
    /// A directory, a socket, a device...
    Other,
}

impl Dir {
    /// Opens `path` (creating it and its parents `0700` when missing). `path` itself may be a
    /// link (it is the user's choice); nothing under it is followed.
    pub fn create(path: &Path) -> Result<Self> {
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(path)
            .map_err(Error::io(path))?;
        let fd = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| Error::io(path)(e.into()))?;
        let dir = Self {
            fd: Arc::new(fd),
            path: path.to_owned(),
        };
        dir.check_owned()?;
        Ok(dir)
    }

    /// The directory must belong to the user running the tool and be writable by no one else.
    fn check_owned(&self) -> Result<()> {
        let stat = rustix::fs::fstat(self.fd()).map_err(|e| Error::io(&self.path)(e.into()))?;
        let me = rustix::process::geteuid().as_raw();
        let refuse = |reason: String| Err(Error::io(&self.path)(std::io::Error::other(reason)));
        if stat.st_uid != me {
            return refuse(format!(
                "is owned by user {}, not by you (user {me}): an export directory must be your own",
                stat.st_uid
            ));
        }
        let mode = stat.st_mode & 0o7777;
        if mode & 0o022 != 0 {
            return refuse(format!(
                "is writable by its group or others (mode {mode:04o}): make it private (chmod 700) or use another directory"
            ));
        }
        Ok(())
    }

    /// The directory's path (for messages).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `name` in this directory (for messages and results).
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The subdirectory `name`, created `0700` when missing; a link there is an error.
    pub fn subdir(&self, name: &str) -> Result<Self> {
        check_name(&self.path, name)?;
        match rustix::fs::mkdirat(self.fd(), name, Mode::from_raw_mode(DIR_MODE)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(self.error(name, e)),
        }
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(self.fd(), name, flags, Mode::empty()).map_err(|e| self.error(name, e))?;
        let dir = Self {
            fd: Arc::new(fd),
            path: self.join(name),
        };
        dir.check_owned()?;
        Ok(dir)
    }

    /// The subdirectory at the relative path `path` (`GROUP/20261201T223550Z`), each of its
    /// components reached with [`subdir`](Self::subdir): created `0700` when missing, a link at
    /// any of them is an error.
    pub fn subpath(&self, path: &str) -> Result<Self> {
        let mut components = path.split('/').filter(|c| !c.is_empty());
        let first = components.next().unwrap_or(path);
        components.try_fold(self.subdir(first)?, |dir, name| dir.subdir(name))
    }

    /// What `name` is, without following a link.
    pub fn entry(&self, name: &str) -> Result<Entry> {
        match rustix::fs::statat(self.fd(), name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(match FileType::from_raw_mode(stat.st_mode) {
                FileType::RegularFile => Entry::File(stat.st_size as u64),
                FileType::Symlink => Entry::Link,
                _ => Entry::Other,
            }),
            Err(Errno::NOENT) => Ok(Entry::Missing),
            Err(e) => Err(self.error(name, e)),
        }
    }

    /// Opens `name` for reading; `None` when it does not exist.
    pub fn open_read(&self, name: &str) -> Result<Option<File>> {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
        match rustix::fs::openat(self.fd(), name, flags, Mode::empty()) {
            Ok(fd) => {
                let file = File::from(fd);
                self.regular(name, &file, false)?;
                Ok(Some(file))
            }
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(self.error(name, e)),
        }
    }

    /// Opens `name` for writing, created `0600` when missing (an existing file is made `0600`
    /// too); `truncate` empties it.
    /// A file with another hard link is refused before it is changed.
    pub fn open_write(&self, name: &str, truncate: bool) -> Result<File> {
        check_name(&self.path, name)?;
        // Not `O_TRUNC`: the file is checked before anything of it changes.
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
        let fd = rustix::fs::openat(self.fd(), name, flags, Mode::from_raw_mode(FILE_MODE))
            .map_err(|e| self.error(name, e))?;
        let file = File::from(fd);
        self.regular(name, &file, true)?;
        rustix::fs::fchmod(&file, Mode::from_raw_mode(FILE_MODE)).map_err(|e| self.error(name, e))?;
        if truncate {
            file.set_len(0).map_err(Error::io(self.join(name)))?;
        }
        Ok(file)
    }

    /// Opens `name` for appending (and reading), created `0600` when missing; also says
    /// whether it was created. A file with another hard link is refused.
    pub fn open_append(&self, name: &str) -> Result<(File, bool)> {
        check_name(&self.path, name)?;
        let created = self.entry(name)? == Entry::Missing;
        let flags =
            OFlags::RDWR | OFlags::APPEND | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
        let fd = rustix::fs::openat(self.fd(), name, flags, Mode::from_raw_mode(FILE_MODE))
            .map_err(|e| self.error(name, e))?;
        let file = File::from(fd);
        self.regular(name, &file, true)?;
        Ok((file, created))
    }

    /// Creates a new file `0600` with a name no other file has (`PREFIX.PID.N.tmp`, created with
    /// `O_EXCL`, another name tried on a clash); returns its name and the file.
    pub fn create_temp(&self, prefix: &str) -> Result<(String, File)> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let name = format!("{prefix}.{}.{n}.tmp", std::process::id());
            check_name(&self.path, &name)?;
            match rustix::fs::openat(self.fd(), &name, flags, Mode::from_raw_mode(FILE_MODE)) {
                Ok(fd) => return Ok((name, File::from(fd))),
                Err(Errno::EXIST) => continue,
                Err(e) => return Err(self.error(&name, e)),
            }
        }
    }

    /// Renames `from` to `to` (replacing a regular file `to`, never a link or a directory),
    /// then syncs the directory so that the new name survives a crash.
    pub fn rename(&self, from: &str, to: &str) -> Result<()> {
        check_name(&self.path, to)?;
        match self.entry(to)? {
            Entry::Missing | Entry::File(_) => {}
            Entry::Link => return Err(Error::Link { path: self.join(to) }),
            Entry::Other => return Err(not_a_file(self.join(to))),
        }
        rustix::fs::renameat(self.fd(), from, self.fd(), to).map_err(|e| self.error(to, e))?;
        self.sync()
    }

    /// Deletes `name` (a link itself, never its target); a missing name is fine.
    pub fn remove(&self, name: &str) -> Result<()> {
        match rustix::fs::unlinkat(self.fd(), name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => Ok(()),
            Err(e) => Err(self.error(name, e)),
        }
    }

    /// `fsync` of the directory itself (its entries).
    pub fn sync(&self) -> Result<()> {
        rustix::fs::fsync(self.fd()).map_err(|e| Error::io(&self.path)(e.into()))
    }

    /// An error of an operation on `name`: a link found where a file or directory was expected
    /// is [`Error::Link`].
    fn error(&self, name: &str, errno: Errno) -> Error {
        let path = self.join(name);
        // O_NOFOLLOW on a link fails with ELOOP (and ENOTDIR with O_DIRECTORY on some systems).
        if matches!(errno, Errno::LOOP | Errno::NOTDIR | Errno::MLINK) && self.entry(name).ok() == Some(Entry::Link) {
            return Error::Link { path };
        }
        Error::io(path)(errno.into())
    }

    /// An opened name must be a regular file (not a FIFO, a device, a directory), and one
    /// opened for `writing` have no other hard link (a `.part` linked to a file elsewhere would
    /// have that file written; reading one is harmless).
    fn regular(&self, name: &str, file: &File, writing: bool) -> Result<()> {
        let stat = rustix::fs::fstat(file).map_err(|e| self.error(name, e))?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
            return Err(not_a_file(self.join(name)));
        }
        if writing && stat.st_nlink > 1 {
            return Err(Error::io(self.join(name))(std::io::Error::other(format!(
                "has {} hard links: another name shares this file, and writing it would change that one too; remove it and run again",
                stat.st_nlink
            ))));
        }
        Ok(())
    }

    /// The raw descriptor, for the lock.
    pub(crate) fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd()
    }
}

fn not_a_file(path: PathBuf) -> Error {
    Error::io(path)(std::io::Error::other("not a regular file; remove it and run again"))
}

/// A name is one path component: no separator, not `.` or `..`, not empty.
fn check_name(dir: &Path, name: &str) -> Result<()> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') || name.contains('\0') {
        return Err(Error::io(dir.join(name))(std::io::Error::other(
            "not a plain file name",
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read as _, Write as _};
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_directories_are_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = Dir::create(&root.path().join("out/deeper")).unwrap();
        assert_eq!(mode(dir.path()), DIR_MODE);
        let group = dir.subdir("g").unwrap();
        assert_eq!(mode(group.path()), DIR_MODE);
        group.open_write("a", false).unwrap().write_all(b"x").unwrap();
        assert_eq!(mode(&group.join("a")), FILE_MODE);
        std::fs::write(group.join("b"), b"y").unwrap();
        std::fs::set_permissions(group.join("b"), std::fs::Permissions::from_mode(0o644)).unwrap();
        group.open_write("b", false).unwrap();
        assert_eq!(mode(&group.join("b")), FILE_MODE, "an existing file is made private");
        let (name, _) = group.create_temp("state").unwrap();
        let (other, _) = group.create_temp("state").unwrap();
        assert_ne!(name, other);
        assert_eq!(mode(&group.join(&name)), FILE_MODE);
        group.rename(&name, "c").unwrap();
        assert_eq!(group.entry("c").unwrap(), Entry::File(0));
        assert_eq!(group.entry(&name).unwrap(), Entry::Missing);
        let run = dir.subpath("h/20261201T000000Z").unwrap();
        assert_eq!(run.path(), dir.join("h/20261201T000000Z"));
        assert_eq!(mode(&dir.join("h")), DIR_MODE);
        assert_eq!(mode(run.path()), DIR_MODE);
        assert!(dir.subpath("h/../elsewhere").is_err(), "only plain names");
    }

    /// A `.part` that is a hard link to a file elsewhere is refused for writing, and that file
    /// is neither truncated nor made `0600`; reading it is allowed.
    #[test]
    fn hard_links_are_refused_before_anything_changes() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("precious");
        std::fs::write(&target, b"precious").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let dir = Dir::create(&root.path().join("out")).unwrap();
        std::fs::hard_link(&target, dir.join("a.part")).unwrap();
        for error in [
            dir.open_write("a.part", true).unwrap_err(),
            dir.open_append("a.part").unwrap_err(),
        ] {
            assert!(error.to_string().contains("hard links"), "{error}");
        }
        assert_eq!(std::fs::read(&target).unwrap(), b"precious");
        assert_eq!(mode(&target), 0o644);
        assert!(dir.open_read("a.part").unwrap().is_some());
    }

    /// An existing directory writable by others is refused; the user's own private one is used.
    #[test]
    fn an_output_directory_must_be_private_to_its_owner() {
        let root = tempfile::tempdir().unwrap();
        let shared = root.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
        let error = Dir::create(&shared).unwrap_err().to_string();
        assert!(error.contains("writable by its group or others (mode 0777)"), "{error}");
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
        let dir = Dir::create(&shared).unwrap();
        std::fs::create_dir(dir.join("g")).unwrap();
        std::fs::set_permissions(dir.join("g"), std::fs::Permissions::from_mode(0o775)).unwrap();
        assert!(dir.subdir("g").unwrap_err().to_string().contains("(mode 0775)"));
        // `/` belongs to root: refused for any other user.
        if rustix::process::geteuid().as_raw() != 0 {
            let error = Dir::create(Path::new("/")).unwrap_err().to_string();
            assert!(error.contains("is owned by user 0, not by you"), "{error}");
        }
    }

    #[test]
    fn links_are_never_followed_and_their_targets_stay_untouched() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("target");
        std::fs::write(&target, b"precious").unwrap();
        let dir = Dir::create(&root.path().join("out")).unwrap();
        std::os::unix::fs::symlink(&target, dir.join("a.part")).unwrap();
        std::os::unix::fs::symlink(&target, dir.join("a")).unwrap();
        std::os::unix::fs::symlink(root.path(), dir.join("g")).unwrap();
        std::fs::write(dir.join("b.part"), b"part").unwrap();

        for error in [
            dir.open_write("a.part", true).unwrap_err(),
            dir.open_read("a.part").unwrap_err(),
            dir.rename("b.part", "a").unwrap_err(),
            dir.subdir("g").unwrap_err(),
            dir.subpath("g/20261201T000000Z").unwrap_err(),
        ] {
            assert!(matches!(error, Error::Link { .. }), "{error}");
            assert!(error.to_string().contains("symbolic link"), "{error}");
        }
        assert_eq!(dir.entry("a").unwrap(), Entry::Link);
        dir.remove("a.part").unwrap();
        let mut text = String::new();
        File::open(&target).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "precious");
    }
}
