// Two built brokers on the test ZooKeeper set up for delayed messages: three short levels
// (1 s, 2 s, 3 s), a fast scheduler tick, and delay topics replicated on both brokers.
import { ZkCluster } from './cluster-harness';
import { waitFor } from './wait-for';

export const DELAY_SESSION_MS = 4_000;
export const DELAY_LEVELS_MS = [1000, 2000, 3000];
const DELAY_TOPICS = new Map(['__delay_schedule', '__delay_level_01', '__delay_level_02', '__delay_level_03'].map((t) => [t, 1]));

/** `overrides` are applied over the settings below. */
export function startDelayCluster(label: string, overrides: Record<string, string | number | boolean> = {}): Promise<ZkCluster> {
  return ZkCluster.start({
    size: 2,
    label,
    settings: {
      'zookeeper.session.timeout.ms': DELAY_SESSION_MS,
      'replica.lag.time.max.ms': 1_500,
      'replica.fetch.backoff.ms': 100,
      'delay.levels': DELAY_LEVELS_MS.map((ms) => `${ms / 1000}s`).join(' '),
      'delay.tick.ms': 50,
      'delay.topic.replication.factor': 2,
      ...overrides,
    },
  });
}

/** Resolves once the brokers have created every delay topic and both replicas of each are in sync. */
export async function waitForDelayTopics(cluster: ZkCluster): Promise<void> {
  await waitFor(
    async () => {
      for (const topic of DELAY_TOPICS.keys()) await cluster.state(topic, 0);
      return true;
    },
    { timeoutMs: 20_000, what: 'the delay topics' },
  );
  await cluster.waitForFullIsrs(DELAY_TOPICS, 2);
}
