// Runs a k6 script of this folder under Node with a stand-in for k6's modules, to check the script's logic
// against a live BFF when k6 itself is not installed. One request at a time, VUs taken in turn: it proves the
// flow and the checks, not performance. Exits 1 when a check or an unexpected status failed.
//
//   node loadtest/shim/run.mjs loadtest/k6/smoke.js [VUS] [ITERATIONS_PER_VU]
import { readFileSync, writeFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve, basename } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { state } from './state.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const [script, vusArg, itArg] = process.argv.slice(2);
if (!script) { console.error('usage: node run.mjs SCRIPT [VUS] [ITERATIONS]'); process.exit(2); }
globalThis.__ENV = process.env;

// Copy the scripts with k6's module names pointed at the stand-ins.
const src = dirname(resolve(script));
const out = mkdtempSync(join(tmpdir(), 'k6shim-src-'));
const map = { 'k6/http': 'http.mjs', 'k6/execution': 'execution.mjs', 'k6/metrics': 'metrics.mjs', k6: 'k6.mjs' };
for (const f of readdirSync(src).filter((f) => f.endsWith('.js'))) {
  let text = readFileSync(join(src, f), 'utf8');
  text = text.replace(/from '(k6(?:\/[a-z]+)?)'/g, (m, name) => {
    if (!map[name]) throw new Error(`shim: no stand-in for ${name}`);
    return `from '${pathToFileURL(join(here, map[name])).href}'`;
  });
  writeFileSync(join(out, f.replace(/\.js$/, '.mjs')), text.replace(/from '\.\/lib\.js'/g, "from './lib.mjs'"));
}
const vus = parseInt(vusArg || '1', 10), iterations = parseInt(itArg || '1', 10);
const modUrl = pathToFileURL(join(out, basename(script).replace(/\.js$/, '.mjs'))).href;
const mods = [];
let errors = 0;
try {
  for (let v = 1; v <= vus; v++) mods.push(await import(`${modUrl}?vu=${v}`)); // one module instance per VU
  for (let it = 0; it < iterations; it++) {
    for (let v = 1; v <= vus; v++) {
      state.vu = v; state.iteration = it;
      try { mods[v - 1].default(); } catch (e) { errors++; console.log(`  ✗ VU ${v} iteration ${it}: ${e.message}`); }
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
const failedChecks = state.checks.filter((c) => !c.ok).length;
const failedReqs = state.requests.filter((r) => r.failed).length;
console.log(`${basename(script)}: ${vus} VUs x ${iterations}: ${state.requests.length} requests (${failedReqs} failed), ` +
  `${state.checks.length} checks (${failedChecks} failed), ${errors} aborted iterations, counters ${JSON.stringify(state.counters)}`);
process.exit(failedChecks || failedReqs || errors ? 1 : 0);
