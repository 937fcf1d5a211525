// Shared helpers for the BFF's k6 scripts. Type-checked by `tsc --checkJs` (see ../check.sh).
//
// Every request to the BFF goes through `get`, `post`, `put` or `del` below, with the path written as a
// literal ('/api/home') or a template literal (`/api/users/${id}`) starting with /api/. The Go test
// ../routes_test.go reads those calls out of every script and checks that each route exists in the BFF.
//
// Environment (all optional):
//   BASE_URL          BFF root URL (default http://127.0.0.1:5000, no trailing slash needed)
//   USER_COUNT        how many seeded accounts exist (default 100); VU n uses account ((n-1) % USER_COUNT) + 1
//   USER_PATTERN      username pattern, {n} is the account number (default "loaduser{n}")
//   PASSWORD_PATTERN  password pattern (default "loadpass{n}")
//   REGISTER          "1": each VU registers a fresh account instead of using a seeded one (the MS must
//                     auto-verify e-mail, e.g. the emulator with -auto-verify)
//   P95_MS            the p(95) latency threshold in milliseconds (each script has its own default)
//   MAX_FAIL_RATE     the http_req_failed threshold (default 0.01)

import http from 'k6/http';
import { check, fail } from 'k6';
import exec from 'k6/execution';

/**
 * @typedef {{ id: number, username: string, name?: string, email?: string, bio?: string | null }} User
 * @typedef {{ username: string, password: string }} Credentials
 * @typedef {{ jar: import('k6/http').CookieJar, user: User, creds: Credentials }} Session
 * @typedef {import('k6/http').RefinedResponse<'text'>} Res
 * @typedef {{ expect?: number[], tags?: Record<string, string>, csrf?: boolean }} CallOptions
 *   expect: the statuses that count as success (default 200-399); csrf: false leaves out X-CSRF (to test the guard)
 */

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:5000').replace(/\/+$/, '');
export const USER_COUNT = intEnv('USER_COUNT', 100);
export const USER_PATTERN = __ENV.USER_PATTERN || 'loaduser{n}';
export const PASSWORD_PATTERN = __ENV.PASSWORD_PATTERN || 'loadpass{n}';
export const REGISTER = __ENV.REGISTER === '1';
export const MAX_FAIL_RATE = floatEnv('MAX_FAIL_RATE', 0.01);

/** Methods that need the `X-CSRF: 1` header when authenticated by the session cookie. */
const UNSAFE = { POST: true, PUT: true, PATCH: true, DELETE: true };

/**
 * An integer from the environment, or the default.
 * @param {string} name
 * @param {number} def
 * @returns {number}
 */
