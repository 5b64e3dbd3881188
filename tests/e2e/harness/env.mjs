// The configuration both targets run the suites with: the same variables a deployed
// worker reads (ApiConfig::from_lookup), set for tests. Origins match the fixture site.
export const SITE_ORIGIN = "https://petitio.test";
export const MIRROR_ORIGIN = "https://mirror.petitio.test";
export const FOREIGN_ORIGIN = "https://evil.test";
export const TURNSTILE_SECRET = "e2e-turnstile-secret";
/** Attempts one address may make per petition in a minute (the 429 test makes one more). */
export const BURST_LIMIT = 3;

/** Vars for a target whose Turnstile stub listens at `verifyUrl`. */
export function testVars(verifyUrl) {
  return {
    SIGNING_KEY: "e2e-signing-key-0123456789abcdef0123456789abcdef",
    ALLOWED_ORIGINS: `${SITE_ORIGIN},${MIRROR_ORIGIN}`,
    RATE_LIMIT_BURST: `${BURST_LIMIT}/60`,
    RATE_LIMIT_SUSTAINED: "1000/3600",
    // Production's value. A bucket must not seal before the slowest request that arrived
    // in it has written its log entry; under the load test a request (with its Turnstile
    // call) can take many seconds here, and SETTLE_SECONDS=0 then loses signatures for
    // good. Recent signatures are still published at once, as the provisional count.
    SETTLE_SECONDS: "60",
    TURNSTILE_SECRET,
    TURNSTILE_VERIFY_URL: verifyUrl,
    // These suites cover signing without confirmation; confirmation.test.mjs covers the
    // default ("email") on both targets.
    SIGNATURE_CONFIRMATION: "none",
  };
}
