//! `petitio keygen --witness` and `petitio witness` (the real binary) on a log served over
//! HTTP: the cosignature is a C2SP tlog-cosignature/v1 line that an independent check
//! (Python's `cryptography`, from the spec) accepts, the cosigned checkpoint still verifies
//! with the log key, and a witness refuses to cosign a log that rolled back. Then the site
//! collecting cosignatures (#13), end to end on the real binaries: the witness's key in
//! petitio.toml's `[log] witnesses`, a signature sealed into the log by the real `petitio
//! serve`, `petitio witness --submit` posting the cosignature, the served checkpoint carrying
//! it, `petitio verify --witness VKEY` checking it there, and a witness the site does not
//! list refused with the exact message.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use common::published_log::{signature, signatures, LogSite};
use common::server::{self, Server};
use common::{stderr, stdout};

const SLUG: &str = "clean-air";

fn petitio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_petitio"))
        .args(args)
        .output()
        .unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Checks a cosignature line of a checkpoint text against a witness's verifier key as
/// C2SP tlog-cosignature defines it, in Python (no code shared with the signer).
const CHECK_COSIGNATURE: &str = r#"
import base64, hashlib, struct, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
vkey, line, text = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
name, key_id, key = vkey.split("+", 2)
key = base64.b64decode(key)
assert key[0] == 0x04, "cosignature/v1 keys have algorithm byte 0x04"
assert hashlib.sha256(name.encode() + b"\n" + key).digest()[:4].hex() == key_id
dash, line_name, blob = line.rstrip("\n").split(" ")
assert dash == "\u2014" and line_name == name
blob = base64.b64decode(blob)
assert blob[:4].hex() == key_id and len(blob) == 4 + 8 + 64
(timestamp,) = struct.unpack(">Q", blob[4:12])
message = f"cosignature/v1\ntime {timestamp}\n{text}".encode()
Ed25519PublicKey.from_public_bytes(key[1:]).verify(blob[12:], message)
print("cosignature ok")
"#;

fn python() -> std::path::PathBuf {
    std::env::var_os("PETITIO_TOOLS_VENV").map_or_else(
        || "python3".into(),
        |venv| Path::new(&venv).join("bin/python"),
    )
}

/// `petitio keygen --witness --name <name>` into `dir`: the key file and the verifier key
/// it printed.
fn witness_key(dir: &Path, name: &str) -> (std::path::PathBuf, String) {
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

#[test]
fn a_witness_cosigns_what_it_verified_and_refuses_a_rollback() {
    let dir = tempfile::tempdir().unwrap();
    let (key_file, vkey) = witness_key(dir.path(), "volunteer-1");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let site = LogSite::start();
    site.publish(SLUG, &signatures(SLUG, 5));
    site.open_data(&site.key, &[(SLUG, 5, 5)]);
    let state = dir.path().join("witness.json");
    let out = dir.path().join("cosigned");
    let witness = |site: &LogSite| {
        petitio(&[
            "witness",
            &site.url,
            "--key",
            path(&key_file),
            "--state",
            path(&state),
            "--out",
            path(&out),
        ])
    };
    let output = witness(&site);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        format!("cosigned 1 checkpoint of {} as volunteer-1\n", site.url)
    );
    let printed = stdout(&output);
    let line = printed.strip_prefix(&format!("{SLUG} ")).unwrap();
    assert!(line.starts_with("\u{2014} volunteer-1 ") && line.ends_with('\n'));

    // The cosigned note is the site's checkpoint with the witness's line added.
    let note = String::from_utf8(site.get("log/clean-air/checkpoint")).unwrap();
    let cosigned = std::fs::read_to_string(out.join("log/clean-air/checkpoint")).unwrap();
    assert_eq!(cosigned, format!("{note}{line}"));
    // Independently, the line is a valid cosignature/v1 of the checkpoint's text.
    let text = &note[..note.find("\n\n").unwrap() + 1];
    let text_file = dir.path().join("checkpoint.txt");
    std::fs::write(&text_file, text).unwrap();
    let checked = Command::new(python())
        .args(["-c", CHECK_COSIGNATURE, &vkey, line, path(&text_file)])
        .output()
        .expect("python3 with `cryptography` (tests/tools/requirements.txt)");
    assert_eq!(stdout(&checked), "cosignature ok\n", "{}", stderr(&checked));
    // With the cosignature appended, the checkpoint still verifies with the log key.
    assert_eq!(site.key.verify_note(&cosigned), Ok(text));

    // A site serving the cosigned checkpoint passes `petitio verify`.
    site.put("log/clean-air/checkpoint", cosigned.clone().into_bytes());
    let verified = petitio(&[
        "verify",
        &site.url,
        "--state",
        path(&dir.path().join("v.json")),
    ]);
    assert!(verified.status.success(), "{}", stderr(&verified));

    // A rollback since the witness's last view: no cosignature, the old one stays.
    site.publish(SLUG, &signatures(SLUG, 3));
    site.open_data(&site.key, &[(SLUG, 3, 3)]);
    let output = witness(&site);
    assert!(!output.status.success());
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        format!(
            "error: {SLUG}: rollback: the checkpoint's tree size is 3, smaller than the size 5 \
             seen before: the log lost entries it had published\n\
             error: 1 of 1 petition logs of {} failed verification\n",
            site.url
        )
    );
    assert_eq!(
        std::fs::read_to_string(out.join("log/clean-air/checkpoint")).unwrap(),
        cosigned
    );
}

