// The two places the signature API and the site run, as the suites that hold both to one
// standard start them: the worker in workerd (Miniflare) and `petitio serve`. A target
// whose build is missing has `missing` set (the suite skips it loudly, or fails in CI).
// E2E_TARGETS=worker or E2E_TARGETS=serve keeps one target only (while iterating).
import { startWorker, workerBuilt, WORKER_MISSING } from "./worker-target.mjs";
import { startServe } from "./serve-target.mjs";
import { findPetitio } from "./petitio-bin.mjs";

export function siteTargets() {
  const petitio = findPetitio();
  const only = process.env.E2E_TARGETS;
  return [
    {
      id: "worker",
      name: "worker (workerd)",
      missing: workerBuilt() ? null : WORKER_MISSING,
      start: ({ fixture, vars }) => startWorker({ dist: fixture.dist, vars }),
    },
    {
      id: "serve",
      name: "petitio serve",
      missing: petitio
        ? null
        : "no petitio binary: run `cargo build -p petitio` (or set PETITIO_BIN)",
      start: ({ fixture, vars }) => startServe({ bin: petitio, root: fixture.root, vars }),
    },
  ].filter((spec) => !only || only.split(",").includes(spec.id));
}
