// A local stand-in for Cloudflare's Turnstile siteverify endpoint, so tests can make a
// challenge pass or fail without the network. It follows the real protocol: a POST of
// `secret` and `response` as a form or as JSON (siteverify takes both), answered with JSON
// `{"success": ...}`. A token passes only when it is PASS_TOKEN and the secret is the one
// the target was given.
//
// The server runs on its own thread: the load test sends 1,500 signatures at once from
// the test's thread, and each one makes the target call this stub while the test's event
// loop is busy with those very requests.
import http from "node:http";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

export const PASS_TOKEN = "e2e-turnstile-pass";
export const FAIL_TOKEN = "e2e-turnstile-fail";

/** Starts the stub; resolves to { url, requests(), close() }. */
export async function startTurnstileStub(secret) {
  // One shared counter, so `requests()` is read without a round trip to the thread.
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL(import.meta.url), { workerData: { secret, counter } });
  const port = await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  return {
    url: `http://127.0.0.1:${port}/turnstile/v0/siteverify`,
    requests: () => Atomics.load(counter, 0),
    close: () => worker.terminate(),
  };
}

/** The posted fields, from a form or a JSON object; {} when unreadable. */
function readFields(contentType = "", body) {
  if (contentType.startsWith("application/json")) {
    try {
      const value = JSON.parse(body);
      return value && typeof value === "object" ? value : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function serve({ secret, counter }) {
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      Atomics.add(counter, 0, 1);
      const fields = readFields(req.headers["content-type"], body);
      const success =
        req.method === "POST" && fields.secret === secret && fields.response === PASS_TOKEN;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ success, "error-codes": success ? [] : ["invalid-input-response"] }));
    });
  });
  // A deep backlog: the load test opens a connection per signature, all at once.
  server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
    parentPort.postMessage(server.address().port);
  });
}

if (!isMainThread && workerData?.counter) {
  serve(workerData);
}
