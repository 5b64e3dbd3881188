// Runs the built worker (edge-worker/petitio-worker/build/) in workerd through Miniflare, configured
// from the committed edge-worker/wrangler.toml (the same bindings, vars, assets routing
// and module rules `wrangler dev` and `wrangler deploy` use), with the fixture site as
// its static assets and the suite's vars on top. KV lives in a temporary folder, or in
// `kvDir` when a suite restarts the worker on the same data (as a redeploy keeps its KV
// namespace); `wranglerToml` runs another config (e.g. one `petitio relocate` rewrote).
// The worker's console output is captured (`logs()`, for the suites that check what it
// logs) and only warnings and errors are printed, as the suites ask of Miniflare's own
// log (everything with E2E_VERBOSE).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { Miniflare, Log, LogLevel } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { WORKER_SCRIPT, WRANGLER_TOML } from "./paths.mjs";
import { freePort } from "./ports.mjs";

export const WORKER_MISSING =
  `${WORKER_SCRIPT} is missing: run scripts/build-worker (after scripts/install-deps)`;

export function workerBuilt() {
  return fs.existsSync(WORKER_SCRIPT);
}

/**
 * Miniflare's own log, as the suites want it (warnings and errors; everything with
 * E2E_VERBOSE), that also keeps what its `send_email` simulation reports: each message
 * sent through the EMAIL binding is written to files whose paths it logs at info level.
 */
class MailCapturingLog extends Log {
  constructor(printLevel) {
    super(LogLevel.INFO);
    this.printLevel = printLevel;
    /** One entry per message: the logged text (From, To, Subject, file paths). */
    this.mails = [];
  }
  logWithLevel(level, message) {
    const plain = stripVTControlCharacters(String(message));
    if (plain.includes("send_email binding called")) this.mails.push(plain);
    if (level <= this.printLevel) super.logWithLevel(level, message);
  }
}

/** A captured message read back: { to, subject, text, html }. */
function readCapturedMail(logged) {
  const field = (name) => logged.match(new RegExp(`^${name}: (.*)$`, "m"))?.[1];
  const file = (name) => {
    const filePath = field(name);
    return filePath ? fs.readFileSync(filePath.trim(), "utf8") : null;
  };
  return { to: field("To"), subject: field("Subject"), text: file("Text"), html: file("HTML") };
}

/** Console levels printed while a suite runs (all of them with E2E_VERBOSE). */
const PRINTED_LEVELS = new Set(["warn", "error"]);
/** The line every counting run ends with (edge-worker/petitio-signatures, the counting job). */
const COUNTING_REPORT = /^petitio: counting job: /;

/**
 * Starts the worker serving `dist` with `vars` added to the config's (`wranglerToml`,
 * default edge-worker/wrangler.toml); `quiet` prints none of its output (a suite that
 * expects errors and checks them through `logs()`); `port` is where it listens (default: a
 * free one; a suite whose site must name the API's address picks it first). KV persists in `kvDir` when given (close() leaves it
 * for the caller), else in a temporary folder that close() removes. Resolves to a target:
 * { name, url, runScheduledJob(), listKeys(prefix), dumpStore(), sentMails(), logs(), close() }.
 */
export async function startWorker({ dist, vars, kvDir, wranglerToml = WRANGLER_TOML, quiet = false, port: wantedPort }) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(wranglerToml, undefined, {
    overrides: { assets: { directory: dist } },
  });
  const state = kvDir ? null : fs.mkdtempSync(path.join(os.tmpdir(), "petitio-e2e-workerd-"));
  const port = wantedPort ?? (await freePort());
  /** The worker's console output: { level, message } in order. */
  const logs = [];
  const log = new MailCapturingLog(process.env.E2E_VERBOSE ? LogLevel.DEBUG : LogLevel.WARN);
  const mf = new Miniflare({
    ...workerOptions,
    name: "petitio",
    modules: true,
    scriptPath: WORKER_SCRIPT,
    // Module names are relative to this; the default (the working directory) would make
    // them start with "..", which workerd refuses.
    modulesRoot: path.dirname(WORKER_SCRIPT),
    bindings: { ...workerOptions.bindings, ...vars },
    kvPersist: kvDir ?? path.join(state, "kv"),
    cachePersist: false,
    // No request.cf data: Miniflare would otherwise try to download it.
    cf: false,
    host: "127.0.0.1",
    port,
    log,
    handleStructuredLogs({ level, message }) {
      logs.push({ level, message });
      if (process.env.E2E_VERBOSE || (!quiet && PRINTED_LEVELS.has(level))) {
        process.stderr.write(`[worker ${level}] ${message}\n`);
      }
    },
  });
  const url = await mf.ready;
  return {
    name: "worker",
    url: url.origin,
    // workerd runs the cron handler only when asked; this is Cloudflare's cron trigger.
    async runScheduledJob() {
      const reports = () => logs.filter((line) => COUNTING_REPORT.test(line.message)).length;
      const before = reports();
      const worker = await mf.getWorker();
      const result = await worker.scheduled({ cron: "* * * * *" });
      if (result.outcome !== "ok") {
        throw new Error(`the scheduled handler ended with outcome ${result.outcome}`);
      }
      // The console output reaches us from workerd's stream, possibly after the handler has
      // answered: wait (briefly) for this run's report, so a suite that reads logs() next
      // does not see it arrive late and count it as part of what it does after.
      const deadline = Date.now() + 5000;
      while (reports() === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async listKeys(prefix) {
      const kv = await mf.getKVNamespace("SIGNATURES");
      const names = [];
      let cursor;
      do {
        const page = await kv.list({ prefix, cursor });
        names.push(...page.keys.map((key) => key.name));
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return names;
    },
    /** Messages sent through the EMAIL binding so far, oldest first: [{ to, subject, text, html }]. */
    sentMails() {
      return log.mails.map(readCapturedMail);
    },
    /** The worker's console output so far: [{ level, message }]. */
    logs() {
      return [...logs];
    },
    /** Every key, value and metadata in KV as one string, for privacy scans. */
    async dumpStore() {
      const kv = await mf.getKVNamespace("SIGNATURES");
      const parts = [];
      let cursor;
      do {
        const page = await kv.list({ cursor });
        for (const key of page.keys) {
          const { value, metadata } = await kv.getWithMetadata(key.name, "text");
          parts.push(key.name, value ?? "", JSON.stringify(metadata ?? null));
        }
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return parts.join("\n");
    },
    async close() {
      await mf.dispose();
      if (state) fs.rmSync(state, { recursive: true, force: true });
    },
  };
}
