import { ErrorCode } from '../../protocol/errors/error-codes';
import { KafkaError } from '../../protocol/errors/kafka-error';
import { invalidTopicConfigValue, topicConfigDefinition } from './topic-config-definitions';

export interface ConfigEntryInput {
  readonly name: string;
  readonly value: string | null;
}

/**
 * Topic config overrides as given in CreateTopics or AlterConfigs, checked as Kafka checks them:
 * null values, unknown keys and bad values are INVALID_CONFIG with Kafka's messages. Later
 * entries for the same key win, as in a Properties object.
 */
export function validateTopicConfigs(entries: readonly ConfigEntryInput[]): Record<string, string> {
  const nulls = entries.filter((e) => e.value === null).map((e) => e.name);
  if (nulls.length > 0) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${nulls.join(',')}`);
  const out: Record<string, string> = {};
  for (const entry of entries) out[entry.name] = entry.value!;
  checkTopicConfigs(out);
  return out;
}

/** Throws INVALID_CONFIG for the first unknown key or bad value. */
export function checkTopicConfigs(configs: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(configs)) {
    const definition = topicConfigDefinition(name);
    if (!definition) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
    const problem = invalidTopicConfigValue(definition, value);
    if (problem) throw new KafkaError(ErrorCode.INVALID_CONFIG, problem);
  }
}
