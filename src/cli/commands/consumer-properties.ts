import { consumerOptionsFromProperties, type ConsumerOptions } from '../../client/consumer/consumer-options';
import type { KafkaConsumer } from '../../client/consumer/kafka-consumer';
import { UsageError } from '../cli-command';
import { configuredClient } from '../tool-flags';

/** Set by the tools themselves, as Kafka's do: the brokers come from --bootstrap-server, records are read as bytes. */
const TOOL_OWNED: ReadonlySet<string> = new Set(['bootstrap.servers', 'key.deserializer', 'value.deserializer']);

/**
 * Java consumer properties (`--consumer.config`, `--consumer-property`) as the SDK's
 * ConsumerOptions, whose keys are those names. A value of the wrong kind or a name the
 * consumer does not know is a usage error, so a typo is not a silently ignored setting.
 */
export function consumerOptionsFromToolProperties(props: ReadonlyMap<string, string>): Partial<ConsumerOptions<Buffer | null, Buffer | null>> {
  const { options, unknown } = configuredClient(() => consumerOptionsFromProperties([...props].filter(([key]) => !TOOL_OWNED.has(key))));
  if (unknown.length > 0) throw new UsageError(`unknown consumer property '${unknown[0]}'`);
  return options;
}

type ToolConsumerOptions = ConsumerOptions<Buffer | null, Buffer | null>;

/**
 * A tool's consumer: the configured properties, then the tool's own `settings` over them;
 * records as bytes, and no topic auto-created by a lookup (the tools check the topic
 * first). A setting the consumer refuses is a usage error.
 */
export async function toolConsumer(configured: Partial<ToolConsumerOptions>, settings: ToolConsumerOptions): Promise<KafkaConsumer<Buffer | null, Buffer | null>> {
  // Loaded here: the consumer (and the Nest logger it brings) would slow every other command's start.
  const { KafkaConsumer } = await import('../../client/consumer/kafka-consumer');
  return configuredClient(
    () => new KafkaConsumer<Buffer | null, Buffer | null>({ ...configured, 'allow.auto.create.topics': false, ...settings, 'key.deserializer': 'buffer', 'value.deserializer': 'buffer' }),
  );
}
