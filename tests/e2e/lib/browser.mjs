// Browser side of the end-to-end suites: Debian's Chromium driven by playwright-core,
// axe-core injected into pages that run under the site's strict CSP, the Nu HTML checker
// over a built site, and screenshot writing.
//
// No tool here ever downloads a browser: Chromium is the Debian package at
// /usr/bin/chromium (scripts/install-deps installs it) and playwright-core is only the
// driver. The machine's network is closed, so every launch carries the flags that stop
// Chromium's own background traffic.

import { chromium } from "playwright-core";
import { findPetitio } from "../harness/petitio-bin.mjs";
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** tests/e2e/ */
export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The repository root. */
export const REPO_ROOT = path.resolve(E2E_DIR, "..", "..");

/** Debian's Chromium; PETITIO_CHROMIUM overrides it (another local build, never a download). */
export const CHROMIUM_PATH = process.env.PETITIO_CHROMIUM || "/usr/bin/chromium";

/**
 * Flags for every launch. Without the background-networking ones Chromium keeps trying to
 * reach Google's hosts, which this machine's closed network refuses.
 */
export const CHROMIUM_FLAGS = Object.freeze([
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
  "--disable-default-apps",
  "--disable-extensions",
  "--metrics-recording-only",
  "--password-store=basic",
]);

/** Viewports for screenshots and layout checks. */
export const VIEWPORTS = Object.freeze({
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
});

/**
 * Launches Debian's Chromium headless with the flags above and a fresh profile:
 * playwright-core creates a new empty folder for every launch, passes it as
 * `--user-data-dir` (it refuses that flag from callers) and deletes it on close.
 * Pages are opened in further contexts from `newContext()`, each with its own empty
 * storage, so no test sees another test's localStorage.
 *
 * @returns {Promise<{browser: import("playwright-core").Browser,
 *   newContext: (opts?: object) => Promise<import("playwright-core").BrowserContext>,
 *   close: () => Promise<void>}>}
 */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install Debian's package: ` +
        "apt-get install -y chromium (scripts/install-deps does this).",
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    timeout: 30_000,
  });
  let closed = false;
  return {
    browser,
    /** A fresh, isolated context (own cookies and storage). */
    newContext: (opts = {}) =>
      browser.newContext({
        viewport: VIEWPORTS.desktop,
        ...opts,
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      await browser.close().catch(() => {});
    },
  };
}

/**
 * Opens a page in its own context and records everything that went wrong inside it:
 * uncaught exceptions, console errors, and Content-Security-Policy violations (the site
 * forbids inline script; a violation means the theme broke that rule).
 *
 * @param {Awaited<ReturnType<typeof launchBrowser>>} launched
 * @param {{javaScriptEnabled?: boolean, viewport?: {width:number,height:number},
 *   locale?: string}} [opts]
 */
export async function openPage(launched, opts = {}) {
  const context = await launched.newContext({
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    viewport: opts.viewport ?? VIEWPORTS.desktop,
    locale: opts.locale ?? "en-US",
  });
  const page = await context.newPage();
  const problems = { pageErrors: [], consoleErrors: [], cspViolations: [] };
  page.on("pageerror", (err) => problems.pageErrors.push(String(err && err.stack ? err.stack : err)));
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const where = msg.location() && msg.location().url;
    const text = where ? `${msg.text()} (${where})` : msg.text();
    if (/Content Security Policy/i.test(text)) problems.cspViolations.push(text);
    else problems.consoleErrors.push(text);
  });
  return {
    context,
    page,
    problems,
    close: () => context.close().catch(() => {}),
  };
}

/**
 * The failed look-ups a keyed site's pages make on purpose: every page looks for a newer
 * signed "where we are now" note at each place it lists (docs/keys.md); in the tests those
 * host names do not resolve and the local copy may have no note yet (404). Only failures of
 * that one path match, so a failed tile, count or asset still fails the test.
 */
export const WHERE_NOTE_LOOKUPS = /^Failed to load resource: .*\(https?:\/\/[^/]+\/\.well-known\/petitio-where\)$/;

/**
 * Asserts-friendly summary of a page's problems. `expected` lists patterns of console
 * messages a test provokes on purpose (a refused connection when it makes the API
 * unreachable, a frame the site's policy refuses); uncaught exceptions are never expected.
 */
