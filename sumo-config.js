// SuMo (npm @morenabarboni/sumo) generates the contracts' mutants for `make mutation`; the
// mutants are compiled and tested by tools/mutation.py (in a copy of the project, under the
// brownie lock, running only the test files that reach the mutated code), not by `sumo test`.
module.exports = {
  buildDir: "build",
  contractsDir: "contracts",
  testDir: "tests/contracts",
  // test doubles and libraries are not mutated (paths relative to contractsDir)
  skipContracts: ["test", "libraries"],
  skipTests: [],
  testingTimeOutInSec: 900,
  network: "none",
  testingFramework: "brownie",
  minimal: true,
  tce: false,
};
