import type { CliCommand } from './cli-command';
import { consoleConsumerCommand } from './commands/console-consumer.command';
import { consoleProducerCommand } from './commands/console-producer.command';
import { consumerGroupsCommand } from './commands/consumer-groups.command';
import { consumerPerfTestCommand } from './commands/consumer-perf-test.command';
import { dumpLogCommand } from './commands/dump-log.command';
import { producerPerfTestCommand } from './commands/producer-perf-test.command';
import { startCommand } from './commands/start.command';
import { topicsCommand } from './commands/topics.command';

/** Every subcommand, in the order `kafkanest --help` lists them. New commands add one line. */
export const COMMANDS: readonly CliCommand[] = [
  startCommand,
  topicsCommand,
  consoleProducerCommand,
  consoleConsumerCommand,
  consumerGroupsCommand,
  producerPerfTestCommand,
  consumerPerfTestCommand,
  dumpLogCommand,
];
