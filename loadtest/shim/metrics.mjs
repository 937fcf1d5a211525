import { state } from './state.mjs';
export class Counter {
  constructor(name) { this.name = name; state.counters[name] = 0; }
  add(v) { state.counters[this.name] += v; }
}
export class Trend { constructor(name) { this.name = name; } add() {} }
export class Rate { constructor(name) { this.name = name; } add() {} }
export class Gauge { constructor(name) { this.name = name; } add() {} }
export default { Counter, Trend, Rate, Gauge };
