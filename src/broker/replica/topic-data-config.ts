import type { TopicLogConfig } from '../../log/log-config';

/** The broker-wide defaults the data path falls back to when a topic sets nothing. */
export interface BrokerDataDefaults {
  /** message.max.bytes (1048588): the largest batch a topic without max.message.bytes accepts. */
  messageMaxBytes: number;
  /** min.insync.replicas (1). */
  minInsyncReplicas: number;
  /** log.message.timestamp.type: CreateTime unless set. */
  logAppendTime?: boolean;
}

/** What the produce path needs of a topic's configuration, resolved against the broker defaults. */
export interface TopicDataConfig {
  maxMessageBytes: number;
  minInsyncReplicas: number;
  /** message.timestamp.type=LogAppendTime: the broker stamps its append time on each batch. */
  logAppendTime: boolean;
}

/** Kafka's topic-level config names that the log takes, mapped onto LogConfig's fields. */
const LOG_OVERRIDES: ReadonlyArray<[string, keyof TopicLogConfig]> = [
  ['segment.bytes', 'segmentBytes'],
  ['segment.ms', 'segmentMs'],
  ['index.interval.bytes', 'indexIntervalBytes'],
  ['segment.index.bytes', 'maxIndexSize'],
  ['retention.ms', 'retentionMs'],
  ['retention.bytes', 'retentionBytes'],
  ['flush.messages', 'flushIntervalMessages'],
  ['flush.ms', 'flushIntervalMs'],
  ['file.delete.delay.ms', 'fileDeleteDelayMs'],
];

function intConfig(configs: Readonly<Record<string, string>>, key: string): number | undefined {
  const text = configs[key];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? Math.trunc(value) : undefined;
}

/** The log settings a topic overrides (values that do not parse are left to the broker default). */
export function topicLogOverrides(configs: Readonly<Record<string, string>>): Partial<TopicLogConfig> {
  const overrides: Partial<TopicLogConfig> = {};
  for (const [key, field] of LOG_OVERRIDES) {
    const value = intConfig(configs, key);
    if (value !== undefined) overrides[field] = value;
  }
  return overrides;
}

export function topicDataConfig(configs: Readonly<Record<string, string>>, defaults: BrokerDataDefaults): TopicDataConfig {
  const timestampType = configs['message.timestamp.type'];
  return {
    maxMessageBytes: intConfig(configs, 'max.message.bytes') ?? defaults.messageMaxBytes,
    minInsyncReplicas: intConfig(configs, 'min.insync.replicas') ?? defaults.minInsyncReplicas,
    logAppendTime: timestampType !== undefined ? timestampType === 'LogAppendTime' : (defaults.logAppendTime ?? false),
  };
}
