// Separate projects so the fast ones run alone: `npx jest --selectProjects unit`.
// Type checking is `tsc --noEmit` in `npm test`; ts-jest only transpiles (tsconfig: isolatedModules).
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };
// Jest's haste map and transform cache would otherwise live in the temporary directory (jest_*)
// for good; each project needs the setting, the top level alone is not enough.
const cacheDirectory = '<rootDir>/node_modules/.cache/jest';
const project = (name, extra = {}) => ({
  displayName: name,
  cacheDirectory,
  testEnvironment: '<rootDir>/test/node-environment.js',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  // A running `npm run test:mutation` keeps a copy of the repository there (a duplicate package name to jest).
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
  ...extra,
});

module.exports = {
  projects: [
    project('unit'),
    project('model'),
    project('infra', { setupFiles: ['<rootDir>/test/quiet-bundling.js'] }),
    // Every integration file runs under the donor-data guard (no donor value in any log or e-mail).
    project('integration', { setupFilesAfterEnv: ['<rootDir>/test/integration/donor-data-guard.ts'] }),
  ],
  // Synthesis bundles the function (esbuild + copying the ONNX runtime) and the integration suites
  // start local endpoints: seconds, not milliseconds. Speed is measured in `npm run bench`, not here.
  testTimeout: 120_000,
  // Jest's default is one worker on a 2-core machine; most files wait on child processes and local
  // endpoints, so two workers keep both cores busy and the suite well under 8 minutes.
  maxWorkers: 2,
  // A worker keeps every file's modules (SDK, CDK, ORT sessions) it ran: it ended the run at 2.6-2.9
  // GiB, and tearing that down took longer than jest's 500 ms ("A worker process has failed to exit
  // gracefully"; no handle was left open: its 'exit' came 1 ms after jest's end). Past 1 GB after a
  // file, jest starts a fresh worker.
  workerIdleMemoryLimit: '1GB',
  cacheDirectory,
};