export function intEnv(name, def) {
  const v = __ENV[name];
  if (v === undefined || v === '') return def;
  const n = parseInt(v, 10);
  if (!Number.isFinite(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * A number from the environment, or the default.
 * @param {string} name
 * @param {number} def
 * @returns {number}
 */
export function floatEnv(name, def) {
  const v = __ENV[name];
  if (v === undefined || v === '') return def;
  const n = parseFloat(v);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * A string from the environment, or the default.
 * @param {string} name
 * @param {string} def
 * @returns {string}
 */
export function strEnv(name, def) {
  const v = __ENV[name];
  return v === undefined || v === '' ? def : v;
}

/**
 * The standard thresholds: failed requests and p(95) latency, plus the share of passed checks.
 * @param {number} p95ms default p(95) in ms, overridden by P95_MS
 * @returns {Record<string, import('k6/options').Threshold[]>}
 */
export function thresholds(p95ms) {
  return {
    http_req_failed: [`rate<${MAX_FAIL_RATE}`],
    http_req_duration: [`p(95)<${floatEnv('P95_MS', p95ms)}`],
    checks: ['rate>0.99'],
  };
}

/**
 * Credentials of seeded account number n (1-based).
 * @param {number} n
 * @returns {Credentials}
 */
export function seededCredentials(n) {
  return {
    username: USER_PATTERN.split('{n}').join(String(n)),
    password: PASSWORD_PATTERN.split('{n}').join(String(n)),
  };
}

/**
 * The seeded account a VU uses: VU n (1-based in the whole test) gets account ((n-1) % USER_COUNT) + 1.
 * @returns {Credentials}
 */
export function vuCredentials() {
  const vu = exec.vu.idInTest;
  return seededCredentials(((vu - 1) % USER_COUNT) + 1);
}

/**
 * The name tag for a path: numbers become :id and the query string is dropped, so the metrics group by route.
 * @param {string} path
 * @returns {string}
 */
function routeName(path) {
  return path.split('?')[0].replace(/\/\d+(?=\/|$)/g, '/:id');
}

/**
 * Sends one request to the BFF with the given jar. Unsafe methods carry `X-CSRF: 1`; bodies are JSON.
 * @param {import('k6/http').CookieJar} jar
 * @param {string} method
 * @param {string} path starting with /api/ (or /healthz)
 * @param {unknown} [body]
 * @param {CallOptions} [opts]
 * @returns {Res}
 */
function call(jar, method, path, body, opts) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (method in UNSAFE && !(opts && opts.csrf === false)) headers['X-CSRF'] = '1';
  /** @type {string | null} */
  let payload = null;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  /** @type {import('k6/http').Params} */
  const params = {
    jar,
    headers,
    tags: Object.assign({ name: routeName(path) }, opts && opts.tags ? opts.tags : {}),
  };
  if (opts && opts.expect) params.responseCallback = http.expectedStatuses(...opts.expect);
  return http.request(method, BASE_URL + path, payload, params);
}

/**
 * GET path.
 * @param {import('k6/http').CookieJar} jar
 * @param {string} path
 * @param {CallOptions} [opts]
 * @returns {Res}
 */
export function get(jar, path, opts) {
  return call(jar, 'GET', path, undefined, opts);
}

/**
 * POST path with a JSON body.
 * @param {import('k6/http').CookieJar} jar
 * @param {string} path
 * @param {unknown} [body]
 * @param {CallOptions} [opts]
 * @returns {Res}
 */
export function post(jar, path, body, opts) {
  return call(jar, 'POST', path, body, opts);
}

/**
 * PUT path with a JSON body.
 * @param {import('k6/http').CookieJar} jar
 * @param {string} path
 * @param {unknown} [body]
 * @param {CallOptions} [opts]
 * @returns {Res}
 */
export function put(jar, path, body, opts) {
  return call(jar, 'PUT', path, body, opts);
}

/**
 * DELETE path.
 * @param {import('k6/http').CookieJar} jar
 * @param {string} path
 * @param {CallOptions} [opts]
 * @returns {Res}
 */
export function del(jar, path, opts) {
  return call(jar, 'DELETE', path, undefined, opts);
}

/**
 * The response body as JSON, or null when it is not JSON.
 * @param {Res} res
 * @returns {unknown}
 */
export function json(res) {
  if (typeof res.body !== 'string' || res.body === '') return null;
  try {
    return JSON.parse(res.body);
  } catch (_) {
    return null;
  }
}

/**
 * Whether v is a plain JSON object.
 * @param {unknown} v
 * @returns {v is Record<string, unknown>}
 */
export function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The numeric field `key` of the JSON object body, or null.
 * @param {Res} res
 * @param {string} key
 * @returns {number | null}
 */
export function numField(res, key) {
  const b = json(res);
  if (!isObject(b)) return null;
  const v = b[key];
  return typeof v === 'number' ? v : null;
}

/**
 * The JSON array body, or an empty array.
 * @param {Res} res
 * @returns {unknown[]}
 */
export function arrayBody(res) {
  const b = json(res);
  return Array.isArray(b) ? b : [];
}

/**
 * Reads a user object ({id:number, username:string, ...}) from unknown JSON.
 * @param {unknown} v
 * @returns {User | null}
 */
export function asUser(v) {
  if (!isObject(v) || typeof v.id !== 'number' || typeof v.username !== 'string') return null;
  /** @type {User} */
  const u = { id: v.id, username: v.username };
  if (typeof v.name === 'string') u.name = v.name;
  if (typeof v.email === 'string') u.email = v.email;
  if (typeof v.bio === 'string' || v.bio === null) u.bio = v.bio;
  return u;
}

/**
 * Registers a fresh account through the BFF (POST /api/register, no credentials needed).
 * @param {import('k6/http').CookieJar} jar
 * @returns {Credentials}
 */
export function registerFresh(jar) {
  const tag = `${exec.vu.idInTest}x${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const creds = { username: `k6_${tag}`.slice(0, 25), password: `k6pass_${tag}` };
  const res = post(jar, '/api/register', {
    name: 'Load Tester',
    username: creds.username,
    password: creds.password,
    email: `${creds.username}@example.org`,
    terms_and_conditions_checked: true,
    need_mentoring: true,
    available_to_mentor: true,
  });
  if (!check(res, { 'register: 201': (r) => r.status === 201 })) {
    fail(`register ${creds.username}: status ${res.status} ${res.body}`);
  }
  return creds;
}

/**
 * Logs in with creds into jar: POST /api/login, checks the 200, the user in the body and the cookie.
 * Aborts the iteration (fail) when the login does not work.
 * @param {import('k6/http').CookieJar} jar
 * @param {Credentials} creds
 * @returns {User}
 */
export function login(jar, creds) {
  const res = post(jar, '/api/login', { username: creds.username, password: creds.password });
  const body = json(res);
  const user = isObject(body) ? asUser(body.user) : null;
  const ok = check(res, {
    'login: 200': (r) => r.status === 200,
    'login: body has the user': () => user !== null && user.username === creds.username,
    'login: no token in the body': (r) => typeof r.body === 'string' && r.body.indexOf('refresh_token') < 0,
    'login: session cookie set': () => sessionCookie(jar) !== '',
  });
  if (!ok || user === null) fail(`login as ${creds.username}: status ${res.status}`);
  return user;
}

/**
 * The session cookie's value in jar ('' when none): `bit_session` over http, `__Host-bit_session` over https.
 * @param {import('k6/http').CookieJar} jar
 * @returns {string}
 */
export function sessionCookie(jar) {
  const c = jar.cookiesForURL(BASE_URL + '/');
  const v = c['__Host-bit_session'] || c['bit_session'] || [];
  return v.length > 0 ? v[0] : '';
}

/**
 * A new session for this VU: a fresh cookie jar, an account (seeded, or registered when REGISTER=1), a login.
 * @returns {Session}
 */
export function newSession() {
  const jar = new http.CookieJar();
  const creds = REGISTER ? registerFresh(jar) : vuCredentials();
  const user = login(jar, creds);
  return { jar, user, creds };
}

/**
 * Logs out: POST /api/logout, expects 204 and an empty jar afterwards.
 * @param {Session} s
 * @returns {void}
 */
export function logout(s) {
  const res = post(s.jar, '/api/logout');
  check(res, {
    'logout: 204': (r) => r.status === 204,
    'logout: cookie cleared': () => sessionCookie(s.jar) === '',
  });
}

/**
 * A random integer in [lo, hi].
 * @param {number} lo
 * @param {number} hi
 * @returns {number}
 */
export function randInt(lo, hi) {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

/**
 * One round of ordinary browsing as s: what the React app does on its main pages. Re-logs in on a 401.
 * @param {Session} s
 * @returns {void}
 */
export function browse(s) {
  const home = get(s.jar, '/api/home');
  if (home.status === 401) {
    // The session ended (expired refresh token, rotated keys): log in again, as the app would.
    s.user = login(s.jar, s.creds);
    return;
  }
  check(home, { 'home: 200': (r) => r.status === 200 });

  const me = get(s.jar, '/api/user');
  check(me, {
    'user: 200': (r) => r.status === 200,
    'user: is me': (r) => numField(r, 'id') === s.user.id,
  });

  const list = get(s.jar, `/api/users/verified?search=&page=${randInt(1, 3)}&per_page=10`);
  check(list, { 'users/verified: 200': (r) => r.status === 200 });
  const others = arrayBody(list).map(asUser).filter((u) => u !== null);
  if (others.length > 0) {
    const pick = others[randInt(0, others.length - 1)];
    if (pick !== null) {
      const one = get(s.jar, `/api/users/${pick.id}`);
      check(one, { 'users/:id: 200': (r) => r.status === 200 && numField(r, 'id') === pick.id });
    }
  }

  check(get(s.jar, '/api/dashboard'), { 'dashboard: 200': (r) => r.status === 200 });
  check(get(s.jar, '/api/mentorship_relations?relation_state='), {
    'mentorship_relations: 200': (r) => r.status === 200,
  });

  if (Math.random() < 0.1) {
    // A profile edit now and then: a write, so it carries X-CSRF: 1 (added by put()).
    const upd = put(s.jar, '/api/user', { bio: `k6 VU ${exec.vu.idInTest} at ${Date.now()}` });
    check(upd, { 'put user: 200': (r) => r.status === 200 });
  }
}
