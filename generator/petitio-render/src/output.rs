//! Writing the built site: atomically for `petitio build`, in place for `petitio serve`.
//!
//! [`build_atomically`] renders into a fresh sibling folder, then swaps it in with two
//! renames, so a failed build leaves the previous output byte for byte intact and readers
//! never see a half-written site. [`ChangedFiles`] collects only files whose bytes differ from
//! what is on disk, writing nothing until the whole render succeeded, and then replaces each
//! by a rename, so the server never answers with a file half rewritten.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::error::Error;
use crate::sink::Sink;
use petitio_site::error::IoAction;

/// Counts of what a render produced.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub pages: usize,
    pub files: usize,
    pub unchanged: usize,
}

fn is_page(path: &str) -> bool {
    path.ends_with(".html")
}

/// Writes every file straight into a folder (used for fresh, empty folders).
pub struct FolderSink {
    dir: PathBuf,
    pages: AtomicUsize,
    files: AtomicUsize,
}

impl FolderSink {
    pub fn new(dir: &Path) -> FolderSink {
        FolderSink {
            dir: dir.to_path_buf(),
            pages: AtomicUsize::new(0),
            files: AtomicUsize::new(0),
        }
    }

    pub fn written(&self) -> Written {
        Written {
            pages: self.pages.load(Ordering::Relaxed),
            files: self.files.load(Ordering::Relaxed),
            unchanged: 0,
        }
    }
}

impl Sink for FolderSink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        write_file(&self.dir.join(path), &bytes)?;
        self.files.fetch_add(1, Ordering::Relaxed);
        if is_page(path) {
            self.pages.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

fn write_file(target: &Path, bytes: &[u8]) -> Result<(), Error> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::io(IoAction::CreateFolder, parent, e))?;
    }
    std::fs::write(target, bytes).map_err(|e| Error::io(IoAction::Write, target, e))
}

/// Writes `bytes` beside `target`, then renames the copy over it: a reader sees the old file
/// or the new one, never a part of either.
fn replace_file(target: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".petitio-new");
    let fresh = target.with_file_name(name);
    write_file(&fresh, bytes)?;
    std::fs::rename(&fresh, target).map_err(|e| {
        let _ = std::fs::remove_file(&fresh);
        Error::io(IoAction::Write, target, e)
    })
}

/// Writes `target` through a new temporary file in the same folder (named `prefix...` and
/// created exclusively, so never through a link left there), renamed over `target` when
/// `write` is done: a reader never sees half a file, and a link at `target` is replaced,
/// not written through.
pub fn write_through_temporary(
    target: &Path,
    prefix: &str,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), Error> {
    let folder = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(prefix)
        .tempfile_in(folder)
        .map_err(|e| Error::io(IoAction::Write, folder, e))?;
    write(temp.as_file_mut())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io(IoAction::Write, target, e))?;
    temp.persist(target)
        .map_err(|e| Error::io(IoAction::Rename, target, e.error))?;
    Ok(())
}

/// Renders into a sibling temporary folder with `fill`, then replaces `out` with it.
/// On any error `out` is untouched and the temporary folder is removed.
pub fn build_atomically<T>(
    out: &Path,
    fill: impl FnOnce(&Path) -> Result<T, Error>,
) -> Result<T, Error> {
    let parent = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(IoAction::CreateFolder, &parent, e))?;
    let name = out
        .file_name()
        .map_or_else(|| "dist".into(), |n| n.to_string_lossy().into_owned());
    let fresh = tempfile::Builder::new()
        .prefix(&format!("{name}.new-"))
        .tempdir_in(&parent)
        .map_err(|e| Error::io(IoAction::CreateFolder, &parent, e))?;
    let result = fill(fresh.path())?;
    if out.exists() {
        // Renaming a folder onto an empty folder replaces it; the placeholder gives a unique name.
        let old = tempfile::Builder::new()
            .prefix(&format!("{name}.old-"))
            .tempdir_in(&parent)
            .map_err(|e| Error::io(IoAction::CreateFolder, &parent, e))?
            .keep();
        std::fs::rename(out, &old).map_err(|e| Error::io(IoAction::Rename, out, e))?;
        if let Err(e) = std::fs::rename(fresh.path(), out) {
            // Put the previous site back before reporting.
            let _ = std::fs::rename(&old, out);
            return Err(Error::io(IoAction::Rename, fresh.path(), e));
        }
        let _ = fresh.keep();
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(IoAction::Remove, &old, e))?;
    } else {
        std::fs::rename(fresh.path(), out)
            .map_err(|e| Error::io(IoAction::Rename, fresh.path(), e))?;
        let _ = fresh.keep();
    }
    Ok(result)
}

