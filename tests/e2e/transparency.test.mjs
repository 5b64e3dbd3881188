// The transparency log end to end (issue #13, docs/transparency.md), on both servers: sign
// twice through the API, run the counting job until the signatures' bucket is sealed, then
// fetch the petition's checkpoint and tiles over HTTP as any outsider would, and check them
// with nothing but Node's own crypto, written from the specs (C2SP signed-note,
// tlog-checkpoint, tlog-tiles; RFC 6962 hashing): the checkpoint's Ed25519 signature under
// the key the open data names, its origin, that its tree size is the sealed count, that the
// root is the RFC 6962 hash of the entries in the entry bundle, that the hash tile holds
// their leaf hashes, and that each receipt's commitment is an entry. The worker holds the
// operator's log key (LOG_SIGNING_KEY, published in petitio.toml); `petitio serve` signs
// with its own local key and publishes that one (docs/keys.md).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { prepareFixture, OPEN_PETITION } from "./harness/fixture.mjs";
import { siteTargets } from "./harness/targets.mjs";
import { startTurnstileStub } from "./harness/turnstile-stub.mjs";
import { testVars } from "./harness/env.mjs";
import { request, sign, signFields } from "./harness/client.mjs";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findPetitio } from "./harness/petitio-bin.mjs";
import { REPO_ROOT } from "./harness/paths.mjs";
import { PETER_PRIVATE, PETER_PUBLIC, waitForSealedLog } from "./harness/sealed-log.mjs";


const sha256 = (...parts) => crypto.createHash("sha256").update(Buffer.concat(parts)).digest();

/** The receipt's commitment: SHA-256("petitio-receipt-v1\0" ‖ slug ‖ "\0" ‖ secret). */
function commitment(receipt) {
  const [prefix, slug, secret] = receipt.split(":");
  return sha256(Buffer.from(`${prefix}\0${slug}\0`), Buffer.from(secret, "hex"));
}

/**
 * The text of a signed note when it carries a valid Ed25519 signature by `verifierKey`
 * (`<name>+<hex key id>+<base64 of 0x01 ‖ public key>`): C2SP signed-note.
 */
function verifyNote(note, verifierKey) {
  const [name, keyId, encoded] = verifierKey.split("+");
  const key = Buffer.from(encoded, "base64");
  assert.equal(key[0], 1, "an Ed25519 key");
  const publicKey = crypto.createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: key.subarray(1).toString("base64url") },
    format: "jwk",
  });
  const split = note.indexOf("\n\n");
  assert.ok(split > 0, `a note: ${note}`);
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split("\n").filter(Boolean);
  const ours = lines.find((line) => line.startsWith(`— ${name} `));
  assert.ok(ours, `a signature by ${name}: ${note}`);
  const signature = Buffer.from(ours.slice(`— ${name} `.length), "base64");
  assert.equal(signature.subarray(0, 4).toString("hex"), keyId, "the key id");
  assert.ok(crypto.verify(null, Buffer.from(text), publicKey, signature.subarray(4)), "the signature verifies");
  return text;
}

