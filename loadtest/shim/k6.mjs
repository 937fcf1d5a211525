// A stand-in for k6's modules, just enough to run this folder's scripts under Node for a functional check (see
// run.mjs). Requests are sent one at a time with curl; there is no concurrency and no real load.
import { state } from './state.mjs';

export function check(val, sets) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    let ok = false;
    try { ok = !!fn(val); } catch (e) { ok = false; }
    state.checks.push({ name, ok, vu: state.vu });
    if (!ok) {
      all = false;
      const extra = val && typeof val === 'object' && 'status' in val ? ` (status ${val.status}, body ${String(val.body).slice(0, 200)})` : '';
      console.log(`  ✗ VU ${state.vu}: ${name}${extra}`);
    }
  }
  return all;
}
export function fail(msg) { throw new Error(`fail: ${msg}`); }
export function group(name, fn) { return fn(); }
export function sleep() {}
export function randomSeed() {}
export default { check, fail, group, sleep, randomSeed };
