// Two projects, Nest's convention: unit specs live beside the code (src/**/*.spec.ts);
// suites that start real processes (broker, ZooKeeper, kcat, kafkajs) live under test/.
//
// NestJS 12 ships ES modules. Node 20 can require() them, Jest's module loader cannot,
// so @nestjs/* files are transformed to CommonJS by swc like our own sources.
const transform = {
  '^.+\\.ts$': ['@swc/jest'],
  '^.+/node_modules/@nestjs/.+\\.m?js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' } }, module: { type: 'commonjs' } }],
};
const transformIgnorePatterns = ['/node_modules/(?!@nestjs/)'];

/** @type {import('jest').Config} */
module.exports = {
  // A per-project testTimeout is ignored by Jest; suites that start processes need the room.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // The examples import the SDK by its package name, as applications do (examples/tsconfig.json maps it the same way).
      moduleNameMapper: { '^kafkanest$': '<rootDir>/src/index.ts' },
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
