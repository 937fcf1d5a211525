// Package ledger holds the switches of the cost ledger (bench/ledger.sh, BENCHMARKS.md "Cost ledger"): one
// constant per piece of the BFF's own work, each set by a build tag of its own, so a benchmark build can leave one
// piece out and measure what it costs. They are constants, never settings: without the tags (every real build)
// each is false, the code that checks it is unchanged, and the compiler drops the branch that leaves the piece out.
// A build with any ledger_* tag does not keep the contract (docs/API.md) and is for measuring only.
package ledger
