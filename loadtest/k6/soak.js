// Soak test: a steady, moderate load for a long time, to find leaks, slow growth in latency or memory, and
// problems with sessions that live for hours (silent refresh of the 10-minute MS access token, re-login).
// Watch the BFF's memory (/metrics, or the dyno's metrics) while it runs.
//
//   k6 run -e BASE_URL=http://127.0.0.1:5000 -e DURATION=2h loadtest/k6/soak.js
//
// Extra environment: VUS (default 20), DURATION (default 30m), THINK (default 2), RELOGIN_EVERY (iterations
// between a logout and a new login, default 200), P95_MS (default 500).

import { check, sleep } from 'k6';
import { intEnv, floatEnv, strEnv, thresholds, newSession, browse, logout, login, post, numField } from './lib.js';

const VUS = intEnv('VUS', 20);
const DURATION = strEnv('DURATION', '30m');
const THINK = floatEnv('THINK', 2);
const RELOGIN_EVERY = intEnv('RELOGIN_EVERY', 200);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    soak: { executor: 'constant-vus', vus: VUS, duration: DURATION, gracefulStop: '30s' },
  },
  thresholds: Object.assign(thresholds(500), {
    // The most frequent route gets its own p(95) threshold, so a drift there is not hidden by the mix.
    'http_req_duration{name:/api/user}': [`p(95)<${floatEnv('P95_MS', 500)}`],
  }),
};

/** @type {import('./lib.js').Session | null} */
let session = null;
let rounds = 0;

export default function () {
  if (session === null) session = newSession();
  browse(session);
  rounds++;
  if (rounds % 50 === 0) {
    // An explicit refresh, as a long-open tab would.
    check(post(session.jar, '/api/refresh'), {
      'refresh: 200': (r) => r.status === 200 && numField(r, 'access_expires_at') !== null,
    });
  }
  if (rounds % RELOGIN_EVERY === 0) {
    logout(session);
    session.user = login(session.jar, session.creds);
  }
  sleep(THINK * (0.5 + Math.random()));
}
