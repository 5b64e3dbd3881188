// The "verify my signature" page (issue #13, docs/transparency.md "The verify page") in
// Chromium, on each server: sign through the petition page, seal the log, open the verify
// page: the receipt the browser kept is prefilled and found at its index; another receipt is
// not in the log; a checkpoint whose root was changed in transit fails to verify.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { prepareFixture, OPEN_PETITION } from "./harness/fixture.mjs";
import { siteTargets } from "./harness/targets.mjs";
import { testVars } from "./harness/env.mjs";
import { fillForm, signOutcome } from "./harness/sign-form.mjs";
import { nextAddress, request } from "./harness/client.mjs";
import { PETER_PRIVATE, PETER_PUBLIC, waitForSealedLog } from "./harness/sealed-log.mjs";
import { launchBrowser, openPage, unexpectedProblems, WHERE_NOTE_LOOKUPS } from "./lib/browser.mjs";

/** The verify page's outcome once its check is done: state and detail text. */
async function verifyOutcome(page) {
  const section = page.locator("[data-verify][data-verify-state]:not([data-verify-state=checking])");
  await section.waitFor({ state: "attached", timeout: 20_000 });
  return {
    state: await section.getAttribute("data-verify-state"),
    shown: (await page.locator("[data-verify-result]:not([hidden])").textContent()).trim(),
    detail: (await page.locator("[data-verify-detail]").textContent()).trim(),
  };
}

/**
 * The link of the suite's one message (the withdrawal's; signing here is not confirmed by
 * email): Miniflare's captured `send_email` on workerd; on `petitio serve`, the line it
 * prints for its outbox.
 */