export function unexpectedProblems(problems, expected = []) {
  const unexpected = (t) => !expected.some((re) => re.test(t));
  return [
    ...problems.pageErrors.map((e) => `uncaught: ${e}`),
    ...problems.cspViolations.filter(unexpected).map((e) => `CSP: ${e}`),
    ...problems.consoleErrors.filter(unexpected).map((e) => `console: ${e}`),
  ];
}

// ---------------------------------------------------------------------------------------
// Building the site under test

/** The `petitio` binary, found as every suite finds it (harness/petitio-bin.mjs). */
export function petitioBin() {
  const bin = findPetitio();
  if (!bin) throw new Error("petitio binary not found: set PETITIO_BIN or run cargo build -p petitio");
  return bin;
}

/**
 * Builds the example site (the repository's content/ and themes/) into a new temporary
 * folder with `petitio build` and returns its path plus a `remove()`.
 *
 * @param {{drafts?: boolean, counts?: object, baseUrl?: string, root?: string}} [opts]
 *   `counts`: the build-time snapshot, in `GET /api/counts`'s `petitions` shape.
 */
export async function buildSite(opts = {}) {
  const work = await mkdtemp(path.join(tmpdir(), "petitio-e2e-site-"));
  const out = path.join(work, "dist");
  const args = ["--root", opts.root ?? REPO_ROOT, "build", "--out", out];
  if (opts.baseUrl) args.push("--base-url", opts.baseUrl);
  if (opts.drafts) args.push("--drafts");
  if (opts.counts) {
    const countsFile = path.join(work, "counts.json");
    await writeFile(countsFile, JSON.stringify(opts.counts));
    args.push("--counts", countsFile);
  }
  try {
    execFileSync(petitioBin(), args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw new Error(`petitio ${args.join(" ")} failed:\n${err.stderr || err.message}`);
  }
  return { dir: out, remove: () => rm(work, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------
// axe-core

const AXE_PATH = require.resolve("axe-core/axe.min.js");
let axeSource;

/**
 * Runs axe-core inside the page and returns its violations of impact serious or critical.
 *
 * The site's CSP forbids inline and foreign scripts, so axe cannot be added as a <script>
 * element (`page.addScriptTag` would be refused). Its source is evaluated through the
 * DevTools protocol instead (`page.evaluate` → Runtime.evaluate), which CSP does not
 * govern; the page's own policy stays in force for everything else.
 *
 * @param {import("playwright-core").Page} page
 * @returns {Promise<Array<{id:string, impact:string, help:string, helpUrl:string,
 *   nodes:Array<{target:string[], html:string, failureSummary:string}>}>>}
 */
export async function axeViolations(page, { impacts = ["serious", "critical"] } = {}) {
  axeSource ??= await readFile(AXE_PATH, "utf8");
  const loaded = await page.evaluate(`(() => { ${axeSource}\n; return typeof window.axe; })()`);
  if (loaded !== "object") throw new Error(`axe-core did not load in the page (typeof axe = ${loaded})`);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, {
      resultTypes: ["violations"],
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    }));
  });
  return result.filter((v) => impacts.includes(v.impact));
}

/** Human-readable lines for assertion messages. */
export function formatViolations(violations) {
  return violations
    .map(
      (v) =>
        `[${v.impact}] ${v.id}: ${v.help}\n` +
        v.nodes
          .slice(0, 5)
          .map((n) => `    at ${n.target.join(" ")}: ${n.html.slice(0, 160)}\n      ${(n.failureSummary || "").replace(/\n/g, "\n      ")}`)
          .join("\n"),
    )
    .join("\n");
}

// ---------------------------------------------------------------------------------------
// Nu HTML checker

const VNU_JAR = path.join(E2E_DIR, "node_modules", "vnu-jar", "build", "dist", "vnu.jar");

