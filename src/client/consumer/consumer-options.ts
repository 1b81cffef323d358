import type { ClientConfig } from '../../config/client.config';
import { ClientConfigError } from '../errors';
import { DEFAULT_ASSIGNMENT_STRATEGY } from './assignors/assignor-registry';
import type { DeserializerSpec } from './deserializers';

export type AutoOffsetReset = 'earliest' | 'latest' | 'none';
export type IsolationLevel = 'read_uncommitted' | 'read_committed';

/**
 * The consumer's settings under the Java client's property names, so a
 * consumer.properties file (or a Spring `properties:` map) carries over as is. Every
 * key but bootstrap.servers is optional; `resolveConsumerOptions` fills in the Java
 * defaults and rejects what Kafka's ConsumerConfig would reject.
 */
export interface ConsumerOptions<K = string | null, V = string | null> {
  'bootstrap.servers': string | readonly string[];
  'client.id'?: string;
  /** Needed by subscribe() and by commits; assign() works without it. */
  'group.id'?: string;
  /** Static membership (KIP-345): a restart under the same id takes the same partitions back without a rebalance. */
  'group.instance.id'?: string;
  'auto.offset.reset'?: AutoOffsetReset;
  'enable.auto.commit'?: boolean;
  'auto.commit.interval.ms'?: number;
  'max.poll.records'?: number;
  'max.poll.interval.ms'?: number;
  'session.timeout.ms'?: number;
  'heartbeat.interval.ms'?: number;
  'fetch.min.bytes'?: number;
  'fetch.max.bytes'?: number;
  'fetch.max.wait.ms'?: number;
  'max.partition.fetch.bytes'?: number;
  /** Assignor names (range, roundrobin, cooperative-sticky) or Java class names, preferred first. */
  'partition.assignment.strategy'?: string | readonly string[];
  'metadata.max.age.ms'?: number;
  'request.timeout.ms'?: number;
  'default.api.timeout.ms'?: number;
  'retry.backoff.ms'?: number;
  'retry.backoff.max.ms'?: number;
  'socket.connection.setup.timeout.ms'?: number;
  'allow.auto.create.topics'?: boolean;
  'check.crcs'?: boolean;
  /** Only read_uncommitted is served: the broker has no transactions. */
  'isolation.level'?: IsolationLevel;
  'client.rack'?: string;
  'key.deserializer'?: DeserializerSpec<K>;
  'value.deserializer'?: DeserializerSpec<V>;
}

/** Every setting with its value in force. */
export interface ResolvedConsumerOptions<K = unknown, V = unknown> {
  readonly bootstrapServers: readonly string[];
  readonly clientId: string;
  readonly groupId: string | null;
  readonly groupInstanceId: string | null;
  readonly autoOffsetReset: AutoOffsetReset;
  readonly enableAutoCommit: boolean;
  readonly autoCommitIntervalMs: number;
  readonly maxPollRecords: number;
  readonly maxPollIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly fetchMinBytes: number;
  readonly fetchMaxBytes: number;
  readonly fetchMaxWaitMs: number;
  readonly maxPartitionFetchBytes: number;
  readonly partitionAssignmentStrategy: readonly string[];
  readonly metadataMaxAgeMs: number;
  readonly requestTimeoutMs: number;
  readonly defaultApiTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  readonly connectTimeoutMs: number;
  readonly allowAutoCreateTopics: boolean;
  readonly checkCrcs: boolean;
  readonly clientRack: string | null;
  readonly keyDeserializer: DeserializerSpec<K>;
  readonly valueDeserializer: DeserializerSpec<V>;
}

/** Kafka's ConsumerConfig defaults (3.x). */
export const CONSUMER_DEFAULTS = Object.freeze({
  'auto.offset.reset': 'latest',
  'enable.auto.commit': true,
  'auto.commit.interval.ms': 5000,
  'max.poll.records': 500,
  'max.poll.interval.ms': 300_000,
  'session.timeout.ms': 45_000,
  'heartbeat.interval.ms': 3000,
  'fetch.min.bytes': 1,
  'fetch.max.bytes': 52_428_800,
  'fetch.max.wait.ms': 500,
  'max.partition.fetch.bytes': 1_048_576,
  'partition.assignment.strategy': DEFAULT_ASSIGNMENT_STRATEGY,
  'metadata.max.age.ms': 300_000,
  'request.timeout.ms': 30_000,
  'default.api.timeout.ms': 60_000,
  'retry.backoff.ms': 100,
  'retry.backoff.max.ms': 1000,
  'socket.connection.setup.timeout.ms': 10_000,
  'allow.auto.create.topics': true,
  'check.crcs': true,
  'isolation.level': 'read_uncommitted',
} as const);

