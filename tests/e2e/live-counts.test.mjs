// Live counts without JavaScript (issue #14, the page-fill contract in ARCHITECTURE.md):
// signatures made through the API, counted by the counting job, must show in what both
// servers serve, read as a script-less visitor, a site embedding the badge or a journalist
// reading open data would: the petition page, listing cards, the embed page, the SVG badge
// and /data/*. The worker (workerd, HTMLRewriter) and `petitio serve` (lol_html) are held
// to one standard: every filled file must be byte for byte what `petitio build --counts`
// writes from the same published counts (less the "as of" note, which a live page hides),
// milestone dates included (the counting job dates a milestone as the count reaches it),
// and the region table and chart, whose rows the fillers write in the published order.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { prepareFixture, OPEN_PETITION } from "./harness/fixture.mjs";
import { siteTargets } from "./harness/targets.mjs";
import { findPetitio } from "./harness/petitio-bin.mjs";
import { startTurnstileStub } from "./harness/turnstile-stub.mjs";
import { testVars } from "./harness/env.mjs";
import { counts, request, sign, signFields, waitForCount } from "./harness/client.mjs";

const petitio = findPetitio();
const targets = siteTargets();

/** Signatures made on the open petition, from three regions. */
const SIGNERS = [
  { region: "almaty-city" },
  { region: "almaty-city" },
  { region: "abroad" },
];

/** A milestone the signers reach (added to the fixture's open petition for this suite). */
const MILESTONE = 2;

/** Every kind of file that is filled, as the site path the server answers. */
const FILLED = [
  `en/petitions/${OPEN_PETITION}/`,
  `ru/petitions/${OPEN_PETITION}/`,
  `kk/petitions/${OPEN_PETITION}/embed/`,
  `en/petitions/${OPEN_PETITION}/badge.svg`,
  "en/open/",
  "kk/",
  "data/petitions.json",
  `data/petitions/${OPEN_PETITION}.json`,
  "data/petitions.csv",
];

/** The file of `sitePath` in a built folder. */
function builtFile(dist, sitePath) {
  const file = sitePath === "" || sitePath.endsWith("/") ? `${sitePath}index.html` : sitePath;
  return fs.readFileSync(path.join(dist, file), "utf8");
}

/**
 * What only a live server changes or adds: the hidden "as of" note, serve's reload script,
 * and serve's own log key (docs/keys.md: `petitio serve` publishes the key it signs with,
 * a build petitio.toml's; the fixture has none): its "Verify this count" section and the
 * open data's `log` fields (the key, and each petition's log link). The region table and chart are not filled (their rows depend on
 * the counts; the page script redraws them), so they are left out of the comparison on
 * both sides.
 */
