// CPU per page view of the page-fill worker (BENCHMARKS.md, "Live counts: what filling
// pages costs"): the built worker in workerd (Miniflare, the e2e harness, the same
// wrangler.toml), serving the e2e fixture site. workerd's own CPU (utime + stime from
// /proc, all its threads) is read before and after N sequential requests of each kind:
//   asbuilt  a petition page through the worker before any count is published (the
//            worker runs, reads the manifest and the snapshot cache, passes the asset);
//   filled   the same page once counts are published (HTMLRewriter fills 9 elements);
//   badge    the SVG badge, filled; data: data/petitions.json, patched;
//   counts   GET /api/counts, the API's cheapest route, for reference.
// Run from tests/e2e (for its node_modules): node ../../bench/worker/fill_cpu.mjs [N]
// Needs scripts/build-worker and a petitio binary (PETITIO_BIN or target/debug).
import fs from "node:fs";
import { prepareFixture, OPEN_PETITION } from "../../tests/e2e/harness/fixture.mjs";
import { startWorker } from "../../tests/e2e/harness/worker-target.mjs";
import { testVars } from "../../tests/e2e/harness/env.mjs";
import { startTurnstileStub } from "../../tests/e2e/harness/turnstile-stub.mjs";
import { sign, signFields, waitForCount } from "../../tests/e2e/harness/client.mjs";

const N = Number(process.argv[2] ?? 2000);
const TICKS = 100; // USER_HZ on Linux

function workerdPids() {
  return fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "workerd" &&
        fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("serve");
    } catch {
      return false;
    }
  });
}

function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / TICKS;
}

async function measure(name, url, pids) {
  for (let i = 0; i < 50; i += 1) await (await fetch(url)).arrayBuffer(); // warm up
  const before = cpuMs(pids);
  let bytes = 0;
  for (let i = 0; i < N; i += 1) bytes += (await (await fetch(url)).arrayBuffer()).byteLength;
  const ms = (cpuMs(pids) - before) / N;
  console.log(`${name}\t${N}\t${(bytes / N).toFixed(0)}\t${ms.toFixed(3)}`);
  return ms;
}

const stub = await startTurnstileStub(testVars("").TURNSTILE_SECRET);
const fixture = prepareFixture();
const target = await startWorker({ dist: fixture.dist, vars: testVars(stub.url) });
try {
  const pids = workerdPids();
  if (pids.length === 0) throw new Error("no workerd process found");
  const page = `${target.url}/en/petitions/${OPEN_PETITION}/`;
  console.log("kind\trequests\tbytes/response\tworkerd CPU ms/request");
  await measure("asbuilt", page, pids);
  for (let i = 0; i < 25; i += 1) await sign(target, OPEN_PETITION, signFields({ region: i % 2 ? "abroad" : "astana" }));
  await waitForCount(target, OPEN_PETITION, 25);
  await measure("filled", page, pids);
  await measure("badge", `${target.url}/en/petitions/${OPEN_PETITION}/badge.svg`, pids);
  await measure("data", `${target.url}/data/petitions.json`, pids);
  await measure("counts", `${target.url}/api/counts`, pids);
} finally {
  await target.close();
  await stub.close();
}