type PropertyKind = 'int' | 'boolean' | 'string' | 'list';

/** How a property's text (from a properties map) is read; also the set of keys fromClientConfig passes on. */
const PROPERTY_KINDS: Readonly<Record<string, PropertyKind>> = {
  'bootstrap.servers': 'list',
  'client.id': 'string',
  'group.id': 'string',
  'group.instance.id': 'string',
  'auto.offset.reset': 'string',
  'enable.auto.commit': 'boolean',
  'auto.commit.interval.ms': 'int',
  'max.poll.records': 'int',
  'max.poll.interval.ms': 'int',
  'session.timeout.ms': 'int',
  'heartbeat.interval.ms': 'int',
  'fetch.min.bytes': 'int',
  'fetch.max.bytes': 'int',
  'fetch.max.wait.ms': 'int',
  'max.partition.fetch.bytes': 'int',
  'partition.assignment.strategy': 'list',
  'metadata.max.age.ms': 'int',
  'request.timeout.ms': 'int',
  'default.api.timeout.ms': 'int',
  'retry.backoff.ms': 'int',
  'retry.backoff.max.ms': 'int',
  'socket.connection.setup.timeout.ms': 'int',
  'allow.auto.create.topics': 'boolean',
  'check.crcs': 'boolean',
  'isolation.level': 'string',
  'client.rack': 'string',
  'key.deserializer': 'string',
  'value.deserializer': 'string',
};

let clientSequence = 0;

/** Fills in Java's defaults and checks every value, failing with ClientConfigError naming the property. */
export function resolveConsumerOptions<K, V>(options: ConsumerOptions<K, V>): ResolvedConsumerOptions<K, V> {
  const get = <P extends keyof ConsumerOptions<K, V>>(key: P): ConsumerOptions<K, V>[P] | undefined => options[key];
  const bootstrap = get('bootstrap.servers');
  const bootstrapServers = (typeof bootstrap === 'string' ? bootstrap.split(',') : [...(bootstrap ?? [])]).map((s) => s.trim()).filter((s) => s.length > 0);
  if (bootstrapServers.length === 0) throw new ClientConfigError('bootstrap.servers: name at least one host:port');
  const groupId = emptyToNull(get('group.id'));
  const groupInstanceId = emptyToNull(get('group.instance.id'));
  if (groupInstanceId !== null && groupId === null) throw new ClientConfigError('group.instance.id needs group.id');

  const autoOffsetReset = get('auto.offset.reset') ?? CONSUMER_DEFAULTS['auto.offset.reset'];
  if (!['earliest', 'latest', 'none'].includes(autoOffsetReset)) {
    throw new ClientConfigError(`auto.offset.reset=${autoOffsetReset}: must be one of earliest, latest, none`);
  }
  const isolation = get('isolation.level') ?? CONSUMER_DEFAULTS['isolation.level'];
  if (isolation !== 'read_uncommitted') throw new ClientConfigError(`isolation.level=${isolation}: only read_uncommitted is supported (the broker has no transactions)`);

  const int = (key: keyof typeof CONSUMER_DEFAULTS & keyof ConsumerOptions, min: number): number => {
    const value = (get(key) as number | undefined) ?? (CONSUMER_DEFAULTS[key] as number);
    if (!Number.isInteger(value) || value < min || value > 2147483647) throw new ClientConfigError(`${key}=${value}: must be an integer >= ${min}`);
    return value;
  };
  const sessionTimeoutMs = int('session.timeout.ms', 1);
  const heartbeatIntervalMs = int('heartbeat.interval.ms', 1);
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new ClientConfigError(`heartbeat.interval.ms=${heartbeatIntervalMs} must be lower than session.timeout.ms=${sessionTimeoutMs}`);
  }
  const strategy = get('partition.assignment.strategy') ?? CONSUMER_DEFAULTS['partition.assignment.strategy'];
  const partitionAssignmentStrategy = (typeof strategy === 'string' ? strategy.split(',') : [...strategy]).map((s) => s.trim()).filter((s) => s.length > 0);
  if (partitionAssignmentStrategy.length === 0) throw new ClientConfigError('partition.assignment.strategy: name at least one assignor');

  const requestTimeoutMs = int('request.timeout.ms', 0);
  const retryBackoffMs = int('retry.backoff.ms', 0);
  return {
    bootstrapServers,
    clientId: get('client.id') || `consumer-${groupId ?? ''}-${++clientSequence}`,
    groupId,
    groupInstanceId,
    autoOffsetReset,
    // Java: without a group there is nothing to auto-commit to.
    enableAutoCommit: groupId !== null && (get('enable.auto.commit') ?? CONSUMER_DEFAULTS['enable.auto.commit']),
    autoCommitIntervalMs: int('auto.commit.interval.ms', 0),
    maxPollRecords: int('max.poll.records', 1),
    maxPollIntervalMs: int('max.poll.interval.ms', 1),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    fetchMinBytes: int('fetch.min.bytes', 0),
    fetchMaxBytes: int('fetch.max.bytes', 0),
    fetchMaxWaitMs: int('fetch.max.wait.ms', 0),
    maxPartitionFetchBytes: int('max.partition.fetch.bytes', 0),
    partitionAssignmentStrategy,
    metadataMaxAgeMs: int('metadata.max.age.ms', 0),
    requestTimeoutMs,
    defaultApiTimeoutMs: int('default.api.timeout.ms', 0),
    retryBackoffMs,
    retryBackoffMaxMs: int('retry.backoff.max.ms', 0),
    connectTimeoutMs: int('socket.connection.setup.timeout.ms', 0),
    allowAutoCreateTopics: get('allow.auto.create.topics') ?? CONSUMER_DEFAULTS['allow.auto.create.topics'],
    checkCrcs: get('check.crcs') ?? CONSUMER_DEFAULTS['check.crcs'],
    clientRack: emptyToNull(get('client.rack')),
    keyDeserializer: (get('key.deserializer') ?? 'string') as DeserializerSpec<K>,
    valueDeserializer: (get('value.deserializer') ?? 'string') as DeserializerSpec<V>,
  };
}

