// Finds the `petitio` binary: $PETITIO_BIN, else the newer of target/release/petitio and
// target/debug/petitio (under $CARGO_TARGET_DIR when set). Returns null when none is built.
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./paths.mjs";

export function findPetitio() {
  const fromEnv = process.env.PETITIO_BIN;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) {
      throw new Error(`PETITIO_BIN is ${fromEnv}, which does not exist: build it or unset PETITIO_BIN`);
    }
    return path.resolve(fromEnv);
  }
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR)
    : path.join(REPO_ROOT, "target");
  const candidates = ["release", "debug"]
    .map((profile) => path.join(targetDir, profile, "petitio"))
    .filter((file) => fs.existsSync(file))
    .map((file) => ({ file, mtime: fs.statSync(file).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  return candidates.length ? candidates[0].file : null;
}
