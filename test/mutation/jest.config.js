// The jest configuration Stryker runs (stryker.config.mjs): the `unit` and `model` projects as ONE
// project, because Stryker's jest runner wraps only a top-level `testEnvironment` to record which
// test covers which mutant; inside `projects` it would see no per-test coverage.
// Left out, so each mutant runs in seconds (the score can only be lower than with them):
// - tests that spawn a child process (bench, drs CLI): Stryker cannot see what the child covers,
//   and the child would not run the active mutant anyway;
// - the training reproduction (30 s a run), the 10,000-event hostile-input property test (20 s), the
//   validation of generator variants and forward in time (30 s, model/validation.ts) and the
//   synthetic-registry generator tests (5 s; these two test model/, not the core): each would run for
//   every mutant it reaches, and every test runs for the mutants in code run at import;
// - the day-long statistical tests of drs diagnose (failure-pattern.test.ts: 8 tests of ~2 s CPU,
//   199 surrogates on 1,440 bins each, for every mutant of failure-pattern.ts): the exact tests on
//   small inputs (failure-pattern-exact.test.ts) stand in for them.
const { resolve } = require('node:path');

const root = resolve(__dirname, '..', '..');
// DRS_MUTATION_TESTS=name,name narrows a run to the test files whose names start so, e.g. a slow
// file's own exact tests while you work on it (the score is then a lower bound of the full one).
const only = (process.env.DRS_MUTATION_TESTS ?? '').split(',').filter(Boolean);
module.exports = {
  rootDir: root,
  displayName: 'mutation',
  // An absolute path: Stryker wraps this environment and resolves it without <rootDir>.
  testEnvironment: resolve(root, 'test', 'node-environment.js'),
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testMatch: only.length
    ? only.flatMap((name) => [`<rootDir>/test/unit/**/${name}*.test.ts`, `<rootDir>/test/model/**/${name}*.test.ts`])
    : ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/model/**/*.test.ts'],
  // A slow file named in DRS_MUTATION_TESTS runs: it was asked for.
  testPathIgnorePatterns: only.length ? ['/node_modules/'] : [
    '/node_modules/',
    '<rootDir>/test/unit/bench.test.ts',
    '<rootDir>/test/unit/drs-cli.test.ts',
    '<rootDir>/test/unit/hostile-input.property.test.ts',
    '<rootDir>/test/unit/synthetic-registry.test.ts',
    '<rootDir>/test/unit/failure-pattern.test.ts',
    '<rootDir>/test/model/training.test.ts',
    '<rootDir>/test/model/validation.test.ts',
  ],
  testTimeout: 120_000,
  // As in jest.config.js: the haste map and transform cache would otherwise stay in /tmp (jest_*).
  cacheDirectory: resolve(root, 'node_modules', '.cache', 'jest-mutation'),
};
