// Where things live, resolved once from this file so suites run from any directory.
import { fileURLToPath } from "node:url";
import path from "node:path";

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = path.resolve(E2E_DIR, "..", "..");
export const EDGE_WORKER_DIR = path.join(REPO_ROOT, "edge-worker");
export const WRANGLER_TOML = path.join(EDGE_WORKER_DIR, "wrangler.toml");
export const WORKER_SCRIPT = path.join(EDGE_WORKER_DIR, "petitio-worker", "build", "index.js");
export const FIXTURE_SITE = path.join(E2E_DIR, "fixture", "site");
