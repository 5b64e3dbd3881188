//! Fuzzes front matter and whole petition files, as an author (or a pull request from a
//! stranger) can write them. Beyond "never panics":
//! * splitting is exact: the opening fence, the TOML, the closing fence and the body are
//!   the file (after a BOM), the TOML holds no fence line, and joining the two parts with
//!   fences splits back into the same parts;
//! * every problem names a file and, when it has a line, one within the file;
//! * a petition that loads re-serialises: its values written back as front matter load
//!   again to the same values.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use petitio_model::date::Date;
use petitio_site::config::Config;
use petitio_site::confine::SiteRoot;
use petitio_site::content::petition::{self, Petition};
use petitio_site::content::Loading;
use petitio_site::error::{Problem, ProblemKind};
use petitio_site::frontmatter::{split, TomlSource};

/// A one-language site, so a single file is a whole petition.
const SITE_CONFIG: &str = "base_url = \"https://petitions.example/\"\n\
                           languages = [\"en\"]\n\
                           [title]\n\
                           en = \"Fuzzed petitions\"\n";
const SLUG: &str = "fuzzed-petition";
const FILE: &str = "content/petitions/fuzzed-petition/index.en.md";

/// The petition folder the file is written to (one per fuzzing process), and the config.
struct Site {
    root: PathBuf,
    folders: SiteRoot,
    folder: PathBuf,
    config: Config,
}

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("petitio-fuzz-{}", std::process::id()));
        let folder = root.join("content/petitions").join(SLUG);
        std::fs::create_dir_all(&folder).expect("a temporary folder for the petition file");
        let config = Config::parse(SITE_CONFIG, None).expect("the fuzz site's config is valid");
        let folders = SiteRoot::new(&root).expect("the fuzz site's folder is readable");
        Site {
            root,
            folders,
            folder,
            config,
        }
    })
}

/// Lines a problem may name: every line of the file, and the empty one after a final newline.
fn line_count(text: &str) -> usize {
    text.split('\n').count()
}

fn assert_located(problem: &Problem, text: &str, files: &[&str]) {
    assert!(
        files.contains(&problem.file.as_str()),
        "a problem names an unexpected file: {problem}"
    );
    if let Some(line) = problem.line {
        assert!(
            (1..=line_count(text)).contains(&line),
            "a problem's line is outside the file ({} lines): {problem}",
            line_count(text)
        );
    }
}

/// Byte offset of `part` (a slice of `whole`) in `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    let offset = part.as_ptr() as usize - whole.as_ptr() as usize;
    assert!(
        offset + part.len() <= whole.len(),
        "a part lies outside the file"
    );
    offset
}

fn check_split(text: &str) {
    let file = text.strip_prefix('\u{feff}').unwrap_or(text);
    let opening_is_fence = file.split('\n').next().map(str::trim_end) == Some("+++");
    let parts = match split(text) {
        Ok(parts) => parts,
        Err(ProblemKind::NoFrontMatter) => return assert!(!opening_is_fence),
        Err(ProblemKind::UnclosedFrontMatter) => {
            assert!(opening_is_fence);
            let after_opening = file.split_once('\n').map_or("", |(_, rest)| rest);
            assert!(!after_opening.lines().any(|line| line.trim_end() == "+++"));
            return;
        }
        Err(other) => panic!("split failed with an unexpected problem: {other:?}"),
    };
    let toml_at = offset_in(file, parts.toml);
    let body_at = offset_in(file, parts.body);
    let opening = &file[..toml_at];
    let closing = &file[toml_at + parts.toml.len()..body_at];
    assert_eq!(
        opening.trim_end(),
        "+++",
        "the TOML starts right after the opening fence"
    );
    assert!(opening.ends_with('\n'));
    assert_eq!(
        closing.trim_end(),
        "+++",
        "the body starts right after the closing fence"
    );
    assert_eq!(
        body_at + parts.body.len(),
        file.len(),
        "the body runs to the end"
    );
    assert!(parts.toml.is_empty() || parts.toml.ends_with('\n'));
    assert!(!parts.toml.lines().any(|line| line.trim_end() == "+++"));

    let joined = format!("+++\n{}+++\n{}", parts.toml, parts.body);
    let again = split(&joined).expect("joined parts split again");
    assert_eq!((again.toml, again.body), (parts.toml, parts.body));

    if let Err(problem) = TomlSource::parse(FILE, parts.toml, 2) {
        assert_located(&problem, text, &[FILE]);
    }
}

