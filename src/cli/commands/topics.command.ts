import type { KafkaAdmin } from '../../client/admin/kafka-admin';
import { KafkaAdminError } from '../../client/admin/kafka-admin';
import type { TopicDescription } from '../../client/admin/admin-types';
import { ErrorCode } from '../../protocol';
import { EXIT_OK, UsageError } from '../cli-command';
import {
  CLIENT_TOOL_USAGE,
  adminFromFlags,
  withAdmin,
  booleanFlag,
  intFlag,
  keyValueFlags,
  toolCommand,
  reportKafkaErrors,
  stringFlag,
  type ToolValues,
} from '../tool-flags';

const ACTIONS = ['create', 'list', 'describe', 'alter', 'delete'] as const;

const OPTIONS = {
  create: { type: 'boolean' },
  list: { type: 'boolean' },
  describe: { type: 'boolean' },
  alter: { type: 'boolean' },
  delete: { type: 'boolean' },
  topic: { type: 'string' },
  partitions: { type: 'string' },
  'replication-factor': { type: 'string' },
  'replica-assignment': { type: 'string' },
  config: { type: 'string', multiple: true },
  'if-exists': { type: 'boolean' },
  'if-not-exists': { type: 'boolean' },
  'exclude-internal': { type: 'boolean' },
  'under-replicated-partitions': { type: 'boolean' },
  'unavailable-partitions': { type: 'boolean' },
  'topics-with-overrides': { type: 'boolean' },
} as const;

const USAGE = [
  'Usage: kafkanest topics --bootstrap-server HOST:PORT ACTION [options]',
  '',
  'Create, list, describe, grow and delete topics (kafka-topics.sh).',
  '',
  'Actions (exactly one):',
  '  --create                 create --topic (with --partitions, --replication-factor or',
  '                           --replica-assignment, and --config key=value ...)',
  '  --list                   list topic names (those matching --topic if given)',
  '  --describe               describe topics (those matching --topic if given)',
  '  --alter                  grow --topic to --partitions N',
  '  --delete                 delete the topics matching --topic',
  '',
  'Options:',
  '  --topic NAME             a topic name; a regular expression for list, describe,',
  '                           alter and delete',
  '  --partitions N           partition count (create: the broker default if omitted)',
  '  --replication-factor R   replicas per partition (the broker default if omitted)',
  '  --replica-assignment A   explicit placement: 1:2,2:3 lists partition 0 on brokers',
  '                           1 and 2, partition 1 on brokers 2 and 3',
  '  --config KEY=VALUE       a topic config for --create; repeatable',
  '  --if-exists              alter/delete/describe: no error when no topic matches',
  '  --if-not-exists          create: no error when the topic exists',
  '  --exclude-internal       leave internal topics out of list and describe',
  '  --under-replicated-partitions  describe only partitions whose ISR is short',
  '  --unavailable-partitions       describe only partitions without a live leader',
  '  --topics-with-overrides        describe only topics with config overrides',
  CLIENT_TOOL_USAGE,
].join('\n');

export const topicsCommand = toolCommand({ name: 'topics', usage: USAGE, options: OPTIONS }, async (values) => {
  const actions = ACTIONS.filter((a) => booleanFlag(values, a));
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --list, --describe, --create, --alter or --delete');
  const action = actions[0];
  if (action !== 'list' && action !== 'describe' && !stringFlag(values, 'topic')) throw new UsageError(`Missing required argument "--topic" for --${action}`);
  if (keyValueFlags(values, 'config').size > 0 && action !== 'create') throw new UsageError('--config is only valid with --create (use the REST admin or alterTopicConfigs to change configs)');
  const newTopic = action === 'create' ? newTopicFrom(values) : undefined;
  const newCount = action === 'alter' ? intFlag(values, 'partitions', -1, { min: 1 }) : -1;
  if (action === 'alter' && newCount < 0) throw new UsageError('--alter needs --partitions N, the new partition count');

  return reportKafkaErrors(() =>
    withAdmin(adminFromFlags(values), async (admin) => {
      switch (action) {
        case 'create':
          return await create(admin, newTopic!, booleanFlag(values, 'if-not-exists'));
        case 'list':
          for (const name of await matchingTopics(admin, values)) process.stdout.write(`${name}\n`);
          return EXIT_OK;
        case 'describe':
          return await describe(admin, values);
        case 'alter':
          for (const name of await existingMatches(admin, values)) await admin.createPartitions(name, newCount);
          return EXIT_OK;
        case 'delete': {
          const names = await existingMatches(admin, values);
          if (names.length > 0) await admin.deleteTopics(names);
          return EXIT_OK;
        }
      }
    }),
  );
});

