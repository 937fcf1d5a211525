// Spike test: a quiet baseline, then a sudden jump to many virtual users (each logging in at once with its own
// cookie jar: the login storm after an outage or a class starting), a hold, and the drop back. The BFF must keep
// answering and recover to baseline latency.
//
//   k6 run -e BASE_URL=http://127.0.0.1:5000 -e USER_COUNT=300 loadtest/k6/spike.js
//
// Extra environment: BASE_VUS (default 5), SPIKE_VUS (default 200), HOLD (default 1m), THINK (default 0.5),
// P95_MS (default 1500: the spike itself is allowed to queue).

import { sleep } from 'k6';
import { intEnv, floatEnv, strEnv, thresholds, newSession, browse } from './lib.js';

const BASE_VUS = intEnv('BASE_VUS', 5);
const SPIKE_VUS = intEnv('SPIKE_VUS', 200);
const HOLD = strEnv('HOLD', '1m');
const THINK = floatEnv('THINK', 0.5);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-vus',
      startVUs: BASE_VUS,
      stages: [
        { duration: '30s', target: BASE_VUS },
        { duration: '10s', target: SPIKE_VUS },
        { duration: HOLD, target: SPIKE_VUS },
        { duration: '10s', target: BASE_VUS },
        { duration: '30s', target: BASE_VUS },
        { duration: '5s', target: 0 },
      ],
      gracefulRampDown: '10s',
    },
  },
  thresholds: thresholds(1500),
};

/** @type {import('./lib.js').Session | null} */
let session = null;

export default function () {
  if (session === null) session = newSession();
  browse(session);
  sleep(THINK * (0.5 + Math.random()));
}
