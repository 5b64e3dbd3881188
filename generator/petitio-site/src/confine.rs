//! Reading a file only when it lies inside its own folder.
//!
//! Sites are built from commits anyone may propose, and the deploy runs with secrets in its
//! environment. A committed symbolic link (`cover.png -> /proc/self/environ`, or
//! `-> ../../../.petitio/data/signing.key`) would otherwise make the build publish whatever
//! it points at. So every file the build reads from the site and publishes or embeds
//! (Markdown, cover images, templates, i18n strings, static files, `petitio.toml`, the
//! worker config `relocate` rewrites, the built tree a bundle packs) is read through a
//! [`Folder`]:
//!
//! * a folder must be a real folder: neither it nor any folder between it and the root may
//!   be a link ([`SiteRoot::folder`]);
//! * a file may be a link only to a file inside the same folder (after canonicalisation);
//!   a link to anything else, or to a folder, is a [`Problem`] naming the link and its target.
//!
//! Problems are collected like every content problem, so `check` and `build` both refuse
//! with the file's path and the reason. A file that is swapped between the check and the
//! read is outside this model: the threat is a committed tree, not a process racing the build.

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, IoAction, Problem, ProblemKind};

/// `path` relative to `root` with `/` separators, as shown in messages.
pub fn display_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The folder everything is confined under, as given and canonicalised once.
#[derive(Debug, Clone)]
pub struct SiteRoot {
    given: PathBuf,
    canonical: PathBuf,
}

impl SiteRoot {
    /// The folders of the site in `root` (which may itself be reached through links: only
    /// what lies below it is checked).
    pub fn new(root: &Path) -> Result<SiteRoot, Error> {
        let canonical =
            std::fs::canonicalize(root).map_err(|e| Error::io(IoAction::Read, root, e))?;
        Ok(SiteRoot {
            given: root.to_path_buf(),
            canonical,
        })
    }

    /// [`SiteRoot::folder`] for callers that stop at the first problem.
    pub fn require_folder(&self, relative: &str) -> Result<Folder, Error> {
        self.folder(relative)
            .map_err(|problem| Error::Content(vec![problem]))
    }

    pub fn path(&self) -> &Path {
        &self.given
    }

    /// The folder `relative` (`/`-separated, `""` for the root itself). It is refused when it,
    /// or a folder between it and the root, is a link; a folder that does not exist has no
    /// files.
    pub fn folder(&self, relative: &str) -> Result<Folder, Problem> {
        let path = self.given.join(relative);
        let anchor = self.canonical.join(relative);
        let shown = if relative.is_empty() {
            "the site's folder".to_owned()
        } else {
            format!("{}/", relative.trim_end_matches('/'))
        };
        let folder = Folder {
            root: self.given.clone(),
            shown,
            exists: true,
            path,
            anchor,
        };
        match std::fs::canonicalize(&folder.path) {
            Ok(canonical) if canonical == folder.anchor => Ok(folder),
            Err(e) if e.kind() == io::ErrorKind::NotFound && !self.linked_on_the_way(relative) => {
                Ok(Folder {
                    exists: false,
                    ..folder
                })
            }
            _ => Err(self.linked_folder_problem(relative)),
        }
    }

    fn linked_on_the_way(&self, relative: &str) -> bool {
        self.first_link(relative).is_some()
    }

    /// The first folder on the way from the root to `relative` that is a link.
    fn first_link(&self, relative: &str) -> Option<PathBuf> {
        let mut path = self.given.clone();
        for component in Path::new(relative).components() {
            if let Component::Normal(name) = component {
                path.push(name);
                if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                    return Some(path);
                }
            }
        }
        None
    }

    fn linked_folder_problem(&self, relative: &str) -> Problem {
        let link = self
            .first_link(relative)
            .unwrap_or_else(|| self.given.join(relative));
        Problem::new(
            display_path(&self.given, &link),
            ProblemKind::LinkedFolder {
                target: link_target(&link),
            },
        )
    }
}

