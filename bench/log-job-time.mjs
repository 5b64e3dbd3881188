// The counting job's time per sealed bucket at 2,000 signatures a minute (issue #13), in
// workerd through Miniflare (the e2e harness's worker target: the real wasm, KV on local
// disk): two workers on the same built site, one with the operator's log key (the job
// appends each counted signature to the petition's transparency log) and one without.
// Each round signs 2,000 times on each (16 requests in flight, fresh addresses), waits for
// the minute to close (SETTLE_SECONDS=0: the bench sends nothing late), then times one run
// of the scheduled handler on each: it seals the round's buckets and, on the keyed one,
// appends 2,000 entries and signs a checkpoint. The round checks that the sealed count (and
// the log's size) grew by exactly 2,000. What this cannot measure: Cloudflare's KV latency
// (local disk here) and a production isolate's CPU; the native figure (log_job_time) is
// CPU only, this one is the whole run as workerd executes it.
//
// Run: scripts/build-worker && cargo build -p petitio, then
//   cd tests/e2e && PETITIO_BIN=../../target/debug/petitio node ../../bench/log-job-time.mjs [ROUNDS]
import { prepareFixture, OPEN_PETITION } from "../tests/e2e/harness/fixture.mjs";
import { startWorker } from "../tests/e2e/harness/worker-target.mjs";
import { testVars } from "../tests/e2e/harness/env.mjs";
import { counts, sign, signFields } from "../tests/e2e/harness/client.mjs";
import { PETER_PRIVATE, PETER_PUBLIC } from "../tests/e2e/harness/sealed-log.mjs";

const ROUNDS = Number(process.argv[2] ?? 3);
const PER_ROUND = 2000;
const IN_FLIGHT = 16;

const fixture = prepareFixture({ configLines: `log = { key = "${PETER_PUBLIC}" }\n` });
const common = {
  ...testVars(""),
  TURNSTILE_SECRET: "",
  RATE_LIMIT_BURST: "1000000/60",
  RATE_LIMIT_SUSTAINED: "1000000/3600",
  SETTLE_SECONDS: "0",
};
const variants = [
  { name: "without a log key", worker: await startWorker({ dist: fixture.dist, vars: common, quiet: true }), times: [] },
  { name: "with the log", worker: await startWorker({ dist: fixture.dist, vars: { ...common, LOG_SIGNING_KEY: PETER_PRIVATE }, quiet: true }), times: [] },
];

async function signMany(worker) {
  let next = 0;
  async function lane() {
    while (next < PER_ROUND) {
      next += 1;
      const answer = await sign(worker, OPEN_PETITION, signFields());
      if (answer.status !== 201) throw new Error(`sign answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

async function sealed(worker) {
  const petition = (await counts(worker)).petitions?.[OPEN_PETITION] ?? {};
  return { count: petition.count ?? 0, log: petition.log?.size ?? 0 };
}

// Seal whatever the start left behind, so each timed run seals one round only.
for (const v of variants) await v.worker.runScheduledJob();
for (let round = 1; round <= ROUNDS; round++) {
  const before = [];
  for (const v of variants) {
    before.push(await sealed(v.worker));
    const started = Date.now();
    await signMany(v.worker);
    console.error(`round ${round}, ${v.name}: ${PER_ROUND} signatures in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  // The minute the last signature fell in must close (plus a second for the clock).
  const msIntoMinute = Date.now() % 60000;
  await new Promise((resolve) => setTimeout(resolve, 60000 - msIntoMinute + 1000));
  for (const [i, v] of variants.entries()) {
    const started = process.hrtime.bigint();
    await v.worker.runScheduledJob();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const after = await sealed(v.worker);
    if (after.count - before[i].count !== PER_ROUND) {
      throw new Error(`${v.name}: the sealed count grew by ${after.count - before[i].count}, not ${PER_ROUND}`);
    }
    if (v.name === "with the log" && after.log - before[i].log !== PER_ROUND) {
      throw new Error(`the log grew by ${after.log - before[i].log}, not ${PER_ROUND}`);
    }
    v.times.push(ms);
    console.error(`round ${round}, ${v.name}: job ${ms.toFixed(0)} ms (sealed ${after.count}, log ${after.log})`);
  }
}
for (const v of variants) await v.worker.close();

console.log(`| counting job run in workerd (one round of ${PER_ROUND} signatures sealed) | runs (ms) | median ms |`);
console.log("|---|---|---|");
for (const v of variants) {
  const sorted = [...v.times].sort((a, b) => a - b);
  console.log(`| ${v.name} | ${v.times.map((t) => t.toFixed(0)).join(", ")} | ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} |`);
}
