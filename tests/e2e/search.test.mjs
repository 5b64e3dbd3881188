// Search in a real browser (Debian's Chromium, headless) on the fixture site served by
// `petitio serve`: the Pagefind index `petitio build` writes into pagefind/, one per
// language, searched through the page's own UI and through Pagefind's API with filters
// (status, topic, addressee) combined with text, under the site's real CSP; and the search
// page without JavaScript, which offers the listings and topics instead.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { launchBrowser, openPage, unexpectedProblems, waitFor } from "./lib/browser.mjs";
import { prepareFixture } from "./harness/fixture.mjs";
import { findPetitio } from "./harness/petitio-bin.mjs";
import { startServe } from "./harness/serve-target.mjs";

const VARS = {
  SIGNING_KEY: "e2e-search-signing-key-0123456789abcdef0123456789abc",
};

describe("search (Pagefind index, petitio serve, Chromium)", () => {
  let target;
  let browser;

  before(async () => {
    const bin = findPetitio();
    assert.ok(bin, "petitio binary not found: set PETITIO_BIN or run cargo build -p petitio");
    const fixture = prepareFixture();
    target = await startServe({ bin, root: fixture.root, vars: VARS });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await target?.close();
  });

  /** Pagefind's API in the page: `search(term, filters)` → the URLs of the results. */
  async function searchIn(page, term, filters = {}) {
    return page.evaluate(
      async ({ term, filters }) => {
        const pagefind = await import("/pagefind/pagefind.js");
        await pagefind.init();
        const found = await pagefind.search(term, { filters });
        const data = await Promise.all(found.results.map((r) => r.data()));
        return data.map((d) => d.url).sort();
      },
      { term, filters },
    );
  }

  test("typing in the search page finds a petition in the page's language", async () => {
    const { page, problems, close } = await openPage(browser);
    try {
      await page.goto(`${target.url}/en/search/`);
      await page.waitForSelector("[data-search-ready] input[type=search]", { timeout: 15_000 });
      await page.fill("[data-search-ready] input[type=search]", "sensors");
      const link = page.locator(".search-results a").first();
      await link.waitFor({ timeout: 15_000 });
      assert.equal(await link.textContent(), "Clean air");
      assert.equal(await link.getAttribute("href"), "/en/petitions/clean-air/");
      assert.equal(await page.locator("[data-search-nojs]").isHidden(), true, "the no-JS note goes");
      assert.deepEqual(unexpectedProblems(problems), [], "no CSP violation or script error");
    } finally {
      await close();
    }
  });

  test("?q= searches at once, and each language searches its own index", async () => {
    const { page, problems, close } = await openPage(browser);
    try {
      await page.goto(`${target.url}/ru/search/?q=${encodeURIComponent("воздуха")}`);
      const link = page.locator(".search-results a").first();
      await link.waitFor({ timeout: 15_000 });
      assert.equal(await link.getAttribute("href"), "/ru/petitions/clean-air/");
      assert.deepEqual(await searchIn(page, "sensors"), [], "English words are not in the ru index");
      assert.deepEqual(unexpectedProblems(problems), []);
    } finally {
      await close();
    }
  });

  test("filters for status, topic and addressee combine with the text", async () => {
    const { page, problems, close } = await openPage(browser);
    try {
      await page.goto(`${target.url}/en/search/`);
      await page.waitForSelector("[data-search-ready]", { timeout: 15_000 });
      assert.deepEqual(await searchIn(page, "ask"), [
        "/en/petitions/clean-air/",
        "/en/petitions/closed-park/",
      ]);
      assert.deepEqual(await searchIn(page, "ask", { Status: "Closed" }), ["/en/petitions/closed-park/"]);
      assert.deepEqual(await searchIn(page, "ask", { Topic: "ecology" }), ["/en/petitions/clean-air/"]);
      assert.deepEqual(await searchIn(page, "akimat", { "Addressed to": "Regional akimat" }), [
        "/en/petitions/mass-signing/",
      ]);
      assert.deepEqual(await searchIn(page, "ask", { Status: "Closed", Topic: "ecology" }), []);
      const filters = await page.evaluate(async () => {
        const pagefind = await import("/pagefind/pagefind.js");
        return pagefind.filters();
      });
      assert.deepEqual(Object.keys(filters).sort(), ["Addressed to", "Status", "Topic"]);
      assert.deepEqual(filters.Status, { Closed: 1, "Open for signatures": 2 });
      // The page's own filters: a checkbox per value, combined with the words typed.
      await page.fill("[data-search-ready] input[type=search]", "ask");
      await waitFor("two results", async () => (await page.locator(".search-results li").count()) === 2);
      await page.getByLabel("Closed (1)").check();
      await waitFor("one result", async () => (await page.locator(".search-results li").count()) === 1);
      assert.equal(await page.getAttribute(".search-results a", "href"), "/en/petitions/closed-park/");
      assert.deepEqual(unexpectedProblems(problems), []);
    } finally {
      await close();
    }
  });

  test("without JavaScript the search page offers the listings and topics", async () => {
    const { page, problems, close } = await openPage(browser, { javaScriptEnabled: false });
    try {
      const response = await page.goto(`${target.url}/kk/search/`);
      assert.equal(response.status(), 200);
      assert.equal(await page.locator("[data-search-nojs]").isVisible(), true);
      const hrefs = await page.locator(".search-browse a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
      assert.deepEqual(hrefs, ["/kk/open/", "/kk/responded/", "/kk/closed/", "/kk/archive/", "/kk/tags/ecology/"]);
      await waitFor("no search UI without the script", async () => (await page.locator("[data-search-ready]").count()) === 0);
      assert.deepEqual(unexpectedProblems(problems), []);
    } finally {
      await close();
    }
  });
});
