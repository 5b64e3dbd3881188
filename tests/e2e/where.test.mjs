// The signed "where we are now" note's readers (issue #15, item 2), in Chromium against the
// worker in workerd.
//
// * An old bundle finds the relocated API. The site is built with its main origin and API
//   on a port where nothing listens (blocked) and a mirror; the operator signs note 1 and
//   makes a bundle. Then the site moves: petitio.toml names the worker's origin, `petitio
//   where sign` signs note 2 (the old origin abandoned), the site is rebuilt and the mirror
//   publishes it. The old bundle, served from a new origin, fetches note 2 from the mirror,
//   verifies it with the key it carries, signs through the new API only (never the
//   abandoned one), the count goes up once, and the page says where the site went.
// * A blocked domain re-registered by someone else cannot redirect signers: the page's
//   old main origin serves a note with a higher sequence that names the page's key id but
//   is signed by another key, and a mirror serves the operator's own earlier note (a lower
//   sequence, naming another API). The page fetches both, follows neither: it signs
//   through its own endpoint and shows no moved notice.
// * Mail links a signer can reach (item 4), on `petitio serve` with its outbox: with the
//   note built into the manifest, a confirmation message links to the origin the signer
//   signed from when the note lists it (the mirror), else to the note's main origin (from
//   the abandoned old origin, or from a copy the note does not name).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { prepareFixture, OPEN_PETITION } from "./harness/fixture.mjs";
import { startWorker, workerBuilt, WORKER_MISSING } from "./harness/worker-target.mjs";
import { findPetitio } from "./harness/petitio-bin.mjs";
import { freePort } from "./harness/ports.mjs";
import { sign, signFields, waitForCount } from "./harness/client.mjs";
import { startServe } from "./harness/serve-target.mjs";
import { fillForm, signOutcome } from "./harness/sign-form.mjs";
import { launchBrowser, openPage, unexpectedProblems } from "./lib/browser.mjs";

const petitio = findPetitio();
const missing = !petitio
  ? "no petitio binary: cargo build -p petitio, or set PETITIO_BIN"
  : !workerBuilt()
    ? WORKER_MISSING
    : null;
if (missing && process.env.CI === "true") {
  throw new Error(`where.test.mjs cannot run under CI: ${missing}`);
}
if (missing) console.warn(`\n!!! where.test.mjs skipped: ${missing}\n`);

const NOTE_PATH = "/.well-known/petitio-where";
const KEY_NAME = "e2e-where";
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".js": "text/javascript",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};
const WORKER_VARS = {
  SIGNING_KEY: "e2e-where-signing-key-0123456789abcdef0123456789abcd",
  RATE_LIMIT_BURST: "1000/60",
  RATE_LIMIT_SUSTAINED: "10000/3600",
  SETTLE_SECONDS: "60",
  COUNTS_CACHE_SECONDS: "0",
  TURNSTILE_SECRET: "",
  TURNSTILE_VERIFY_URL: "",
  SIGNATURE_CONFIRMATION: "none",
};
/** Console noise the blocked and unanswering places cause on purpose. */
const BLOCKED = [/ERR_CONNECTION_REFUSED|Failed to load resource|Failed to fetch/];

