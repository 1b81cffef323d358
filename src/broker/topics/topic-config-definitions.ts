// The topic-level configs we accept, with Kafka 3.9's types, defaults, validators and broker
// synonyms (the broker key whose value a topic inherits when it has no override). Creating or
// altering a topic with any other key is INVALID_CONFIG, as in Kafka ("Unknown topic config
// name"). Defaults that the broker config carries (log.retention.ms, ...) come from it.
import type { BrokerConfig } from '../../config/broker.config';

/** Kafka's ConfigType codes as DescribeConfigs v3+ reports them. */
export enum ConfigType {
  Boolean = 1,
  String = 2,
  Int = 3,
  Short = 4,
  Long = 5,
  Double = 6,
  List = 7,
}

/** Kafka's ConfigSource codes. */
export enum ConfigSource {
  Unknown = 0,
  DynamicTopic = 1,
  DynamicBroker = 2,
  DynamicDefaultBroker = 3,
  StaticBroker = 4,
  Default = 5,
}

const LONG_MAX = '9223372036854775807';
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

export interface TopicConfigDefinition {
  readonly name: string;
  readonly type: ConfigType;
  /** Kafka's own default, as text. */
  readonly defaultValue: string;
  /** The broker property a topic without an override inherits from. */
  readonly brokerSynonym?: string;
  /** The broker's configured value for the synonym, when BrokerConfig holds it. */
  readonly brokerValue?: (broker: BrokerConfig) => string | undefined;
  readonly min?: number;
  readonly max?: number;
  /** Accepted values (whole value for strings, each item for lists), compared case-sensitively. */
  readonly validValues?: readonly string[];
  readonly documentation: string;
}

function def(d: TopicConfigDefinition): TopicConfigDefinition {
  return d;
}

const num = (value: number | undefined): string | undefined => (value === undefined ? undefined : String(value));

