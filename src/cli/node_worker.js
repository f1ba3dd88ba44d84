// opimp's training worker in Node.js: the page's own Web Worker wasm (the
// CPU engine), given a stand-in for the worker's global scope and driven
// over standard input and output, one message per line:
//   {"json": "<the message as the page posts it>", "payload": "<base64 bytes>" | null}
// Run by `opimp sweep --engine wasm` as: node -e <this file> <glue.js> <module.wasm>
"use strict";
const fs = require("fs");
const vm = require("vm");
const readline = require("readline");

const [glue, module] = process.argv.slice(1);
const send = (json, bytes) =>
  process.stdout.write(JSON.stringify({ json, payload: bytes ? Buffer.from(bytes).toString("base64") : null }) + "\n");

// The worker's global scope: postMessage out, onmessage in (set by the wasm).
globalThis.self = globalThis;
globalThis.postMessage = (data) => {
  const bytes = data.length > 1 && data[1] ? new Uint8Array(data[1]) : null;
  send(String(data[0]), bytes);
};
// A panic's message goes to stderr; the worker reports it as Failed too.
console.error = (...a) => process.stderr.write(a.map(String).join(" ") + "\n");
console.log = console.error;
console.warn = console.error;

vm.runInThisContext(fs.readFileSync(glue, "utf8") + "\n;globalThis.wasm_bindgen = wasm_bindgen;", { filename: glue });
globalThis.wasm_bindgen({ module_or_path: fs.readFileSync(module) }).catch((e) => {
  send(JSON.stringify({ Error: { message: `the worker's wasm did not load in Node.js: ${e}` } }), null);
  process.exit(1);
});

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (!line.trim()) return;
  const m = JSON.parse(line);
  const data = [m.json];
  if (m.payload !== null && m.payload !== undefined) {
    const b = Buffer.from(m.payload, "base64");
    data.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  if (typeof globalThis.onmessage !== "function") {
    send(JSON.stringify({ Error: { message: "the worker took a message before it was ready" } }), null);
    return;
  }
  globalThis.onmessage({ data });
});
// The parent closing our input ends the worker.
lines.on("close", () => process.exit(0));
