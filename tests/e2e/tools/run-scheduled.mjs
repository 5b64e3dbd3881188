// Runs the worker's scheduled handler (the counting job) once, in workerd through Miniflare,
// on a KV folder that `wrangler dev --persist-to <state>` uses (<state>/v3/kv).
//
//   node tools/run-scheduled.mjs <wrangler.toml> <dist> <kv folder> [.dev.vars]
//
// Why not `wrangler dev`'s own /cdn-cgi/handler/scheduled: with static assets configured
// (run_worker_first), wrangler 4.86's local router hands the event to the worker over RPC
// and fails with "DataCloneError: Could not serialize object of type ScheduledController";
// Cloudflare and Miniflare call the handler directly. Used by bench/run; stop wrangler dev
// first (two workerd processes must not share the KV folder).
import fs from "node:fs";

import { startWorker } from "../harness/worker-target.mjs";

const [wranglerToml, dist, kvDir, devVars] = process.argv.slice(2);
if (!wranglerToml || !dist || !kvDir) {
  console.error("usage: node tools/run-scheduled.mjs <wrangler.toml> <dist> <kv folder> [.dev.vars]");
  process.exit(2);
}
const vars = {};
if (devVars) {
  for (const line of fs.readFileSync(devVars, "utf8").split("\n")) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (match) vars[match[1]] = match[2];
  }
}
const worker = await startWorker({ dist, vars, kvDir, wranglerToml });
try {
  await worker.runScheduledJob();
  console.log("the counting job ran: outcome ok");
} finally {
  await worker.close();
}
