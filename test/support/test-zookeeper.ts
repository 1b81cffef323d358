// How integration suites reach the ZooKeeper started by the global setup.
import { randomBytes } from 'node:crypto';

export const TEST_ZK_ENV = 'KAFKANEST_TEST_ZK';
export const ZK_HANDLE_KEY = '__kafkanestTestZooKeeper';

/** host:port of the run's ZooKeeper; throws when the suite runs outside the integration project. */
export function testZkConnect(): string {
  const connect = process.env[TEST_ZK_ENV];
  if (!connect) {
    throw new Error(`${TEST_ZK_ENV} is not set: run integration suites with \`npx jest --selectProjects integration\``);
  }
  return connect;
}

/**
 * A path prefix no other suite or run uses, so suites can share one server without
 * cleaning up between each other (e.g. `/t-1a2b3c4d`); create it before use.
 */
export function uniqueZkRoot(label = 't'): string {
  return `/${label}-${randomBytes(4).toString('hex')}`;
}