/// Collects files whose bytes differ from `dir`'s, to write them only once everything rendered.
pub struct ChangedFiles {
    dir: PathBuf,
    changed: Mutex<Vec<(String, Vec<u8>)>>,
    produced: Mutex<BTreeSet<String>>,
    unchanged: AtomicUsize,
}

impl ChangedFiles {
    pub fn new(dir: &Path) -> ChangedFiles {
        ChangedFiles {
            dir: dir.to_path_buf(),
            changed: Mutex::default(),
            produced: Mutex::default(),
            unchanged: AtomicUsize::new(0),
        }
    }

    /// Writes the changed files, removes `stale` ones, and returns counts and every produced path.
    pub fn commit(
        self,
        stale: impl IntoIterator<Item = String>,
    ) -> Result<(Written, BTreeSet<String>), Error> {
        let changed = self.changed.into_inner().unwrap_or_else(|e| e.into_inner());
        let produced = self
            .produced
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let mut written = Written {
            unchanged: self.unchanged.into_inner(),
            ..Written::default()
        };
        // In parallel: a template or config edit changes tens of thousands of files, and
        // each is a write and a rename.
        changed
            .par_iter()
            .try_for_each(|(path, bytes)| replace_file(&self.dir.join(path), bytes))?;
        written.files = changed.len();
        written.pages = changed.iter().filter(|(path, _)| is_page(path)).count();
        for path in stale.into_iter().filter(|p| !produced.contains(p)) {
            let target = self.dir.join(&path);
            match std::fs::remove_file(&target) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(IoAction::Remove, &target, e))
                }
                _ => remove_empty_parents(&self.dir, &target),
            }
        }
        Ok((written, produced))
    }
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(current) = dir.filter(|d| *d != root && d.starts_with(root)) {
        if std::fs::remove_dir(current).is_err() {
            break;
        }
        dir = current.parent();
    }
}

impl Sink for ChangedFiles {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), Error> {
        self.produced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_owned());
        let same = std::fs::read(self.dir.join(path)).is_ok_and(|existing| existing == bytes);
        if same {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
        } else {
            self.changed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((path.to_owned(), bytes));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_fill_leaves_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("a.html"), "old").unwrap();
        let result: Result<(), Error> = build_atomically(&out, |fresh| {
            std::fs::write(fresh.join("a.html"), "new").unwrap();
            Err(Error::BundleName { out: "X".into() })
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "old");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary folder is left behind"
        );
    }

    #[test]
    fn successful_fill_replaces_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("gone.html"), "old").unwrap();
        build_atomically(&out, |fresh| {
            write_file(&fresh.join("kk/index.html"), b"new")
        })
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("kk/index.html")).unwrap(),
            "new"
        );
        assert!(!out.join("gone.html").exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn only_changed_files_are_written_and_stale_ones_removed() {
        let dir = tempfile::tempdir().unwrap();
        write_file(&dir.path().join("same.html"), b"x").unwrap();
        write_file(&dir.path().join("old/index.html"), b"x").unwrap();
        let sink = ChangedFiles::new(dir.path());
        sink.put("same.html", b"x".to_vec()).unwrap();
        sink.put("new.css", b"y".to_vec()).unwrap();
        let (written, produced) = sink.commit(["old/index.html".to_owned()]).unwrap();
        assert_eq!(
            written,
            Written {
                pages: 0,
                files: 1,
                unchanged: 1
            }
        );
        assert_eq!(produced.len(), 2);
        assert!(!dir.path().join("old").exists());
        assert_eq!(std::fs::read(dir.path().join("new.css")).unwrap(), b"y");
    }

    #[test]
    fn a_changed_file_is_replaced_whole_and_no_temporary_copy_remains() {
        let dir = tempfile::tempdir().unwrap();
        write_file(&dir.path().join("kk/index.html"), b"old").unwrap();
        // Held open like a response being sent: it keeps reading the old bytes.
        let reader = std::fs::File::open(dir.path().join("kk/index.html")).unwrap();
        let sink = ChangedFiles::new(dir.path());
        sink.put("kk/index.html", b"new and longer".to_vec())
            .unwrap();
        sink.commit([]).unwrap();
        assert_eq!(std::io::read_to_string(reader).unwrap(), "old");
        assert_eq!(
            std::fs::read(dir.path().join("kk/index.html")).unwrap(),
            b"new and longer"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path().join("kk"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["index.html"]);
    }
}
