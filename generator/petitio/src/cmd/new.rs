//! `petitio new <slug>`: scaffold a draft petition whose file shows every field, commented.

use std::path::Path;

use std::time::{SystemTime, UNIX_EPOCH};

use petitio_model::date::{Date, UtcOffset};
use petitio_model::slug::is_slug;
use petitio_site::config::Config;
use petitio_site::content::PETITIONS_DIR;
use petitio_site::error::IoAction;

use crate::error::Error;

pub fn run(root: &Path, slug: &str, lang: Option<&str>) -> Result<(), Error> {
    if !is_slug(slug) {
        return Err(Error::InvalidSlug {
            slug: slug.to_owned(),
        });
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
    if folder.exists() {
        return Err(Error::PetitionExists { path: folder });
    }
    std::fs::create_dir_all(&folder)
        .map_err(|e| petitio_site::Error::io(IoAction::CreateFolder, &folder, e))?;
    let file = folder.join(format!("index.{lang}.md"));
    std::fs::write(&file, scaffold(today()))
        .map_err(|e| petitio_site::Error::io(IoAction::Write, &file, e))?;
    println!("Created {}\nIt is a draft: set `status = \"open\"` when it is ready, then run `petitio check`.", file.display());
    Ok(())
}

/// Today in the site's time zone (the day a petition created now is dated).
fn today() -> Date {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis());
    UtcOffset::default().date_at(u64::try_from(now_ms).unwrap_or(u64::MAX))
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