function normalise(text) {
  return text
    .replace(/(class="muted as-of"[^>]*) hidden="hidden"/g, "$1")
    .replace(/<script src="\/_petitio\/livereload\.js"[^>]*><\/script>\n?/g, "")
    .replace(/<section class="verify"[\s\S]*?<\/section>/, "")
    .replace(/"log": ?\{\s*"key": ?"[^"]*"\s*\},\s*/, "")
    .replace(/,\s*"log": ?\{\s*"checkpoint": ?"[^"]*",\s*"origin": ?"[^"]*",\s*"key": ?"[^"]*"\s*\}/g, "")
    .replace(/<section class="regions"[\s\S]*?<\/section>/, "<section class=\"regions\"></section>")
    .replace(/<div class="cards">([\s\S]*?)<\/div>\n/g, (_, cards) => `<div class="cards">${sortedCards(cards)}</div>\n`);
}

/** Listings keep the build's order (most signed first, as of the build): compare as sets. */
function sortedCards(cards) {
  return cards.split(/(?=<article class="card")/).sort().join("");
}

for (const spec of targets) {
  if (spec.missing && process.env.CI === "true") {
    throw new Error(`the live-counts suite cannot run on ${spec.name}: ${spec.missing}`);
  }
  if (spec.missing) console.warn(`\n!!! SKIPPING the live-counts suite on ${spec.name}: ${spec.missing}\n`);

  describe(`live counts without JavaScript on ${spec.name}`, { skip: spec.missing ?? false }, () => {
    let stub;
    let target;
    let fixture;
    /** `petitio build --counts` of the published counts: what every filled file must equal. */
    let expected;

    before(async () => {
      stub = await startTurnstileStub(testVars("").TURNSTILE_SECRET);
      fixture = prepareFixture();
      addMilestone(fixture.root, MILESTONE);
      target = await spec.start({ fixture, vars: testVars(stub.url) });
    });

    after(async () => {
      await target?.close();
      await stub?.close();
      if (expected) fs.rmSync(path.dirname(expected), { recursive: true, force: true });
    });

    test("before any signature, a page is served as built (less the as-of note it hides)", async () => {
      const built = builtFile(fixture.dist, `en/petitions/${OPEN_PETITION}/`);
      assert.match(built, /<p class="muted as-of" data-fill="hidden" data-fill-hidden="\{live\}">Counts as of /);
      const page = await request(target, `/en/petitions/${OPEN_PETITION}/`);
      assert.equal(page.status, 200);
      assert.equal(normalise(page.body), normalise(built));
    });

    test("signatures made through the API show in every filled file, as a build with those counts writes it", async () => {
      for (const [n, signer] of SIGNERS.entries()) {
        const answer = await sign(target, OPEN_PETITION, signFields(signer));
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
        await waitForCount(target, OPEN_PETITION, n + 1);
        await assertRussianNoun(target, n + 1);
      }
      expected = await buildWithPublishedCounts(target, fixture);
      for (const sitePath of FILLED) {
        const answer = await request(target, `/${sitePath}`);
        assert.equal(answer.status, 200, sitePath);
        const body = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
        const text = sitePath.endsWith(".json") ? await rawBody(target, sitePath) : body;
        assert.equal(normalise(text), normalise(builtFile(expected, sitePath)), `${sitePath} on ${spec.name}`);
      }
    });

    test("a milestone reached by counted signatures shows its date on the page and in open data", async () => {
      const reachedAt = (await counts(target)).petitions[OPEN_PETITION].reached?.[MILESTONE];
      assert.match(reachedAt ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/, "dated at the start of a minute");
      // The day in the site's time zone (+05:00, the default).
      const day = new Date(Date.parse(reachedAt) + 5 * 3_600_000).toISOString().slice(0, 10);
      const page = await request(target, `/en/petitions/${OPEN_PETITION}/`);
      assert.match(
        page.body,
        new RegExp(`<li class="milestone reached"[^>]*>2<span class="reached-on" data-fill="text" data-fill-for="${OPEN_PETITION}" data-fill-text=" \\(reached \\{reached_on:2\\}\\)"> \\(reached ${day}\\)</span></li>`),
      );
      assert.match(page.body, /1,000<span class="reached-on"[^>]*><\/span><\/li>/, "a milestone not reached has no date");
      const detail = JSON.parse(await rawBody(target, `data/petitions/${OPEN_PETITION}.json`));
      assert.deepEqual(detail.milestones_reached, { [MILESTONE]: reachedAt });
      const csv = await rawBody(target, "data/petitions.csv");
      assert.match(csv, new RegExp(`^"${OPEN_PETITION}",.*,"3","${MILESTONE}=${reachedAt}",`, "m"));
    });

    test("a live page hides its as-of note and says the count", async () => {
      const page = await request(target, `/en/petitions/${OPEN_PETITION}/`);
      assert.match(page.body, /class="muted as-of" data-fill="hidden" data-fill-hidden="\{live\}" hidden="hidden">/);
      assert.match(page.body, /data-fill-text="\{count\}">3<\/strong> <span data-plural="petition\.signatures"[^>]*>signatures<\/span>/);
      const badge = await request(target, `/en/petitions/${OPEN_PETITION}/badge.svg`);
      assert.match(badge.body, /<title[^>]*>Clean air: 3 signatures<\/title>/);
    });

    test("the region table and chart show the published counts, most signed first", async () => {
      const page = await request(target, `/en/petitions/${OPEN_PETITION}/`);
      const body = page.body;
      assert.match(body, /<p class="muted is-hidden" data-regions-empty /, "the 'no signatures' note is hidden");
      assert.match(body, /<div class="regions-filled" data-regions-filled /);
      assert.ok(
        body.includes(
          '<tr data-region="almaty-city"><th scope="row">Almaty (city)</th><td>2</td><td>66.7 %</td></tr>' +
            '<tr data-region="abroad"><th scope="row">Abroad</th><td>1</td><td>33.3 %</td></tr></tbody>',
        ),
        "the table's rows",
      );
      assert.match(body, /viewBox="0 0 400 72"/, "two rows of chart");
      assert.ok(
        body.includes(
          '<g data-region="abroad" transform="translate(0 36)"><text class="chart-label" x="0" y="13">Abroad — 1</text>' +
            '<rect class="chart-bar" x="0" y="19" height="12" width="200"/></g></g>',
        ),
        "the chart's second bar is half the first",
      );
      const built = builtFile(fixture.dist, `en/petitions/${OPEN_PETITION}/`);
      assert.match(built, /<tbody [^>]*><\/tbody>/, "the build had no signatures");
    });

    test("the noun next to a live count takes its CLDR form in ru at 5 and 21, as the build writes it", async () => {
      for (const total of [5, 21]) {
        let have = (await counts(target)).petitions[OPEN_PETITION].count;
        for (; have < total; have += 1) {
          const answer = await sign(target, OPEN_PETITION, signFields({ region: "abroad" }));
          assert.equal(answer.status, 201, JSON.stringify(answer.body));
        }
        await waitForCount(target, OPEN_PETITION, total);
        await assertRussianNoun(target, total);
      }
      const built = await buildWithPublishedCounts(target, fixture);
      for (const sitePath of RUSSIAN) {
        const answer = await request(target, `/${sitePath}`);
        assert.equal(normalise(answer.body), normalise(builtFile(built, sitePath)), `${sitePath} on ${spec.name}`);
      }
      fs.rmSync(path.dirname(built), { recursive: true, force: true });
    });

    test("open data says who may read it, and filled files are cacheable for about a minute", async () => {
      for (const sitePath of ["data/petitions.json", "data/petitions.csv", `data/petitions/${OPEN_PETITION}.json`]) {
        const answer = await request(target, `/${sitePath}`, { headers: { origin: "https://newsroom.example" } });
        assert.equal(answer.headers.get("access-control-allow-origin"), "*", sitePath);
      }
      const page = await request(target, `/en/petitions/${OPEN_PETITION}/`);
      assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
      if (spec.id === "worker") {
        assert.equal(page.headers.get("cache-control"), "public, max-age=60");
        assert.equal(page.headers.get("etag"), null);
      } else {
        assert.equal(page.headers.get("cache-control"), "no-cache", "serve always revalidates");
      }
      const revalidated = await request(target, `/en/petitions/${OPEN_PETITION}/`, {
        headers: { "if-modified-since": new Date(Date.now() + 86_400_000).toUTCString() },
      });
      assert.equal(revalidated.status, 200, "a filled page is never 'not modified' from the build's date");
    });
  });
}

/** The Russian files that say a count with its noun. */
const RUSSIAN = [
  `ru/petitions/${OPEN_PETITION}/`,
  `ru/petitions/${OPEN_PETITION}/embed/`,
  `ru/petitions/${OPEN_PETITION}/badge.svg`,
  "ru/open/",
];

/** The CLDR form of "signatures" in ru for the counts this suite reaches. */
const RUSSIAN_NOUN = { 1: "подпись", 2: "подписи", 3: "подписи", 5: "подписей", 21: "подпись" };

/**
 * Every Russian file that says the count says it with the noun's form for `n`, without
 * JavaScript: page, embed page, listing card, and the badge's label, title and aria-label.
 */
async function assertRussianNoun(target, n) {
  const noun = RUSSIAN_NOUN[n];
  for (const sitePath of [RUSSIAN[0], RUSSIAN[1], RUSSIAN[3]]) {
    const page = await request(target, `/${sitePath}`);
    const said = [...page.body.matchAll(new RegExp(`data-fill-for="${OPEN_PETITION}" data-fill-text="\\{count\\}">([^<]*)</strong> <span data-plural="petition\\.signatures"[^>]*>([^<]*)</span>`, "g"))];
    assert.ok(said.length > 0, `${sitePath} says the count`);
    for (const [, count, word] of said) assert.deepEqual([count, word], [String(n), noun], `${sitePath} at ${n}`);
  }
  const badge = (await request(target, `/${RUSSIAN[2]}`)).body;
  assert.match(badge, new RegExp(`aria-label="[^"]*: ${n} ${noun}"`), `badge aria-label at ${n}`);
  assert.match(badge, new RegExp(`<title[^>]*>[^<]*: ${n} ${noun}</title>`), `badge title at ${n}`);
  assert.match(badge, new RegExp(`lengthAdjust="spacingAndGlyphs"[^>]*>${noun}</text>`), `badge label at ${n}`);
}

/** `petitio build --counts` of the counts `target` publishes now, into a new folder. */
async function buildWithPublishedCounts(target, fixture) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "petitio-e2e-counts-"));
  fs.writeFileSync(path.join(work, "counts.json"), JSON.stringify(await counts(target)));
  const dist = path.join(work, "dist");
  execFileSync(petitio, ["build", "--counts", path.join(work, "counts.json"), "--out", dist], {
    cwd: fixture.root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return dist;
}

/**
 * Gives the open petition of the fixture copy at `root` a first milestone of `value` (it
 * has only 1,000), and rebuilds its `dist/` so the worker's manifest carries it too.
 */
function addMilestone(root, value) {
  const file = path.join(root, "content", "petitions", OPEN_PETITION, "index.kk.md");
  const text = fs.readFileSync(file, "utf8");
  assert.match(text, /^milestones = \[1000\]$/m);
  fs.writeFileSync(file, text.replace(/^milestones = \[1000\]$/m, `milestones = [${value}, 1000]`));
  execFileSync(petitio, ["build"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
}

/** The body of `sitePath` as bytes decoded, not parsed (the JSON's own layout). */
async function rawBody(target, sitePath) {
  const response = await fetch(new URL(`/${sitePath}`, target.url));
  return response.text();
}
