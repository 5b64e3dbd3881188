//! The site collects its witnesses' cosignatures (#13), end to end on the real binaries:
//! `petitio keygen --witness`, the witness's key in petitio.toml's `[log] witnesses`, a
//! signature sealed into the log by the real `petitio serve`, `petitio witness --submit`
//! posting the cosignature, the served checkpoint carrying it, `petitio verify --witness
//! VKEY` checking it there, and a witness the site does not list refused with the exact
//! message.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::server::{self, Server, SLUG};
use common::{stderr, stdout};

/// Sealing waits for the signature's minute to end: up to a minute and the job's period.
const SEALING_PATIENCE: Duration = Duration::from_secs(150);

fn petitio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_petitio"))
        .args(args)
        .output()
        .unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `petitio keygen --witness --name <name>` into `dir`: the key file and the verifier key.
fn witness_key(dir: &Path, name: &str) -> (PathBuf, String) {
    let key_file = dir.join(format!("{name}.key"));
    let made = petitio(&[
        "keygen",
        "--witness",
        "--name",
        name,
        "--key-file",
        path(&key_file),
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    let prefix = format!("{name}+");
    let vkey = stdout(&made)
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with(&prefix))
        .unwrap()
        .to_owned();
    (key_file, vkey)
}

/// The short name `<name>+<key id>` of a verifier key.
fn short(vkey: &str) -> String {
    let mut parts = vkey.splitn(3, '+');
    format!("{}+{}", parts.next().unwrap(), parts.next().unwrap())
}

#[test]
fn a_listed_witness_cosignature_is_served_with_the_checkpoint_and_verified_there() {
    let dir = tempfile::tempdir().unwrap();
    let (key_file, vkey) = witness_key(dir.path(), "volunteer-1");
    let (stranger_file, stranger_vkey) = witness_key(dir.path(), "stranger");
    let site = server::site();
    let toml = site.read("petitio.toml");
    site.write(
        "petitio.toml",
        &format!("{toml}\n[log]\nwitnesses = [\"{vkey}\"]\n"),
    );
    let server = Server::start(&site);
    let url = format!("{}/", server.origin());
    let checkpoint_path = format!("/log/{SLUG}/checkpoint");

    assert_eq!(server.sign("witnessed@example.kz").status, 201);
    let started = Instant::now();
    let bare = loop {
        let response = server.get(&checkpoint_path);
        if response.status == 200 {
            break response.body;
        }
        assert!(
            started.elapsed() < SEALING_PATIENCE,
            "no checkpoint: {} {}",
            response.status,
            response.body
        );
        std::thread::sleep(Duration::from_millis(500));
    };

    let witness = |key: &Path, state: &str| {
        petitio(&[
            "witness",
            &url,
            "--key",
            path(key),
            "--state",
            path(&dir.path().join(state)),
            "--submit",
        ])
    };
    let output = witness(&key_file, "witness.json");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        format!(
            "{SLUG}: cosignature accepted by the site\n\
             cosigned 1 checkpoint of {url} as volunteer-1\n"
        )
    );
    let line = stdout(&output)
        .strip_prefix(&format!("{SLUG} "))
        .unwrap()
        .to_owned();
    // The served checkpoint is the site's note with the witness's line appended.
    let served = server.get(&checkpoint_path);
    assert_eq!(served.body, format!("{bare}{line}"));
    assert_eq!(served.header("cache-control"), Some("public, max-age=60"));

    // `petitio verify` still passes, and finds the witness's cosignature on the checkpoint.
    let verify = |args: &[&str]| {
        let state = dir.path().join("verify.json");
        let mut all = vec!["verify", url.as_str(), "--state", path(&state)];
        all.extend_from_slice(args);
        petitio(&all)
    };
    let verified = verify(&["--witness", &vkey]);
    assert!(verified.status.success(), "{}", stderr(&verified));
    assert!(verify(&[]).status.success());

    // A witness the site does not list is refused, with the site's reason (in the site's
    // default language, kk), and the command fails.
    let output = witness(&stranger_file, "stranger.json");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "error: {SLUG}: the site refused the cosignature (HTTP 403): {} куәгерінің \
             қосқолтаңбасын бұл сайт қабылдамайды: сайт операторы қабылданатын куәгерлерді \
             petitio.toml ішінде, `[log] witnesses` тізімінде көрсетеді.\n\
             error: {url} refused 1 of the 1 cosignature(s) submitted; the reasons are above\n",
            short(&stranger_vkey)
        )
    );
    assert_eq!(server.get(&checkpoint_path).body, format!("{bare}{line}"));
    // So the stranger's cosignature is not on the checkpoint.
    let unverified = verify(&["--witness", &stranger_vkey]);
    assert_eq!(unverified.status.code(), Some(1));
    assert_eq!(
        stderr(&unverified).lines().next().unwrap(),
        format!(
            "error: {SLUG}: the checkpoint at {url}log/{SLUG}/checkpoint carries no valid \
             cosignature by the witness stranger"
        )
    );
}
