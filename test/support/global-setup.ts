// Jest global setup of the integration project: one real ZooKeeper (Debian's package, via
// scripts/zookeeper.js) for the whole run, and kcat checked up front so a missing package
// fails once with the install command instead of in every compatibility suite.
// Workers are forked after this runs, so the env var below reaches every test file.
import { ensureKcatInstalled } from '../../scripts/kcat';
import { ensureZooKeeperInstalled, startZooKeeper } from '../../scripts/zookeeper';
import { TEST_ZK_ENV, ZK_HANDLE_KEY } from './test-zookeeper';

export default async function globalSetup(): Promise<void> {
  ensureKcatInstalled();
  // A developer may point the suites at a server they already run.
  if (process.env[TEST_ZK_ENV]) return;
  ensureZooKeeperInstalled();
  const zk = await startZooKeeper();
  process.env[TEST_ZK_ENV] = zk.connectString;
  (globalThis as Record<string, unknown>)[ZK_HANDLE_KEY] = zk;
}
