// The signature API over real HTTP, against both places it runs: the worker in workerd
// (Miniflare, configured from edge-worker/wrangler.toml) and `petitio serve`. The same
// assertions for both, so they cannot drift. A target whose build is missing is skipped
// with a loud message; CI builds both first (scripts/test).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { prepareFixture, OPEN_PETITION, CLOSED_PETITION, MASS_PETITION } from "./harness/fixture.mjs";
import { siteTargets } from "./harness/targets.mjs";
import { startTurnstileStub, FAIL_TOKEN, PASS_TOKEN } from "./harness/turnstile-stub.mjs";
import { testVars, SITE_ORIGIN, MIRROR_ORIGIN, FOREIGN_ORIGIN, BURST_LIMIT } from "./harness/env.mjs";
import {
  counts,
  nextAddress,
  request,
  sign,
  signFields,
  signaturesPath,
  waitForCount,
} from "./harness/client.mjs";

const targets = siteTargets();

/** A signer's attempts before giving up on 503s, and the pause between them. */
const MAX_ATTEMPTS = 10;
const RETRY_DELAY_MS = 1000;

/** How many answers had each status and error code, e.g. { "503 storage_unavailable": 3 }. */
function tally(answers) {
  const counts = {};
  for (const { status, body } of answers) {
    const key = `${status} ${body?.error?.code ?? ""}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

for (const spec of targets) {
  if (spec.missing && process.env.CI === "true") {
    // In CI a missing build is a failure, never a silent skip.
    throw new Error(`the API suite cannot run on ${spec.name}: ${spec.missing}`);
  }
  if (spec.missing) {
    console.warn(`\n!!! SKIPPING the API suite on ${spec.name}: ${spec.missing}\n`);
  }

  describe(`signature API on ${spec.name}`, { skip: spec.missing ?? false }, () => {
    let stub;
    let target;
    /** Emails answered 201 on OPEN_PETITION: what its count must reach. */
    const recorded = new Set();

    before(async () => {
      stub = await startTurnstileStub(testVars("").TURNSTILE_SECRET);
      const fixture = prepareFixture();
      target = await spec.start({ fixture, vars: testVars(stub.url) });
    });

    after(async () => {
      await target?.close();
      await stub?.close();
    });

    test("a new signature is recorded (201) with a receipt", async () => {
      const fields = signFields();
      const answer = await sign(target, OPEN_PETITION, fields);
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      assert.equal(answer.body.status, "recorded");
      assert.equal(answer.body.slug, OPEN_PETITION);
      assert.match(answer.body.receipt, new RegExp(`^petitio-receipt-v1:${OPEN_PETITION}:[0-9a-f]{64}$`));
      assert.equal(answer.headers.get("cache-control"), "no-store");
      recorded.add(fields.email);
    });

    test("signing again with the same email answers 200 and stores nothing new", async () => {
      const fields = signFields();
      const first = await sign(target, OPEN_PETITION, fields);
      assert.equal(first.status, 201);
      recorded.add(fields.email);
      // Another address, another case and gmail-insensitive parts of the same address:
      // the canonical email is what counts.
      const again = await sign(target, OPEN_PETITION, { ...fields, email: fields.email.toUpperCase() });
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.status, "already_signed");
      // Only the first request drew the recorded signature's secret: no receipt to give.
      assert.equal(again.body.receipt, null);
    });

    describe("each invalid field is refused with 400 and named", () => {
      const cases = [
        ["name", { name: undefined }],
        ["name", { name: "x".repeat(101) }],
        ["email", { email: undefined }],
        ["email", { email: "not-an-address" }],
        ["region", { region: undefined }],
        ["region", { region: "mars" }],
        ["consent", { consent: undefined }],
        ["consent", { consent: false }],
        ["show_name", { show_name: "sometimes" }],
        ["lang", { lang: "xx" }],
      ];
      for (const [field, overrides] of cases) {
        test(`${field}: ${JSON.stringify(overrides)}`, async () => {
          const answer = await sign(target, OPEN_PETITION, signFields(overrides));
          assert.equal(answer.status, 400, JSON.stringify(answer.body));
          assert.equal(answer.body.error.code, "invalid_input");
          assert.equal(answer.body.error.field, field);
          assert.ok(answer.body.error.message.length > 0);
        });
      }

      test("a body that is not JSON", async () => {
        const answer = await request(target, signaturesPath(OPEN_PETITION), {
          method: "POST",
          headers: { "content-type": "application/json", "cf-connecting-ip": nextAddress() },
          body: "{not json",
        });
        assert.equal(answer.status, 400);
        assert.equal(answer.body.error.code, "malformed_body");
      });
    });

    test("an unknown petition is 404, an unknown route too", async () => {
      const petition = await sign(target, "no-such-petition", signFields());
      assert.equal(petition.status, 404);
      assert.equal(petition.body.error.code, "petition_not_found");
      const route = await request(target, "/api/nothing-here", { headers: { accept: "application/json" } });
      assert.equal(route.status, 404);
      assert.equal(route.body.error.code, "not_found");
    });

    test("a closed petition refuses signatures with 409", async () => {
      const answer = await sign(target, CLOSED_PETITION, signFields());
      assert.equal(answer.status, 409, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, "petition_not_open");
    });

    test("a body over the size limit (4 KiB) is refused with 413", async () => {
      const answer = await sign(target, OPEN_PETITION, signFields({ name: "x".repeat(8 * 1024) }));
      assert.equal(answer.status, 413);
      assert.equal(answer.body.error.code, "body_too_large");
    });

    // Only ALLOWED_ORIGINS may call the API unless the operator sets SIGN_FROM_ANY_ORIGIN
    // (ARCHITECTURE.md, "Which origins may sign"); endpoints.test.mjs covers that choice.
    test("a page on an unlisted origin may not sign (403) unless the operator chose SIGN_FROM_ANY_ORIGIN", async () => {
      const answer = await sign(target, OPEN_PETITION, signFields(), {
        headers: { origin: FOREIGN_ORIGIN, "sec-fetch-site": "cross-site" },
      });
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error.code, "forbidden_origin");
      assert.equal(answer.headers.get("access-control-allow-origin"), null);
    });

    test("an opaque origin (a sandboxed frame's `null`) may not sign (403)", async () => {
      const answer = await sign(target, OPEN_PETITION, signFields(), {
        headers: { origin: "null", "sec-fetch-site": "cross-site" },
      });
      assert.equal(answer.status, 403);
      assert.equal(answer.body.error.code, "forbidden_origin");
      assert.equal(answer.headers.get("access-control-allow-origin"), null);
    });

    test("a failed Turnstile challenge is refused with 403 and stores nothing", async () => {
      const fields = signFields({ turnstile_token: FAIL_TOKEN });
      const before = stub.requests();
      const answer = await sign(target, OPEN_PETITION, fields);
      assert.equal(answer.status, 403, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, "challenge_failed");
      assert.ok(stub.requests() > before, "the target asked siteverify");
      // Not stored: the same email then signs for the first time.
      const retry = await sign(target, OPEN_PETITION, { ...fields, turnstile_token: PASS_TOKEN });
      assert.equal(retry.status, 201);
      recorded.add(fields.email);
    });

    test("a body that is neither JSON nor a form is refused with 415", async () => {
      const answer = await request(target, signaturesPath(OPEN_PETITION), {
        method: "POST",
        headers: { "content-type": "text/plain", "cf-connecting-ip": nextAddress() },
        body: "name=A",
      });
      assert.equal(answer.status, 415);
      assert.equal(answer.body.error.code, "unsupported_content_type");
    });

    test("one address signing too often is refused with 429 and Retry-After", async () => {
      const address = nextAddress();
      for (let i = 0; i < BURST_LIMIT; i += 1) {
        const fields = signFields();
        const answer = await sign(target, OPEN_PETITION, fields, { address });
        assert.equal(answer.status, 201, `attempt ${i + 1}: ${JSON.stringify(answer.body)}`);
        recorded.add(fields.email);
      }
      const answer = await sign(target, OPEN_PETITION, signFields(), { address });
      assert.equal(answer.status, 429);
      assert.equal(answer.body.error.code, "rate_limited");
      assert.ok(Number(answer.headers.get("retry-after")) > 0);
    });

    test("a wrong method is refused with 405 and Allow", async () => {
      const answer = await request(target, signaturesPath(OPEN_PETITION), {
        method: "GET",
        headers: { accept: "application/json" },
      });
      assert.equal(answer.status, 405);
      assert.equal(answer.body.error.code, "method_not_allowed");
      assert.equal(answer.headers.get("allow"), "POST, OPTIONS");
      const del = await request(target, "/api/counts", { method: "DELETE" });
      assert.equal(del.status, 405);
    });

    describe("CORS", () => {
      test("an allowed origin (a mirror) may read, and preflights pass", async () => {
        const read = await request(target, "/api/counts", { headers: { origin: MIRROR_ORIGIN } });
        assert.equal(read.status, 200);
        assert.equal(read.headers.get("access-control-allow-origin"), MIRROR_ORIGIN);
        assert.match(read.headers.get("vary") ?? "", /origin/i);

        const preflight = await request(target, signaturesPath(OPEN_PETITION), {
          method: "OPTIONS",
          headers: {
            origin: SITE_ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
          },
        });
        assert.equal(preflight.status, 204);
        assert.equal(preflight.headers.get("access-control-allow-origin"), SITE_ORIGIN);
        assert.match(preflight.headers.get("access-control-allow-methods"), /POST/);
        assert.match(preflight.headers.get("access-control-allow-headers"), /content-type/i);
      });

      test("an unlisted origin gets no CORS grant and its preflight is refused; `null` neither", async () => {
        const read = await request(target, "/api/counts", { headers: { origin: FOREIGN_ORIGIN } });
        assert.equal(read.headers.get("access-control-allow-origin"), null);
        const preflight = await request(target, signaturesPath(OPEN_PETITION), {
          method: "OPTIONS",
          headers: { origin: FOREIGN_ORIGIN, "access-control-request-method": "POST" },
        });
        assert.equal(preflight.status, 403);
        assert.equal(preflight.headers.get("access-control-allow-origin"), null);
        const opaque = await request(target, signaturesPath(OPEN_PETITION), {
          method: "OPTIONS",
          headers: { origin: "null", "access-control-request-method": "POST" },
        });
        assert.equal(opaque.status, 403);
        assert.equal(opaque.headers.get("access-control-allow-origin"), null);
      });

      test("an allowed origin may sign cross-origin", async () => {
        const fields = signFields();
        const answer = await sign(target, OPEN_PETITION, fields, {
          headers: { origin: MIRROR_ORIGIN, "sec-fetch-site": "cross-site" },
        });
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
        assert.equal(answer.headers.get("access-control-allow-origin"), MIRROR_ORIGIN);
        recorded.add(fields.email);
      });
    });

    test("a browser's form post without JavaScript is answered 303 to the thank-you page", async () => {
      const fields = signFields({ lang: "ru" });
      const form = new URLSearchParams({
        name: fields.name,
        email: fields.email,
        region: fields.region,
        consent: "on",
        lang: "ru",
        "cf-turnstile-response": fields.turnstile_token,
      });
      const answer = await request(target, signaturesPath(OPEN_PETITION), {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "text/html,application/xhtml+xml,*/*;q=0.8",
          origin: MIRROR_ORIGIN,
          "sec-fetch-site": "cross-site",
          "cf-connecting-ip": nextAddress(),
        },
        body: form.toString(),
      });
      assert.equal(answer.status, 303);
      // Back to the mirror the visitor came from, never to a possibly blocked domain, with
      // the receipt for the signed page to show (docs/transparency.md).
      assert.match(
        answer.headers.get("location"),
        new RegExp(
          `^${MIRROR_ORIGIN}/ru/petitions/${OPEN_PETITION}/signed/\\?result=recorded&receipt=petitio-receipt-v1:${OPEN_PETITION}:[0-9a-f]{64}#result-recorded$`,
        ),
      );
      recorded.add(fields.email);

      const invalid = await request(target, signaturesPath(OPEN_PETITION), {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "text/html",
          "cf-connecting-ip": nextAddress(),
        },
        body: new URLSearchParams({ name: "A", region: "abroad", consent: "on", lang: "en" }).toString(),
      });
      assert.equal(invalid.status, 303);
      assert.equal(
        invalid.headers.get("location"),
        `/en/petitions/${OPEN_PETITION}/?result=invalid_input&field=email#sign-error-email`,
      );
    });

    test("the counting job publishes exactly the recorded signatures", async () => {
      assert.ok(recorded.size > 5, "earlier tests recorded signatures");
      await waitForCount(target, OPEN_PETITION, recorded.size);
      const all = await counts(target);
      assert.ok(all.updated_at, "the snapshot says when it was written");
      const one = await request(target, `/api/petitions/${OPEN_PETITION}/count`);
      assert.equal(one.status, 200);
      assert.equal(one.body.count, recorded.size);
      assert.equal(one.headers.get("cache-control"), "public, max-age=30");
      const byRegion = Object.values(one.body.by_region).reduce((sum, n) => sum + n, 0);
      assert.equal(byRegion, recorded.size);
    });

    test("1,000 concurrent signers and 500 concurrent repeats count exactly 1,000", async (t) => {
      const emails = Array.from({ length: 1000 }, (_, i) => `mass-${i}@mail.test`);
      let retried = 0;
      // As the site's script does: a 503 (storage or Turnstile briefly unavailable) is
      // retried, so every signer ends with an answer that their signature is stored.
      const signOnce = async (email) => {
        const fields = signFields({ email, region: "shymkent" });
        const address = nextAddress();
        for (let attempt = 1; ; attempt += 1) {
          // A dropped connection (the local proxy closing a busy keep-alive socket) is
          // retried too: signing again is safe, which is what this test checks.
          const answer = await sign(target, MASS_PETITION, fields, { address }).catch((error) => {
            if (attempt === MAX_ATTEMPTS) throw error;
            return { status: "connection lost" };
          });
          if (answer.status !== 503 && answer.status !== "connection lost") return answer;
          if (attempt === MAX_ATTEMPTS) return answer;
          retried += 1;
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
        }
      };

      // The first signatures and repeats of half of them race each other.
      const racing = await Promise.all([...emails.map(signOnce), ...emails.slice(0, 500).map(signOnce)]);
      t.diagnostic(`answers: ${JSON.stringify(tally(racing))}; retried after a 503 or a lost connection: ${retried}`);
      assert.deepEqual(
        tally(racing.filter((answer) => answer.status !== 201 && answer.status !== 200)),
        {},
        "every answer is 201 or 200",
      );
      assert.ok(racing.filter((answer) => answer.status === 201).length >= 1000, "every signer was recorded");

      // Once stored, every repeat is recognised.
      const repeats = await Promise.all(emails.slice(500).map(signOnce));
      assert.deepEqual(tally(repeats), { 200: 500 });

      await waitForCount(target, MASS_PETITION, 1000);
      const one = await request(target, `/api/petitions/${MASS_PETITION}/count`);
      assert.deepEqual(one.body.by_region, { shymkent: 1000 });
      if (target.listKeys) {
        const records = await target.listKeys(`sig/${MASS_PETITION}/`);
        assert.equal(records.length, 1000, "one record per distinct signer");
      }
    });

    test("nothing stored contains an email or an address in the clear", { skip: spec.id !== "worker" }, async () => {
      const email = "privacy.check+tag@mail.test";
      const address = "203.0.113.77";
      const answer = await sign(target, OPEN_PETITION, signFields({ email, name: "Hidden Name" }), { address });
      assert.equal(answer.status, 201);
      recorded.add(email);
      const dump = await target.dumpStore();
      for (const needle of [email, "privacy.check", address, "Hidden Name"]) {
        assert.ok(!dump.includes(needle), `${needle} found in KV`);
      }
    });
  });
}