export const TOPIC_CONFIGS: readonly TopicConfigDefinition[] = [
  def({ name: 'cleanup.policy', type: ConfigType.List, defaultValue: 'delete', brokerSynonym: 'log.cleanup.policy', validValues: ['compact', 'delete'], documentation: 'Retention policy for old log segments: delete, compact or both.' }),
  def({ name: 'compression.type', type: ConfigType.String, defaultValue: 'producer', brokerSynonym: 'compression.type', validValues: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'], documentation: "Final compression type of the topic's data; producer keeps what the producer sent." }),
  def({ name: 'delete.retention.ms', type: ConfigType.Long, defaultValue: '86400000', brokerSynonym: 'log.cleaner.delete.retention.ms', min: 0, documentation: 'How long delete tombstones are kept on compacted topics.' }),
  def({ name: 'file.delete.delay.ms', type: ConfigType.Long, defaultValue: '60000', brokerSynonym: 'log.segment.delete.delay.ms', min: 0, documentation: 'How long a deleted segment stays on disk.' }),
  def({ name: 'flush.messages', type: ConfigType.Long, defaultValue: LONG_MAX, brokerSynonym: 'log.flush.interval.messages', brokerValue: (b) => num(b.logFlushIntervalMessages), min: 1, documentation: 'Force an fsync after this many messages.' }),
  def({ name: 'flush.ms', type: ConfigType.Long, defaultValue: LONG_MAX, brokerSynonym: 'log.flush.interval.ms', brokerValue: (b) => num(b.logFlushIntervalMs), min: 0, documentation: 'Force an fsync when data is this old.' }),
  def({ name: 'follower.replication.throttled.replicas', type: ConfigType.List, defaultValue: '', documentation: 'Replicas whose follower replication is throttled.' }),
  def({ name: 'index.interval.bytes', type: ConfigType.Int, defaultValue: '4096', brokerSynonym: 'log.index.interval.bytes', brokerValue: (b) => num(b.logIndexIntervalBytes), min: 0, documentation: 'Bytes between offset index entries.' }),
  def({ name: 'leader.replication.throttled.replicas', type: ConfigType.List, defaultValue: '', documentation: 'Replicas whose leader replication is throttled.' }),
  def({ name: 'max.compaction.lag.ms', type: ConfigType.Long, defaultValue: LONG_MAX, brokerSynonym: 'log.cleaner.max.compaction.lag.ms', min: 1, documentation: 'Longest time a message stays uncompacted.' }),
  def({ name: 'max.message.bytes', type: ConfigType.Int, defaultValue: '1048588', brokerSynonym: 'message.max.bytes', brokerValue: (b) => num(b.messageMaxBytes), min: 0, documentation: 'Largest record batch size allowed.' }),
  def({ name: 'message.downconversion.enable', type: ConfigType.Boolean, defaultValue: 'true', brokerSynonym: 'log.message.downconversion.enable', documentation: 'Whether old-format fetches are down-converted.' }),
  def({ name: 'message.timestamp.after.max.ms', type: ConfigType.Long, defaultValue: LONG_MAX, brokerSynonym: 'log.message.timestamp.after.max.ms', min: 0, documentation: 'How far in the future a CreateTime timestamp may be.' }),
  def({ name: 'message.timestamp.before.max.ms', type: ConfigType.Long, defaultValue: LONG_MAX, brokerSynonym: 'log.message.timestamp.before.max.ms', min: 0, documentation: 'How far in the past a CreateTime timestamp may be.' }),
  def({ name: 'message.timestamp.difference.max.ms', type: ConfigType.Long, defaultValue: LONG_MAX, brokerSynonym: 'log.message.timestamp.difference.max.ms', min: 0, documentation: 'Deprecated: largest difference between a CreateTime timestamp and the broker clock.' }),
  def({ name: 'message.timestamp.type', type: ConfigType.String, defaultValue: 'CreateTime', brokerSynonym: 'log.message.timestamp.type', validValues: ['CreateTime', 'LogAppendTime'], documentation: 'Whether record timestamps are the producer\'s or the broker\'s append time.' }),
  def({ name: 'min.cleanable.dirty.ratio', type: ConfigType.Double, defaultValue: '0.5', brokerSynonym: 'log.cleaner.min.cleanable.ratio', min: 0, max: 1, documentation: 'Dirty ratio above which the log is compacted.' }),
  def({ name: 'min.compaction.lag.ms', type: ConfigType.Long, defaultValue: '0', brokerSynonym: 'log.cleaner.min.compaction.lag.ms', min: 0, documentation: 'Shortest time a message stays uncompacted.' }),
  def({ name: 'min.insync.replicas', type: ConfigType.Int, defaultValue: '1', brokerSynonym: 'min.insync.replicas', brokerValue: (b) => num(b.minInsyncReplicas), min: 1, documentation: 'Fewest in-sync replicas for an acks=all write to succeed.' }),
  def({ name: 'preallocate', type: ConfigType.Boolean, defaultValue: 'false', brokerSynonym: 'log.preallocate', documentation: 'Preallocate segment files.' }),
  def({ name: 'retention.bytes', type: ConfigType.Long, defaultValue: '-1', brokerSynonym: 'log.retention.bytes', brokerValue: (b) => num(b.logRetentionBytes), documentation: 'Largest size a partition may grow to before old segments are deleted; -1 = no limit.' }),
  def({ name: 'retention.ms', type: ConfigType.Long, defaultValue: '604800000', brokerSynonym: 'log.retention.ms', brokerValue: (b) => num(b.logRetentionMs), min: -1, documentation: 'How long a segment is kept; -1 = forever.' }),
  def({ name: 'segment.bytes', type: ConfigType.Int, defaultValue: '1073741824', brokerSynonym: 'log.segment.bytes', brokerValue: (b) => num(b.logSegmentBytes), min: 14, documentation: 'Segment file size.' }),
  def({ name: 'segment.index.bytes', type: ConfigType.Int, defaultValue: '10485760', brokerSynonym: 'log.index.size.max.bytes', brokerValue: (b) => num(b.logIndexSizeMaxBytes), min: 4, documentation: 'Offset index size.' }),
  def({ name: 'segment.jitter.ms', type: ConfigType.Long, defaultValue: '0', brokerSynonym: 'log.roll.jitter.ms', min: 0, documentation: 'Random jitter subtracted from segment.ms.' }),
  def({ name: 'segment.ms', type: ConfigType.Long, defaultValue: '604800000', brokerSynonym: 'log.roll.ms', brokerValue: (b) => num(b.logRollMs), min: 1, documentation: 'Roll a segment after this long even if not full.' }),
  def({ name: 'unclean.leader.election.enable', type: ConfigType.Boolean, defaultValue: 'false', brokerSynonym: 'unclean.leader.election.enable', brokerValue: (b) => String(b.uncleanLeaderElectionEnable), documentation: 'Whether a replica outside the ISR may become leader.' }),
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

export function topicConfigDefinition(name: string): TopicConfigDefinition | undefined {
  return BY_NAME.get(name);
}

/**
 * Kafka's ConfigException text for a bad value ("Invalid value x for configuration y: why"),
 * or null when the value is acceptable.
 */
export function invalidTopicConfigValue(d: TopicConfigDefinition, value: string): string | null {
  const reason = valueProblem(d, value.trim());
  return reason === null ? null : `Invalid value ${value} for configuration ${d.name}: ${reason}`;
}

function valueProblem(d: TopicConfigDefinition, value: string): string | null {
  switch (d.type) {
    case ConfigType.Boolean:
      return /^(true|false)$/i.test(value) ? null : 'Expected value to be either true or false';
    case ConfigType.Int:
    case ConfigType.Short:
    case ConfigType.Long: {
      if (!/^[+-]?\d+$/.test(value)) return `Not a number of type ${d.type === ConfigType.Long ? 'LONG' : 'INT'}`;
      const big = BigInt(value);
      const [lo, hi] = d.type === ConfigType.Long ? [-(2n ** 63n), 2n ** 63n - 1n] : [BigInt(INT_MIN), BigInt(INT_MAX)];
      if (big < lo || big > hi) return `Not a number of type ${d.type === ConfigType.Long ? 'LONG' : 'INT'}`;
      return rangeProblem(d, Number(big));
    }
    case ConfigType.Double: {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) return 'Not a number of type DOUBLE';
      return rangeProblem(d, n);
    }
    case ConfigType.List: {
      if (!d.validValues) return null;
      const items = value === '' ? [] : value.split(',').map((s) => s.trim());
      const bad = items.find((item) => !d.validValues!.includes(item));
      return bad === undefined ? null : `String must be one of: ${d.validValues.join(', ')}`;
    }
    default:
      return d.validValues && !d.validValues.includes(value) ? `String must be one of: ${d.validValues.join(', ')}` : null;
  }
}

function rangeProblem(d: TopicConfigDefinition, n: number): string | null {
  if (d.min !== undefined && n < d.min) return `Value must be at least ${d.min}`;
  if (d.max !== undefined && n > d.max) return `Value must be no more than ${d.max}`;
  return null;
}
