//! `petitio new <slug>`: scaffold a draft petition whose file shows every field, commented.

use std::io::Write;
use std::path::Path;

use petitio_model::date::Date;
use petitio_site::config::Config;
use petitio_site::confine::SiteRoot;
use petitio_site::content::{slug_problem, PETITIONS_DIR};
use petitio_site::error::IoAction;
use petitio_site::today::today;

use crate::error::Error;

pub fn run(root: &Path, slug: &str, lang: Option<&str>) -> Result<(), Error> {
    if let Some(kind) = slug_problem(slug) {
        return Err(Error::InvalidSlug { kind });
    }
    let config = Config::load(root, None)?;
    let lang = lang.unwrap_or(&config.default_language);
    if !config.languages.iter().any(|l| l == lang) {
        return Err(Error::UnknownLanguage {
            lang: lang.to_owned(),
            configured: config.languages.clone(),
        });
    }
    let folder = root.join(PETITIONS_DIR).join(slug);
    if folder.symlink_metadata().is_ok() {
        return Err(Error::PetitionExists { path: folder });
    }
    // Never write through a link: `content/petitions` (or `content`) must be real folders.
    SiteRoot::new(root)?.require_folder(PETITIONS_DIR)?;
    let io = petitio_site::Error::io;
    std::fs::create_dir_all(&folder).map_err(|e| io(IoAction::CreateFolder, &folder, e))?;
    let file = folder.join(format!("index.{lang}.md"));
    let text = scaffold(today(config.utc_offset)?);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&file)
        .and_then(|mut opened| opened.write_all(text.as_bytes()))
        .map_err(|e| io(IoAction::Write, &file, e))?;
    println!("Created {}\nIt is a draft: set `status = \"open\"` when it is ready, then run `petitio check`.", file.display());
    Ok(())
}

fn scaffold(today: Date) -> String {
    format!(
        r#"+++
# The petition's title, as people will see it. Required, in every language.
title = "Title of the petition"

# One paragraph for cards, feeds and link previews.
# summary = "..."

# Who must act, e.g. "Akimat of Almaty".
# addressee = "..."

# Who started the petition; leave it out to show "anonymous".
# author = "..."

# Fields marked "shared" hold for every language: give them in one file only.
# Date the petition was created. Required; shared.
created = {today}

# Last day to sign (inclusive); shared.
# deadline = 2026-12-31

# Shared: draft | open | closed | responded | partially_satisfied | rejected | removed
status = "draft"

# Required when status is "rejected" or "removed": why, in this language.
# status_reason = "..."

# Signatures wanted, and milestones on the way (ascending, up to the goal); shared.
# goal = 10000
# milestones = [1000, 5000]

# Lowercase tags; each has a page listing its petitions. Shared.
# tags = ["ecology", "almaty"]

# A picture in this folder for the page and link previews; shared.
# image = "cover.jpg"

# The official response, when there is one (date shared, the rest per language).
# [response]
# date = 2026-12-31
# from = "..."
# text = """Markdown"""

# Dated news about the petition; repeat the block for each update.
# [[updates]]
# date = 2026-12-31
# text = """Markdown"""
+++
Describe the problem, what you ask for, and why it matters. Markdown works here.
"#
    )
}
