import { CompressionType } from '../../protocol';
import type { ClientConfig } from '../../config/client.config';
import { ClientConfigError } from '../errors';
import { retryPolicy, type RetryPolicy } from '../retry';
import type { SerializerSpec } from './serializers';

export type Acks = 'all' | '-1' | '0' | '1' | -1 | 0 | 1;
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/**
 * Producer settings under the Java producer's names, camel-cased
 * (`linger.ms` → `lingerMs`); defaults are the Java client's.
 */
export interface ProducerOptions<K = unknown, V = unknown> {
  readonly bootstrapServers: readonly string[] | string;
  readonly clientId?: string;
  /** all (default): the full ISR; 1: the leader; 0: no acknowledgement. */
  readonly acks?: Acks;
  /** batch.size (16384): bytes per partition batch before it is sent. */
  readonly batchSize?: number;
  /** linger.ms (5, Kafka 4's default): how long a batch waits for more records. */
  readonly lingerMs?: number;
  /** buffer.memory (33554432): bytes held in unsent batches before send() waits. */
  readonly bufferMemory?: number;
  /** max.block.ms (60000): how long send() may wait for metadata or buffer memory. */
  readonly maxBlockMs?: number;
  /** request.timeout.ms (30000). */
  readonly requestTimeoutMs?: number;
  /** delivery.timeout.ms (120000): from send() to success or failure, retries included. */
  readonly deliveryTimeoutMs?: number;
  /** retries (Integer.MAX_VALUE): bounded in practice by delivery.timeout.ms. */
  readonly retries?: number;
  readonly retryBackoffMs?: number;
  readonly retryBackoffMaxMs?: number;
  /** compression.type (none). */
  readonly compressionType?: CompressionName;
  /** enable.idempotence (true unless acks, retries or max in flight rule it out and it was not asked for). */
  readonly enableIdempotence?: boolean;
  /** max.in.flight.requests.per.connection (5). */
  readonly maxInFlightRequestsPerConnection?: number;
  /** max.request.size (1048576): the largest record and the largest Produce request. */
  readonly maxRequestSize?: number;
  readonly metadataMaxAgeMs?: number;
  readonly connectTimeoutMs?: number;
  readonly keySerializer?: SerializerSpec<K>;
  readonly valueSerializer?: SerializerSpec<V>;
}

export interface ResolvedProducerOptions {
  readonly bootstrapServers: readonly string[] | string;
  readonly clientId: string;
  readonly acks: -1 | 0 | 1;
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly bufferMemory: number;
  readonly maxBlockMs: number;
  readonly requestTimeoutMs: number;
  readonly deliveryTimeoutMs: number;
  readonly retries: number;
  readonly retryPolicy: RetryPolicy;
  readonly compression: CompressionType;
  readonly idempotent: boolean;
  readonly maxInFlightRequestsPerConnection: number;
  readonly maxRequestSize: number;
  readonly metadataMaxAgeMs: number;
  readonly connectTimeoutMs: number;
}

const COMPRESSION: Readonly<Record<CompressionName, CompressionType>> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** The most batches the broker remembers per producer, hence the idempotent limit on requests in flight. */
const MAX_IDEMPOTENT_IN_FLIGHT = 5;
const INT_MAX = 2147483647;
let clientIdCounter = 0;

