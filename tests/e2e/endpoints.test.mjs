// Signing survives a blocked API address (issue #15, items 1 and 3), in Chromium against
// the worker in workerd.
//
// The fixture site is built with two API endpoints, in this order: a port on this machine
// where nothing listens (the main API's address, blocked: the connection is refused), then
// the worker. Its pages are served by a plain static server on a third origin, a
// volunteer's copy (`http://localhost:<port>`), which sends the site's own `_headers`
// policy, so the page's CSP must allow both endpoints.
//
// * Failover: the page signs through the second endpoint, the published count goes up
//   exactly once, the page remembers the endpoint that answered, and live counts come
//   from it. Without JavaScript, the form's alternative button posts to the second
//   endpoint and the signer lands on the thank-you page.
// * Who may sign (ARCHITECTURE.md, "Which origins may sign"): when the operator chose
//   SIGN_FROM_ANY_ORIGIN (allowed only with confirmation by email or Turnstile), the copy,
//   in no allow-list, signs and is told to check the mail; without that choice, or with
//   confirmation and Turnstile both off, the same request is refused with 403 and today's
//   message.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { prepareFixture, OPEN_PETITION } from "./harness/fixture.mjs";
import { startWorker, workerBuilt, WORKER_MISSING } from "./harness/worker-target.mjs";
import { findPetitio } from "./harness/petitio-bin.mjs";
import { freePort } from "./harness/ports.mjs";
import { SITE_ORIGIN } from "./harness/env.mjs";
import { request, sign, signFields, waitForCount } from "./harness/client.mjs";
import { fillForm, signOutcome } from "./harness/sign-form.mjs";
import { launchBrowser, openPage, unexpectedProblems, waitFor } from "./lib/browser.mjs";

const petitio = findPetitio();
const missing = !petitio
  ? "no petitio binary: cargo build -p petitio, or set PETITIO_BIN"
  : !workerBuilt()
    ? WORKER_MISSING
    : null;
if (missing && process.env.CI === "true") {
  throw new Error(`endpoints.test.mjs cannot run under CI: ${missing}`);
}
if (missing) console.warn(`\n!!! endpoints.test.mjs skipped: ${missing}\n`);

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".js": "text/javascript",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
};

/** The worker's variables besides the ones each part sets. */
const BASE_VARS = {
  SIGNING_KEY: "e2e-endpoints-signing-key-0123456789abcdef0123456789",
  RATE_LIMIT_BURST: "1000/60",
  RATE_LIMIT_SUSTAINED: "10000/3600",
  SETTLE_SECONDS: "60",
  COUNTS_CACHE_SECONDS: "0",
  TURNSTILE_SECRET: "",
  TURNSTILE_VERIFY_URL: "",
};

/** The site-wide rules of a built `_headers` (its first block), as [name, value] pairs. */
function siteWideHeaders(dist) {
  const block = fs.readFileSync(path.join(dist, "_headers"), "utf8").split("\n\n")[0];
  return block
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/:\s(.*)/s).slice(0, 2))
    .filter(([name]) => name && name !== "Strict-Transport-Security");
}

