// The transparency log suites' shared setup (transparency.test.mjs, verify-page.test.mjs):
// the operator's log key and waiting for the counting job to seal a petition's log.
import { counts } from "./client.mjs";

// Go's sumdb/note test key (docs/keys.md): petitio.toml publishes it, the worker signs with it.
export const PETER_PUBLIC = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
export const PETER_PRIVATE = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

/** Runs the counting job until the petition's sealed log has `size` entries. */
export async function waitForSealedLog(target, slug, size, timeoutMs = 150_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await target.runScheduledJob();
    const log = (await counts(target)).petitions?.[slug]?.log;
    if (log?.size === size) return log;
    if (Date.now() > deadline) throw new Error(`the log of ${slug} is ${JSON.stringify(log)}, expected size ${size}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
