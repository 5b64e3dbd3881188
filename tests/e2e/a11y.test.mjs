// Accessibility: axe-core, run inside Chromium on the example site (the repository's own
// content/ and themes/) under `petitio serve`: the home, a petition, a listing and the
// thank-you page in each language, plus the pages whose states differ (a closed petition,
// one with an official response, the embeddable counter, search with results), in light and dark colour
// schemes and at desktop and phone widths, and without the site's scripts (what a visitor
// without JavaScript gets). Zero serious or critical violations.
//
// Also writes the screenshots (desktop and phone width, kk and ru, home and a petition)
// to SCREENSHOT_DIR, which the test reports; PETITIO_UPDATE_DOCS_SCREENSHOTS=1 refreshes
// docs/screenshots/ for the README with them. Their counts are real: signatures made
// through the API on this server and counted by its counting job (`SCREENSHOT_SIGNATURES`),
// never a mocked answer or a `--counts` file.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import {
  REPO_ROOT,
  SCREENSHOT_DIR,
  VIEWPORTS,
  axeViolations,
  formatViolations,
  launchBrowser,
  openPage,
  unexpectedProblems,
  waitFor,
  vnuErrors,
  writeScreenshot,
} from "./lib/browser.mjs";
import { findPetitio } from "./harness/petitio-bin.mjs";
import { startServe } from "./harness/serve-target.mjs";
import { counts, sign, signFields } from "./harness/client.mjs";

const LANGUAGES = ["kk", "ru", "en"];
const OPEN = "almaty-winter-air";
const CLOSED = "oskemen-embankment-trees";
const RESPONDED = "shymkent-open-budget";

const VARS = {
  SIGNING_KEY: "e2e-a11y-signing-key-0123456789abcdef0123456789abcd",
  SIGNATURE_CONFIRMATION: "none",
  RATE_LIMIT_BURST: "1000/60",
  RATE_LIMIT_SUSTAINED: "10000/3600",
  SETTLE_SECONDS: "0",
  // Pages and the suite compare counts they read at different moments: each read goes to
  // KV. (The API suite runs the worker with the default reuse of a read for 5 s.)
  COUNTS_CACHE_SECONDS: "0",
};

/** The example site, copied so that `petitio serve` writes its data outside the checkout. */
function copyExampleSite() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "petitio-e2e-example-"));
  for (const entry of ["petitio.toml", "content", "themes", "templates", "static"]) {
    const from = path.join(REPO_ROOT, entry);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(root, entry), { recursive: true });
  }
  return root;
}

/**
 * Signatures the screenshots show, by petition and region: made through the API (one
 * visitor address each) before the screenshots, so pages show what a site in use shows,
 * with the first milestone of the open petition passed.
 */
const SCREENSHOT_SIGNATURES = {
  [OPEN]: { "almaty-city": 760, "almaty-region": 180, astana: 70, shymkent: 40, jetisu: 30, abroad: 40 },
  "astana-access-ramps": { astana: 210, akmola: 60, karaganda: 25 },
  "zhanatalap-school-bus": { akmola: 48, astana: 6 },
};

/** Signs every signature of SCREENSHOT_SIGNATURES, a few at a time, and waits until counted. */
async function signForScreenshots(target) {
  const pending = [];
  for (const [slug, regions] of Object.entries(SCREENSHOT_SIGNATURES)) {
    for (const [region, n] of Object.entries(regions)) {
      for (let i = 0; i < n; i += 1) pending.push({ slug, region });
    }
  }
  const workers = Array.from({ length: 8 }, async () => {
    for (let next = pending.pop(); next; next = pending.pop()) {
      const answer = await sign(target, next.slug, signFields({ region: next.region, lang: "kk" }));
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
    }
  });
  await Promise.all(workers);
  const expected = Object.fromEntries(
    Object.entries(SCREENSHOT_SIGNATURES).map(([slug, regions]) => [slug, Object.values(regions).reduce((a, b) => a + b, 0)]),
  );
  await waitFor("the counting job to publish the screenshot signatures", async () => {
    const published = (await counts(target)).petitions;
    return Object.entries(expected).every(([slug, n]) => published[slug]?.count === n);
  }, { timeoutMs: 60_000, intervalMs: 500 });
}

/** Lets the page's script finish refreshing counts before a check or a screenshot. */
async function settle(page) {
  if (await page.locator("[data-petition]").count()) {
    await waitFor(`the live count on ${page.url()}`, async () => {
      const states = await page.locator("[data-petition]").evaluateAll((els) => els.map((el) => el.dataset.live));
      return states.every((s) => s === "live" || s === "unavailable");
    });
  }
}

