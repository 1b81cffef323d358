import type { ZooKeeperServerHandle } from '../../scripts/zookeeper';
import { TEST_ZK_ENV, ZK_HANDLE_KEY } from './test-zookeeper';

export default async function globalTeardown(): Promise<void> {
  const zk = (globalThis as Record<string, unknown>)[ZK_HANDLE_KEY] as ZooKeeperServerHandle | undefined;
  if (!zk) return;
  delete (globalThis as Record<string, unknown>)[ZK_HANDLE_KEY];
  delete process.env[TEST_ZK_ENV];
  await zk.stop();
}
