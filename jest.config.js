// Separate projects so the fast ones run alone: `npx jest --selectProjects unit`.
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: '<rootDir>/test/node-environment.js',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});

module.exports = {
  projects: [project('unit'), project('model'), project('infra'), project('integration')],
};
