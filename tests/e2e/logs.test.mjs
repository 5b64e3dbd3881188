// What the worker leaves in Cloudflare's Workers Logs (ARCHITECTURE.md, "Logs"): the
// committed wrangler.toml keeps invocation logs (a record of every request, its headers and
// address included) and traces off, so only the worker's console output is kept; that
// output, captured from workerd while signers sign, fail and are refused, and while the
// counting job runs and the worker is misconfigured, must name no signer; and a routine
// counting run writes at debug level only, so the suites' output stays quiet.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { unstable_readConfig } from "wrangler";
import { prepareFixture, OPEN_PETITION } from "./harness/fixture.mjs";
import { startWorker, workerBuilt, WORKER_MISSING } from "./harness/worker-target.mjs";
import { startTurnstileStub, FAIL_TOKEN } from "./harness/turnstile-stub.mjs";
import { testVars } from "./harness/env.mjs";
import { WRANGLER_TOML } from "./harness/paths.mjs";
import { request, sign, signFields, signaturesPath } from "./harness/client.mjs";

const missing = workerBuilt() ? null : WORKER_MISSING;
if (missing && process.env.CI === "true") {
  throw new Error(`the logs suite cannot run: ${missing}`);
}

/** What a signer sends that must never reach a log, in every spelling it could take. */
const SIGNER = {
  email: "Zhanargul.Private+petitions@Mail.test",
  name: "Zhanargul Secretname",
  address: "198.51.100.23",
  userAgent: "Mozilla/5.0 (LogProbe/7.1)",
};
const NEEDLES = [
  SIGNER.email,
  SIGNER.email.toLowerCase(),
  "zhanargul.private",
  "zhanargul",
  "secretname",
  SIGNER.address,
  "logprobe",
  FAIL_TOKEN,
];

/** Every way this suite makes the worker handle a signer's data. */
async function signInEveryWay(target) {
  const headers = { "user-agent": SIGNER.userAgent };
  const fields = signFields({ email: SIGNER.email, name: SIGNER.name, show_name: true });
  const once = { address: SIGNER.address, headers };
  const answers = [
    await sign(target, OPEN_PETITION, fields, once),
    await sign(target, OPEN_PETITION, fields, once),
    await sign(target, OPEN_PETITION, { ...fields, turnstile_token: FAIL_TOKEN }, once),
    await sign(target, OPEN_PETITION, { ...fields, email: `${SIGNER.email}@x` }, once),
    await sign(target, "no-such-petition", fields, once),
    await request(target, signaturesPath(OPEN_PETITION), {
      method: "POST",
      headers: {
        ...headers,
        "cf-connecting-ip": SIGNER.address,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ ...fields, consent: "on", show_name: "on" }).toString(),
    }),
  ];
  return answers;
}

/**
 * Neither what the signer sent, nor their receipt's secret, nor their signer id (read from
 * the worker's own `sig/` keys) appears in `logs`.
 */
async function assertNamesNoSigner(target, logs, receipts) {
  const text = JSON.stringify(logs).toLowerCase();
  const ids = (await target.listKeys("sig/")).map((key) => key.split("/")[2]);
  if (receipts.length) assert.ok(ids.length > 0, "signer ids to look for");
  for (const needle of [...NEEDLES, ...ids, ...receipts.map((receipt) => receipt.split(":")[2])]) {
    assert.ok(!text.includes(needle.toLowerCase()), `${needle} found in the worker's logs: ${text}`);
  }
}

