/**
 * The storage layer's own configuration, plain numbers with Kafka's names and defaults
 * beside them. The app maps broker config (src/config) onto it; the log never reads
 * application.yml itself.
 */
export interface LogConfig {
  /** log.dirs: one or several directories; partitions are spread over them. */
  logDirs: string[];
  /** log.segment.bytes (1 GiB). */
  segmentBytes: number;
  /** log.roll.ms (7 days): a non-empty active segment older than this rolls. */
  segmentMs: number;
  /** log.index.interval.bytes (4096). */
  indexIntervalBytes: number;
  /** log.index.size.max.bytes (10 MiB). */
  maxIndexSize: number;
  /** log.retention.ms (7 days); -1 keeps segments forever. */
  retentionMs: number;
  /** log.retention.bytes (-1 = unlimited), per partition. */
  retentionBytes: number;
  /** log.retention.check.interval.ms (5 minutes). */
  retentionCheckIntervalMs: number;
  /** log.flush.interval.messages: fsync after this many unflushed messages (default: never, the OS decides). */
  flushIntervalMessages: number;
  /** log.flush.interval.ms: fsync when the oldest unflushed data is this old (default: never). */
  flushIntervalMs: number;
  /** log.flush.scheduler.interval.ms: how often the time-based flush is checked. */
  flushCheckIntervalMs: number;
  /** log.flush.offset.checkpoint.interval.ms (60 s): how often recovery points, high watermarks and log start offsets are checkpointed. */
  checkpointIntervalMs: number;
  /** file.delete.delay.ms (60 s): how long a deleted segment's files stay readable. */
  fileDeleteDelayMs: number;
}

/** The settings a topic may override (Kafka's topic-level names in the comments). */
export interface TopicLogConfig {
  /** segment.bytes */
  segmentBytes: number;
  /** segment.ms */
  segmentMs: number;
  /** index.interval.bytes */
  indexIntervalBytes: number;
  /** segment.index.bytes */
  maxIndexSize: number;
  /** retention.ms */
  retentionMs: number;
  /** retention.bytes */
  retentionBytes: number;
  /** flush.messages */
  flushIntervalMessages: number;
  /** flush.ms */
  flushIntervalMs: number;
  /** file.delete.delay.ms */
  fileDeleteDelayMs: number;
}

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

export const DEFAULT_LOG_CONFIG: Omit<LogConfig, 'logDirs'> = {
  segmentBytes: 1073741824,
  segmentMs: SEVEN_DAYS_MS,
  indexIntervalBytes: 4096,
  maxIndexSize: 10485760,
  retentionMs: SEVEN_DAYS_MS,
  retentionBytes: -1,
  retentionCheckIntervalMs: 300000,
  flushIntervalMessages: Number.MAX_SAFE_INTEGER,
  flushIntervalMs: Number.MAX_SAFE_INTEGER,
  flushCheckIntervalMs: 1000,
  checkpointIntervalMs: 60000,
  fileDeleteDelayMs: 60000,
};

export function resolveLogConfig(config: Partial<LogConfig> & Pick<LogConfig, 'logDirs'>): LogConfig {
  if (!config.logDirs.length) throw new Error('log.dirs must name at least one directory');
  return { ...DEFAULT_LOG_CONFIG, ...config };
}

export function topicConfig(defaults: LogConfig, overrides: Partial<TopicLogConfig> = {}): TopicLogConfig {
  const pick = <K extends keyof TopicLogConfig>(key: K): TopicLogConfig[K] => overrides[key] ?? defaults[key];
  return {
    segmentBytes: pick('segmentBytes'),
    segmentMs: pick('segmentMs'),
    indexIntervalBytes: pick('indexIntervalBytes'),
    maxIndexSize: pick('maxIndexSize'),
    retentionMs: pick('retentionMs'),
    retentionBytes: pick('retentionBytes'),
    flushIntervalMessages: pick('flushIntervalMessages'),
    flushIntervalMs: pick('flushIntervalMs'),
    fileDeleteDelayMs: pick('fileDeleteDelayMs'),
  };
}

/** Where the log writes its warnings (recovery cuts, rebuilt indexes); Nest's Logger fits. */
export interface LogLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
