// The site the suites sign on: tests/e2e/fixture/site (with the repository's themes/)
// copied into a fresh temporary folder (so `petitio serve`'s data and `dist/` never touch the checkout) and built with
// `petitio build`. Until a petitio binary exists, the worker target gets a hand-written
// manifest instead (the same shape `petitio build` writes), and says so loudly.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { FIXTURE_SITE, REPO_ROOT } from "./paths.mjs";
import { findPetitio } from "./petitio-bin.mjs";

export const OPEN_PETITION = "clean-air";
export const CLOSED_PETITION = "closed-park";
export const MASS_PETITION = "mass-signing";
export const LANGUAGES = ["kk", "ru", "en"];
export const REGIONS = [
  "abai", "akmola", "aktobe", "almaty-region", "atyrau", "east-kazakhstan", "jambyl",
  "jetisu", "west-kazakhstan", "karaganda", "kostanay", "kyzylorda", "mangystau",
  "pavlodar", "north-kazakhstan", "turkistan", "ulytau", "astana", "almaty-city",
  "shymkent", "abroad",
];

/** The manifest `petitio build` writes for the fixture site (used only without petitio). */
export function fixtureManifest() {
  return {
    version: 1,
    base_path: "/",
    default_language: "kk",
    languages: LANGUAGES,
    regions: REGIONS,
    petitions: [
      { slug: OPEN_PETITION, status: "open", deadline: "2099-12-31", languages: LANGUAGES },
      { slug: CLOSED_PETITION, status: "closed", deadline: "2025-06-01", languages: LANGUAGES },
      { slug: MASS_PETITION, status: "open", deadline: null, languages: LANGUAGES },
    ],
  };
}

/**
 * Copies the fixture project to a temporary folder and builds it; `configLines` are put at
 * the top of its petitio.toml first (top-level keys, e.g. Turnstile's), and
 * `withoutKeys` removes those top-level keys' lines (e.g. `api_url`, for a suite that
 * sets `api_endpoints`). Resolves to { root, dist, built } where `built` says whether
 * `petitio build` made `dist`.
 */
export function prepareFixture({ configLines = "", withoutKeys = [] } = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "petitio-e2e-site-"));
  fs.cpSync(FIXTURE_SITE, root, { recursive: true });
  if (configLines || withoutKeys.length) {
    const config = path.join(root, "petitio.toml");
    const kept = fs
      .readFileSync(config, "utf8")
      .split("\n")
      .filter((line) => !withoutKeys.some((key) => line.startsWith(`${key} =`)))
      .join("\n");
    fs.writeFileSync(config, configLines + kept);
  }
  // The site uses the repository's default theme, as a new project would.
  fs.cpSync(path.join(REPO_ROOT, "themes"), path.join(root, "themes"), { recursive: true });
  const dist = path.join(root, "dist");
  const petitio = findPetitio();
  if (petitio) {
    try {
      execFileSync(petitio, ["build"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      throw new Error(
        `\`${petitio} build\` failed on the fixture site ${root}:\n${error.stderr ?? error.message}`,
      );
    }
    if (!fs.existsSync(path.join(dist, "_petitio", "manifest.json"))) {
      throw new Error(`\`petitio build\` did not write dist/_petitio/manifest.json in ${root}`);
    }
    return { root, dist, built: true };
  }
  if (process.env.CI === "true") {
    throw new Error("no petitio binary (cargo build -p petitio, or set PETITIO_BIN): CI must test a built site");
  }
  console.warn(
    "\n!!! No petitio binary (cargo build -p petitio, or set PETITIO_BIN): the worker is " +
      "tested against a hand-written manifest instead of a site built by `petitio build`.\n",
  );
  fs.mkdirSync(path.join(dist, "_petitio"), { recursive: true });
  fs.writeFileSync(path.join(dist, "_petitio", "manifest.json"), JSON.stringify(fixtureManifest()));
  fs.writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>fixture</title>\n");
  return { root, dist, built: false };
}
