// Mutation testing of the scoring core: `npm run test:mutation` (not part of npm test or CI).
// Stryker 9.x: Stryker 10 needs Node 22 and these machines run Node 20.
// Read by the tests: the model-quality evaluation (30,000 donors) is skipped in mutant runs.
process.env.DRS_MUTATION_RUN = '1';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  // enableFindRelatedTests: a mutant runs only test files that import its file (directly or not);
  // a mutant in code run at import otherwise runs every test file.
  jest: { projectType: 'custom', configFile: 'test/mutation/jest.config.js', enableFindRelatedTests: true },
  // Each mutant runs only the tests that reach it. A module-level cache filled by the first test
  // would hide the code from later tests; the core builds its schema at import instead (static
  // mutants run every test), see README "Mutation testing".
  coverageAnalysis: 'perTest',
  // The scoring core and, as they landed, the pure cores of batch scoring, the read API and
  // monitoring. Left out: thin AWS glue (handlers, SDK ports: they only wire clients to the cores
  // and are run against real local endpoints by the integration tests, which mutant runs do not
  // use) and the OpenAPI generator (build time only; a unit test compares its output with the
  // committed api/openapi.json).
  mutate: [
    'lambdas/core/**/*.ts',
    'lambdas/score-donor/score-donor-update.ts',
    // It makes the stored item's attribute values (the registry run's conditional write) and reads
    // export items back: a wrong value there is a wrong stored field.
    'lambdas/score-donor/score-item.ts',
    // The scoring function's contract check of a detail: the byte scanner for what it reads, the
    // schema for the rest. A wrong answer there lets an invalid event be scored.
    'lambdas/score-donor/event-detail.ts',
    'lambdas/rescore/**/*.ts',
    '!lambdas/rescore/handler.ts',
    '!lambdas/rescore/s3-ports.ts',
    'lambdas/read-api/**/*.ts',
    '!lambdas/read-api/handler.ts',
    '!lambdas/read-api/aws-ports.ts',
    '!lambdas/read-api/openapi-document.ts',
    'lambdas/monitoring/**/*.ts',
  ],
  // 2 cores shared by a team: one or two test processes at most (`--concurrency 1` when busy).
  concurrency: 2,
  // Committed: re-runs only mutants whose code or covering tests changed since the last run.
  incremental: true,
  incrementalFile: 'test/mutation/stryker-incremental.json',
  // Jest runs every covering test anyway; recording all killers (not only the first) costs nothing
  // and tells which tests catch which mutants (test/mutation/scores.mjs reads it).
  disableBail: true,
  reporters: ['progress', 'clear-text', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['cdk.out', 'coverage', 'reports', '.drs', 'bench/results*'],
  timeoutMS: 20_000,
  // The first run of every test with coverage takes 3-4 minutes on a quiet machine and more than
  // Stryker's default 5 beside other work (seen: 'Initial test run timed out').
  dryRunTimeoutMinutes: 30,
};
