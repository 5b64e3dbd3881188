//! Watching the site's sources and rebuilding: `content/`, `themes/`, `templates/`,
//! `static/` and `petitio.toml`. Events are debounced (an editor's save is often several
//! events) and the changed paths are handed to `Incremental::rebuild` (while no build has
//! succeeded yet, a full build is tried again), on a thread of its own so a long build
//! never stalls a request. After a rebuild, successful or not, open
//! pages are told to reload: to show the new build, or the error. A watched folder created
//! while serving (say, `templates/` for a first override) is watched from then on.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::error::ServeError;
use crate::incremental::Incremental;
use crate::livereload::Reloader;
use crate::site::{LiveSite, SiteState};
use crate::terminal;
use petitio_render::{BuildOptions, BuildReport};

/// Folders under the site root whose changes trigger a rebuild.
pub const WATCHED_FOLDERS: [&str; 4] = ["content", "themes", "templates", "static"];

/// The site's configuration file, also watched.
pub const CONFIG_FILE: &str = "petitio.toml";

/// Quiet time after the last event before rebuilding. An editor's save (write, or write to a
/// temporary file and rename) arrives as a burst of events a few milliseconds apart; 20 ms
/// gathers it into one rebuild while keeping edit-to-page latency low (BENCHMARKS.md). A
/// later event simply triggers another rebuild, which is correct at any timing.
const DEBOUNCE: Duration = Duration::from_millis(20);

/// Builds the site on changes: incrementally once a full build has succeeded.
pub enum Builder {
    Ready(Box<Incremental>),
    /// No build has succeeded yet; the next change retries a full one.
    Unbuilt(BuildOptions),
}

impl Builder {
    fn rebuild(&mut self, changed: &[PathBuf]) -> Result<BuildReport, petitio_render::Error> {
        match self {
            Builder::Ready(incremental) => incremental.rebuild(changed),
            Builder::Unbuilt(opts) => {
                let (incremental, report) = Incremental::new(opts.clone())?;
                *self = Builder::Ready(Box::new(incremental));
                Ok(report)
            }
        }
    }
}

/// A running watcher and its rebuild thread, until `stop`.
pub struct SourceWatcher {
    signals: Sender<Signal>,
    rebuilder: JoinHandle<()>,
}

/// What the rebuild thread hears.
enum Signal {
    Changed(notify::Result<Event>),
    Stop,
}

/// What the rebuild loop updates after each rebuild.
pub struct RebuildTargets {
    pub out: PathBuf,
    pub site: Arc<LiveSite>,
    pub reloader: Reloader,
}

impl SourceWatcher {
    /// Starts watching the site at `root` and rebuilding with `builder`.
    pub fn start(
        root: &Path,
        builder: Builder,
        targets: RebuildTargets,
    ) -> Result<Self, ServeError> {
        let (signals, received) = mpsc::channel();
        let watch_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ServeError::Watch {
                path,
                source: Box::new(source),
            }
        };
        let changes = signals.clone();
        let mut watcher = notify::recommended_watcher(move |event| {
            // An error only means the rebuild thread has stopped.
            let _ = changes.send(Signal::Changed(event));
        })
        .map_err(watch_error(root))?;
        // The root itself, not `petitio.toml`: editors that save by replacing the file
        // would otherwise end the watch on the first save.
        watcher
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(watch_error(root))?;
        for folder in WATCHED_FOLDERS.map(|name| root.join(name)) {
            if folder.is_dir() {
                watcher
                    .watch(&folder, RecursiveMode::Recursive)
                    .map_err(watch_error(&folder))?;
            }
        }
        let sources = Sources {
            root: root.to_path_buf(),
        };
        let rebuilder = std::thread::Builder::new()
            .name("petitio-rebuild".into())
            .spawn(move || rebuild_on_change(&received, &sources, watcher, builder, &targets))
            .map_err(|source| ServeError::Watch {
                path: root.to_path_buf(),
                source: Box::new(notify::Error::io(source)),
            })?;
        Ok(Self { signals, rebuilder })
    }

    /// Stops watching and waits for a rebuild in progress to finish.
    pub fn stop(self) {
        // An error means the thread has already ended.
        let _ = self.signals.send(Signal::Stop);
        // A panic in the rebuild thread has already been reported by the panic hook.
        let _ = self.rebuilder.join();
    }
}

