//! Output folders written whole or not at all: a run or comparison is written into a fresh
//! hidden sibling of its folder and switched into place at the end, under a lock file that
//! names the writing process, so readers see the old folder or the new one, never a mix.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Why an output folder could not be taken or switched into place.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("{}: another schedsim (pid {pid}) is writing this folder (lock file {}); wait for it to end, or choose another --out", dir.display(), lock.display())]
    Busy { dir: PathBuf, pid: String, lock: PathBuf },
    #[error("{}: exists and is not a schedsim output folder ({what}); refusing to replace it (choose another --out)", dir.display())]
    NotOurs { dir: PathBuf, what: &'static str },
    #[error("{}: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> FolderError + '_ {
    move |error| FolderError::Io { path: path.to_path_buf(), error }
}

/// The files whose presence marks a folder as one schedsim wrote, and may replace whole.
pub const MARKERS: [&str; 4] = ["summary.json", "comparison.csv", "sweep.json", "size-pool.json"];

/// An exclusive claim on an output folder, held by an advisory lock on `.NAME.lock` beside
/// it. The kernel drops the lock when the process dies, so a crashed writer never leaves a
/// folder locked; the file is removed when the claim ends.
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    path: PathBuf,
}

impl FolderLock {
    /// Takes the lock of `dir` (its parent is created if missing), or says which process
    /// holds it.
    pub fn take(dir: &Path) -> Result<FolderLock, FolderError> {
        let (parent, name) = split(dir)?;
        let path = parent.join(format!(".{name}.lock"));
        loop {
            let mut file = File::options()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io_at(&path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let mut pid = String::new();
                    let _ = file.read_to_string(&mut pid);
                    let pid = if pid.trim().is_empty() { "unknown".to_string() } else { pid.trim().to_string() };
                    return Err(FolderError::Busy { dir: dir.to_path_buf(), pid, lock: path });
                }
                Err(fs::TryLockError::Error(e)) => return Err(io_at(&path)(e)),
            }
            // The holder before us may have removed the file between our open and our lock:
            // then we hold a lock on a file nobody else can see, and must start again.
            if !same_file(&file, &path) {
                continue;
            }
            file.set_len(0).and_then(|()| writeln!(file, "{}", std::process::id())).map_err(io_at(&path))?;
            return Ok(FolderLock { file, path });
        }
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still locked, so that a waiter that opened it before sees it is stale.
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.is_file()
}

/// `dir` resolved as its parent folder (created if missing, then resolved) and its name.
fn split(dir: &Path) -> Result<(PathBuf, String), FolderError> {
    let abs = if dir.exists() {
        dir.canonicalize().map_err(io_at(dir))?
    } else {
        std::path::absolute(dir).map_err(io_at(dir))?
    };
    let (Some(parent), Some(name)) = (abs.parent(), abs.file_name()) else {
        return Err(FolderError::NotOurs { dir: dir.to_path_buf(), what: "it is the root of the file system" });
    };
    // A parent that exists as a file is left for the lock's open to report ("Not a directory").
    if !parent.exists() {
        fs::create_dir_all(parent).map_err(io_at(parent))?;
    }
    let parent = parent.canonicalize().map_err(io_at(parent))?;
    Ok((parent, name.to_string_lossy().into_owned()))
}

/// A folder being written: files go into [`Staged::path`], a fresh sibling of the final
/// folder; [`Staged::publish`] switches it into place. Dropped without publishing (an error
/// on the way), it is removed and the final folder is left as it was.
#[derive(Debug)]
pub struct Staged {
    dir: PathBuf,
    fin: PathBuf,
    tmp: PathBuf,
    old: PathBuf,
    published: bool,
    _lock: FolderLock,
}

impl Staged {
    /// Locks `dir`, cleans what crashed writers left beside it, checks that an existing `dir`
    /// is a schedsim folder that may be replaced, and creates the empty folder to write into.
    pub fn begin(dir: &Path) -> Result<Staged, FolderError> {
        let lock = FolderLock::take(dir)?;
        let (parent, name) = split(dir)?;
        let fin = parent.join(&name);
        recover(&parent, &name, &fin)?;
        if let Ok(m) = fs::symlink_metadata(&fin) {
            let what = if !m.is_dir() {
                Some("it is not a folder")
            } else {
                let mut entries = fs::read_dir(&fin).map_err(io_at(&fin))?;
                let empty = entries.next().is_none();
                (!empty && !MARKERS.iter().any(|f| fin.join(f).is_file()))
                    .then_some("it is not empty and holds no summary.json or comparison.csv")
            };
            if let Some(what) = what {
                return Err(FolderError::NotOurs { dir: dir.to_path_buf(), what });
            }
        }
        let pid = std::process::id();
        let tmp = parent.join(format!(".{name}.new-{pid}"));
        let old = parent.join(format!(".{name}.old-{pid}"));
        fs::create_dir(&tmp).map_err(io_at(&tmp))?;
        Ok(Staged { dir: dir.to_path_buf(), fin, tmp, old, published: false, _lock: lock })
    }

