//! What the server knows about the current build: the manifest the API reads, the
//! `_headers` rules for static responses, and the message of the last failed rebuild
//! (shown in the browser until a rebuild succeeds). Replaced as a whole after each
//! rebuild, so a request never sees a manifest from one build and headers from another.

use std::path::Path;
use std::sync::{Arc, RwLock};

use petitio_model::manifest::{Manifest, MANIFEST_PATH};

use crate::error::ServeError;
use crate::headers::HeaderRules;

/// One consistent view of the built site.
#[derive(Debug)]
pub struct SiteState {
    /// `None` while no build has ever succeeded in the output folder.
    pub manifest: Option<Arc<Manifest>>,
    pub headers: HeaderRules,
    /// The error of the last rebuild, if it failed (the output is then the previous build).
    pub build_error: Option<String>,
}

impl SiteState {
    /// Reads the manifest and the `_headers` rules of the build in `out`.
    pub fn load(out: &Path) -> Result<Self, ServeError> {
        let path = out.join(MANIFEST_PATH);
        let text =
            std::fs::read_to_string(&path).map_err(|source| ServeError::ReadBuildOutput {
                path: path.clone(),
                source,
            })?;
        let manifest = serde_json::from_str(&text)
            .map_err(|source| ServeError::InvalidManifest { path, source })?;
        Ok(Self {
            manifest: Some(Arc::new(manifest)),
            headers: HeaderRules::load(out)?,
            build_error: None,
        })
    }

    /// The first build failed: serve what an earlier run left in `out`, if anything,
    /// and show `message` in pages.
    pub fn first_build_failed(out: &Path, message: String) -> Self {
        let previous = Self::load(out).unwrap_or_else(|_| Self {
            manifest: None,
            headers: HeaderRules::default(),
            build_error: None,
        });
        Self {
            build_error: Some(message),
            ..previous
        }
    }
}

/// The current `SiteState`, shared by the request handlers and the rebuild loop.
#[derive(Debug)]
pub struct LiveSite {
    current: RwLock<Arc<SiteState>>,
}

impl LiveSite {
    pub fn new(state: SiteState) -> Self {
        Self {
            current: RwLock::new(Arc::new(state)),
        }
    }

    /// The current state; cheap, and never held across an await.
    pub fn current(&self) -> Arc<SiteState> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// A rebuild succeeded: serve its state.
    pub fn replace(&self, state: SiteState) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(state);
    }

    /// A rebuild failed: keep serving the previous build, and show `message` in pages.
    pub fn fail(&self, message: String) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        *current = Arc::new(SiteState {
            manifest: current.manifest.clone(),
            headers: current.headers.clone(),
            build_error: Some(message),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_without_a_manifest_is_an_error_naming_the_file() {
        let out = tempfile::tempdir().unwrap();
        let error = SiteState::load(out.path()).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "cannot read {}: No such file or directory (os error 2)\n  \
                 The build writes it; run `petitio build` to see whether the build is complete.",
                out.path().join(MANIFEST_PATH).display()
            )
        );
    }

    #[test]
    fn a_failed_first_build_with_no_earlier_output_has_no_manifest() {
        let out = tempfile::tempdir().unwrap();
        let state = SiteState::first_build_failed(out.path(), "broken".into());
        assert!(state.manifest.is_none());
        assert_eq!(state.build_error.as_deref(), Some("broken"));
    }

    #[test]
    fn a_failed_rebuild_keeps_the_manifest_and_records_the_error() {
        let manifest = Manifest {
            log_key: None,
            witnesses: Vec::new(),
            where_note: None,
            version: 1,
            base_path: "/".into(),
            default_language: "kk".into(),
            languages: vec!["kk".into()],
            regions: vec![],
            region_names: Default::default(),
            number_groups: Default::default(),
            plural_tables: Default::default(),
            utc_offset: Default::default(),
            petitions: vec![],
        };
        let site = LiveSite::new(SiteState {
            manifest: Some(Arc::new(manifest.clone())),
            headers: HeaderRules::default(),
            build_error: None,
        });
        site.fail("broken".into());
        let current = site.current();
        assert_eq!(current.manifest.as_deref(), Some(&manifest));
        assert_eq!(current.build_error.as_deref(), Some("broken"));
    }
}
