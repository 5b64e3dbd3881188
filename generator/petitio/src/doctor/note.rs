//! The `note` check: the signed "where we are now" note this origin publishes
//! (`.well-known/petitio-where`) is one the page's script will follow, and is not stale.
//!
//! It must verify with the page's key (`data-where-key`), parse, carry a sequence not lower
//! than the page's (`data-where-sequence`: a page holding a higher one ignores it) nor than
//! the note at the note's own main origin (a newer note there means this origin was not
//! updated), and must not list this origin as abandoned (its signers are sent elsewhere:
//! this origin should serve the "we moved" site).

use petitio_model::log_key::VerifierKey;
use petitio_model::urls::WHERE_NOTE;
use petitio_model::weburl::Url;
use petitio_model::where_note::WhereNote;

use super::page::Page;
use super::probe::Probe;
use super::Finding;

const REPUBLISH: &str = "publish the committed where.note here with the build (`petitio build` \
                         copies it to .well-known/petitio-where; `petitio where sign` signs it)";

/// The `note` check; `base` is the site's root on this origin. Also the note the page's
/// script would follow (a verified one with a higher sequence than the page's), whose API
/// endpoints it tries first.
pub fn check(probe: &Probe, page: &Page, base: &Url) -> (Finding, Option<WhereNote>) {
    let mut followed = None;
    let finding = judge(probe, page, base, &mut followed);
    let followed = followed.filter(|note: &WhereNote| note.sequence > page.where_sequence);
    (finding, followed)
}

fn judge(probe: &Probe, page: &Page, base: &Url, followed: &mut Option<WhereNote>) -> Finding {
    let Some(key_text) = &page.where_key else {
        return Finding::ok(
            "note",
            "the page follows no note (the site has no [log] key): nothing to check".into(),
        );
    };
    let key = match VerifierKey::parse(key_text) {
        Ok(key) => key,
        Err(problem) => {
            return Finding::fail(
                "note",
                format!("the page's data-where-key is not a verifier key: {problem}"),
                "rebuild the site with `petitio build`".into(),
            )
        }
    };
    let here = note_url(base, &page.origin);
    let note = match fetch(probe, &here, &key) {
        Ok(note) => note,
        Err(problem) => return Finding::fail("note", problem, REPUBLISH.into()),
    };
    if note.sequence < page.where_sequence {
        return Finding::fail(
            "note",
            format!(
                "the note at {here} has sequence {}, lower than the {} the page was built with: \
                 pages ignore it",
                note.sequence, page.where_sequence
            ),
            REPUBLISH.into(),
        );
    }
    let mut latest = note;
    let mut compared = String::new();
    if latest.main_origin != page.origin {
        let main = note_url(base, &latest.main_origin);
        match fetch(probe, &main, &key) {
            Ok(main_note) if main_note.sequence > latest.sequence => {
                let stale = format!(
                    "the note here has sequence {}, but the main origin {} publishes sequence {}",
                    latest.sequence, latest.main_origin, main_note.sequence
                );
                latest = main_note;
                *followed = Some(latest.clone());
                if !latest.abandoned.contains(&page.origin) {
                    return Finding::fail(
                        "note",
                        format!("stale: {stale}"),
                        format!("copy {main} to {here} (or deploy the new build here)"),
                    );
                }
            }
            Ok(_) => compared = format!(", as at the main origin {}", latest.main_origin),
            Err(problem) => {
                compared = format!("; the main origin's could not be compared: {problem}")
            }
        }
    }
    *followed = Some(latest.clone());
    if latest.abandoned.contains(&page.origin) {
        return Finding::fail(
            "note",
            format!(
                "this origin was abandoned in sequence {}; the site is now at {}",
                latest.sequence, latest.main_origin
            ),
            format!(
                "serve the \"we moved\" site (dist-moved/ from `petitio relocate`) here, linking to {}",
                latest.main_origin
            ),
        );
    }
    Finding::ok(
        "note",
        format!(
            "sequence {} signed by {}{compared}",
            latest.sequence,
            key.short()
        ),
    )
}

/// The note's address on `origin`, under the site's base path.
fn note_url(base: &Url, origin: &str) -> String {
    format!("{origin}{}{WHERE_NOTE}", base.path())
}

/// The note at `url`, verified with `key` and parsed; else what is wrong with it.
fn fetch(probe: &Probe, url: &str, key: &VerifierKey) -> Result<WhereNote, String> {
    let answer = probe
        .get(url, None)
        .map_err(|reason| format!("cannot fetch {url}: {reason}"))?;
    match answer.status {
        200 => {}
        404 => return Err(format!("no note at {url} (HTTP 404)")),
        status => return Err(format!("cannot fetch {url}: HTTP status {status}")),
    }
    let signed = answer.text();
    let text = key.verify_note(&signed).map_err(|_| {
        format!(
            "the note at {url} is not signed by the page's key {}",
            key.short()
        )
    })?;
    let note = WhereNote::parse(text)
        .map_err(|problem| format!("the note at {url} is not a valid note: {problem}"))?;
    if note.key_name != key.name() {
        return Err(format!(
            "the note at {url} names the log {}, not the page's {}",
            note.key_name,
            key.name()
        ));
    }
    Ok(note)
}
