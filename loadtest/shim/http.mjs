// k6/http stand-in: synchronous requests through curl, a cookie jar per CookieJar object.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { state } from './state.mjs';

const dir = mkdtempSync(join(tmpdir(), 'k6shim-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

export class CookieJar {
  constructor() { this.cookies = new Map(); }
  cookiesForURL() { const o = {}; for (const [k, v] of this.cookies) o[k] = [v]; return o; }
  set(url, name, value) { this.cookies.set(name, value); }
  clear() { this.cookies.clear(); }
  delete(url, name) { this.cookies.delete(name); }
  absorb(setCookies) {
    for (const sc of setCookies) {
      const [pair, ...attrs] = sc.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const gone = value === '' || attrs.some((a) => /^\s*max-age\s*=\s*(0|-)/i.test(a)) ||
        attrs.some((a) => /^\s*expires\s*=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now());
      if (gone) this.cookies.delete(name); else this.cookies.set(name, value);
    }
  }
}
const defaultJars = new Map();
export function cookieJar() {
  if (!defaultJars.has(state.vu)) defaultJars.set(state.vu, new CookieJar());
  return defaultJars.get(state.vu);
}
export function expectedStatuses(...s) { return { expected: s }; }
export function setResponseCallback() {}

export function request(method, url, body, params = {}) {
  if (!/^http:\/\/(127\.|localhost|\[::1\])/.test(url)) throw new Error(`shim: only loopback URLs, got ${url}`);
  const jar = params.jar || cookieJar();
  const args = ['-s', '-X', method, '-D', join(dir, 'h'), '-o', join(dir, 'b'), '-w', '%{http_code}', '--max-time', '10'];
  for (const [k, v] of Object.entries(params.headers || {})) args.push('-H', `${k}: ${v}`);
  if (jar.cookies.size > 0) args.push('-H', 'Cookie: ' + [...jar.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
  if (body !== null && body !== undefined) args.push('--data-binary', String(body));
  args.push(url);
  const t0 = Date.now();
  const r = spawnSync('curl', args, { encoding: 'utf8' });
  const status = parseInt(r.stdout, 10) || 0;
  const raw = status ? readFileSync(join(dir, 'h'), 'utf8') : '';
  const headers = {};
  const setCookies = [];
  for (const line of raw.split(/\r?\n/).slice(1)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i).trim(), v = line.slice(i + 1).trim();
    if (k.toLowerCase() === 'set-cookie') setCookies.push(v);
    headers[k] = v;
  }
  jar.absorb(setCookies);
  const resBody = status ? readFileSync(join(dir, 'b'), 'utf8') : '';
  const expected = params.responseCallback ? params.responseCallback.expected : null;
  const failed = expected ? !expected.includes(status) : !(status >= 200 && status < 400);
  state.requests.push({ method, url, status, failed, ms: Date.now() - t0, name: (params.tags || {}).name, vu: state.vu });
  if (failed) console.log(`  ! VU ${state.vu}: ${method} ${url} -> ${status} (counts as http_req_failed) ${resBody.slice(0, 160)}`);
  return { status, body: resBody, headers, json() { return JSON.parse(resBody); } };
}
export function get(url, params) { return request('GET', url, null, params); }
export function post(url, body, params) { return request('POST', url, body, params); }
export function put(url, body, params) { return request('PUT', url, body, params); }
export function del(url, body, params) { return request('DELETE', url, body, params); }
export default { request, get, post, put, del, cookieJar, CookieJar, expectedStatuses, setResponseCallback };
