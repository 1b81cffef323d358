import type { BrokerConfig } from '../../config/broker.config';
import type { LogModuleOptions } from '../../log/log.module';

/**
 * The broker's log.* properties as LogModule options. Unset flush intervals stay unset, so
 * the log keeps Kafka's default of leaving fsync to the OS.
 */
export function brokerLogOptions(config: BrokerConfig): LogModuleOptions {
  const options: LogModuleOptions = {
    logDirs: config.logDirs,
    segmentBytes: config.logSegmentBytes,
    segmentMs: config.logRollMs,
    indexIntervalBytes: config.logIndexIntervalBytes,
    maxIndexSize: config.logIndexSizeMaxBytes,
    retentionMs: config.logRetentionMs,
    retentionBytes: config.logRetentionBytes,
    retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
  };
  if (config.logFlushIntervalMessages !== undefined) options.flushIntervalMessages = config.logFlushIntervalMessages;
  if (config.logFlushIntervalMs !== undefined) options.flushIntervalMs = config.logFlushIntervalMs;
  return options;
}
