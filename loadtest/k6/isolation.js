// Isolation test: many virtual users at once, each logged in as its own account with its own cookie jar,
// check on every answer that carries an identity that it is the VU's own: /api/session's user_id, /api/user's
// id and username, a bio the VU itself just wrote, /api/users/<own id>, and that /api/users/verified (which MS
// answers without the caller) never lists the VU itself. One mismatch aborts the run and fails it.
//
//   k6 run -e BASE_URL=http://127.0.0.1:5000 -e USER_COUNT=100 loadtest/k6/isolation.js
//
// Each VU needs its own seeded account, so VUS (default 50) is capped at USER_COUNT. Extra environment:
// DURATION (default 2m), RELOGIN_EVERY (default 20 iterations), P95_MS (default 500).

import { check, fail } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import {
  USER_COUNT, REGISTER, intEnv, strEnv, thresholds, newSession, login, logout,
  get, put, json, isObject, arrayBody, asUser,
} from './lib.js';

const VUS = REGISTER ? intEnv('VUS', 50) : Math.min(intEnv('VUS', 50), USER_COUNT);
const RELOGIN_EVERY = intEnv('RELOGIN_EVERY', 20);

/** Answers that named another user than the VU's own. Must stay 0. */
const mismatches = new Counter('isolation_mismatches');

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    isolation: { executor: 'constant-vus', vus: VUS, duration: strEnv('DURATION', '2m') },
  },
  thresholds: Object.assign(thresholds(500), {
    isolation_mismatches: [{ threshold: 'count==0', abortOnFail: true }],
  }),
};

/** @type {import('./lib.js').Session | null} */
let session = null;
let rounds = 0;

/**
 * Records a check of identity; on a mismatch counts it and aborts the whole test.
 * @param {string} what
 * @param {boolean} ok
 * @param {string} detail
 * @returns {void}
 */
function same(what, ok, detail) {
  check(null, { [`own identity: ${what}`]: () => ok });
  if (!ok) {
    mismatches.add(1, { what });
    exec.test.abort(`isolation broken on ${what} for VU ${exec.vu.idInTest}: ${detail}`);
  }
}

export default function () {
  mismatches.add(0);
  if (session === null) session = newSession();
  const s = session;
  const me = s.user;

  const sess = get(s.jar, '/api/session');
  const sb = json(sess);
  if (sess.status === 401) {
    s.user = login(s.jar, s.creds);
    return;
  }
  check(sess, { 'session: 200': (r) => r.status === 200 });
  same('/api/session user_id', isObject(sb) && sb.user_id === me.id, `want ${me.id}, got ${JSON.stringify(sb)}`);

  const u = get(s.jar, '/api/user');
  const ub = asUser(json(u));
  check(u, { 'user: 200': (r) => r.status === 200 });
  same('/api/user id', ub !== null && ub.id === me.id && ub.username === me.username,
    `want ${me.id}/${me.username}, got ${ub ? `${ub.id}/${ub.username}` : u.status}`);

  // A marker only this VU writes: reading back anyone else's marker means crossed sessions.
  const marker = `isolation vu=${exec.vu.idInTest} user=${me.id} round=${rounds} t=${Date.now()}`;
  const upd = put(s.jar, '/api/user', { bio: marker });
  check(upd, { 'put user: 200': (r) => r.status === 200 });
  const back = get(s.jar, '/api/user');
  const bb = asUser(json(back));
  same('bio written then read', bb !== null && bb.id === me.id && bb.bio === marker,
    `want ${JSON.stringify(marker)}, got ${bb ? JSON.stringify(bb.bio) : back.status}`);

  const one = get(s.jar, `/api/users/${me.id}`);
  const ob = asUser(json(one));
  same('/api/users/<own id>', ob !== null && ob.id === me.id && ob.username === me.username,
    `got ${ob ? `${ob.id}/${ob.username}` : one.status}`);

  const list = get(s.jar, `/api/users/verified?search=${encodeURIComponent(me.username)}&page=1&per_page=50`);
  check(list, { 'users/verified: 200': (r) => r.status === 200 });
  const ids = arrayBody(list).map(asUser).filter((x) => x !== null).map((x) => (x === null ? 0 : x.id));
  same('/api/users/verified excludes the caller', ids.indexOf(me.id) < 0, `own id ${me.id} listed`);

  const home = get(s.jar, '/api/home');
  check(home, { 'home: 200': (r) => r.status === 200 });
  const hb = json(home);
  if (isObject(hb) && typeof hb.name === 'string' && typeof me.name === 'string') {
    same('/api/home name', hb.name === me.name, `want ${me.name}, got ${hb.name}`);
  }

  rounds++;
  if (rounds % RELOGIN_EVERY === 0) {
    // A new cookie for the same account: the new session must be just as much its own.
    logout(s);
    s.user = login(s.jar, s.creds);
    if (s.user.id !== me.id) fail(`re-login as ${s.creds.username} gave user ${s.user.id}, was ${me.id}`);
  }
}
