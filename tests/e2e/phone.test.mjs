// Issue #14, items 7 and 2 in a real browser (Debian's Chromium), on the example site under
// `petitio serve`:
// * on a 375 × 812 phone, a petition page offers a "Sign" link within the first screen, and
//   following it brings the form's top into that screen, with and without JavaScript
//   (geometry from the layout, never a timing); the phone screenshot goes to docs/;
// * a page built before its petition's deadline hides the form once the deadline day is
//   over in the site's time zone (the browser's clock is set on either side of midnight
//   UTC+5), and shows that the petition no longer accepts signatures.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { REPO_ROOT, launchBrowser, openPage, unexpectedProblems, writeScreenshot } from "./lib/browser.mjs";
import { findPetitio } from "./harness/petitio-bin.mjs";
import { startServe } from "./harness/serve-target.mjs";

const PHONE = { width: 375, height: 812 };
const OPEN = "almaty-winter-air";
/** Its deadline (content/petitions/almaty-winter-air/index.kk.md), in the site's UTC+5. */
const DEADLINE = "2027-02-28";

const VARS = { SIGNING_KEY: "e2e-phone-signing-key-0123456789abcdef0123456789abcdef" };

describe("phones and deadlines in Chromium, example site under petitio serve", () => {
  let root;
  let target;
  let chromium;

  before(async () => {
    const bin = findPetitio();
    assert.ok(bin, "petitio binary not found: cargo build -p petitio, or set PETITIO_BIN");
    root = fs.mkdtempSync(path.join(os.tmpdir(), "petitio-e2e-phone-"));
    for (const entry of ["petitio.toml", "content", "themes"]) {
      fs.cpSync(path.join(REPO_ROOT, entry), path.join(root, entry), { recursive: true });
    }
    target = await startServe({ bin, root, vars: VARS });
    chromium = await launchBrowser();
  });

  after(async () => {
    await chromium?.close();
    await target?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  for (const javaScriptEnabled of [true, false]) {
    test(`375 px phone, JavaScript ${javaScriptEnabled ? "on" : "off"}: a Sign link in the first screen leads to the form`, async () => {
      const { page, problems, close } = await openPage(chromium, { viewport: PHONE, javaScriptEnabled });
      try {
        await page.goto(`${target.url}/en/petitions/${OPEN}/`);
        const jump = page.locator(".sign-jump a");
        assert.equal(await jump.getAttribute("href"), "#sign");
        const link = await jump.boundingBox();
        assert.ok(link, "the Sign link is displayed");
        assert.ok(link.y >= 0 && link.y + link.height <= PHONE.height, `Sign link at ${JSON.stringify(link)}`);
        const formTop = () => page.locator("#sign").evaluate((form) => form.getBoundingClientRect().top);
        assert.ok((await formTop()) > PHONE.height, "the form starts below the first screen");
        await jump.click();
        await page.waitForFunction(() => location.hash === "#sign");
        const top = await formTop();
        assert.ok(top >= 0 && top < PHONE.height / 2, `after the link the form's top is at ${top} px`);
        if (javaScriptEnabled) {
          await page.evaluate(() => window.scrollTo(0, 0));
          await writeScreenshot(page, "petition-en-phone-375", { fullPage: false });
        }
        assert.deepEqual(unexpectedProblems(problems), []);
      } finally {
        await close();
      }
    });
  }

  test("wide screens show the form beside the text and no Sign link", async () => {
    const { page, close } = await openPage(chromium, { viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${target.url}/en/petitions/${OPEN}/`);
      assert.equal(await page.locator(".sign-jump").isVisible(), false);
    } finally {
      await close();
    }
  });

  for (const [when, closed] of [
    [`${DEADLINE}T23:59:00+05:00`, false],
    [`${DEADLINE}T19:00:00Z`, true],
  ]) {
    test(`a page built before the deadline, read at ${when}: the form is ${closed ? "hidden" : "shown"}`, async () => {
      const { context, page, problems, close } = await openPage(chromium, { viewport: PHONE });
      try {
        await context.clock.setFixedTime(new Date(when));
        await page.goto(`${target.url}/en/petitions/${OPEN}/`);
        await page.waitForFunction(() => document.querySelector("[data-petition]")?.dataset.live);
        assert.equal(await page.locator("form#sign").isVisible(), !closed);
        assert.equal(await page.locator("#sign-closed").isVisible(), closed);
        assert.equal(await page.locator(".sign-jump").isVisible(), !closed);
        if (closed) {
          assert.equal(await page.locator("#sign-closed").textContent(), "This petition no longer accepts signatures.");
        }
        assert.deepEqual(unexpectedProblems(problems), []);
      } finally {
        await close();
      }
    });
  }
});