    /// Where the files go until [`Staged::publish`].
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The folder as the user named it.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Switches the written folder into place: the old one (if any) is renamed aside, the new
    /// one renamed in, then the old one removed. A crash between the two renames leaves the
    /// old folder aside, and the next writer puts it back.
    pub fn publish(mut self) -> Result<(), FolderError> {
        let had_old = fs::symlink_metadata(&self.fin).is_ok();
        if had_old {
            fs::rename(&self.fin, &self.old).map_err(io_at(&self.fin))?;
        }
        if let Err(e) = fs::rename(&self.tmp, &self.fin) {
            if had_old {
                let _ = fs::rename(&self.old, &self.fin);
            }
            return Err(io_at(&self.fin)(e));
        }
        self.published = true;
        if had_old {
            fs::remove_dir_all(&self.old).map_err(io_at(&self.old))?;
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// What writers killed before us left beside `fin` (we hold its lock, so no live process owns
/// them): a folder half written is removed; an old folder renamed aside just before a crash is
/// put back when the new one never arrived, else removed.
fn recover(parent: &Path, name: &str, fin: &Path) -> Result<(), FolderError> {
    let (new, old) = (format!(".{name}.new-"), format!(".{name}.old-"));
    let mut left: Vec<(String, PathBuf)> = Vec::new();
    for e in fs::read_dir(parent).map_err(io_at(parent))? {
        let e = e.map_err(io_at(parent))?;
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with(&new) || n.starts_with(&old) {
            left.push((n, e.path()));
        }
    }
    // Sorted so that which aside folder is restored does not depend on directory order.
    left.sort();
    for (n, path) in left {
        if n.starts_with(&old) && fs::symlink_metadata(fin).is_err() {
            fs::rename(&path, fin).map_err(io_at(&path))?;
        } else {
            fs::remove_dir_all(&path).map_err(io_at(&path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("run");
        let first = Staged::begin(&d).unwrap();
        let err = Staged::begin(&d).unwrap_err().to_string();
        assert!(err.contains(&format!("pid {}", std::process::id())), "{err}");
        drop(first);
        assert_eq!(names(tmp.path()), Vec::<String>::new(), "an abandoned write leaves nothing");
        Staged::begin(&d).unwrap();
    }

    #[test]
    fn publishing_replaces_the_old_folder_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("run");
        fs::create_dir(&d).unwrap();
        fs::write(d.join("summary.json"), "old").unwrap();
        fs::write(d.join("stale.csv"), "old").unwrap();
        let s = Staged::begin(&d).unwrap();
        fs::write(s.path().join("summary.json"), "new").unwrap();
        assert_eq!(fs::read_to_string(d.join("summary.json")).unwrap(), "old", "not yet switched");
        s.publish().unwrap();
        assert_eq!(names(&d), ["summary.json"]);
        assert_eq!(fs::read_to_string(d.join("summary.json")).unwrap(), "new");
        assert_eq!(names(tmp.path()), ["run"]);
    }

    #[test]
    fn leftovers_of_a_crash_are_cleaned_and_an_old_folder_set_aside_is_restored() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("run");
        let aside = tmp.path().join(".run.old-1");
        fs::create_dir(&aside).unwrap();
        fs::write(aside.join("summary.json"), "old").unwrap();
        fs::create_dir(tmp.path().join(".run.new-1")).unwrap();
        let s = Staged::begin(&d).unwrap();
        assert_eq!(fs::read_to_string(d.join("summary.json")).unwrap(), "old");
        drop(s);
        assert_eq!(names(tmp.path()), ["run"]);
    }

    #[test]
    fn a_folder_schedsim_did_not_write_is_not_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        let err = Staged::begin(tmp.path()).unwrap_err();
        assert!(matches!(err, FolderError::NotOurs { .. }), "{err}");
        let file = tmp.path().join("notes.txt");
        assert!(matches!(Staged::begin(&file), Err(FolderError::NotOurs { .. })));
    }
}
