// The latency signing by email adds (issue #12), on workerd through Miniflare (the e2e
// harness's worker target, configured from edge-worker/wrangler.toml; KV on local disk,
// the send_email binding simulated): N signatures recorded at once
// (SIGNATURE_CONFIRMATION=none, one request each) against N signatures by email (the sign
// request that sends the message, then the confirmation that records it). Requests one
// at a time, fresh addresses, median and 90th percentile in ms. What this cannot measure:
// Cloudflare's KV and Email Service latencies in production (local disk and a simulated
// binding here), and the signer's own time to open the message and press the button.
//
// Run: scripts/build-worker && cargo build -p petitio, then
//   cd tests/e2e && PETITIO_BIN=../../target/debug/petitio node ../../bench/confirmation-latency.mjs [N]
import { prepareFixture, OPEN_PETITION } from "../tests/e2e/harness/fixture.mjs";
import { startWorker } from "../tests/e2e/harness/worker-target.mjs";
import { testVars } from "../tests/e2e/harness/env.mjs";
import { request, sign, signFields } from "../tests/e2e/harness/client.mjs";

const N = Number(process.argv[2] ?? 200);

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5).toFixed(1), p90: at(0.9).toFixed(1) };
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  const answer = await fn();
  return { answer, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

const fixture = prepareFixture();
const common = { ...testVars(""), TURNSTILE_SECRET: "", RATE_LIMIT_BURST: "1000000/60", RATE_LIMIT_SUSTAINED: "1000000/3600" };

const direct = await startWorker({ dist: fixture.dist, vars: { ...common, SIGNATURE_CONFIRMATION: "none" }, quiet: true });
const once = [];
for (let i = 0; i < N; i++) {
  const { answer, ms } = await timed(() => sign(direct, OPEN_PETITION, signFields()));
  if (answer.status !== 201) throw new Error(`sign answered ${answer.status}`);
  once.push(ms);
}
await direct.close();

const byEmail = await startWorker({ dist: fixture.dist, vars: { ...common, SIGNATURE_CONFIRMATION: "email", EMAIL_FROM: "petitio@petitio.test" }, quiet: true });
const requests = [];
const confirmations = [];
for (let i = 0; i < N; i++) {
  const first = await timed(() => sign(byEmail, OPEN_PETITION, signFields()));
  if (first.answer.status !== 202) throw new Error(`sign answered ${first.answer.status}`);
  requests.push(first.ms);
  let mails = byEmail.sentMails();
  while (mails.length <= i) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    mails = byEmail.sentMails();
  }
  const token = mails[i].text.match(/\?token=(\S+)/)[1];
  const second = await timed(() =>
    request(byEmail, `/api/petitions/${OPEN_PETITION}/confirmations`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ token }),
    }),
  );
  if (second.answer.status !== 201) throw new Error(`confirm answered ${second.answer.status}`);
  confirmations.push(second.ms);
}
await byEmail.close();

console.log(`| path (workerd, ${N} each, one at a time) | median ms | p90 ms |`);
console.log("|---|---|---|");
for (const [name, samples] of [
  ["sign, recorded at once (none)", once],
  ["sign request, message sent (email)", requests],
  ["confirmation, recorded (email)", confirmations],
  ["sign request + confirmation", requests.map((ms, i) => ms + confirmations[i])],
]) {
  const { median, p90 } = stats(samples);
  console.log(`| ${name} | ${median} | ${p90} |`);
}
