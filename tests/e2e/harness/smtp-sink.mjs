// Starts the real SMTP server of smtp-sink.py (aiosmtpd, from the tools virtualenv
// scripts/test makes: PETITIO_TOOLS_VENV, default <repo>/.petitio/tools-venv) and reads
// the messages it received.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { REPO_ROOT } from "./paths.mjs";
import { freePort } from "./ports.mjs";

const VENV = process.env.PETITIO_TOOLS_VENV ?? path.join(REPO_ROOT, ".petitio", "tools-venv");
const PYTHON = path.join(VENV, "bin", "python");
const SCRIPT = path.join(path.dirname(new URL(import.meta.url).pathname), "smtp-sink.py");

/** Why the sink cannot start here, or null. */
export function smtpSinkMissing() {
  if (!fs.existsSync(PYTHON)) {
    return `${PYTHON} is missing: run scripts/test once, or python3 -m venv ${VENV} && ${VENV}/bin/pip install -r tests/tools/requirements.txt`;
  }
  return null;
}

/**
 * Resolves to { url, messages(), waitForMessage(n), close() }: `messages()` lists what the
 * server received so far, oldest first ({ to, from, subject, text, html }).
 */
export async function startSmtpSink() {
  const port = await freePort();
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "petitio-e2e-smtp-"));
  const child = spawn(PYTHON, [SCRIPT, String(port), folder], { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stderr.on("data", (chunk) => (output += chunk));
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`smtp-sink.py exited (${code}):\n${output}`)));
  });
  const messages = () =>
    fs
      .readdirSync(folder)
      .filter((name) => name.endsWith(".json"))
      .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
      .map((name) => JSON.parse(fs.readFileSync(path.join(folder, name), "utf8")));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitForMessage(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages().length < count) {
        if (Date.now() > deadline) throw new Error(`the SMTP server received ${messages().length} message(s), expected ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return messages()[count - 1];
    },
    async close() {
      child.stdin.end();
      child.kill("SIGTERM");
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}