/**
 * Consumer options from the bound `kafka.*` configuration: Spring Boot's names
 * (bootstrap-servers, client-id, consumer.group-id, consumer.fetch-min-size, ...),
 * then `kafka.consumer.properties` (Java property names, as text) overriding them, as
 * Spring's consumer factory lets `properties` win. `overrides` (a listener's
 * `properties`, say) win over both. Unknown property names are ignored, as the Java
 * client ignores them after a warning.
 *
 * enable.auto.commit is passed on only when configured: deciding its default is the
 * caller's (Java's consumer turns it on, Spring's containers off).
 */
export function fromClientConfig(config: ClientConfig, overrides: Readonly<Record<string, string>> = {}): ConsumerOptions<any, any> {
  const consumer = config.consumer;
  const options: Record<string, unknown> = {
    'bootstrap.servers': config.bootstrapServers,
    'auto.offset.reset': consumer.autoOffsetReset,
    'auto.commit.interval.ms': consumer.autoCommitInterval,
    'max.poll.records': consumer.maxPollRecords,
    'fetch.min.bytes': consumer.fetchMinSize,
    'fetch.max.wait.ms': consumer.fetchMaxWait,
    'heartbeat.interval.ms': consumer.heartbeatInterval,
    'key.deserializer': consumer.keyDeserializer,
    'value.deserializer': consumer.valueDeserializer,
  };
  if (config.clientId !== undefined) options['client.id'] = config.clientId;
  if (consumer.groupId !== undefined) options['group.id'] = consumer.groupId;
  if (consumer.enableAutoCommit !== undefined) options['enable.auto.commit'] = consumer.enableAutoCommit;
  for (const source of [consumer.properties, overrides]) Object.assign(options, consumerOptionsFromProperties(Object.entries(source)).options);
  return options as unknown as ConsumerOptions<any, any>;
}

/**
 * Java consumer properties as text (a consumer.properties file, Spring's `properties`)
 * read into ConsumerOptions values, failing with ClientConfigError for a value of the
 * wrong kind. Names the consumer does not know are handed back apart: the caller ignores
 * them (Java's client does, after a warning) or refuses them.
 */
export function consumerOptionsFromProperties(props: Iterable<readonly [string, string]>): { options: Partial<ConsumerOptions<any, any>>; unknown: string[] } {
  const options: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, text] of props) {
    const kind = PROPERTY_KINDS[key];
    if (kind) options[key] = parseProperty(key, kind, text);
    else unknown.push(key);
  }
  return { options: options as Partial<ConsumerOptions<any, any>>, unknown };
}

function parseProperty(key: string, kind: PropertyKind, text: string): unknown {
  const value = String(text).trim();
  switch (kind) {
    case 'string':
      return value;
    case 'list':
      return value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case 'boolean':
      if (value.toLowerCase() === 'true') return true;
      if (value.toLowerCase() === 'false') return false;
      throw new ClientConfigError(`${key}=${value}: must be true or false`);
    case 'int': {
      if (!/^[+-]?\d+$/.test(value)) throw new ClientConfigError(`${key}=${value}: must be an integer`);
      return Number(value);
    }
  }
}

function emptyToNull(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value;
}