function run(root, ...args) {
  return execFileSync(petitio, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Rewrites top-level keys of `root`/petitio.toml (`{ base_url: '"..."', ... }`). */
function setConfig(root, values) {
  const file = path.join(root, "petitio.toml");
  let text = fs.readFileSync(file, "utf8");
  for (const [key, value] of Object.entries(values)) {
    const line = new RegExp(`^${key} = .*$`, "m");
    text = line.test(text) ? text.replace(line, `${key} = ${value}`) : `${key} = ${value}\n${text}`;
  }
  fs.writeFileSync(file, text);
}

/** The headers `_headers` (Cloudflare's format) gives `pathname`, every matching block. */
function headersFor(dist, pathname) {
  const file = path.join(dist, "_headers");
  if (!fs.existsSync(file)) return {};
  const headers = {};
  for (const block of fs.readFileSync(file, "utf8").split(/\n\s*\n/)) {
    const [pattern, ...lines] = block.split("\n").filter((line) => line.trim());
    if (!pattern) continue;
    const matcher = new RegExp(`^${pattern.trim().replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
    if (!matcher.test(pathname)) continue;
    for (const line of lines) {
      const [name, value] = line.trim().split(/:\s(.*)/s);
      if (name !== "Strict-Transport-Security") headers[name] = value;
    }
  }
  return headers;
}

/**
 * A static host for `dir` on `port` (0: any), sending the site's own `_headers` when it
 * has them; `override` answers some paths itself. Counts the note's fetches.
 */
async function startHost(dir, { port = 0, host = "127.0.0.1", override = {} } = {}) {
  const hits = { note: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === NOTE_PATH) hits.note += 1;
    if (override[url.pathname]) {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "access-control-allow-origin": "*" });
      return res.end(override[url.pathname]);
    }
    let file = path.join(dir, decodeURIComponent(url.pathname));
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    if (url.pathname.endsWith("/")) file = path.join(file, "index.html");
    fs.readFile(file, (error, body) => {
      if (error) return res.writeHead(404).end();
      res.writeHead(200, {
        ...headersFor(dir, url.pathname),
        "content-type": TYPES[path.extname(file)] ?? "text/plain; charset=utf-8",
      });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    origin: `http://${host}:${server.address().port}`,
    hits,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Builds a bundle of `root` and unpacks it into `<root>/<name>`. */
function bundle(root, name) {
  const out = path.join(root, `${name}-dist`);
  run(root, "build", "--out", out, "--bundle");
  const copy = path.join(root, name);
  fs.mkdirSync(copy);
  execFileSync("tar", ["-xzf", `${out}.tar.gz`, "-C", copy]);
  return copy;
}

/**
 * Signs on `url`; resolves to the outcome text and the origins the page sent API requests
 * to (live counts and the signature), each once.
 */
async function signOn(page, url) {
  const tried = [];
  page.on("request", (req) => {
    const { origin, pathname } = new URL(req.url());
    if (pathname.startsWith("/api/") && !tried.includes(origin)) tried.push(origin);
  });
  await page.goto(url);
  await fillForm(page, `where.${Date.now()}@mail.test`);
  await page.click("#sign button[type=submit]");
  return { outcome: await signOutcome(page), tried };
}

describe("an old bundle follows the site's signed note", { skip: missing ?? false }, () => {
  let fixture;
  let chromium;
  let worker;
  let mirror;
  let copyHost;
  let blockedOrigin;
  let mirrorOrigin;
  let newNote;

  before(async () => {
    const blockedPort = await freePort();
    const mirrorPort = await freePort();
    const workerPort = await freePort();
    blockedOrigin = `http://127.0.0.1:${blockedPort}`;
    mirrorOrigin = `http://127.0.0.1:${mirrorPort}`;
    fixture = prepareFixture({
      configLines:
        `base_url = "${blockedOrigin}/"\napi_endpoints = ["${blockedOrigin}/api"]\n` +
        `mirrors = ["${mirrorOrigin}/"]\n`,
      withoutKeys: ["base_url", "api_url", "mirrors"],
    });
    run(fixture.root, "keygen", "--name", KEY_NAME);
    run(fixture.root, "where", "sign");
    const oldCopy = bundle(fixture.root, "old-copy");

    // The move: the worker's origin becomes the main one; the old one is abandoned.
    const newOrigin = `http://127.0.0.1:${workerPort}`;
    setConfig(fixture.root, { base_url: `"${newOrigin}/"`, api_endpoints: `["${newOrigin}/api"]` });
    run(fixture.root, "where", "sign");
    run(fixture.root, "build");
    newNote = fs.readFileSync(path.join(fixture.root, "where.note"), "utf8");
    assert.match(newNote, new RegExp(`^sequence 2\\n[\\s\\S]*^abandoned ${blockedOrigin}$`, "m"));

    mirror = await startHost(fixture.dist, { port: mirrorPort });
    // `localhost`: an origin neither note lists, as a volunteer's new domain.
    copyHost = await startHost(oldCopy, { host: "localhost" });
    worker = await startWorker({
      dist: fixture.dist,
      vars: { ...WORKER_VARS, ALLOWED_ORIGINS: copyHost.origin },
      port: workerPort,
    });
    assert.equal(worker.url, newOrigin);
    chromium = await launchBrowser();
  });

  after(async () => {
    await worker?.close();
    await chromium?.close();
    await mirror?.close();
    await copyHost?.close();
    if (fixture) fs.rmSync(fixture.root, { recursive: true, force: true });
  });

  test("the bundle signs through the relocated API, counted once, and says where the site went", async () => {
    const page0 = fs.readFileSync(path.join(fixture.root, "old-copy", "en", "petitions", OPEN_PETITION, "index.html"), "utf8");
    assert.match(page0, new RegExp(`data-api="${blockedOrigin}/api"`), "the bundle knows only the old API");
    assert.match(page0, /data-where-sequence="1"/);
    const { page, problems, close } = await openPage(chromium);
    try {
      const { outcome, tried } = await signOn(page, `${copyHost.origin}/en/petitions/${OPEN_PETITION}/`);
      assert.match(outcome, /recorded/);
      assert.deepEqual(tried, [worker.url], "only the note's API, never the abandoned one");
      await waitForCount(worker, OPEN_PETITION, 1);
      assert.equal((await worker.listKeys(`sig/${OPEN_PETITION}/`)).length, 1);
      assert.ok(mirror.hits.note >= 1, "the note came from the mirror");
      const moved = page.locator("[data-where-moved]");
      assert.equal(
        (await moved.textContent()).trim(),
        `This site has moved to ${worker.url}. Signatures made here go to its new address.`,
      );
      assert.equal(await moved.locator("a").getAttribute("href"), `${worker.url}/`);
      assert.equal(await page.evaluate(() => localStorage.getItem("petitio:where")), newNote);
      assert.deepEqual(unexpectedProblems(problems, BLOCKED), []);
    } finally {
      await close();
    }
  });

  test("mail links go to the origin signed from when the note lists it, else to its main origin", async () => {
    const serve = await startServe({
      bin: petitio,
      root: fixture.root,
      vars: {
        ...WORKER_VARS,
        SIGNATURE_CONFIRMATION: "email",
        ALLOWED_ORIGINS: [mirrorOrigin, blockedOrigin, copyHost.origin].join(","),
      },
    });
    try {
      for (const origin of [mirrorOrigin, blockedOrigin, copyHost.origin]) {
        const answer = await sign(serve, OPEN_PETITION, signFields({ email: `mail.${Date.now()}@mail.test`, lang: "en" }), {
          headers: { origin, "sec-fetch-site": "cross-site" },
        });
        assert.equal(answer.status, 202, JSON.stringify(answer.body));
      }
      const links = (await serve.outputLines("Message written to ", 3)).map(
        (line) => new URL(line.split("its confirmation link: ")[1].trim()).origin,
      );
      assert.deepEqual(links, [mirrorOrigin, worker.url, worker.url]);
    } finally {
      await serve.close();
    }
  });
});

describe("a blocked domain re-registered by someone else cannot redirect signers", { skip: missing ?? false }, () => {
  let fixture;
  let chromium;
  let worker;
  let evil;
  let stale;
  let copyHost;
  let evilApi;
  let staleApi;

  before(async () => {
    const evilPort = await freePort();
    const stalePort = await freePort();
    const workerPort = await freePort();
    evilApi = `http://127.0.0.1:${await freePort()}/api`;
    staleApi = `http://127.0.0.1:${await freePort()}/api`;
    const evilOrigin = `http://127.0.0.1:${evilPort}`;
    fixture = prepareFixture({
      configLines:
        `base_url = "${evilOrigin}/"\napi_endpoints = ["${staleApi}"]\n` +
        `mirrors = ["http://127.0.0.1:${stalePort}/"]\n`,
      withoutKeys: ["base_url", "api_url", "mirrors"],
    });
    run(fixture.root, "keygen", "--name", KEY_NAME);
    run(fixture.root, "where", "sign");
    // The operator's own earlier note: correctly signed, a lower sequence, another API.
    const staleNote = fs.readFileSync(path.join(fixture.root, "where.note"), "utf8");
    setConfig(fixture.root, { api_endpoints: `["http://127.0.0.1:${workerPort}/api"]` });
    run(fixture.root, "where", "sign");
    const copy = bundle(fixture.root, "copy");
    run(fixture.root, "build");

    // The re-registered domain's note: a higher sequence, naming the page's log and key id,
    // signed by the new owner's key.
    const verifier = /^key = "([^"]+)"/m.exec(fs.readFileSync(path.join(fixture.root, "petitio.toml"), "utf8"))[1];
    const keyId = Buffer.from(verifier.split("+")[1], "hex");
    const forgedText =
      `petitio-where/v1\nkey ${KEY_NAME}\nsequence 99\nmain ${evilOrigin}\norigin ${evilOrigin}\n` +
      `api ${evilApi}\ndate 2026-12-01\n`;
    const { privateKey } = crypto.generateKeyPairSync("ed25519");
    const forgedSignature = crypto.sign(null, Buffer.from(forgedText), privateKey);
    const forged = `${forgedText}\n\u2014 ${KEY_NAME} ${Buffer.concat([keyId, forgedSignature]).toString("base64")}\n`;

    evil = await startHost(fixture.dist, { port: evilPort, override: { [NOTE_PATH]: forged } });
    stale = await startHost(fixture.dist, { port: stalePort, override: { [NOTE_PATH]: staleNote } });
    copyHost = await startHost(copy, { host: "localhost" });
    worker = await startWorker({
      dist: fixture.dist,
      vars: { ...WORKER_VARS, ALLOWED_ORIGINS: copyHost.origin },
      port: workerPort,
    });
    chromium = await launchBrowser();
  });

  after(async () => {
    await worker?.close();
    await chromium?.close();
    await evil?.close();
    await stale?.close();
    await copyHost?.close();
    if (fixture) fs.rmSync(fixture.root, { recursive: true, force: true });
  });

  test("a note by another key and a lower sequence are both ignored", async () => {
    const { page, problems, close } = await openPage(chromium);
    try {
      const { outcome, tried } = await signOn(page, `${copyHost.origin}/en/petitions/${OPEN_PETITION}/`);
      assert.match(outcome, /recorded/);
      assert.equal(evil.hits.note, 1, "the forged note was read");
      assert.equal(stale.hits.note, 1, "the stale note was read");
      assert.deepEqual(tried, [worker.url], "the page's own endpoint only, for counts and signing");
      await waitForCount(worker, OPEN_PETITION, 1);
      assert.equal(await page.locator("[data-where-moved]").count(), 0, "no moved notice");
      assert.equal(await page.evaluate(() => localStorage.getItem("petitio:where")), null);
      assert.deepEqual(unexpectedProblems(problems, BLOCKED), []);
    } finally {
      await close();
    }
  });
});
