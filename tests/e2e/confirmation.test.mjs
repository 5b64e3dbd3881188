// Confirmation by email on real parts (issue #12): the worker in workerd sends through
// Miniflare's simulation of the `send_email` binding (the suite reads the message files it
// writes), and `petitio serve --smtp` speaks SMTP to a real server (aiosmtpd) started here.
// On both: signing answers 202 and sends one message with the link; following the link
// (a GET, as a mail scanner would) records nothing; the button's POST of the token records
// once; withdrawal takes a message and a click and the published count goes back down;
// and afterwards no raw address, name or token is in the stored data or the worker's logs.
// In Chromium: signing shows "check your email", the link's page fills its token and its
// button records; without JavaScript the link's page gets its token from the server that
// serves it (page fill) and its button records; the withdraw page works without JavaScript. Last, `petitio serve` with
// no --smtp: the message lands in .petitio/outbox/ and its link is printed.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { prepareFixture, OPEN_PETITION } from "./harness/fixture.mjs";
import { startWorker, workerBuilt, WORKER_MISSING } from "./harness/worker-target.mjs";
import { startServe } from "./harness/serve-target.mjs";
import { findPetitio } from "./harness/petitio-bin.mjs";
import { startSmtpSink, smtpSinkMissing } from "./harness/smtp-sink.mjs";
import { PASS_TOKEN } from "./harness/turnstile-stub.mjs";
import { testVars } from "./harness/env.mjs";
import { launchBrowser, openPage, unexpectedProblems } from "./lib/browser.mjs";
import { nextAddress, request, sign, signFields, waitForCount } from "./harness/client.mjs";

const petitio = findPetitio();
const SENDER = "petitio@petitio.test";
const only = process.env.E2E_TARGETS;

const targets = [
  {
    id: "worker",
    name: "worker (workerd, send_email simulated by Miniflare)",
    missing: workerBuilt() ? null : WORKER_MISSING,
    async start({ fixture, vars }) {
      const target = await startWorker({ dist: fixture.dist, vars });
      return { target, mails: () => target.sentMails(), close: () => target.close() };
    },
  },
  {
    id: "serve",
    name: "petitio serve --smtp (aiosmtpd)",
    missing: !petitio
      ? "no petitio binary: run `cargo build -p petitio` (or set PETITIO_BIN)"
      : smtpSinkMissing(),
    async start({ fixture, vars }) {
      const sink = await startSmtpSink();
      const target = await startServe({
        bin: petitio,
        root: fixture.root,
        vars,
        extraArgs: ["--smtp", sink.url],
      });
      return {
        target,
        mails: () => sink.messages().map(({ to, subject, text, html }) => ({ to: to.join(", "), subject, text, html })),
        dataDir: path.join(fixture.root, ".petitio", "data"),
        async close() {
          await target.close();
          await sink.close();
        },
      };
    },
  },
].filter((spec) => !only || only.split(",").includes(spec.id));

/** The link of a message (text part), which the HTML part must carry too. */
function linkOf(mail) {
  const link = mail.text.match(/https?:\/\/\S+\?token=\S+/)?.[0];
  assert.ok(link, `no link in:\n${mail.text}`);
  assert.ok(mail.html.includes(`href="${link}"`), `the HTML part lacks ${link}`);
  return new URL(link);
}

async function waitForMails(run, count) {
  const deadline = Date.now() + 10_000;
  while (run.mails().length < count) {
    if (Date.now() > deadline) throw new Error(`${run.mails().length} message(s) sent, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return run.mails()[count - 1];
}

function post(target, route, fields) {
  return request(target, `/api/petitions/${OPEN_PETITION}/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", "cf-connecting-ip": nextAddress() },
    body: JSON.stringify(fields),
  });
}