/// A folder of the site whose files the build may read.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The site root as given, for the paths shown in messages.
    root: PathBuf,
    /// How messages name the folder, e.g. `content/petitions/x/`.
    shown: String,
    /// Its path as the build reads it.
    path: PathBuf,
    /// Its canonical path: every file read must resolve under it.
    anchor: PathBuf,
    exists: bool,
}

impl Folder {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file `path` (inside this folder) if there is one: `Ok(None)` when nothing, or
    /// something other than a file, is there. A link is followed only to a file inside this
    /// folder; any other link is a problem.
    pub fn file(&self, path: &Path) -> Result<Option<PathBuf>, Problem> {
        let Ok(metadata) = std::fs::symlink_metadata(path) else {
            return Ok(None);
        };
        if metadata.file_type().is_file() {
            return Ok(Some(path.to_path_buf()));
        }
        if !metadata.file_type().is_symlink() {
            return Ok(None);
        }
        match std::fs::canonicalize(path) {
            Ok(target) if target.starts_with(&self.anchor) && target.is_file() => Ok(Some(target)),
            _ => Err(self.link_problem(path)),
        }
    }

    /// The bytes of the file `path`, read only if [`Folder::file`] allows it.
    pub fn read(&self, path: &Path) -> Result<Vec<u8>, Error> {
        let target = self.require(path)?;
        std::fs::read(&target).map_err(|e| Error::io(IoAction::Read, path, e))
    }

    /// The text of the file `path`, read only if [`Folder::file`] allows it.
    pub fn read_to_string(&self, path: &Path) -> Result<String, Error> {
        let target = self.require(path)?;
        std::fs::read_to_string(&target).map_err(|e| Error::io(IoAction::Read, path, e))
    }

    /// The text of the file `path` when it may be read; `None` when there is no file there,
    /// or when it is a link that is refused (the problem is recorded in `problems`).
    pub fn text(&self, path: &Path, problems: &mut Vec<Problem>) -> Result<Option<String>, Error> {
        match self.file(path) {
            Ok(Some(target)) => std::fs::read_to_string(&target)
                .map(Some)
                .map_err(|e| Error::io(IoAction::Read, path, e)),
            Ok(None) => Ok(None),
            Err(problem) => {
                problems.push(problem);
                Ok(None)
            }
        }
    }

    /// `path` as messages show it: relative to the site root, with `/`.
    pub fn shown_path(&self, path: &Path) -> String {
        display_path(&self.root, path)
    }

    fn require(&self, path: &Path) -> Result<PathBuf, Error> {
        match self.file(path) {
            Ok(Some(target)) => Ok(target),
            Ok(None) => Err(Error::io(
                IoAction::Read,
                path,
                io::Error::from(io::ErrorKind::NotFound),
            )),
            Err(problem) => Err(Error::Content(vec![problem])),
        }
    }

    /// Every file under this folder, at any depth, sorted: its path relative to the folder
    /// (with `/`) and the path to read. Links are followed only to files inside the folder;
    /// every other link (to a folder too) is reported, all of them at once.
    pub fn files(&self) -> Result<Vec<(String, PathBuf)>, Error> {
        if !self.exists {
            return Ok(Vec::new());
        }
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for entry in walkdir::WalkDir::new(&self.path)
            .min_depth(1)
            .sort_by_file_name()
        {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(&self.path).to_path_buf();
                Error::io(IoAction::Read, path, io::Error::other(e.to_string()))
            })?;
            let name = display_path(&self.path, entry.path());
            if entry.file_type().is_file() {
                files.push((name, entry.into_path()));
            } else if entry.path_is_symlink() {
                match self.file(entry.path()) {
                    Ok(Some(target)) => files.push((name, target)),
                    Ok(None) => {}
                    Err(problem) => problems.push(problem),
                }
            }
        }
        if problems.is_empty() {
            Ok(files)
        } else {
            Err(Error::Content(problems))
        }
    }

    fn link_problem(&self, link: &Path) -> Problem {
        Problem::new(
            display_path(&self.root, link),
            ProblemKind::LinkOutsideFolder {
                target: link_target(link),
                folder: self.shown.clone(),
            },
        )
    }
}

