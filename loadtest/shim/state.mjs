// Shared state of the k6 stand-in.
export const state = { vu: 1, iteration: 0, checks: [], requests: [], counters: {} };
