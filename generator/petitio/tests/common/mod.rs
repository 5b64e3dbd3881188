//! Shared helpers for the integration tests: fixture sites copied into temporary folders
//! (with the repository's default theme) and the real `petitio` binary run on them.

#![allow(dead_code)] // Each test binary uses a different subset.

pub mod published_log;
pub mod server;
pub mod static_host;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The date every fixture test runs on (`PETITIO_TODAY`), so that the date rules give the
/// same answer on any day.
pub const TODAY: &str = "2026-06-01";

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("generator/petitio/ is inside the repository")
        .to_path_buf()
}

/// A fixture site copied into a temporary folder.
pub struct TestSite {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl TestSite {
    /// Copies `tests/sites/<fixture>` and `themes/default` into a fresh temporary folder.
    pub fn copy(fixture: &str) -> TestSite {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        copy_dir(&repo_root().join("tests/sites").join(fixture), &root);
        copy_dir(
            &repo_root().join("themes/default"),
            &root.join("themes/default"),
        );
        TestSite { _dir: dir, root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// Runs `petitio --root <site> <args>` on [`TODAY`].
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// The command [`TestSite::run`] runs, to add to.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_petitio"));
        command
            .env("PETITIO_TODAY", TODAY)
            .arg("--root")
            .arg(&self.root)
            .args(args);
        command
    }

    /// Runs a command that must succeed; panics with its stderr otherwise.
    pub fn run_ok(&self, args: &[&str]) -> Output {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "petitio {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Copies a folder; links are copied as links (fixtures commit some on purpose).
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.path_is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` (relative path -> bytes).
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Values of `name="..."` attributes in `html`.
pub fn attributes(html: &str, name: &str) -> Vec<String> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .map(|(start, _)| {
            let rest = &html[start + needle.len()..];
            rest[..rest.find('"').unwrap()].replace("&amp;", "&")
        })
        .collect()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every file of a `.tar.gz` (path -> bytes), read with the tar and flate2 crates.
pub fn read_tar_gz(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut files = BTreeMap::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        assert_eq!(entry.header().entry_type(), tar::EntryType::Regular);
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        assert!(files.insert(name.clone(), bytes).is_none(), "{name} twice");
    }
    files
}
