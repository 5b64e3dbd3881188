// Removes the `name` custom section from a wasm module, in place: worker-build keeps it
// (it runs wasm-opt with --debuginfo), but it only names functions in stack traces, which
// the worker never logs (its panic hook logs file and line), and it is ~140 KB of the
// ~1 MB module, close to a third of its compressed size. Custom sections carry no code or
// data, so the module runs the same without it; every other byte is copied as is.
//
// Usage: node scripts/strip-wasm-names.mjs <module.wasm>
import fs from "node:fs";

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/strip-wasm-names.mjs <module.wasm>");
  process.exit(2);
}
const bytes = fs.readFileSync(file);
const MAGIC_AND_VERSION = 8;
if (bytes.length < MAGIC_AND_VERSION || bytes.readUInt32LE(0) !== 0x6d736100) {
  console.error(`${file} is not a wasm module`);
  process.exit(1);
}

/** Reads an unsigned LEB128 at `at`: [value, offset after it]. */
function leb128(at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

const CUSTOM_SECTION = 0;
const kept = [bytes.subarray(0, MAGIC_AND_VERSION)];
let removed = 0;
for (let at = MAGIC_AND_VERSION; at < bytes.length; ) {
  const start = at;
  const id = bytes[at];
  const [size, contents] = leb128(at + 1);
  const end = contents + size;
  let isNames = false;
  if (id === CUSTOM_SECTION) {
    const [nameLength, name] = leb128(contents);
    isNames = bytes.subarray(name, name + nameLength).toString("utf8") === "name";
  }
  if (isNames) {
    removed += end - start;
  } else {
    kept.push(bytes.subarray(start, end));
  }
  at = end;
}
fs.writeFileSync(file, Buffer.concat(kept));
console.log(`strip-wasm-names: removed ${removed} bytes of function names from ${file}`);
