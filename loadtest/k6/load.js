// Load test: ramping virtual users, each with its own cookie jar and its own account (seeded account
// loaduser<VU> by default, or a freshly registered one with REGISTER=1), logging in once and then browsing the
// app's main pages with short think times; writes carry X-CSRF: 1.
//
//   k6 run -e BASE_URL=http://127.0.0.1:5000 -e USER_COUNT=200 loadtest/k6/load.js
//
// Extra environment: VUS (peak virtual users, default 50), RAMP (default 1m), HOLD (default 3m),
// THINK (seconds between rounds, default 1), P95_MS (default 500).

import { sleep } from 'k6';
import { intEnv, floatEnv, strEnv, thresholds, newSession, browse } from './lib.js';

const VUS = intEnv('VUS', 50);
const RAMP = strEnv('RAMP', '1m');
const HOLD = strEnv('HOLD', '3m');
const THINK = floatEnv('THINK', 1);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    browse: {
      executor: 'ramping-vus',
      startVUs: 1,
      stages: [
        { duration: RAMP, target: VUS },
        { duration: HOLD, target: VUS },
        { duration: '30s', target: 0 },
      ],
      gracefulRampDown: '10s',
    },
  },
  thresholds: thresholds(500),
};

/** This VU's session: each VU is its own JavaScript runtime, so module state is per VU. @type {import('./lib.js').Session | null} */
let session = null;

export default function () {
  if (session === null) session = newSession();
  browse(session);
  sleep(THINK * (0.5 + Math.random()));
}