describe("accessibility (axe-core) and screenshots, example site under petitio serve", () => {
  let root;
  let target;
  let chromium;
  /** The live DOM of pages after the script ran, for the Nu checker at the end. */
  let domDir;

  before(async () => {
    const bin = findPetitio();
    assert.ok(bin, "petitio binary not found: cargo build -p petitio, or set PETITIO_BIN");
    root = copyExampleSite();
    domDir = fs.mkdtempSync(path.join(os.tmpdir(), "petitio-e2e-dom-"));
    target = await startServe({ bin, root, vars: VARS });
    chromium = await launchBrowser();
  });

  after(async () => {
    await chromium?.close();
    await target?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
    if (domDir) fs.rmSync(domDir, { recursive: true, force: true });
  });

  for (const lang of LANGUAGES) {
    test(`${lang}: zero serious or critical axe violations`, async (t) => {
      const pages = [
        ["home", `/${lang}/`],
        ["petition", `/${lang}/petitions/${OPEN}/`],
        ["listing", `/${lang}/open/`],
        ["thank-you", `/${lang}/petitions/${OPEN}/signed/?result=recorded`],
        ["closed petition", `/${lang}/petitions/${CLOSED}/`],
        ["responded petition", `/${lang}/petitions/${RESPONDED}/`],
        ["embed", `/${lang}/petitions/${OPEN}/embed/`],
        // The search page with results and filters (built by the script; ?q= searches at once).
        ["search", `/${lang}/search/?q=${encodeURIComponent(lang === "en" ? "Almaty" : "Алматы")}`],
      ];
      const modes = [
        { name: "desktop, light", viewport: VIEWPORTS.desktop, colorScheme: "light" },
        { name: "phone, dark", viewport: VIEWPORTS.phone, colorScheme: "dark" },
        // The pages as a visitor without JavaScript gets them: the site's scripts are not
        // loaded (axe itself needs JavaScript to run, so it cannot be switched off whole;
        // the theme has no <noscript> content that this would hide).
        { name: "desktop, light, without the site's scripts", viewport: VIEWPORTS.desktop, colorScheme: "light", noScript: true },
      ];
      const failures = [];
      let checked = 0;
      for (const mode of modes) {
        const { page, problems, close } = await openPage(chromium, { viewport: mode.viewport });
        try {
          await page.emulateMedia({ colorScheme: mode.colorScheme });
          if (mode.noScript) await page.route(/\.m?js(\?.*)?$/, (route) => route.abort());
          for (const [name, url] of pages) {
            const response = await page.goto(`${target.url}${url}`);
            assert.equal(response.status(), 200, `GET ${url}`);
            if (mode.noScript) assert.equal(await page.locator("[data-live]").count(), 0, `the site's script ran on ${url}`);
            else await settle(page);
            if (name === "search" && !mode.noScript) await page.locator(".search-results li").first().waitFor({ timeout: 15_000 });
            if (mode.colorScheme === "light" && !mode.noScript) {
              const file = path.join(domDir, `${lang}-${name.replace(/\W+/g, "-")}.html`);
              fs.writeFileSync(file, await page.content());
            }
            const violations = await axeViolations(page);
            checked += 1;
            if (violations.length) failures.push(`${name} (${url}, ${mode.name}):\n${formatViolations(violations)}`);
          }
          // Without its scripts a page logs their refused loads, nothing else is expected.
          if (!mode.noScript) assert.deepEqual(unexpectedProblems(problems), []);
        } finally {
          await close();
        }
      }
      t.diagnostic(`${lang}: ${checked} page views checked, ${failures.length} with serious or critical violations`);
      assert.deepEqual(failures, [], failures.join("\n\n"));
    });
  }

  test("the DOM the script leaves is still valid HTML (Nu checker)", async (t) => {
    const files = fs.readdirSync(domDir).map((f) => path.join(domDir, f));
    assert.equal(files.length, LANGUAGES.length * 8, "every page of the axe runs was saved");
    const errors = await vnuErrors(files);
    t.diagnostic(`vnu checked the live DOM of ${files.length} pages: ${errors.length} errors`);
    const report = errors.map((e) => `${path.basename(e.file)}:${e.line}:${e.column}: ${e.message} ${JSON.stringify(e.extract)}`);
    assert.deepEqual(report, [], report.join("\n"));
  });

  test("screenshots: home and a petition, kk and ru, desktop and phone", async (t) => {
    await signForScreenshots(target);
    const written = [];
    for (const lang of ["kk", "ru"]) {
      for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
        const { page, problems, close } = await openPage(chromium, { viewport });
        try {
          for (const [name, url] of [["home", `/${lang}/`], ["petition", `/${lang}/petitions/${OPEN}/`]]) {
            await page.goto(`${target.url}${url}`);
            await settle(page);
            written.push(await writeScreenshot(page, `${name}-${lang}-${viewportName}`));
          }
          assert.deepEqual(unexpectedProblems(problems), []);
        } finally {
          await close();
        }
      }
    }
    for (const file of written) assert.ok(fs.statSync(file).size > 10_000, `${file} is a real screenshot`);
    t.diagnostic(`screenshots written to ${SCREENSHOT_DIR}: ${written.map((f) => path.basename(f)).join(", ")}`);
  });
});
