import type { CliCommand } from './cli-command';

/**
 * A subcommand as `kafkanest --help` lists it. Its module is loaded only when it runs,
 * so a tool does not pay for the broker's start-up code (config validation, Nest) nor
 * the broker for the tools'.
 */
export interface CommandEntry {
  readonly name: string;
  /** One line for the command list in `kafkanest --help`. */
  readonly summary: string;
  load(): Promise<CliCommand>;
}

/** Every subcommand, in the order `kafkanest --help` lists them. New commands add one line. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'start', summary: 'run the broker with its HTTP admin until SIGINT/SIGTERM', load: async () => (await import('./commands/start.command')).startCommand },
  { name: 'topics', summary: 'create, list, describe, alter and delete topics (kafka-topics.sh)', load: async () => (await import('./commands/topics.command')).topicsCommand },
  { name: 'console-producer', summary: 'send stdin lines as records (kafka-console-producer.sh)', load: async () => (await import('./commands/console-producer.command')).consoleProducerCommand },
  { name: 'console-consumer', summary: 'print records of a topic (kafka-console-consumer.sh)', load: async () => (await import('./commands/console-consumer.command')).consoleConsumerCommand },
  { name: 'consumer-groups', summary: 'list, describe, reset offsets of and delete consumer groups (kafka-consumer-groups.sh)', load: async () => (await import('./commands/consumer-groups.command')).consumerGroupsCommand },
  { name: 'producer-perf-test', summary: "measure produce throughput and latency (kafka-producer-perf-test.sh's output)", load: async () => (await import('./commands/producer-perf-test.command')).producerPerfTestCommand },
  { name: 'consumer-perf-test', summary: "measure consume throughput (kafka-consumer-perf-test.sh's CSV)", load: async () => (await import('./commands/consumer-perf-test.command')).consumerPerfTestCommand },
  { name: 'dump-log', summary: "print and check log segments and indexes (Kafka's DumpLogSegments)", load: async () => (await import('./commands/dump-log.command')).dumpLogCommand },
];