function newTopicFrom(values: ToolValues): { name: string; numPartitions: number; replicationFactor: number; assignments?: Record<number, number[]>; configs: Record<string, string> } {
  const name = stringFlag(values, 'topic')!;
  const configs = Object.fromEntries(keyValueFlags(values, 'config'));
  const placement = stringFlag(values, 'replica-assignment');
  if (placement !== undefined) {
    if (stringFlag(values, 'partitions') !== undefined || stringFlag(values, 'replication-factor') !== undefined) {
      throw new UsageError('--replica-assignment cannot be used with --partitions or --replication-factor');
    }
    const assignments: Record<number, number[]> = {};
    placement.split(',').forEach((replicas, partition) => {
      // Number('') is 0: an empty entry ("1:2,,3") must not place a partition on broker 0.
      const texts = replicas.split(':').map((id) => id.trim());
      if (texts.some((id) => !/^\d+$/.test(id))) throw new UsageError(`--replica-assignment: '${replicas}' for partition ${partition} is not a list of broker ids`);
      const ids = texts.map(Number);
      assignments[partition] = ids;
    });
    return { name, numPartitions: -1, replicationFactor: -1, assignments, configs };
  }
  return {
    name,
    numPartitions: intFlag(values, 'partitions', -1, { min: 1 }),
    replicationFactor: intFlag(values, 'replication-factor', -1, { min: 1, max: 32767 }),
    configs,
  };
}

async function create(admin: KafkaAdmin, topic: NonNullable<ReturnType<typeof newTopicFrom>>, ifNotExists: boolean): Promise<number> {
  try {
    await admin.createTopics([topic]);
  } catch (error) {
    if (ifNotExists && error instanceof KafkaAdminError && error.code === ErrorCode.TOPIC_ALREADY_EXISTS) return EXIT_OK;
    if (error instanceof KafkaAdminError && error.code === ErrorCode.TOPIC_ALREADY_EXISTS) throw new KafkaAdminError(error.items, `Topic '${topic.name}' already exists.`);
    throw error;
  }
  process.stdout.write(`Created topic ${topic.name}.\n`);
  return EXIT_OK;
}

/** Topic names matching --topic as a whole-name regular expression (every topic without it), sorted. */
async function matchingTopics(admin: KafkaAdmin, values: ToolValues): Promise<string[]> {
  const names = await admin.listTopics({ includeInternal: !booleanFlag(values, 'exclude-internal') });
  const pattern = stringFlag(values, 'topic');
  if (pattern === undefined) return names;
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${pattern})$`);
  } catch {
    throw new UsageError(`--topic '${pattern}' is not a valid regular expression`);
  }
  return names.filter((name) => regex.test(name));
}

/** Like matchingTopics, but a --topic that matches nothing is an error unless --if-exists. */
async function existingMatches(admin: KafkaAdmin, values: ToolValues): Promise<string[]> {
  const names = await matchingTopics(admin, values);
  const pattern = stringFlag(values, 'topic');
  if (names.length === 0 && pattern !== undefined && !booleanFlag(values, 'if-exists')) {
    throw new KafkaAdminError([{ name: pattern, code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: null }], `Topic '${pattern}' does not exist as expected`);
  }
  return names;
}

async function describe(admin: KafkaAdmin, values: ToolValues): Promise<number> {
  const names = stringFlag(values, 'topic') === undefined ? await matchingTopics(admin, values) : await existingMatches(admin, values);
  const underReplicated = booleanFlag(values, 'under-replicated-partitions');
  const unavailable = booleanFlag(values, 'unavailable-partitions');
  const partitionFilter = underReplicated || unavailable;
  const liveBrokers = new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId));
  const described = await admin.describeTopics(names);
  const configs = await Promise.all(described.map((t) => admin.describeTopicConfigs(t.name)));
  for (const [i, topic] of described.entries()) {
    const overrides = configs[i].filter((c) => !c.isDefault && c.value !== null);
    if (booleanFlag(values, 'topics-with-overrides') && overrides.length === 0) continue;
    const partitions = topic.partitions.filter(
      (p) => !partitionFilter || (underReplicated && p.isr.length < p.replicas.length) || (unavailable && (p.leader < 0 || !liveBrokers.has(p.leader))),
    );
    if (!partitionFilter) process.stdout.write(`${topicLine(topic, overrides.map((c) => `${c.name}=${c.isSensitive ? '[hidden]' : c.value}`))}\n`);
    for (const p of partitions) {
      const offline = p.offlineReplicas.length > 0 ? `\tOffline: ${p.offlineReplicas.join(',')}` : '';
      process.stdout.write(
        `\tTopic: ${topic.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}${offline}\n`,
      );
    }
  }
  return EXIT_OK;
}

function topicLine(topic: TopicDescription, configs: readonly string[]): string {
  const replicationFactor = topic.partitions[0]?.replicas.length ?? 0;
  return `Topic: ${topic.name}\tTopicId: ${topic.topicId}\tPartitionCount: ${topic.partitions.length}\tReplicationFactor: ${replicationFactor}\tConfigs: ${configs.join(',')}`;
}
