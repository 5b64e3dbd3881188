// Validity: the Nu HTML checker (npm vnu-jar, run with Java) over every page `petitio
// build` writes, and over the SVG badges: zero errors.
//
// Two builds are checked, because templates branch on data: one with drafts and a
// build-time count snapshot that fills the progress bars, milestones and region charts,
// and one plain build where every count is zero (empty charts, no milestones reached),
// made from a copy of the example site with a log key (the "Verify this count" section).

import { test } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { REPO_ROOT, SNAPSHOT_COUNTS, buildSite, listFiles, vnuErrors } from "./lib/browser.mjs";

/** The example site copied, its petitio.toml given a log key (Go's sumdb/note test key). */
async function exampleWithLogKey() {
  const root = await mkdtemp(path.join(tmpdir(), "petitio-e2e-keyed-"));
  for (const entry of ["content", "themes"]) {
    await cp(path.join(REPO_ROOT, entry), path.join(root, entry), { recursive: true });
  }
  const config = await readFile(path.join(REPO_ROOT, "petitio.toml"), "utf8");
  const key = 'log = { key = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW" }\n';
  await writeFile(path.join(root, "petitio.toml"), key + config);
  return root;
}

test("Nu HTML checker: every generated page and badge has zero errors", async (t) => {
  const withCounts = await buildSite({ drafts: true, counts: SNAPSHOT_COUNTS });
  const keyed = await exampleWithLogKey();
  const plain = await buildSite({ root: keyed, baseUrl: "https://mirror.example/petitions/" });
  t.after(() => Promise.all([withCounts.remove(), plain.remove(), rm(keyed, { recursive: true, force: true })]));
  const page = await readFile(path.join(plain.dir, "en/petitions/almaty-winter-air/index.html"), "utf8");
  assert.ok(page.includes('id="verify-heading"'), "the keyed build has no \"Verify this count\" section");

  const pages = [...(await listFiles(withCounts.dir, [".html"])), ...(await listFiles(plain.dir, [".html"]))];
  const badges = [...(await listFiles(withCounts.dir, [".svg"])), ...(await listFiles(plain.dir, [".svg"]))].filter(
    (file) => path.basename(file) === "badge.svg",
  );
  // Every language has at least a home page, listings and petition pages: a build that
  // wrote only a handful of pages is itself a failure, not a pass.
  assert.ok(pages.length >= 60, `expected the example site's pages, found only ${pages.length}`);
  for (const lang of ["kk", "ru", "en"]) {
    for (const page of [`${lang}/index.html`, `${lang}/petitions/almaty-winter-air/index.html`,
      `${lang}/petitions/almaty-winter-air/signed/index.html`, `${lang}/petitions/almaty-winter-air/embed/index.html`]) {
      assert.ok(pages.includes(path.join(withCounts.dir, page)), `missing page ${page}`);
    }
  }
  assert.ok(badges.length >= 3, `expected SVG badges, found ${badges.length}`);

  const errors = await vnuErrors([...pages, ...badges], { svg: true });
  t.diagnostic(`vnu checked ${pages.length} pages and ${badges.length} badges: ${errors.length} errors`);
  const report = errors.map((e) => {
    const rel = path.relative(path.dirname(path.dirname(e.file)), e.file);
    return `${rel}:${e.line}:${e.column}: ${e.message}\n    ${JSON.stringify(e.extract)}`;
  });
  assert.deepEqual(report, [], `the Nu checker found errors:\n${report.join("\n")}`);
});