async function withdrawalLink(spec, target) {
  if (spec.id === "serve") {
    const [line] = await target.outputLines("Message written to ", 1);
    return new URL(line.split("its confirmation link: ")[1].trim());
  }
  const deadline = Date.now() + 10_000;
  for (;;) {
    const link = target.sentMails()[0]?.text.match(/https?:\/\/\S+\?token=\S+/)?.[0];
    if (link) return new URL(link);
    if (Date.now() > deadline) throw new Error(`no message with a link was sent by ${spec.name}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

for (const spec of siteTargets()) {
  if (spec.missing && process.env.CI === "true") {
    throw new Error(`the verify page suite cannot run on ${spec.name}: ${spec.missing}`);
  }
  if (spec.missing) console.warn(`\n!!! SKIPPING the verify page suite on ${spec.name}: ${spec.missing}\n`);

  describe(`the verify page on ${spec.name}`, { skip: spec.missing ?? false }, () => {
    let target;
    let chromium;
    let context;
    let page;
    let problems;
    let receipt;
    let signedEmail;

    before(async () => {
      const fixture = prepareFixture({ configLines: `log = { key = "${PETER_PUBLIC}" }\n` });
      const vars = { ...testVars(""), TURNSTILE_SECRET: "", LOG_SIGNING_KEY: PETER_PRIVATE, SETTLE_SECONDS: "0" };
      target = await spec.start({ fixture, vars });
      chromium = await launchBrowser();
      ({ context, page, problems } = await openPage(chromium));
    });

    after(async () => {
      await context?.close();
      await chromium?.close();
      await target?.close();
    });

    const verifyUrl = () => `${target.url}/en/petitions/${OPEN_PETITION}/verify/`;

    test("a signature made on the page is found in the sealed log, from the receipt the browser kept", { timeout: 200_000 }, async () => {
      await page.goto(`${target.url}/en/petitions/${OPEN_PETITION}/`);
      signedEmail = `verify.${Date.now()}@mail.test`;
      await fillForm(page, signedEmail);
      await page.click("#sign button[type=submit]");
      assert.match(await signOutcome(page), /recorded/i);
      receipt = JSON.parse(await page.evaluate((slug) => localStorage.getItem(`petitio:signed:${slug}`), OPEN_PETITION)).receipt;
      assert.match(receipt, new RegExp(`^petitio-receipt-v1:${OPEN_PETITION}:[0-9a-f]{64}$`));
      await waitForSealedLog(target, OPEN_PETITION, 1);

      await page.goto(verifyUrl());
      assert.equal(await page.inputValue("#verify-receipt"), receipt, "prefilled from localStorage");
      const outcome = await verifyOutcome(page);
      assert.equal(outcome.state, "included", JSON.stringify(outcome));
      assert.equal(outcome.shown, "Your signature is in the log and counted.");
      assert.match(outcome.detail, /^Entry 0 of the log's 1, counted in the minute of \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/);
      assert.deepEqual(unexpectedProblems(problems, [WHERE_NOTE_LOOKUPS]), []);
    });

    test("a receipt of another random r is not in the log", async () => {
      await page.goto(verifyUrl());
      await page.fill("#verify-receipt", `petitio-receipt-v1:${OPEN_PETITION}:${crypto.randomBytes(32).toString("hex")}`);
      await page.click("#verify button[type=submit]");
      const outcome = await verifyOutcome(page);
      assert.equal(outcome.state, "not_in_log", JSON.stringify(outcome));
      assert.equal(outcome.detail, "Log size: 1.");
    });

    test("after withdrawing, the same receipt shows the signature withdrawn, in the reader's language", { timeout: 200_000 }, async () => {
      assert.ok(receipt, "the first test signed");
      const email = signedEmail;
      const ask = await request(target, `/api/petitions/${OPEN_PETITION}/withdrawals`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", "cf-connecting-ip": nextAddress() },
        body: JSON.stringify({ email, lang: "ru" }),
      });
      assert.equal(ask.status, 202, JSON.stringify(ask.body));
      const token = (await withdrawalLink(spec, target)).searchParams.get("token");
      const done = await request(target, `/api/petitions/${OPEN_PETITION}/confirmations`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", "cf-connecting-ip": nextAddress() },
        body: JSON.stringify({ token }),
      });
      assert.equal(done.status, 201, JSON.stringify(done.body));
      assert.equal(done.body.status, "withdrawn");
      // The log now holds the signature and its withdrawal; the sealed count is 0.
      const log = await waitForSealedLog(target, OPEN_PETITION, 2);
      assert.equal(log.sealed_count, 0);

      await page.goto(`${target.url}/ru/petitions/${OPEN_PETITION}/verify/`);
      assert.equal(await page.inputValue("#verify-receipt"), receipt, "the receipt is kept per petition, not per language");
      const outcome = await verifyOutcome(page);
      assert.equal(outcome.state, "withdrawn", JSON.stringify(outcome));
      assert.equal(outcome.shown, "Ваша подпись есть в журнале, но потом была отозвана.");
      assert.match(outcome.detail, /^Запись 0 из 2 в журнале, учтена в минуту \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/);
      assert.deepEqual(unexpectedProblems(problems, [WHERE_NOTE_LOOKUPS]), []);
    });

    test("a checkpoint whose root was changed in transit fails to verify", async () => {
      await page.route("**/log/*/checkpoint", async (route) => {
        const answer = await route.fetch();
        const [origin, size, root, ...rest] = (await answer.text()).split("\n");
        const bytes = Buffer.from(root, "base64");
        bytes[0] ^= 1;
        await route.fulfill({ response: answer, body: [origin, size, bytes.toString("base64"), ...rest].join("\n") });
      });
      try {
        await page.goto(verifyUrl());
        assert.equal(await page.inputValue("#verify-receipt"), receipt);
        const outcome = await verifyOutcome(page);
        assert.equal(outcome.state, "log_failed", JSON.stringify(outcome));
        assert.equal(outcome.detail, "the checkpoint's signature is not by PeterNeumann");
      } finally {
        await page.unroute("**/log/*/checkpoint");
      }
    });

    test("an entry changed in transit fails the root check", async () => {
      // The checkpoint stays the operator's; the entry bundle's last byte (the region) flips.
      await page.route("**/log/*/tile/entries/**", async (route) => {
        const answer = await route.fetch();
        const bytes = Buffer.from(await answer.body());
        bytes[bytes.length - 1] ^= 1;
        await route.fulfill({ response: answer, body: bytes });
      });
      try {
        await page.goto(verifyUrl());
        const outcome = await verifyOutcome(page);
        assert.equal(outcome.state, "log_failed", JSON.stringify(outcome));
        assert.equal(outcome.detail, "the entries do not make the checkpoint's root");
      } finally {
        await page.unroute("**/log/*/tile/entries/**");
      }
    });
  });
}