/** RFC 6962 §2.1: the Merkle tree hash of the leaf hashes. */
function treeHash(leaves) {
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.from([1]), treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

/** An entry bundle (C2SP tlog-tiles): big-endian u16 length, then the entry. */
function bundleEntries(bytes) {
  const entries = [];
  for (let at = 0; at < bytes.length; ) {
    const length = bytes.readUInt16BE(at);
    entries.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return entries;
}

/** GET of a log file as raw bytes (tiles are binary). */
async function fetchBytes(target, sitePath) {
  const answer = await fetch(new URL(sitePath, target.url));
  return { status: answer.status, headers: answer.headers, bytes: Buffer.from(await answer.arrayBuffer()) };
}

for (const spec of siteTargets()) {
  if (spec.missing && process.env.CI === "true") {
    throw new Error(`the transparency suite cannot run on ${spec.name}: ${spec.missing}`);
  }
  if (spec.missing) console.warn(`\n!!! SKIPPING the transparency suite on ${spec.name}: ${spec.missing}\n`);

  describe(`the transparency log on ${spec.name}`, { skip: spec.missing ?? false }, () => {
    let stub;
    let target;
    let fixture;
    const receipts = [];

    before(async () => {
      stub = await startTurnstileStub(testVars("").TURNSTILE_SECRET);
      fixture = prepareFixture({ configLines: `log = { key = "${PETER_PUBLIC}" }\n` });
      // Sealing waits for the minute to end, not a minute more (the suite signs twice).
      const vars = { ...testVars(stub.url), LOG_SIGNING_KEY: PETER_PRIVATE, SETTLE_SECONDS: "0" };
      target = await spec.start({ fixture, vars });
    });

    after(async () => {
      await target?.close();
      await stub?.close();
    });

    test("two signatures are sealed into the log: tree size = sealed count", { timeout: 200_000 }, async () => {
      for (let i = 0; i < 2; i += 1) {
        const answer = await sign(target, OPEN_PETITION, signFields());
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
        assert.match(answer.body.receipt, new RegExp(`^petitio-receipt-v1:${OPEN_PETITION}:[0-9a-f]{64}$`));
        receipts.push(answer.body.receipt);
      }
      const log = await waitForSealedLog(target, OPEN_PETITION, 2);
      assert.deepEqual(log, { sealed_count: 2, size: 2 });
    });

    test("the checkpoint, its tiles and entries verify from the specs alone, and hold each receipt", async () => {
      assert.equal(receipts.length, 2, "the signatures of the test before");
      const data = await request(target, `/data/petitions/${OPEN_PETITION}.json`);
      const link = data.body.links.log;
      assert.ok(link, `open data links the log: ${JSON.stringify(data.body.links)}`);
      if (spec.id === "worker") assert.equal(link.key, PETER_PUBLIC);
      assert.equal(link.origin, `${link.key.split("+")[0]}/${OPEN_PETITION}`);
      assert.equal(link.checkpoint, `/log/${OPEN_PETITION}/checkpoint`);

      const checkpoint = await fetchBytes(target, link.checkpoint);
      assert.equal(checkpoint.status, 200);
      assert.equal(checkpoint.headers.get("cache-control"), "public, max-age=60");
      assert.equal(checkpoint.headers.get("access-control-allow-origin"), "*");
      const [origin, size, root] = verifyNote(checkpoint.bytes.toString("utf8"), link.key).split("\n");
      assert.equal(origin, link.origin);
      assert.equal(size, "2");

      const bundle = await fetchBytes(target, `/log/${OPEN_PETITION}/tile/entries/000.p/2`);
      assert.equal(bundle.status, 200);
      assert.equal(bundle.headers.get("cache-control"), "public, max-age=60");
      const entries = bundleEntries(bundle.bytes);
      assert.equal(entries.length, 2);
      const leaves = entries.map((entry) => sha256(Buffer.from([0]), entry));
      assert.equal(treeHash(leaves).toString("base64"), root, "the root is RFC 6962's hash of the entries");
      const tile = await fetchBytes(target, `/log/${OPEN_PETITION}/tile/0/000.p/2`);
      assert.equal(tile.status, 200);
      assert.deepEqual(tile.bytes, Buffer.concat(leaves), "the level-0 tile holds the leaf hashes");

      for (const entry of entries) {
        assert.equal(entry[0], 1, "a signature entry");
        assert.equal(entry.subarray(42).toString(), "almaty-city", "its region");
      }
      const committed = entries.map((entry) => entry.subarray(1, 33).toString("hex")).sort();
      assert.deepEqual(committed, receipts.map((receipt) => commitment(receipt).toString("hex")).sort());
    });

    test("without JavaScript, the signed page shows the receipt its address carries, privately", async () => {
      const receipt = receipts[0];
      const page = await request(target, `/en/petitions/${OPEN_PETITION}/signed/?result=recorded&receipt=${receipt}`);
      assert.equal(page.status, 200);
      assert.ok(page.body.includes(`data-fill-text="{receipt}">${receipt}</code>`), "the receipt is filled in");
      assert.equal(page.headers.get("cache-control"), "private, no-store");
      const forged = await request(target, `/en/petitions/${OPEN_PETITION}/signed/?receipt=<b>x</b>`);
      assert.ok(forged.body.includes('data-fill-text="{receipt}"></code>'), "anything else is not");
    });

    test("petitio verify proves each receipt included, and the independent verifier agrees", async () => {
      assert.equal(receipts.length, 2, "the signatures of the first test");
      const petitio = findPetitio();
      const state = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "petitio-verify-")), "verify.json");
      const verify = (...args) =>
        execFileSync(petitio, ["verify", target.url, "--state", state, ...args], { encoding: "utf8" });
      const lines = [];
      for (const receipt of receipts) {
        const out = verify("--receipt", receipt);
        const expected = new RegExp(
          `^(ok: ${OPEN_PETITION}: 2 signatures, log size 2, root \\S+)\n` +
            `ok: ${OPEN_PETITION}: the receipt's signature is entry [01] \\(bucket \\d+\\), included in this root\n` +
            `verified 1 petition log of `,
        );
        assert.match(out, expected);
        lines.push(out.match(expected)[1]);
      }
      // Every petition of the site, the state now holding this log's checkpoint.
      assert.match(verify(), new RegExp(`(^|\n)${lines[0].replace(/[+/=]/g, "\\$&")}\n`));
      // tests/tools/verify-log: Python, from the RFC and C2SP specs, no code shared.
      const venv = process.env.PETITIO_TOOLS_VENV ?? path.join(REPO_ROOT, ".petitio", "tools-venv");
      const python = path.join(venv, "bin", "python");
      const independent = execFileSync(
        python,
        [path.join(REPO_ROOT, "tests", "tools", "verify-log"), target.url, OPEN_PETITION],
        { encoding: "utf8" },
      );
      assert.equal(independent, `${lines[0]}\n`);
    });

    test("a path under /log/ that names no file is a 404 with the API's error body", async () => {
      for (const sitePath of [`/log/${OPEN_PETITION}/tile/0/001`, `/log/${OPEN_PETITION}/tile/8/0/000`, "/log/nope/checkpoint"]) {
        const answer = await request(target, sitePath);
        assert.equal(answer.status, 404, sitePath);
        assert.equal(answer.body.error.code, "not_found", sitePath);
      }
    });
  });
}