/// What a link says it points to, as written (never its contents).
fn link_target(link: &Path) -> String {
    std::fs::read_link(link)
        .map(|target| target.display().to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn site() -> (tempfile::TempDir, SiteRoot) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("site/static/sub")).unwrap();
        std::fs::write(dir.path().join("site/static/a.css"), "a").unwrap();
        std::fs::write(dir.path().join("site/static/sub/b.css"), "b").unwrap();
        std::fs::write(dir.path().join("secret"), "fake secret").unwrap();
        let root = SiteRoot::new(&dir.path().join("site")).unwrap();
        (dir, root)
    }

    #[test]
    fn a_link_to_a_file_of_the_same_folder_is_read_and_any_other_is_refused() {
        let (dir, root) = site();
        let stat = dir.path().join("site/static");
        symlink("sub/b.css", stat.join("same.css")).unwrap();
        symlink(dir.path().join("secret"), stat.join("absolute.css")).unwrap();
        symlink("../../secret", stat.join("relative.css")).unwrap();
        symlink("sub", stat.join("folder")).unwrap();
        symlink("missing", stat.join("dangling.css")).unwrap();
        let folder = root.folder("static").unwrap();
        assert_eq!(folder.read(&stat.join("same.css")).unwrap(), b"b");
        let Err(Error::Content(problems)) = folder.files() else {
            panic!("links outside were accepted");
        };
        let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let secret = dir.path().join("secret");
        assert_eq!(
            texts,
            [
                format!("error: static/absolute.css: is a link to `{}`, which is not a file inside static/; the build publishes only files inside their own folder: put the file itself here instead of the link", secret.display()),
                "error: static/dangling.css: is a link to `missing`, which is not a file inside static/; the build publishes only files inside their own folder: put the file itself here instead of the link".to_owned(),
                "error: static/folder: is a link to `sub`, which is not a file inside static/; the build publishes only files inside their own folder: put the file itself here instead of the link".to_owned(),
                "error: static/relative.css: is a link to `../../secret`, which is not a file inside static/; the build publishes only files inside their own folder: put the file itself here instead of the link".to_owned(),
            ]
        );
        std::fs::remove_file(stat.join("absolute.css")).unwrap();
        std::fs::remove_file(stat.join("relative.css")).unwrap();
        std::fs::remove_file(stat.join("folder")).unwrap();
        std::fs::remove_file(stat.join("dangling.css")).unwrap();
        let names: Vec<String> = folder
            .files()
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["a.css", "same.css", "sub/b.css"]);
    }

    #[test]
    fn a_linked_folder_on_the_way_is_refused_and_a_missing_one_is_empty() {
        let (dir, root) = site();
        std::fs::create_dir_all(dir.path().join("elsewhere/x")).unwrap();
        std::fs::create_dir_all(dir.path().join("site/content")).unwrap();
        symlink(
            dir.path().join("elsewhere"),
            dir.path().join("site/content/petitions"),
        )
        .unwrap();
        let problem = root.folder("content/petitions/x").unwrap_err();
        assert_eq!(
            problem.to_string(),
            format!(
                "error: content/petitions: is a link to `{}`: a folder of the site must be a real folder, not a link, so that nothing outside it is published; put the folder itself here",
                dir.path().join("elsewhere").display()
            )
        );
        assert!(root
            .folder("content/pages")
            .unwrap()
            .files()
            .unwrap()
            .is_empty());
        assert!(root.folder("").is_ok());
    }
}
