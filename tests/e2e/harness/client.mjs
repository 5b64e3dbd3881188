// A small HTTP client for the signature API, shared by the suites: one place that knows
// the routes and how a browser or a script talks to them.
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

/** Any request; the body is parsed as JSON when the response says it is JSON. */
export async function request(target, path, init = {}) {
  const response = await fetch(`${target.url}${path}`, { redirect: "manual", ...init });
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  let body = text;
  if (type.includes("json") && text) {
    body = JSON.parse(text);
  }
  return { status: response.status, headers: response.headers, body };
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