#[test]
fn a_key_file_that_is_not_a_witness_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("log.key");
    std::fs::write(&key_file, "PRIVATE+KEY+test+01234567+AQID").unwrap();
    let output = petitio(&["witness", "http://127.0.0.1:9/", "--key", path(&key_file)]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        "error: the witness key file does not hold a witness private key \
         (PRIVATE+KEY+<name>+<id>+<key>, as `petitio keygen --witness` writes it)\n"
    );
}

/// A served copy of the files `petitio witness --out` wrote.
fn serve_folder(folder: &Path) -> LogSite {
    let mirror = LogSite::start();
    for entry in walkdir::WalkDir::new(folder) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(folder).unwrap();
            mirror.put(
                relative.to_str().unwrap(),
                std::fs::read(entry.path()).unwrap(),
            );
        }
    }
    mirror
}

#[test]
fn verify_cross_checks_the_log_with_a_witness() {
    let dir = tempfile::tempdir().unwrap();
    let (key_file, vkey) = witness_key(dir.path(), "volunteer-1");
    let site = LogSite::start();
    let five = signatures(SLUG, 5);
    site.publish(SLUG, &five);
    site.open_data(&site.key, &[(SLUG, 5, 5)]);
    let out = dir.path().join("cosigned");
    let witnessed = petitio(&[
        "witness",
        &site.url,
        "--key",
        path(&key_file),
        "--state",
        path(&dir.path().join("w.json")),
        "--out",
        path(&out),
    ]);
    assert!(witnessed.status.success(), "{}", stderr(&witnessed));
    let mirror = serve_folder(&out);
    let witness = format!("{vkey}@{}", mirror.url);
    // Each run with a fresh state: only the witness's view is compared.
    let verify = |site: &LogSite| {
        let state = tempfile::tempdir().unwrap();
        petitio(&[
            "verify",
            &site.url,
            "--witness",
            &witness,
            "--state",
            path(&state.path().join("v.json")),
        ])
    };
    let fails = |site: &LogSite, problem: &str| {
        let output = verify(site);
        assert!(!output.status.success());
        assert_eq!(
            stderr(&output),
            format!(
                "error: {SLUG}: {problem}\nerror: 1 of 1 petition logs of {} failed verification\n",
                site.url
            )
        );
    };

    // The log grew consistently since the witness cosigned it.
    let mut seven = five.clone();
    seven.push(signature(SLUG, 5, 29_000_009));
    seven.push(signature(SLUG, 6, 29_000_009));
    seven.sort_by_key(petitio_model::transparency::Entry::append_order);
    site.publish(SLUG, &seven);
    site.open_data(&site.key, &[(SLUG, 7, 7)]);
    let output = verify(&site);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(&format!(
            "\nok: {SLUG}: extends the checkpoint of size 5 the witness volunteer-1 cosigned\n"
        )),
        "{}",
        stdout(&output)
    );

    // The site shows this reader a log whose first 5 entries are not the witness's.
    let mut other: Vec<_> = signatures("another", 7);
    for entry in &mut other {
        entry.bucket += 100;
    }
    site.publish(SLUG, &other);
    fails(
        &site,
        "split view: the log of size 7 is not an extension of the log of size 5 the witness \
             volunteer-1 cosigned",
    );

    // The same size as the witness's, another root.
    site.publish(SLUG, &other[..5]);
    site.open_data(&site.key, &[(SLUG, 5, 5)]);
    fails(
        &site,
        "split view: the log of size 5 is not an extension of the log of size 5 the witness \
             volunteer-1 cosigned",
    );

    // The site shows this reader an older log than the witness saw.
    site.publish(SLUG, &signatures(SLUG, 3));
    site.open_data(&site.key, &[(SLUG, 3, 3)]);
    fails(
        &site,
        "the witness volunteer-1 cosigned a log of size 5, but the site shows only 3 entries: \
             it shows this reader an older log than it showed the witness",
    );

    // What the witness publishes must carry its cosignature.
    site.publish(SLUG, &five);
    site.open_data(&site.key, &[(SLUG, 5, 5)]);
    mirror.put(
        "log/clean-air/checkpoint",
        site.get("log/clean-air/checkpoint"),
    );
    fails(
        &site,
        &format!(
            "the checkpoint at {}log/clean-air/checkpoint carries no valid cosignature by the \
             witness volunteer-1",
            mirror.url
        ),
    );
    mirror.files.lock().unwrap().clear();
    fails(
        &site,
        &format!(
            "the witness volunteer-1 has cosigned no checkpoint of this log \
             ({}log/clean-air/checkpoint)",
            mirror.url
        ),
    );
}