/// Which paths under the root are sources.
struct Sources {
    root: PathBuf,
}

impl Sources {
    /// Starts watching any of `changed` that is a watched folder created since the start.
    fn watch_new_folders(&self, watcher: &mut RecommendedWatcher, changed: &BTreeSet<PathBuf>) {
        for folder in WATCHED_FOLDERS.map(|name| self.root.join(name)) {
            if changed.contains(&folder) && folder.is_dir() {
                if let Err(error) = watcher.watch(&folder, RecursiveMode::Recursive) {
                    terminal::watch_failed(&error);
                }
            }
        }
    }

    fn contains(&self, path: &Path) -> bool {
        let Ok(relative) = path.strip_prefix(&self.root) else {
            return false;
        };
        let in_watched_place = relative == Path::new(CONFIG_FILE)
            || WATCHED_FOLDERS
                .iter()
                .any(|folder| relative.starts_with(folder));
        in_watched_place && !is_editor_scratch(path)
    }
}

/// Swap, backup and lock files editors write beside the file being edited.
fn is_editor_scratch(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    name.starts_with(".#")
        || name.ends_with('~')
        || [".swp", ".swx", ".tmp"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

fn rebuild_on_change(
    signals: &Receiver<Signal>,
    sources: &Sources,
    mut watcher: RecommendedWatcher,
    mut builder: Builder,
    targets: &RebuildTargets,
) {
    while let Ok(Signal::Changed(first)) = signals.recv() {
        let mut changed = BTreeSet::new();
        collect(first, sources, &mut changed);
        loop {
            match signals.recv_timeout(DEBOUNCE) {
                Ok(Signal::Changed(event)) => collect(event, sources, &mut changed),
                Err(RecvTimeoutError::Timeout) => break,
                Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        if changed.is_empty() {
            continue;
        }
        sources.watch_new_folders(&mut watcher, &changed);
        let changed: Vec<PathBuf> = changed.into_iter().collect();
        rebuild(&mut builder, &changed, targets);
    }
}

fn collect(event: notify::Result<Event>, sources: &Sources, changed: &mut BTreeSet<PathBuf>) {
    match event {
        Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
        Ok(event) => changed.extend(event.paths.into_iter().filter(|p| sources.contains(p))),
        Err(error) => terminal::watch_failed(&error),
    }
}

fn rebuild(builder: &mut Builder, changed: &[PathBuf], targets: &RebuildTargets) {
    match builder.rebuild(changed) {
        Ok(report) => match SiteState::load(&targets.out) {
            Ok(state) => {
                targets.site.replace(state);
                terminal::rebuilt(&report);
            }
            Err(error) => {
                terminal::rebuild_failed(&error);
                targets.site.fail(error.to_string());
            }
        },
        Err(error) => {
            terminal::rebuild_failed(&error);
            targets.site.fail(error.to_string());
        }
    }
    targets.reloader.reload();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_trigger_a_rebuild() {
        let sources = Sources {
            root: PathBuf::from("/site"),
        };
        for source in [
            "/site/petitio.toml",
            "/site/content/petitions/a/index.en.md",
            "/site/themes/default/templates/base.html",
            "/site/templates/page.html",
            "/site/static/logo.svg",
        ] {
            assert!(sources.contains(Path::new(source)), "{source}");
        }
        for other in [
            "/site/dist/index.html",
            "/site/.petitio/data/signatures.redb",
            "/site/README.md",
            "/site/content/petitions/a/.index.en.md.swp",
            "/site/content/petitions/a/index.en.md~",
            "/elsewhere/content/x.md",
        ] {
            assert!(!sources.contains(Path::new(other)), "{other}");
        }
    }
}
