//! Turnstile's widget and the confirmation notice (issue #12): with `turnstile_site_key`
//! in petitio.toml the sign and withdraw forms render it and the CSP allows exactly its
//! origin as a script and a frame; without it nothing is rendered and the CSP is unchanged; a bad key or script URL fails
//! `check` with its exact problem. The petition page says which confirmation is in force.

mod common;

use common::TestSite;

const KEY_LINES: &str = "turnstile_site_key = \"1x00000000000000000000AA\"\n";

fn with_config(extra: &str) -> TestSite {
    let site = TestSite::copy("valid");
    let config = site.read("petitio.toml");
    // Top-level keys go before the first table.
    site.write("petitio.toml", &format!("{extra}{config}"));
    site
}

fn csp(site: &TestSite) -> String {
    site.read("dist/_headers")
        .lines()
        .find_map(|line| line.trim().strip_prefix("Content-Security-Policy: "))
        .expect("a CSP in _headers")
        .to_owned()
}

#[test]
fn with_a_site_key_the_forms_render_the_widget_and_the_csp_allows_its_origin_only() {
    let site = with_config(KEY_LINES);
    site.run_ok(&["build"]);
    let petition = site.read("dist/en/petitions/clean-air/index.html");
    assert!(
        petition.contains(
            "<div class=\"cf-turnstile\" data-sitekey=\"1x00000000000000000000AA\" data-language=\"en\"></div>"
        ),
        "{petition}"
    );
    assert!(petition
        .contains("<script src=\"https://challenges.cloudflare.com/turnstile/v0/api.js\" async defer></script>"));
    let withdraw = site.read("dist/ru/petitions/clean-air/withdraw/index.html");
    assert!(withdraw.contains("data-sitekey=\"1x00000000000000000000AA\""));
    let policy = csp(&site);
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval' https://challenges.cloudflare.com;"),
        "{policy}"
    );
    assert!(
        policy.ends_with("; frame-src 'self' https://challenges.cloudflare.com"),
        "{policy}"
    );
}

#[test]
fn a_local_stand_in_script_is_allowed_for_tests() {
    let site = with_config(&format!(
        "{KEY_LINES}turnstile_script_url = \"http://127.0.0.1:9/turnstile.js\"\n"
    ));
    site.run_ok(&["build"]);
    assert!(csp(&site).contains("script-src 'self' 'wasm-unsafe-eval' http://127.0.0.1:9;"));
}

#[test]
fn without_a_site_key_nothing_is_rendered() {
    let site = TestSite::copy("valid");
    site.run_ok(&["build"]);
    let petition = site.read("dist/en/petitions/clean-air/index.html");
    assert!(!petition.contains("cf-turnstile"));
    let policy = csp(&site);
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "{policy}"
    );
    assert!(!policy.contains("frame-src"), "{policy}");
}

#[test]
fn a_bad_key_or_script_url_is_refused_with_its_problem() {
    let site = with_config("turnstile_site_key = \"no spaces\"\n");
    let output = site.run(&["check"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "`turnstile_site_key`: expected Turnstile's public site key, letters, digits, - and _ like \"0x4AAAAAAA…\", found \"no spaces\""
        ),
        "{stderr}"
    );
    let site = with_config(&format!(
        "{KEY_LINES}turnstile_script_url = \"http://widget.example/api.js\"\n"
    ));
    let output = site.run(&["check"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "expected an https:// URL of the widget script (http:// only to this machine), or nothing for Cloudflare's, found \"http://widget.example/api.js\""
        ),
        "{stderr}"
    );
}

/// The petition page says truthfully whether signatures count only once confirmed by
/// email (`signature_confirmation`, default "email"; `scripts/deploy` keeps it equal to the
/// worker's `SIGNATURE_CONFIRMATION`).
#[test]
fn the_petition_page_states_which_confirmation_is_in_force() {
    let site = TestSite::copy("valid");
    site.run_ok(&["build"]);
    let page = site.read("dist/en/petitions/clean-air/index.html");
    assert!(
        page.contains("Your signature counts only once you confirm it: we send one message"),
        "{page}"
    );
    let site = with_config("signature_confirmation = \"none\"\n");
    site.run_ok(&["build"]);
    let page = site.read("dist/ru/petitions/clean-air/index.html");
    assert!(page.contains("засчитываются сразу, без подтверждения по почте"));
    let site = with_config("signature_confirmation = \"sometimes\"\n");
    let stderr = String::from_utf8_lossy(&site.run(&["check"]).stderr).into_owned();
    assert!(
        stderr.contains(
            "`signature_confirmation`: expected \"email\" (signatures count once confirmed by email) or \"none\", found \"sometimes\""
        ),
        "{stderr}"
    );
}