/** Defaults filled in and combinations checked the way the Java producer checks them. */
export function resolveProducerOptions(options: ProducerOptions<any, any>): ResolvedProducerOptions {
  const acks = parseAcks(options.acks ?? 'all');
  const retries = nonNegative('retries', options.retries ?? INT_MAX);
  const maxInFlight = atLeast('max.in.flight.requests.per.connection', options.maxInFlightRequestsPerConnection ?? 5, 1);
  const explicitIdempotence = options.enableIdempotence;
  let idempotent = explicitIdempotence ?? true;
  if (idempotent) {
    const conflict =
      acks !== -1 ? 'acks to all' : retries === 0 ? 'retries above 0' : maxInFlight > MAX_IDEMPOTENT_IN_FLIGHT ? `max.in.flight.requests.per.connection at most ${MAX_IDEMPOTENT_IN_FLIGHT}` : null;
    if (conflict !== null) {
      // Kafka 3.2+: a default that does not fit the other settings is dropped; an explicit one is an error.
      if (explicitIdempotence === true) throw new ClientConfigError(`Must set ${conflict} in order to use the idempotent producer`);
      idempotent = false;
    }
  }
  const lingerMs = nonNegative('linger.ms', options.lingerMs ?? 5);
  const requestTimeoutMs = atLeast('request.timeout.ms', options.requestTimeoutMs ?? 30_000, 1);
  let deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
  if (deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
    if (options.deliveryTimeoutMs !== undefined) {
      throw new ClientConfigError(`delivery.timeout.ms ${deliveryTimeoutMs} should be equal to or larger than linger.ms + request.timeout.ms (${lingerMs + requestTimeoutMs})`);
    }
    deliveryTimeoutMs = lingerMs + requestTimeoutMs;
  }
  const compressionName = (options.compressionType ?? 'none').toLowerCase() as CompressionName;
  const compression = COMPRESSION[compressionName];
  if (compression === undefined) throw new ClientConfigError(`compression.type ${JSON.stringify(options.compressionType)} is not one of ${Object.keys(COMPRESSION).join(', ')}`);
  return {
    bootstrapServers: options.bootstrapServers,
    clientId: options.clientId ?? `producer-${++clientIdCounter}`,
    acks,
    batchSize: nonNegative('batch.size', options.batchSize ?? 16_384),
    lingerMs,
    bufferMemory: atLeast('buffer.memory', options.bufferMemory ?? 33_554_432, 1),
    maxBlockMs: nonNegative('max.block.ms', options.maxBlockMs ?? 60_000),
    requestTimeoutMs,
    deliveryTimeoutMs,
    retries,
    retryPolicy: retryPolicy({ backoffMs: options.retryBackoffMs, maxBackoffMs: options.retryBackoffMaxMs }),
    compression,
    idempotent,
    maxInFlightRequestsPerConnection: maxInFlight,
    maxRequestSize: atLeast('max.request.size', options.maxRequestSize ?? 1_048_576, 1),
    metadataMaxAgeMs: nonNegative('metadata.max.age.ms', options.metadataMaxAgeMs ?? 300_000),
    connectTimeoutMs: atLeast('socket.connection.setup.timeout.ms', options.connectTimeoutMs ?? 10_000, 1),
  };
}

/**
 * Producer options from the bound `kafka.*` configuration (Spring Boot's
 * spring.kafka.producer.* names). `kafka.producer.properties` carries any Java producer
 * property and wins over the typed keys, as in Spring Boot.
 */
export function producerOptionsFromConfig(config: ClientConfig): ProducerOptions {
  const p = config.producer;
  const props = p.properties ?? {};
  const num = (name: string): number | undefined => {
    const raw = props[name];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new ClientConfigError(`kafka.producer.properties.${name}=${raw}: must be a number`);
    return value;
  };
  const bool = (name: string): boolean | undefined => {
    const raw = props[name];
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false') throw new ClientConfigError(`kafka.producer.properties.${name}=${raw}: must be true or false`);
    return raw === 'true';
  };
  return {
    bootstrapServers: props['bootstrap.servers'] ?? config.bootstrapServers,
    clientId: props['client.id'] ?? config.clientId,
    acks: (props['acks'] as Acks | undefined) ?? p.acks,
    batchSize: num('batch.size') ?? p.batchSize,
    bufferMemory: num('buffer.memory') ?? p.bufferMemory,
    compressionType: (props['compression.type'] as CompressionName | undefined) ?? p.compressionType,
    retries: num('retries') ?? p.retries,
    keySerializer: props['key.serializer'] ?? p.keySerializer,
    valueSerializer: props['value.serializer'] ?? p.valueSerializer,
    lingerMs: num('linger.ms'),
    maxBlockMs: num('max.block.ms'),
    requestTimeoutMs: num('request.timeout.ms'),
    deliveryTimeoutMs: num('delivery.timeout.ms'),
    retryBackoffMs: num('retry.backoff.ms'),
    retryBackoffMaxMs: num('retry.backoff.max.ms'),
    enableIdempotence: bool('enable.idempotence'),
    maxInFlightRequestsPerConnection: num('max.in.flight.requests.per.connection'),
    maxRequestSize: num('max.request.size'),
    metadataMaxAgeMs: num('metadata.max.age.ms'),
    connectTimeoutMs: num('socket.connection.setup.timeout.ms'),
  };
}

function parseAcks(acks: Acks): -1 | 0 | 1 {
  switch (String(acks).toLowerCase()) {
    case 'all':
    case '-1':
      return -1;
    case '0':
      return 0;
    case '1':
      return 1;
    default:
      throw new ClientConfigError(`acks=${String(acks)}: must be all, -1, 0 or 1`);
  }
}

function nonNegative(name: string, value: number): number {
  return atLeast(name, value, 0);
}

function atLeast(name: string, value: number, min: number): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min) throw new ClientConfigError(`${name}=${String(value)}: must be a number >= ${min}`);
  return value;
}