describe("what the worker logs", { skip: missing ?? false }, () => {
  let stub;
  let target;
  let fixture;

  before(async () => {
    stub = await startTurnstileStub(testVars("").TURNSTILE_SECRET);
    fixture = prepareFixture();
    target = await startWorker({ dist: fixture.dist, vars: testVars(stub.url) });
  });

  after(async () => {
    await target?.close();
    await stub?.close();
  });

  test("wrangler.toml keeps Cloudflare's invocation logs and traces off", () => {
    const { observability } = unstable_readConfig({ config: WRANGLER_TOML });
    assert.equal(observability?.logs?.invocation_logs, false, JSON.stringify(observability));
    assert.notEqual(observability?.traces?.enabled, true, JSON.stringify(observability));
  });

  test("nothing a signer sent appears in the worker's console output", async () => {
    const answers = await signInEveryWay(target);
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [201, 200, 403, 400, 404, 303],
    );
    await target.runScheduledJob();
    await target.runScheduledJob();
    await assertNamesNoSigner(target, target.logs(), [answers[0].body.receipt]);
  });

  test("a routine counting run writes at debug level only", async () => {
    const before = target.logs().length;
    await target.runScheduledJob();
    const run = target.logs().slice(before);
    assert.equal(run.length, 1, JSON.stringify(run));
    assert.equal(run[0].level, "debug");
    assert.match(run[0].message, /^petitio: counting job: folded \d+ bucket\(s\): /);
  });

  // The log key (docs/keys.md): Go's sumdb/note test keys. petitio.toml publishes Peter's.
  const PETER_PUBLIC = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  const PETER_PRIVATE = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  const ENOCH_PRIVATE = "PRIVATE+KEY+EnochRoot+af0cfe78+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

  test("a log key that cannot sign for the site is logged on each counting run, which still counts", async () => {
    const keyed = prepareFixture({ configLines: `log = { key = "${PETER_PUBLIC}" }\n` });
    const cases = [
      [undefined, "petitio: LOG_SIGNING_KEY is not set, but petitio.toml publishes the log key PeterNeumann+c74f20a3: "],
      [ENOCH_PRIVATE, "petitio: LOG_SIGNING_KEY is the key EnochRoot+af0cfe78, but the site publishes the log key PeterNeumann+c74f20a3: "],
      ["not a key", "petitio: LOG_SIGNING_KEY is not usable: the log signing key is not a signed-note private key"],
      [PETER_PRIVATE, null],
    ];
    for (const [secret, expected] of cases) {
      const vars = { ...testVars(stub.url) };
      if (secret) vars.LOG_SIGNING_KEY = secret;
      const worker = await startWorker({ dist: keyed.dist, vars, quiet: true });
      try {
        const signed = await sign(worker, OPEN_PETITION, signFields());
        assert.equal(signed.status, 201, JSON.stringify(signed.body));
        await worker.runScheduledJob();
        const logs = worker.logs();
        const errors = logs.filter(({ level }) => level === "error").map(({ message }) => message);
        if (expected) {
          assert.equal(errors.length, 1, JSON.stringify(logs));
          assert.ok(errors[0].startsWith(expected), errors[0]);
          assert.ok(errors[0].endsWith("Signing of notes is off until then; counting goes on"), errors[0]);
        } else {
          assert.deepEqual(errors, []);
        }
        assert.ok(
          logs.some(({ level, message }) => level === "debug" && message.startsWith("petitio: counting job: ")),
          JSON.stringify(logs),
        );
        if (secret) assert.ok(!JSON.stringify(logs).includes(secret), "the private key was logged");
        await assertNamesNoSigner(worker, logs, [signed.body.receipt]);
      } finally {
        await worker.close();
      }
    }
  });

  test("a misconfigured worker logs its problem, and no signer, and answers in the signer's language", async () => {
    const broken = await startWorker({
      dist: fixture.dist,
      vars: { ...testVars(stub.url), SIGNING_KEY: "too-short" },
      quiet: true,
    });
    try {
      const answers = await signInEveryWay(broken);
      assert.ok(answers.every((answer) => answer.status === 503), JSON.stringify(answers));
      const russian = await sign(broken, OPEN_PETITION, signFields({ lang: "ru" }));
      assert.equal(russian.body.error.code, "storage_unavailable");
      assert.equal(
        russian.body.error.message,
        "Сейчас не удалось сохранить вашу подпись. Попробуйте ещё раз через минуту.",
      );
      const logs = broken.logs();
      assert.ok(
        logs.some(({ level, message }) => level === "error" && message.includes("SIGNING_KEY is 9 bytes long")),
        JSON.stringify(logs),
      );
      await assertNamesNoSigner(broken, logs, []);
    } finally {
      await broken.close();
    }
  });
});
