import { ClientConfigError } from '../../errors';
import { CooperativeStickyAssignor } from './cooperative-sticky-assignor';
import type { PartitionAssignor, RebalanceProtocol } from './partition-assignor';
import { RangeAssignor } from './range-assignor';
import { RoundRobinAssignor } from './round-robin-assignor';

const JAVA_PACKAGE = 'org.apache.kafka.clients.consumer.';

/** Java's partition.assignment.strategy default since Kafka 3.0: range, with cooperative-sticky as the upgrade path. */
export const DEFAULT_ASSIGNMENT_STRATEGY = ['range', 'cooperative-sticky'] as const;

const FACTORIES: Record<string, () => PartitionAssignor> = {
  range: () => new RangeAssignor(),
  roundrobin: () => new RoundRobinAssignor(),
  'cooperative-sticky': () => new CooperativeStickyAssignor(),
};

const JAVA_CLASS_NAMES: Record<string, string> = {
  RangeAssignor: 'range',
  RoundRobinAssignor: 'roundrobin',
  CooperativeStickyAssignor: 'cooperative-sticky',
};

/**
 * The assignors for a partition.assignment.strategy value, in preference order. Takes
 * what a Java properties file holds (a comma-separated list of class names, with or
 * without the package) as well as the protocol names.
 */
export function resolveAssignors(strategy: string | readonly string[] = DEFAULT_ASSIGNMENT_STRATEGY): PartitionAssignor[] {
  const entries = (typeof strategy === 'string' ? strategy.split(',') : [...strategy]).map((s) => s.trim()).filter((s) => s.length > 0);
  if (entries.length === 0) throw new ClientConfigError('partition.assignment.strategy is empty: name at least one of range, roundrobin, cooperative-sticky');
  const names = entries.map((entry) => {
    const simple = entry.startsWith(JAVA_PACKAGE) ? entry.slice(JAVA_PACKAGE.length) : entry;
    const name = JAVA_CLASS_NAMES[simple] ?? simple;
    if (!(name in FACTORIES)) {
      throw new ClientConfigError(`partition.assignment.strategy: unknown assignor ${entry} (supported: range, roundrobin, cooperative-sticky, or their Java class names)`);
    }
    return name;
  });
  return [...new Set(names)].map((name) => FACTORIES[name]());
}

/** As Java's ConsumerCoordinator decides: COOPERATIVE only when every configured assignor supports it. */
export function rebalanceProtocolOf(assignors: readonly PartitionAssignor[]): RebalanceProtocol {
  return assignors.length > 0 && assignors.every((a) => a.supportedProtocols.includes('COOPERATIVE')) ? 'COOPERATIVE' : 'EAGER';
}