/// Sealing waits for the signature's minute to end: up to a minute and the job's period.
const SEALING_PATIENCE: Duration = Duration::from_secs(150);

/// The short name `<name>+<key id>` of a verifier key.
fn short(vkey: &str) -> String {
    let mut parts = vkey.splitn(3, '+');
    format!("{}+{}", parts.next().unwrap(), parts.next().unwrap())
}

#[test]
fn a_listed_witness_cosignature_is_served_with_the_checkpoint_and_verified_there() {
    let slug = server::SLUG;
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
    let checkpoint_path = format!("/log/{slug}/checkpoint");

    assert_eq!(server.sign("witnessed@example.kz").status, 201);
    let bare = server
        .wait_within(SEALING_PATIENCE, &checkpoint_path, "a checkpoint", |r| {
            r.status == 200
        })
        .body;

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
            "{slug}: cosignature accepted by the site\n\
             cosigned 1 checkpoint of {url} as volunteer-1\n"
        )
    );
    let line = stdout(&output)
        .strip_prefix(&format!("{slug} "))
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
    let verified = verify(&["--witness", &vkey, "--petition", slug]);
    assert!(verified.status.success(), "{}", stderr(&verified));
    assert!(
        stdout(&verified).contains(&format!(
            "\nok: {slug}: the checkpoint carries the witness volunteer-1's cosignature\n"
        )),
        "{}",
        stdout(&verified)
    );
    assert!(verify(&[]).status.success());

    // A witness the site does not list is refused, with the site's reason (in the site's
    // default language, kk), and the command fails.
    let output = witness(&stranger_file, "stranger.json");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "error: {slug}: the site refused the cosignature (HTTP 403): {} куәгерінің \
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
            "error: {slug}: the checkpoint at {url}log/{slug}/checkpoint carries no valid \
             cosignature by the witness stranger"
        )
    );
}
