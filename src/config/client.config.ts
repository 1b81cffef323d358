import { IsOptional } from 'class-validator';
import { ConfigKey, ConfigSection } from './config-key.decorator';
import { AtLeast, NonEmptyList, OneOf, Shaped } from './config-rules';

/**
 * Client settings under `kafka.*`, named as Spring Boot names them under
 * `spring.kafka.*`, so a Spring application.yml ports by renaming one prefix. Defaults
 * are the Java clients' (which Spring Boot leaves in place) and Spring Kafka's
 * container defaults. Durations are in milliseconds after binding; data sizes in bytes.
 * `properties` maps pass Kafka client properties through untouched, as in Spring.
 * Enum values bind as leniently as Spring binds enums: `manual-immediate`,
 * `manual_immediate` and `MANUAL_IMMEDIATE` are one ack mode.
 */

export const ACKS = ['all', '-1', '0', '1'] as const;
export const COMPRESSION_TYPES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export const AUTO_OFFSET_RESETS = ['earliest', 'latest', 'none'] as const;
export const ACK_MODES = ['RECORD', 'BATCH', 'TIME', 'COUNT', 'COUNT_TIME', 'MANUAL', 'MANUAL_IMMEDIATE'] as const;
export const LISTENER_TYPES = ['SINGLE', 'BATCH'] as const;

const HOST_PORT = /^[A-Za-z0-9._-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;

export class ProducerConfig {
  /** Java producer default since Kafka 3.0. */
  @ConfigKey('acks', 'string', { enumCase: 'lower' })
  @OneOf(ACKS)
  acks: (typeof ACKS)[number] = 'all';

  @ConfigKey('batch-size', 'size')
  @AtLeast(0)
  batchSize = 16384;

  @ConfigKey('buffer-memory', 'size')
  @AtLeast(0)
  bufferMemory = 33554432;

  @ConfigKey('compression-type', 'string', { enumCase: 'lower' })
  @OneOf(COMPRESSION_TYPES)
  compressionType: (typeof COMPRESSION_TYPES)[number] = 'none';

  @ConfigKey('retries', 'int')
  @AtLeast(0)
  retries = 2147483647;

  /** Serializer names are the SDK's (issue 7 defines the set); Spring's default is the string serializer. */
  @ConfigKey('key-serializer', 'string')
  keySerializer = 'string';

  @ConfigKey('value-serializer', 'string')
  valueSerializer = 'string';

  @ConfigKey('properties', 'map')
  properties: Record<string, string> = {};
}

export class ConsumerConfig {
  @ConfigKey('group-id', 'string')
  @IsOptional()
  groupId?: string;

  @ConfigKey('auto-offset-reset', 'string', { enumCase: 'lower' })
  @OneOf(AUTO_OFFSET_RESETS)
  autoOffsetReset: (typeof AUTO_OFFSET_RESETS)[number] = 'latest';

  /**
   * The Java consumer's default. Spring Kafka's containers turn it off unless it is set
   * explicitly and commit per ack-mode instead; the SDK decides that, not the binder.
   */
  @ConfigKey('enable-auto-commit', 'boolean')
  @IsOptional()
  enableAutoCommit?: boolean;

  @ConfigKey('auto-commit-interval', 'duration')
  @AtLeast(0)
  autoCommitInterval = 5000;

  @ConfigKey('max-poll-records', 'int')
  @AtLeast(1)
  maxPollRecords = 500;

  @ConfigKey('fetch-min-size', 'size')
  @AtLeast(0)
  fetchMinSize = 1;

  @ConfigKey('fetch-max-wait', 'duration')
  @AtLeast(0)
  fetchMaxWait = 500;

  @ConfigKey('heartbeat-interval', 'duration')
  @AtLeast(1)
  heartbeatInterval = 3000;

  @ConfigKey('key-deserializer', 'string')
  keyDeserializer = 'string';

  @ConfigKey('value-deserializer', 'string')
  valueDeserializer = 'string';

  @ConfigKey('properties', 'map')
  properties: Record<string, string> = {};
}

/** Spring Kafka's ContainerProperties defaults. */
export class ListenerConfig {
  @ConfigKey('ack-mode', 'string', { enumCase: 'upper' })
  @OneOf(ACK_MODES)
  ackMode: (typeof ACK_MODES)[number] = 'BATCH';

  @ConfigKey('concurrency', 'int')
  @AtLeast(1)
  concurrency = 1;

  @ConfigKey('type', 'string', { enumCase: 'upper' })
  @OneOf(LISTENER_TYPES)
  type: (typeof LISTENER_TYPES)[number] = 'SINGLE';

  @ConfigKey('ack-count', 'int')
  @AtLeast(1)
  ackCount = 1;

  @ConfigKey('ack-time', 'duration')
  @AtLeast(1)
  ackTime = 5000;

  @ConfigKey('poll-timeout', 'duration')
  @AtLeast(0)
  pollTimeout = 5000;
}

export class TemplateConfig {
  @ConfigKey('default-topic', 'string')
  @IsOptional()
  defaultTopic?: string;
}

export class ClientConfig {
  @ConfigKey('bootstrap-servers', 'list')
  @NonEmptyList()
  @Shaped(HOST_PORT, 'a list of host:port', { each: true })
  bootstrapServers: string[] = ['localhost:9092'];

  @ConfigKey('client-id', 'string')
  @IsOptional()
  clientId?: string;

  @ConfigSection('producer', ProducerConfig)
  producer = new ProducerConfig();

  @ConfigSection('consumer', ConsumerConfig)
  consumer = new ConsumerConfig();

  @ConfigSection('listener', ListenerConfig)
  listener = new ListenerConfig();

  @ConfigSection('template', TemplateConfig)
  template = new TemplateConfig();
}
