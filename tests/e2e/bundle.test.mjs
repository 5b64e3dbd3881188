// A volunteer's copy made with `petitio build --bundle`, on a host that ignores `_headers`
// and sends no security header at all (issue #10, item 4): the Content-Security-Policy every
// bundled page carries in a <meta> element must still stop script injected into the page.
//
// The example site is built with --bundle, dist.tar.gz is unpacked with tar, and one page
// gets an inline <script> and an inline event handler added right after its <meta> policy,
// as an injection would. A copy of the same page without the policy element is the control:
// there the injected script runs, so the test shows that the element, and nothing else,
// stops it. Needs a petitio binary and Debian's Chromium (as every browser suite).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchBrowser, openPage, petitioBin, REPO_ROOT } from "./lib/browser.mjs";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".js": "text/javascript",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** What an injection adds: an inline script and an inline handler, each leaving a mark. */
const INJECTED =
  '<script>window.__injected = "inline script ran";</script>' +
  '<img src="data:," alt="" onerror="window.__handler = \'inline handler ran\'">';

const POLICY = /<meta http-equiv="Content-Security-Policy" content="[^"]*">/;

describe("a bundle served with no headers", () => {
  let work;
  let server;
  let origin;
  let launched;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), "petitio-e2e-bundle-"));
    const out = path.join(work, "dist");
    execFileSync(petitioBin(), ["--root", REPO_ROOT, "build", "--out", out, "--bundle"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const copy = path.join(work, "copy");
    await mkdir(copy);
    execFileSync("tar", ["-xzf", `${out}.tar.gz`, "-C", copy]);

    const page = await readFile(path.join(copy, "en", "index.html"), "utf8");
    assert.match(page, POLICY, "the bundled page carries its policy");
    await writeFile(
      path.join(copy, "en", "injected.html"),
      page.replace(POLICY, (meta) => meta + INJECTED),
    );
    await writeFile(
      path.join(copy, "en", "control.html"),
      page.replace(POLICY, INJECTED),
    );

    // A static host that sends nothing but the content type.
    server = http.createServer(async (req, res) => {
      const url = new URL(req.url, "http://x");
      let file = path.join(copy, decodeURIComponent(url.pathname));
      if (!file.startsWith(copy)) {
        res.writeHead(403).end();
        return;
      }
      if (url.pathname.endsWith("/")) file = path.join(file, "index.html");
      try {
        const body = await readFile(file);
        res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${server.address().port}`;
    launched = await launchBrowser();
  });

  after(async () => {
    await launched?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function marks(file) {
    const opened = await openPage(launched);
    try {
      const response = await opened.page.goto(`${origin}/en/${file}`, { waitUntil: "load" });
      assert.equal(response.status(), 200);
      assert.equal(response.headers()["content-security-policy"], undefined, "no header policy");
      const result = await opened.page.evaluate(() => ({
        script: window.__injected ?? null,
        handler: window.__handler ?? null,
      }));
      return { ...result, violations: opened.problems.cspViolations };
    } finally {
      await opened.close();
    }
  }

  test("the page's <meta> policy blocks an injected inline script and handler", async () => {
    const blocked = await marks("injected.html");
    assert.deepEqual({ script: blocked.script, handler: blocked.handler }, { script: null, handler: null });
    assert.ok(blocked.violations.length >= 2, `violations: ${blocked.violations.join("\n")}`);
  });

  test("without the <meta> policy the same injection runs (the control)", async () => {
    const ran = await marks("control.html");
    assert.deepEqual(
      { script: ran.script, handler: ran.handler },
      { script: "inline script ran", handler: "inline handler ran" },
    );
  });
});
