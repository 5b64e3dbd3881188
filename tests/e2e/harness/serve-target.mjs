// Runs `petitio serve --port P` in the fixture project: the static site and `/api/*` on
// one port, the API on the embedded redb store, and the counting job every second.
// Each simulated visitor sends its own `CF-Connecting-IP` (client.mjs), as visitors behind
// Cloudflare do; `serve` believes that header only when told to (`--trust-proxy-header`),
// as production's worker believes Cloudflare's.
import { spawn } from "node:child_process";
import { freePort } from "./ports.mjs";

/** How long `petitio serve` may take to answer its first request (it builds first). */
const START_TIMEOUT_MS = 120_000;

/**
 * Starts `petitio` (`bin`) in `root` with `vars` in its environment and `extraArgs` after
 * `serve`'s own (e.g. `--smtp URL`). Resolves to a
 * target: { name, url, runScheduledJob(), close() }.
 */
export async function startServe({ bin, root, vars, extraArgs = [] }) {
  const port = await freePort();
  const args = ["serve", "--port", String(port), "--trust-proxy-header", "CF-Connecting-IP", ...extraArgs];
  const child = spawn(bin, args, {
    cwd: root,
    env: { ...process.env, ...vars, PETITIO_TALLY_INTERVAL_SECS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const state = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 200))]);
    if (state) {
      throw new Error(`\`petitio serve\` exited (${state.code ?? state.signal}) before serving:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/api/counts`);
      await response.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`\`petitio serve\` did not answer on ${url} within ${START_TIMEOUT_MS} ms:\n${output}`);
      }
    }
  }
  return {
    name: "petitio serve",
    url,
    // The server runs its own counting job (every second here); nothing to trigger.
    async runScheduledJob() {},
    output: () => output,
    /**
     * The lines printed so far that start with `prefix`, once there are at least `count`.
     * What serve prints reaches us on its own pipe, possibly after the HTTP answer of the
     * request that made it print: a test that reads right after the answer must wait.
     */
    async outputLines(prefix, count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const lines = output.split("\n").filter((line) => line.startsWith(prefix));
        if (lines.length >= count) return lines;
        if (Date.now() > deadline) {
          throw new Error(`\`petitio serve\` printed ${lines.length} line(s) starting with "${prefix}", expected ${count}:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
