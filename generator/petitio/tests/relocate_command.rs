//! `petitio relocate` through the real binary: config and worker config rewritten, the site
//! rebuilt for the new domain with no trace of the old one (unless kept as a mirror), the
//! "we moved" site pointing every old page to its new address, and bad input refused with
//! nothing changed.

mod common;

use common::TestSite;

const WORKER_CONFIG: &str = "name = \"petitio\"\n\n[[kv_namespaces]]\nbinding = \"SIGNATURES\"\nid = \"kv-namespace-id\"\n\n[vars]\n# The origins allowed to sign.\nALLOWED_ORIGINS = \"https://petitions.example,https://mirror.example\"\n";

fn site_with_worker_config() -> TestSite {
    let site = TestSite::copy("valid");
    site.write("edge-worker/wrangler.toml", WORKER_CONFIG);
    site.run_ok(&["build"]);
    site
}

/// What `petitio relocate` prints after its "Done in" line: the steps left to do by hand.
fn steps_of(stdout: &str) -> &str {
    let done = stdout.find("\nDone in ").expect("a Done line");
    let after = &stdout[done + 1..];
    &after[after.find('\n').unwrap() + 1..]
}

fn html_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn relocation_moves_everything_to_the_new_domain_and_keeps_kv() {
    let site = site_with_worker_config();
    let old_pages = html_files(&site.path("dist")).len();

    let output = site.run_ok(&["relocate", "https://new.example/"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("Moved https://petitions.example/ -> https://new.example/\n"),
        "{stdout}"
    );
    assert_eq!(
        steps_of(&stdout),
        format!(
            "Left to do by hand in Cloudflare (with the `petitio doctor` check that verifies each step):\n  \
             1. DNS: add new.example to the Cloudflare account (or point its name servers to \
             Cloudflare); the custom domain below creates its record and certificate. Checked by `api`.\n  \
             2. Route: `scripts/deploy` publishes the worker on the custom domain new.example with \
             ALLOWED_ORIGINS = https://new.example,https://mirror.example (from {}). Checked by \
             `api` and `cors`.\n  \
             3. Secrets: nothing to do: SIGNING_KEY, LOG_SIGNING_KEY and TURNSTILE_SECRET stay, the \
             KV namespace too (signatures and counts carry over).\n  \
             4. Mirrors: publish the new build on https://mirror.example/ (pages, _headers). Checked \
             by `csp`, `note` and `manifest` on each.\n\
             Then check each address (every check ok or warn):\n  \
             petitio doctor https://new.example/\n  \
             petitio doctor https://mirror.example/\n",
            site.path("edge-worker/wrangler.toml").display()
        )
    );

    let config = site.read("petitio.toml");
    assert!(
        config.contains("base_url = \"https://new.example/\""),
        "{config}"
    );
    assert!(
        config.contains("mirrors = [\"https://mirror.example/\"]"),
        "{config}"
    );

    let worker = site.read("edge-worker/wrangler.toml");
    assert!(worker.contains("# The origins allowed to sign.\nALLOWED_ORIGINS = \"https://new.example,https://mirror.example\""), "{worker}");
    assert!(
        worker.contains("id = \"kv-namespace-id\""),
        "the KV namespace must not change:\n{worker}"
    );
    assert!(
        worker.contains("routes = [{ pattern = \"new.example\", custom_domain = true }]"),
        "{worker}"
    );

    // The rebuilt site never mentions the old domain.
    for entry in walkdir::WalkDir::new(site.path("dist")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("petitions.example"),
                "{} mentions the old domain",
                entry.path().display()
            );
        }
    }

    // Every old page has a notice pointing to the same page on the new domain.
    let moved = site.path("dist-moved");
    let notices = html_files(&moved);
    assert_eq!(notices.len(), old_pages);
    let notice = site.read("dist-moved/ru/petitions/clean-air/index.html");
    assert!(
        notice.contains("href=\"https://new.example/ru/petitions/clean-air/\""),
        "{notice}"
    );
    assert!(
        notice.contains("href=\"https://mirror.example/\""),
        "{notice}"
    );
    assert!(!notice.contains("<script"));
    assert_eq!(
        site.read("dist-moved/_redirects"),
        "# Cloudflare Pages and Netlify: send every old path to the new domain.\n/* https://new.example/:splat 301\n"
    );
}

