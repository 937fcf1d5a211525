import { state } from './state.mjs';
const exec = {
  vu: { get idInTest() { return state.vu; }, get iterationInScenario() { return state.iteration; } },
  test: { abort(msg) { throw new Error(`test aborted: ${msg}`); } },
};
export default exec;
