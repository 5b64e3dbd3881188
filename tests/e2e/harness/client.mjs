// A small HTTP client for the signature API, shared by the suites: one place that knows
// the routes and how a browser or a script talks to them.
import http from "node:http";

import { PASS_TOKEN } from "./turnstile-stub.mjs";

let addressCounter = 0;

/**
 * A fresh client address for each simulated visitor, sent as `CF-Connecting-IP` (as
 * Cloudflare does), so per-address rate limits apply only where a test wants them to.
 */
export function nextAddress() {
  addressCounter += 1;
  const n = addressCounter;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export function signaturesPath(slug) {
  return `/api/petitions/${encodeURIComponent(slug)}/signatures`;
}

/** A valid sign request's JSON fields; `overrides` replaces or (with undefined) removes. */
export function signFields(overrides = {}) {
  const fields = {
    name: "Aigerim Test",
    email: `signer-${Math.random().toString(36).slice(2)}@mail.test`,
    region: "almaty-city",
    consent: true,
    show_name: false,
    lang: "en",
    turnstile_token: PASS_TOKEN,
    ...overrides,
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) delete fields[key];
  }
  return fields;
}

/**
 * POSTs a signature as a script would: JSON, no Origin, one address. Resolves to
 * { status, headers, body } with the JSON body parsed when there is one.
 */
export async function sign(target, slug, fields, { address = nextAddress(), headers = {} } = {}) {
  return request(target, signaturesPath(slug), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      "cf-connecting-ip": address,
      ...headers,
    },
    body: JSON.stringify(fields),
  });
}

/**
 * Any request, on a connection of its own; the body (a string) is sent as is and the
 * answer's body is parsed as JSON when the response says it is JSON. Redirects are not
 * followed.
 *
 * Why not `fetch`: it reuses keep-alive connections, and a server that refuses a request
 * before reading its body (413, 403 for a foreign origin: both by design, nothing is parsed)
 * may close that connection right after answering. The next request on the reused socket
 * then fails with ECONNRESET, a race between tests that has nothing to do with the API.
 */
export function request(target, path, { method = "GET", headers = {}, body } = {}) {
  const url = new URL(path, target.url);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method, headers, agent: false }, (incoming) => {
      const chunks = [];
      incoming.on("data", (chunk) => chunks.push(chunk));
      incoming.on("error", reject);
      incoming.on("end", () => {
        const answerHeaders = new Headers();
        for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
          answerHeaders.append(incoming.rawHeaders[i], incoming.rawHeaders[i + 1]);
        }
        const text = Buffer.concat(chunks).toString("utf8");
        const type = answerHeaders.get("content-type") ?? "";
        let parsed = text;
        if (type.includes("json") && text) {
          parsed = JSON.parse(text);
        }
        resolve({ status: incoming.statusCode, headers: answerHeaders, body: parsed });
      });
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/** The published counts (`GET /api/counts`). */
export async function counts(target) {
  const response = await request(target, "/api/counts", { headers: { accept: "application/json" } });
  if (response.status !== 200) {
    throw new Error(`GET /api/counts answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

/**
 * Runs the counting job (the worker) or waits for its next runs (`petitio serve`), until
 * `slug`'s published count is `expected`. Throws with the last count seen when it does not
 * get there within `timeoutMs`: a wrong count fails the test, not only a slow one.
 */
export async function waitForCount(target, slug, expected, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    await target.runScheduledJob();
    last = (await counts(target)).petitions?.[slug]?.count ?? 0;
    if (last === expected) return last;
    if (Date.now() > deadline) {
      throw new Error(`published count of ${slug} is ${last}, expected ${expected}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