/** Every file under `dir` whose name ends with one of `exts`, sorted. */
export async function listFiles(dir, exts) {
  const out = [];
  const walk = async (d) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (exts.some((e) => entry.name.endsWith(e))) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * Runs the Nu HTML checker (npm vnu-jar; needs Java) over `files` and returns its error
 * messages: `{file, line, column, message, extract}`. Warnings are not requested.
 *
 * @param {string[]} files absolute paths of .html (and, with `svg`, .svg) files
 */
export async function vnuErrors(files, { svg = false } = {}) {
  if (files.length === 0) throw new Error("vnuErrors: no files to check");
  if (!existsSync(VNU_JAR)) throw new Error(`vnu.jar missing at ${VNU_JAR}: run npm ci in tests/e2e`);
  const args = ["-Xss4m", "-jar", VNU_JAR, "--errors-only", "--format", "json", "--exit-zero-always"];
  if (svg) args.push("--also-check-svg");
  args.push(...files);
  const { stdout, stderr } = await new Promise((resolve, reject) => {
    execFile("java", args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && err.code === "ENOENT") reject(new Error("java not found: install a Java runtime (default-jre-headless)"));
      else if (err) reject(new Error(`vnu failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
  // vnu writes its JSON report to stderr.
  const text = stderr.trim() || stdout.trim();
  let report;
  try {
    report = JSON.parse(text);
  } catch {
    throw new Error(`vnu printed no JSON report:\n${text.slice(0, 2000)}`);
  }
  return (report.messages || [])
    .filter((m) => m.type === "error" || m.type === "non-document-error")
    .map((m) => ({
      file: m.url ? fileURLToPath(m.url) : "(unknown)",
      line: m.lastLine,
      column: m.firstColumn,
      message: m.message,
      extract: m.extract,
    }));
}

// ---------------------------------------------------------------------------------------
// Screenshots

/**
 * Folder for this run's screenshots: PETITIO_SCREENSHOT_DIR, else tests/e2e/artifacts/screenshots.
 * Tests print it so a CI run's artifacts can be found.
 */
export const SCREENSHOT_DIR = path.resolve(
  process.env.PETITIO_SCREENSHOT_DIR || path.join(E2E_DIR, "artifacts", "screenshots"),
);

/** The README's screenshots; refreshed only when PETITIO_UPDATE_DOCS_SCREENSHOTS=1. */
export const DOCS_SCREENSHOT_DIR = path.join(REPO_ROOT, "docs", "screenshots");

/**
 * Writes a full-page PNG named `<name>.png` into SCREENSHOT_DIR (and into
 * docs/screenshots/ when PETITIO_UPDATE_DOCS_SCREENSHOTS=1). Returns the written path.
 */
export async function writeScreenshot(page, name, { fullPage = true } = {}) {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new Error(`bad screenshot name: ${name}`);
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage, animations: "disabled" });
  if (process.env.PETITIO_UPDATE_DOCS_SCREENSHOTS === "1") {
    await mkdir(DOCS_SCREENSHOT_DIR, { recursive: true });
    await copyFile(file, path.join(DOCS_SCREENSHOT_DIR, `${name}.png`));
  }
  return file;
}

// ---------------------------------------------------------------------------------------
// Polling (no timing assertions: wait for a condition, bounded)

/**
 * Calls `probe` until it returns a truthy value or `timeoutMs` passes; returns that value
 * or throws with `what` and the last value seen.
 */
export async function waitFor(what, probe, { timeoutMs = 10_000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------
// Fixture data

/**
 * A build-time count snapshot for the example site, in `GET /api/counts`'s `petitions`
 * shape: enough signatures to pass milestones and to fill the region charts.
 */
export const SNAPSHOT_COUNTS = Object.freeze({
  "almaty-winter-air": {
    count: 6240,
    by_region: { "almaty-city": 4120, "almaty-region": 980, astana: 410, shymkent: 160, karaganda: 150, jetisu: 120, abroad: 300 },
    // When the counting job saw the count reach each milestone (shown on the page).
    reached: { 1000: "2026-03-04T09:12:00Z", 5000: "2026-03-11T19:40:00Z" },
  },
  "astana-access-ramps": { count: 1312, by_region: { astana: 1020, akmola: 190, karaganda: 60, abroad: 42 } },
  "zhanatalap-school-bus": { count: 214, by_region: { akmola: 201, astana: 13 } },
  "oskemen-embankment-trees": { count: 5480, by_region: { "east-kazakhstan": 5010, abai: 300, "almaty-city": 170 } },
});