/// The values of a petition that its source determines, comparable.
fn values(petition: &Petition) -> String {
    let translations: Vec<_> = petition
        .translations
        .iter()
        .map(|t| {
            let response = t.response.as_ref().map(|r| (&r.from, &r.text.source));
            let updates: Vec<_> = t.updates.iter().map(|u| (u.date, &u.text.source)).collect();
            format!(
                "{:?}",
                (
                    (&t.lang, &t.title, &t.summary, &t.addressee),
                    (&t.author, &t.status_reason, &t.body.source),
                    (response, updates)
                )
            )
        })
        .collect();
    format!(
        "{:?}",
        (
            (&petition.slug, petition.created, petition.deadline),
            (
                petition.status.as_str(),
                petition.goal,
                &petition.milestones
            ),
            (&petition.tags, &petition.image, petition.response_date),
            translations
        )
    )
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The petition written back as a petition file.
fn reserialise(petition: &Petition) -> String {
    let t = &petition.translations[0];
    let mut out = String::from("+++\n");
    let mut line = |key: &str, value: String| out.push_str(&format!("{key} = {value}\n"));
    line("title", toml_string(&t.title));
    for (key, value) in [
        ("summary", &t.summary),
        ("addressee", &t.addressee),
        ("author", &t.author),
        ("status_reason", &t.status_reason),
        ("image", &petition.image),
    ] {
        if let Some(value) = value {
            line(key, toml_string(value));
        }
    }
    line("created", petition.created.to_string());
    if let Some(deadline) = petition.deadline {
        line("deadline", deadline.to_string());
    }
    line("status", toml_string(petition.status.as_str()));
    if let Some(goal) = petition.goal {
        line("goal", goal.to_string());
    }
    line("milestones", format!("{:?}", petition.milestones));
    let tags: Vec<String> = petition.tags.iter().map(|tag| toml_string(tag)).collect();
    line("tags", format!("[{}]", tags.join(", ")));
    if let Some(response) = &t.response {
        out.push_str("\n[response]\n");
        if let Some(date) = petition.response_date {
            out.push_str(&format!("date = {date}\n"));
        }
        if let Some(from) = &response.from {
            out.push_str(&format!("from = {}\n", toml_string(from)));
        }
        out.push_str(&format!("text = {}\n", toml_string(&response.text.source)));
    }
    for update in &t.updates {
        out.push_str(&format!(
            "\n[[updates]]\ndate = {}\ntext = {}\n",
            update.date,
            toml_string(&update.text.source)
        ));
    }
    out.push_str("+++\n");
    out.push_str(&t.body.source);
    out
}

/// Writes `text` as the petition's only file and loads the petition.
fn load(text: &str) -> Result<Petition, Vec<Problem>> {
    let site = site();
    std::fs::write(site.folder.join("index.en.md"), text).expect("writing the petition file");
    let loading = Loading {
        root: &site.root,
        folders: &site.folders,
        config: &site.config,
        // A fixed day, so the date rules judge every input alike.
        today: Date::new(2026, 6, 1).expect("a valid date"),
    };
    petition::load(&loading, &site.folder).expect("reading the petition folder")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_split(text);
    match load(text) {
        Err(problems) => {
            assert!(!problems.is_empty());
            let folder = format!("content/petitions/{SLUG}");
            for problem in &problems {
                assert_located(problem, text, &[FILE, &folder]);
            }
        }
        Ok(petition) => {
            let written = reserialise(&petition);
            let again = load(&written).unwrap_or_else(|problems| {
                let problems: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                panic!("the re-serialised petition does not load:\n{written}\n{problems:#?}")
            });
            assert_eq!(
                values(&again),
                values(&petition),
                "re-serialised:\n{written}"
            );
        }
    }
});