#[test]
fn the_old_domain_stays_only_as_a_mirror_when_asked() {
    let site = site_with_worker_config();
    site.run_ok(&["relocate", "https://new.example/", "--keep-old-as-mirror"]);
    let config = site.read("petitio.toml");
    assert!(
        config.contains("mirrors = [\"https://petitions.example/\", \"https://mirror.example/\"]"),
        "{config}"
    );
    let worker = site.read("edge-worker/wrangler.toml");
    assert!(worker.contains("ALLOWED_ORIGINS = \"https://new.example,https://petitions.example,https://mirror.example\""), "{worker}");
}

#[test]
fn a_bad_address_is_refused_and_changes_nothing() {
    let site = site_with_worker_config();
    let config_before = site.read("petitio.toml");
    let dist_before = site.read("dist/index.html");
    let output = site.run(&["relocate", "ftp://new.example/"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: `ftp://new.example/` is not a usable site address: it must start with https:// (or http://)\n  Give the new address like https://new.example/ or https://new.example/petitions/\n"
    );
    assert_eq!(site.read("petitio.toml"), config_before);
    assert_eq!(site.read("edge-worker/wrangler.toml"), WORKER_CONFIG);
    assert_eq!(site.read("dist/index.html"), dist_before);
    assert!(!site.path("dist-moved").exists());
}

#[test]
fn a_failing_build_puts_the_old_config_back() {
    let site = site_with_worker_config();
    let config_before = site.read("petitio.toml");
    // A content error the rebuild will find.
    site.write(
        "content/petitions/clean-air/index.kk.md",
        "+++\ntitle = 1\n+++\n",
    );
    let output = site.run(&["relocate", "https://new.example/"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(site.read("petitio.toml"), config_before);
    assert_eq!(site.read("edge-worker/wrangler.toml"), WORKER_CONFIG);
    assert!(!site.path("dist-moved").exists());
}

#[test]
fn the_steps_name_turnstile_hosts_and_the_zone_of_a_site_under_a_path() {
    let site = site_with_worker_config();
    let config = site.read("petitio.toml");
    site.write(
        "petitio.toml",
        &format!("turnstile_site_key = \"1x00000000000000000000AA\"\n{config}"),
    );
    let output = site.run_ok(&["relocate", "https://www.new.example/petitions/"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        steps_of(&stdout),
        format!(
            "Left to do by hand in Cloudflare (with the `petitio doctor` check that verifies each step):\n  \
             1. DNS: the zone new.example must be in the Cloudflare account, with a proxied DNS \
             record for www.new.example; check zone_name in {config} (guessed from the last two \
             labels). Checked by `api`.\n  \
             2. Route: `scripts/deploy` publishes the worker on the route \
             www.new.example/petitions/* with ALLOWED_ORIGINS = \
             https://www.new.example,https://mirror.example (from {config}). Checked by `api` and \
             `cors`.\n  \
             3. Turnstile: add www.new.example, mirror.example to the widget's host names \
             (Turnstile, the widget, Hostname management); keys unchanged. No check can see this \
             from outside: sign once on https://www.new.example/petitions/.\n  \
             4. Secrets: nothing to do: SIGNING_KEY, LOG_SIGNING_KEY and TURNSTILE_SECRET stay, the \
             KV namespace too (signatures and counts carry over).\n  \
             5. Mirrors: publish the new build on https://mirror.example/ (pages, _headers). Checked \
             by `csp`, `note` and `manifest` on each.\n\
             Then check each address (every check ok or warn):\n  \
             petitio doctor https://www.new.example/petitions/\n  \
             petitio doctor https://mirror.example/\n",
            config = site.path("edge-worker/wrangler.toml").display()
        )
    );
}
