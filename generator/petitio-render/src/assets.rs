//! Static assets with content-hashed names (`/assets/site.3f2a9c1b.css`).
//!
//! The theme's `static/` is overlaid by the site's `static/` (same relative path wins), and
//! every file is published under `assets/` with the first 8 hex digits of its SHA-256 in its
//! name, so hosts can cache it forever (`immutable` in `_headers`). Petition images and the
//! per-language script messages are published the same way.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::error::Error;
use petitio_model::slug::is_file_name;
use petitio_site::confine::{Folder, SiteRoot};
use petitio_site::content::{Petition, PETITIONS_DIR};
use petitio_site::error::{IoAction, Problem, ProblemKind};

use petitio_model::urls::ASSETS_DIR;

/// One file to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Output path relative to the site root, e.g. `assets/site.3f2a9c1b.css`.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// All assets and the map from logical names (`site.css`) to output paths.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Assets {
    pub files: Vec<Asset>,
    paths: BTreeMap<String, String>,
}

impl Assets {
    /// Collects the files of `folders` (`<theme>/static`, then `<root>/static`: later ones
    /// win). Every part of a file's path must be a plain [file name](is_file_name): it
    /// becomes part of the file's URL.
    pub fn collect(folders: &[Folder]) -> Result<Assets, Error> {
        let mut sources: BTreeMap<String, std::path::PathBuf> = BTreeMap::new();
        let mut problems = Vec::new();
        for folder in folders {
            for (name, path) in folder.files()? {
                if !name.split('/').all(is_file_name) {
                    problems.push(Problem::new(
                        folder.shown_path(&folder.path().join(&name)),
                        ProblemKind::StaticFileName { name: name.clone() },
                    ));
                }
                sources.insert(name, path);
            }
        }
        if !problems.is_empty() {
            return Err(Error::content(problems));
        }
        let mut assets = Assets::default();
        for (name, path) in sources {
            let bytes = std::fs::read(&path).map_err(|e| Error::io(IoAction::Read, &path, e))?;
            assets.add(&name, &format!("{ASSETS_DIR}/{name}"), bytes);
        }
        Ok(assets)
    }

    /// Adds a file under logical `name`, published at `path` with its hash inserted.
    pub fn add(&mut self, name: &str, path: &str, bytes: Vec<u8>) {
        let hashed = hashed_path(path, &bytes);
        self.paths.insert(name.to_owned(), hashed.clone());
        self.files.push(Asset {
            path: hashed,
            bytes,
        });
    }

    /// Adds the cover image of every petition that has one, under `petitions/<slug>/<file>`,
    /// read only from inside the petition's folder.
    pub fn add_petition_images(
        &mut self,
        folders: &SiteRoot,
        petitions: &[Petition],
    ) -> Result<(), Error> {
        for petition in petitions {
            if let Some(image) = &petition.image {
                let folder =
                    folders.require_folder(&format!("{PETITIONS_DIR}/{}", petition.slug))?;
                let bytes = folder.read(&folder.path().join(image))?;
                let name = petition_image_name(&petition.slug, image);
                self.add(&name, &format!("{ASSETS_DIR}/{name}"), bytes);
            }
        }
        Ok(())
    }

    /// Every logical name with its output path.
    pub fn names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.paths
            .iter()
            .map(|(name, path)| (name.as_str(), path.as_str()))
    }

    /// The output path (relative to the site root) of logical `name`.
    pub fn path(&self, name: &str) -> Option<&str> {
        self.paths.get(name).map(String::as_str)
    }
}

/// Logical asset name of a petition's cover image.
pub fn petition_image_name(slug: &str, image: &str) -> String {
    format!("petitions/{slug}/{image}")
}

/// `dir/name.ext` -> `dir/name.<8 hex>.ext`.
fn hashed_path(path: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hash = hex::encode(&digest[..4]);
    let file_start = path.rfind('/').map_or(0, |i| i + 1);
    match path[file_start..].rfind('.') {
        Some(dot) if dot > 0 => {
            let dot = file_start + dot;
            format!("{}.{hash}{}", &path[..dot], &path[dot..])
        }
        _ => format!("{path}.{hash}"),
    }
}

#[cfg(test)]
mod tests {
    use super::hashed_path;

    #[test]
    fn hash_goes_before_the_extension() {
        assert_eq!(
            hashed_path("assets/site.css", b"body{}"),
            "assets/site.7c98040a.css"
        );
        assert_eq!(
            hashed_path("assets/.well/LICENSE", b""),
            "assets/.well/LICENSE.e3b0c442"
        );
    }
}