for (const spec of targets) {
  if (spec.missing && process.env.CI === "true") {
    throw new Error(`the confirmation suite cannot run on ${spec.name}: ${spec.missing}`);
  }
  if (spec.missing) console.warn(`\n!!! SKIPPING the confirmation suite on ${spec.name}: ${spec.missing}\n`);

  describe(`confirmation by email on ${spec.name}`, { skip: spec.missing ?? false }, () => {
    let run;
    let chromium;
    const fields = signFields({ name: "Confirmation Secretname", email: `Confirm.Private.${Date.now()}@Mail.Test`, lang: "ru" });
    let signLink;
    let withdrawLink;

    before(async () => {
      // No Turnstile: the browser part signs through the site's own form.
      const vars = {
        ...testVars(""),
        TURNSTILE_SECRET: "",
        TURNSTILE_VERIFY_URL: "",
        SIGNATURE_CONFIRMATION: "email",
        EMAIL_FROM: SENDER,
      };
      run = await spec.start({ fixture: prepareFixture(), vars });
      chromium = await launchBrowser();
    });

    after(async () => {
      await chromium?.close();
      await run?.close();
    });

    test("signing answers 202 and sends one message with the link, in the signer's language", async () => {
      const answer = await sign(run.target, OPEN_PETITION, fields);
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      assert.deepEqual(answer.body, { status: "check_email", slug: OPEN_PETITION });
      const mail = await waitForMails(run, 1);
      assert.equal(mail.to, fields.email);
      assert.match(mail.subject, /^Подтвердите вашу подпись: /);
      assert.match(mail.text, /Если это были не вы, просто проигнорируйте письмо/);
      signLink = linkOf(mail);
      assert.equal(signLink.origin, run.target.url, "the link leads back to the site signed on");
      assert.equal(signLink.pathname, `/ru/petitions/${OPEN_PETITION}/confirm/`);
    });

    test("a second request within the interval is refused with 429 and sends nothing", async () => {
      const again = await sign(run.target, OPEN_PETITION, fields);
      assert.equal(again.status, 429, JSON.stringify(again.body));
      assert.equal(again.body.error.code, "mail_rate_limited");
      assert.ok(Number(again.headers.get("retry-after")) > 0);
      assert.equal(run.mails().length, 1);
    });

    test("following the link records nothing; posting its token records once", async () => {
      // A mail scanner fetches the link: a GET must not confirm.
      await request(run.target, signLink.pathname + signLink.search);
      const token = signLink.searchParams.get("token");
      const first = await post(run.target, "confirmations", { token, lang: "ru" });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.status, "recorded");
      const again = await post(run.target, "confirmations", { token, lang: "ru" });
      assert.equal(again.status, 200);
      assert.equal(again.body.status, "already_signed");
      await waitForCount(run.target, OPEN_PETITION, 1);
    });

    test("a token altered by one character is refused", async () => {
      const token = signLink.searchParams.get("token");
      const altered = (token[0] === "0" ? "1" : "0") + token.slice(1);
      const answer = await post(run.target, "confirmations", { token: altered, lang: "en" });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error.code, "token_invalid");
    });

    test("withdrawing takes a message and a click, and the count goes back down", async () => {
      const ask = await post(run.target, "withdrawals", { email: fields.email, lang: "en", turnstile_token: PASS_TOKEN });
      assert.equal(ask.status, 202, JSON.stringify(ask.body));
      assert.deepEqual(ask.body, { status: "check_email", slug: OPEN_PETITION });
      const mail = await waitForMails(run, 2);
      assert.equal(mail.to, fields.email);
      assert.match(mail.subject, /^Confirm withdrawing your signature: /);
      withdrawLink = linkOf(mail);
      const token = withdrawLink.searchParams.get("token");
      const first = await post(run.target, "confirmations", { token });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.status, "withdrawn");
      const again = await post(run.target, "confirmations", { token });
      assert.equal(again.body.status, "already_withdrawn");
      await waitForCount(run.target, OPEN_PETITION, 0);
      // The old sign link cannot undo the withdrawal.
      const replay = await post(run.target, "confirmations", { token: signLink.searchParams.get("token") });
      assert.equal(replay.status, 409);
      assert.equal(replay.body.error.code, "token_superseded");
    });

    test("nothing identifying is stored or logged", async () => {
      const forbidden = [
        fields.email.toLowerCase(),
        "confirm.private",
        "confirmprivate",
        "secretname",
        signLink.searchParams.get("token").split(".")[0],
        signLink.searchParams.get("token").split(".")[1],
        withdrawLink.searchParams.get("token").split(".")[0],
      ];
      let stored;
      if (run.target.dumpStore) {
        stored = await run.target.dumpStore();
        const logs = run.target.logs().map(({ message }) => message).join("\n");
        stored += `\n${logs}`;
      } else {
        stored = fs
          .readdirSync(run.dataDir)
          .map((name) => fs.readFileSync(path.join(run.dataDir, name)).toString("latin1"))
          .join("\n");
        stored += `\n${run.target.output()}`;
      }
      stored = stored.toLowerCase();
      for (const needle of forbidden) {
        assert.ok(!stored.includes(needle.toLowerCase()), `${needle} is stored or logged`);
      }
    });

    test("in Chromium: the form says to check the mail; the link's page, its button, the thank-you page", async () => {
      const { page, problems, close } = await openPage(chromium);
      try {
        await page.goto(`${run.target.url}/en/petitions/${OPEN_PETITION}/`);
        const email = `chromium.${Date.now()}@mail.test`;
        await page.fill("#sign-name", "Chromium Signer");
        await page.fill("#sign-email", email);
        await page.selectOption("#sign-region", "astana");
        await page.check("#sign-consent");
        const sent = run.mails().length;
        await page.click("#sign button[type=submit]");
        const result = page.locator("#sign-result:not(.is-pending)");
        await result.waitFor({ state: "visible" });
        assert.match(await result.textContent(), /Check your email/);
        const link = linkOf(await waitForMails(run, sent + 1));
        await page.goto(link.href);
        assert.equal(await page.inputValue("#confirm input[name=token]"), link.searchParams.get("token"));
        await Promise.all([page.waitForURL(/\/signed\//), page.click("#confirm button[type=submit]")]);
        assert.equal(new URL(page.url()).searchParams.get("result"), "recorded");
        assert.match(await page.locator("main .lead:visible").first().innerText(), /recorded/);
        assert.deepEqual(unexpectedProblems(problems), []);
      } finally {
        await close();
      }
    });

    test("in Chromium without JavaScript: the link's page carries its token, is never cached, and its button records", async () => {
      const email = `nojs.confirm.${Date.now()}@mail.test`;
      const sent = run.mails().length;
      const answer = await sign(run.target, OPEN_PETITION, signFields({ email, lang: "kk" }));
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      const link = linkOf(await waitForMails(run, sent + 1));
      const { page, problems, close } = await openPage(chromium, { javaScriptEnabled: false });
      try {
        const response = await page.goto(link.href);
        assert.equal(response.status(), 200);
        assert.equal(response.headers()["cache-control"], "private, no-store", "a page carrying a token is personal");
        assert.equal(await page.inputValue("#confirm input[name=token]"), link.searchParams.get("token"));
        await Promise.all([page.waitForURL(/\/signed\//), page.click("#confirm button[type=submit]")]);
        const url = new URL(page.url());
        assert.equal(url.pathname, `/kk/petitions/${OPEN_PETITION}/signed/`);
        assert.equal(url.searchParams.get("result"), "recorded");
        const tampered = new URL(link.href);
        tampered.searchParams.set("token", `"><b id="injected">x</b>`);
        await page.goto(tampered.href);
        assert.equal(await page.inputValue("#confirm input[name=token]"), "", "only a token's form is written into the page");
        assert.equal(await page.locator("#injected").count(), 0);
        const plain = await page.goto(`${run.target.url}/kk/petitions/${OPEN_PETITION}/confirm/`);
        assert.notEqual(plain.headers()["cache-control"], "private, no-store", "without a token the page stays cacheable");
        assert.deepEqual(unexpectedProblems(problems), []);
      } finally {
        await close();
      }
    });

    test("in Chromium without JavaScript: the withdraw page sends its message and says so", async () => {
      const { page, problems, close } = await openPage(chromium, { javaScriptEnabled: false });
      try {
        await page.goto(`${run.target.url}/ru/petitions/${OPEN_PETITION}/withdraw/`);
        const sent = run.mails().length;
        await page.fill("#withdraw-email", `nojs.withdraw.${Date.now()}@mail.test`);
        await Promise.all([page.waitForURL(/result=/), page.click("#withdraw button[type=submit]")]);
        const url = new URL(page.url());
        assert.equal(url.pathname, `/ru/petitions/${OPEN_PETITION}/withdraw/`);
        assert.equal(url.searchParams.get("result"), "check_email");
        assert.match(await page.locator("#result-check_email").innerText(), /Проверьте почту/);
        const mail = await waitForMails(run, sent + 1);
        assert.match(mail.subject, /^Подтвердите отзыв подписи/);
        assert.deepEqual(unexpectedProblems(problems), []);
      } finally {
        await close();
      }
    });
  });
}

// `petitio serve` with no setup: the message goes to .petitio/outbox/ as a MIME file and its
// link is printed in the terminal (without the address).
describe("confirmation by email on petitio serve with its outbox (no --smtp)", {
  skip: !petitio || (only && !only.split(",").includes("serve")) ? "no petitio binary, or another target chosen" : false,
}, () => {
  let fixture;
  let target;

  before(async () => {
    fixture = prepareFixture();
    const vars = { ...testVars(""), TURNSTILE_SECRET: "", SIGNATURE_CONFIRMATION: "email" };
    target = await startServe({ bin: petitio, root: fixture.root, vars });
  });

  after(async () => {
    await target?.close();
  });

  test("the message is a file in the outbox, its link is printed, and it confirms", async () => {
    const email = `outbox.${Date.now()}@mail.test`;
    const answer = await sign(target, OPEN_PETITION, signFields({ email, lang: "kk" }));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const outbox = path.join(fixture.root, ".petitio", "outbox");
    const files = fs.readdirSync(outbox);
    assert.equal(files.length, 1);
    assert.match(files[0], /^\d+-0\.eml$/);
    const message = fs.readFileSync(path.join(outbox, files[0]), "utf8");
    assert.match(message, /^From: petitio@localhost$/m);
    assert.match(message, /Content-Type: multipart\/alternative/);
    const [line] = await target.outputLines("Message written to ", 1);
    assert.ok(!line.includes(email), "the terminal does not show the address");
    const link = new URL(line.split("its confirmation link: ")[1].trim());
    assert.equal(link.pathname, `/kk/petitions/${OPEN_PETITION}/confirm/`);
    const confirmed = await post(target, "confirmations", { token: link.searchParams.get("token") });
    assert.equal(confirmed.status, 201, JSON.stringify(confirmed.body));
    assert.equal(confirmed.body.status, "recorded");
  });
});
