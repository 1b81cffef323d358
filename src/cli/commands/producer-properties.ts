import type { ProducerOptions } from '../../client/producer/producer-options';
import { UsageError } from '../cli-command';

/**
 * Java producer property names (`linger.ms`, `compression.type`) as the SDK's
 * ProducerOptions, whose keys are the same names camel-cased; values are typed by
 * their look. The SDK validates the values (resolveProducerOptions); this rejects keys
 * it does not know, so a typo is a usage error rather than a silently ignored setting.
 */
const KNOWN: ReadonlySet<string> = new Set([
  'client.id',
  'acks',
  'batch.size',
  'linger.ms',
  'buffer.memory',
  'max.block.ms',
  'request.timeout.ms',
  'delivery.timeout.ms',
  'retries',
  'retry.backoff.ms',
  'retry.backoff.max.ms',
  'compression.type',
  'enable.idempotence',
  'max.in.flight.requests.per.connection',
  'max.request.size',
  'metadata.max.age.ms',
]);

/** The tools send bytes or text with serializers of their own, as Kafka's do; a producer.properties naming others is still usable. */
const TOOL_OWNED: ReadonlySet<string> = new Set(['key.serializer', 'value.serializer']);

export function producerOptionsFromProperties(props: ReadonlyMap<string, string>): Partial<ProducerOptions> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, raw] of props) {
    if (TOOL_OWNED.has(key)) continue;
    if (key === 'bootstrap.servers') throw new UsageError('give the brokers with --bootstrap-server, not as a producer property');
    if (!KNOWN.has(key)) throw new UsageError(`unknown producer property '${key}'; known: ${[...KNOWN].join(', ')}`);
    const name = key.replace(/\.([a-z])/g, (_, c: string) => c.toUpperCase());
    out[name] = /^-?\d+$/.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  // acks=all stays a string; acks=1 became a number, which ProducerOptions accepts too.
  return out as Partial<ProducerOptions>;
}