/** A static host for `dist` that sends the site's own headers with every page. */
async function startStaticHost(dist) {
  const headers = siteWideHeaders(dist);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let file = path.join(dist, decodeURIComponent(url.pathname));
    if (!file.startsWith(dist)) return res.writeHead(403).end();
    if (url.pathname.endsWith("/")) file = path.join(file, "index.html");
    fs.readFile(file, (error, body) => {
      if (error) return res.writeHead(404).end();
      res.writeHead(200, {
        ...Object.fromEntries(headers),
        "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    // `localhost`, not 127.0.0.1: another host than the API's, as a copy elsewhere is.
    origin: `http://localhost:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe("several API endpoints, the first one blocked", { skip: missing ?? false }, () => {
  let fixture;
  let host;
  let chromium;
  let workerPort;
  let blockedEndpoint;
  let workerEndpoint;
  /** The worker now running (each part starts its own, on the endpoint's port). */
  let worker;

  before(async () => {
    const blockedPort = await freePort();
    workerPort = await freePort();
    blockedEndpoint = `http://127.0.0.1:${blockedPort}/api`;
    workerEndpoint = `http://127.0.0.1:${workerPort}/api`;
    fixture = prepareFixture({
      configLines: `api_endpoints = ["${blockedEndpoint}", "${workerEndpoint}"]\n`,
      withoutKeys: ["api_url"],
    });
    host = await startStaticHost(fixture.dist);
    chromium = await launchBrowser();
  });

  after(async () => {
    await worker?.close();
    await chromium?.close();
    await host?.close();
    if (fixture) fs.rmSync(fixture.root, { recursive: true, force: true });
  });

  async function restartWorker(vars) {
    await worker?.close();
    worker = await startWorker({ dist: fixture.dist, vars: { ...BASE_VARS, ...vars }, port: workerPort });
    assert.equal(worker.url, `http://127.0.0.1:${workerPort}`);
  }

  const petitionUrl = () => `${host.origin}/en/petitions/${OPEN_PETITION}/`;
  /** Console errors the blocked endpoint causes on purpose. */
  const BLOCKED = [/ERR_CONNECTION_REFUSED|Failed to load resource|Failed to fetch/];

  test("the page and its CSP name both endpoints, in order", async () => {
    const page = fs.readFileSync(path.join(fixture.dist, "en", "petitions", OPEN_PETITION, "index.html"), "utf8");
    assert.match(page, new RegExp(`data-api="${blockedEndpoint} ${workerEndpoint}"`));
    assert.match(page, new RegExp(`<form id="sign"[^>]* action="${blockedEndpoint}/petitions/${OPEN_PETITION}/signatures"`));
    assert.match(page, new RegExp(`formaction="${workerEndpoint}/petitions/${OPEN_PETITION}/signatures"`));
    const csp = Object.fromEntries(siteWideHeaders(fixture.dist))["Content-Security-Policy"];
    const origins = `'self' http://127.0.0.1:${new URL(blockedEndpoint).port} http://127.0.0.1:${workerPort}`;
    assert.match(csp, new RegExp(`connect-src ${origins};`));
    assert.match(csp, new RegExp(`form-action ${origins};`));
  });

  describe("signing without confirmation, the copy's origin listed", () => {
    before(async () => {
      await restartWorker({ SIGNATURE_CONFIRMATION: "none", ALLOWED_ORIGINS: `${SITE_ORIGIN},${host.origin}` });
    });

    test("with JavaScript: signs through the second endpoint, counted once, and remembers it", async () => {
      const { page, problems, close } = await openPage(chromium);
      try {
        const tried = [];
        page.on("request", (req) => {
          if (req.url().includes("/signatures")) tried.push(new URL(req.url()).origin);
        });
        // The live count's request would find the worker first and be remembered: kept
        // from answering on this first load, the signature itself has to fail over.
        await page.route("**/api/counts", (route) => route.abort("connectionrefused"));
        await page.goto(petitionUrl());
        assert.equal(await page.locator("[data-form-alternatives]").isHidden(), true, "the script tries them itself");
        await fillForm(page, `failover.${Date.now()}@mail.test`);
        await page.click("#sign button[type=submit]");
        assert.match(await signOutcome(page), /recorded/);
        assert.deepEqual(tried, [new URL(blockedEndpoint).origin, worker.url], "each endpoint once, in order");
        assert.equal(await page.evaluate(() => localStorage.getItem("petitio:api-endpoint")), workerEndpoint);
        await waitForCount(worker, OPEN_PETITION, 1);
        assert.deepEqual(await worker.listKeys(`sig/${OPEN_PETITION}/`).then((keys) => keys.length), 1);

        // The next page load goes to the remembered endpoint first, for the live count too.
        await page.unroute("**/api/counts");
        const countsFrom = [];
        page.on("request", (req) => {
          if (req.url().endsWith("/counts")) countsFrom.push(new URL(req.url()).origin);
        });
        await page.reload();
        await waitFor("the live count", () =>
          page.getAttribute("article.petition", "data-live").then((v) => (v === "live" ? v : null)),
        );
        assert.deepEqual(countsFrom, [worker.url]);
        assert.match(await page.locator("article.petition [data-count-text]").first().textContent(), /\b1\b/);
        assert.deepEqual(unexpectedProblems(problems, BLOCKED), []);
      } finally {
        await close();
      }
    });

    test("without JavaScript: the alternative button posts to the second endpoint", async () => {
      const { page, problems, close } = await openPage(chromium, { javaScriptEnabled: false });
      try {
        await page.goto(petitionUrl());
        const alternative = page.locator("[data-form-alternatives] button");
        assert.equal(await alternative.count(), 1);
        assert.equal(await alternative.isVisible(), true);
        assert.equal((await alternative.textContent()).trim(), `Sign via 127.0.0.1:${workerPort}`);
        await fillForm(page, `nojs.${Date.now()}@mail.test`);
        await Promise.all([page.waitForURL(/\/signed\//), alternative.click()]);
        const landed = new URL(page.url());
        assert.equal(landed.origin, host.origin, "back on the copy it was signed from");
        assert.equal(landed.searchParams.get("result"), "recorded");
        await waitForCount(worker, OPEN_PETITION, 2);
        assert.deepEqual(unexpectedProblems(problems), []);
      } finally {
        await close();
      }
    });

    test("when no endpoint answers, the page says so", async () => {
      await worker.close();
      worker = null;
      const { page, problems, close } = await openPage(chromium);
      try {
        await page.goto(petitionUrl());
        await fillForm(page, `nobody.${Date.now()}@mail.test`);
        await page.click("#sign button[type=submit]");
        const strings = await (await page.request.get(new URL(await page.getAttribute("body", "data-i18n"), page.url()).href)).json();
        assert.equal(await signOutcome(page), strings["result.unreachable"]);
        assert.deepEqual(unexpectedProblems(problems, BLOCKED), []);
      } finally {
        await close();
      }
    });
  });

  describe("a copy on an origin nobody listed", () => {
    test("with SIGN_FROM_ANY_ORIGIN and confirmation by email it signs and is told to check the mail", async () => {
      await restartWorker({
        SIGNATURE_CONFIRMATION: "email",
        EMAIL_FROM: "petitio@petitio.test",
        ALLOWED_ORIGINS: SITE_ORIGIN,
        SIGN_FROM_ANY_ORIGIN: "true",
      });
      const { page, problems, close } = await openPage(chromium);
      try {
        await page.goto(petitionUrl());
        await fillForm(page, `copy.${Date.now()}@mail.test`);
        const answer = page.waitForResponse((r) => r.url().endsWith("/signatures") && r.request().method() === "POST");
        await page.click("#sign button[type=submit]");
        assert.equal((await answer).status(), 202);
        assert.match(await signOutcome(page), /Check your email/);
        await waitFor("the confirmation message", () => (worker.sentMails().length === 1 ? true : null));
        assert.deepEqual(unexpectedProblems(problems, BLOCKED), []);
      } finally {
        await close();
      }
    });

    test("with confirmation by email but without the operator's choice it is refused (403)", async () => {
      await restartWorker({
        SIGNATURE_CONFIRMATION: "email",
        EMAIL_FROM: "petitio@petitio.test",
        ALLOWED_ORIGINS: SITE_ORIGIN,
      });
      const fromCopy = { origin: host.origin, "sec-fetch-site": "cross-site" };
      const answer = await sign(worker, OPEN_PETITION, signFields(), { headers: fromCopy });
      assert.equal(answer.status, 403, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, "forbidden_origin");
      assert.equal(answer.headers.get("access-control-allow-origin"), null);
    });

    test("with confirmation and Turnstile off it is refused with 403 and today's message", async () => {
      await restartWorker({ SIGNATURE_CONFIRMATION: "none", ALLOWED_ORIGINS: SITE_ORIGIN });
      const fromCopy = { origin: host.origin, "sec-fetch-site": "cross-site" };
      const answer = await sign(worker, OPEN_PETITION, signFields(), { headers: fromCopy });
      assert.equal(answer.status, 403, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, "forbidden_origin");
      assert.equal(
        answer.body.error.message,
        "Signatures are accepted only from the petition's own site. Open the petition page and sign there.",
      );
      assert.equal(answer.headers.get("access-control-allow-origin"), null);
      const preflight = await request(worker, `/api/petitions/${OPEN_PETITION}/signatures`, {
        method: "OPTIONS",
        headers: { origin: host.origin, "access-control-request-method": "POST" },
      });
      assert.equal(preflight.status, 403);
      // The listed origin still signs.
      const listed = await sign(worker, OPEN_PETITION, signFields(), {
        headers: { origin: SITE_ORIGIN, "sec-fetch-site": "cross-site" },
      });
      assert.equal(listed.status, 201, JSON.stringify(listed.body));
    });
  });
});
