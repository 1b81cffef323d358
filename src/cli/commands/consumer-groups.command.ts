import type { KafkaAdmin } from '../../client/admin/kafka-admin';
import { describeGroupOffsets } from '../../client/admin/group-offsets';
import { KafkaAdminError } from '../../client/admin/kafka-admin';
import type { ConsumerGroupDescription, TopicPartitionRef } from '../../client/admin/admin-types';
import { ErrorCode } from '../../protocol';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-command';
import { CLIENT_TOOL_USAGE, adminFromFlags, withAdmin, booleanFlag, listFlag, parseIntArg, toolCommand, reportKafkaErrors, stringFlag, type ToolValues } from '../tool-flags';

const ACTIONS = ['list', 'describe', 'reset-offsets', 'delete'] as const;
const RESET_SPECS = ['to-earliest', 'to-latest', 'to-offset', 'to-datetime', 'shift-by', 'to-current'] as const;

const OPTIONS = {
  list: { type: 'boolean' },
  describe: { type: 'boolean' },
  'reset-offsets': { type: 'boolean' },
  delete: { type: 'boolean' },
  group: { type: 'string', multiple: true },
  'all-groups': { type: 'boolean' },
  members: { type: 'boolean' },
  offsets: { type: 'boolean' },
  state: { type: 'boolean' },
  topic: { type: 'string', multiple: true },
  'all-topics': { type: 'boolean' },
  'to-earliest': { type: 'boolean' },
  'to-latest': { type: 'boolean' },
  'to-current': { type: 'boolean' },
  'to-offset': { type: 'string' },
  'to-datetime': { type: 'string' },
  'shift-by': { type: 'string' },
  'dry-run': { type: 'boolean' },
  execute: { type: 'boolean' },
} as const;

const USAGE = [
  'Usage: kafkanest consumer-groups --bootstrap-server HOST:PORT ACTION [options]',
  '',
  'List, describe, reset and delete consumer groups (kafka-consumer-groups.sh).',
  '',
  'Actions (exactly one):',
  '  --list                  every group (with --state: and its state)',
  '  --describe              --group G (repeatable) or --all-groups: offsets and lag per',
  '                          partition (default), --members, or --state',
  '  --reset-offsets         --group G and --topic T[:P,P...] (repeatable) or --all-topics,',
  '                          with one of --to-earliest, --to-latest, --to-current,',
  '                          --to-offset N, --shift-by N, --to-datetime',
  '                          YYYY-MM-DDTHH:mm:SS[.sss][Z|+hh:mm]; prints the plan, and',
  '                          applies it only with --execute (--dry-run is the default)',
  '  --delete                delete --group G (repeatable) or --all-groups',
  CLIENT_TOOL_USAGE,
].join('\n');

export const consumerGroupsCommand = toolCommand({ name: 'consumer-groups', usage: USAGE, options: OPTIONS }, async (values) => {
  const actions = ACTIONS.filter((a) => booleanFlag(values, a));
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --list, --describe, --delete, --reset-offsets');
  const action = actions[0];
  const groups = listFlag(values, 'group');
  const allGroups = booleanFlag(values, 'all-groups');
  if (action !== 'list' && groups.length === 0 && !allGroups) throw new UsageError(`Option --${action} takes one of these options: --all-groups, --group`);
  const reset = action === 'reset-offsets' ? resetPlanFrom(values) : undefined;

  return reportKafkaErrors(() =>
    withAdmin(adminFromFlags(values), async (admin) => {
      const targets = allGroups ? (await admin.listConsumerGroups()).map((g) => g.groupId) : groups;
      switch (action) {
        case 'list':
          return await list(admin, booleanFlag(values, 'state'));
        case 'describe':
          return await describe(admin, targets, booleanFlag(values, 'members') ? 'members' : booleanFlag(values, 'state') ? 'state' : 'offsets');
        case 'reset-offsets':
          return await resetOffsets(admin, targets, reset!);
        case 'delete':
          await admin.deleteConsumerGroups(targets);
          process.stdout.write(`Deletion of requested consumer groups (${targets.map((g) => `'${g}'`).join(', ')}) was successful.\n`);
          return EXIT_OK;
      }
    }),
  );
});

/** Columns padded to their widest cell, as Kafka's tool prints its tables. */
function printTable(header: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const lines = cells.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join(' '));
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

async function list(admin: KafkaAdmin, withState: boolean): Promise<number> {
  const groups = await admin.listConsumerGroups();
  if (withState) printTable(['GROUP', 'STATE'], groups.map((g) => [g.groupId, g.state]));
  else for (const g of groups) process.stdout.write(`${g.groupId}\n`);
  return EXIT_OK;
}

const MISSING = '-';

async function describe(admin: KafkaAdmin, groupIds: readonly string[], view: 'offsets' | 'members' | 'state'): Promise<number> {
  let exit = EXIT_OK;
  for (const group of await admin.describeConsumerGroups(groupIds)) {
    if (group.state === 'Dead') {
      process.stderr.write(`Error: Consumer group '${group.groupId}' does not exist.\n`);
      exit = EXIT_FAILURE;
      continue;
    }
    if (group.members.length === 0 && view !== 'state') process.stderr.write(`\nConsumer group '${group.groupId}' has no active members.\n`);
    if (view === 'state') {
      const coordinator = (await admin.describeCluster()).brokers.find((b) => b.nodeId === group.coordinatorId);
      const where = coordinator ? `${coordinator.host}:${coordinator.port}  (${coordinator.nodeId})` : `(${group.coordinatorId})`;
      printTable(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'], [[group.groupId, where, group.protocol || MISSING, group.state, group.members.length]]);
    } else if (view === 'members') {
      if (group.members.length > 0) {
        printTable(
          ['GROUP', 'CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS'],
          group.members.map((m) => [group.groupId, m.memberId, m.host, m.clientId, m.assignment.length]),
        );
      }
    } else {
      printTable(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'], await offsetRows(admin, group));
    }
  }
  return exit;
}

/** kafka-consumer-groups' offsets table, '-' where there is nothing to show. */
async function offsetRows(admin: KafkaAdmin, group: ConsumerGroupDescription): Promise<Array<Array<string | number>>> {
  const rows = await describeGroupOffsets(admin, group, await admin.listConsumerGroupOffsets(group.groupId));
  return rows.map((r) => [group.groupId, r.topic, r.partition, r.currentOffset ?? MISSING, r.logEndOffset ?? MISSING, r.lag ?? MISSING, r.consumerId ?? MISSING, r.host ?? MISSING, r.clientId ?? MISSING]);
}

function key(tp: TopicPartitionRef): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

// ---- reset-offsets ----

type ResetSpec =
  | { kind: 'to-earliest' | 'to-latest' | 'to-current' }
  | { kind: 'to-offset' | 'shift-by'; value: number }
  | { kind: 'to-datetime'; timestamp: number };

interface ResetPlan {
  readonly spec: ResetSpec;
  /** Topic → partitions (null: every partition); null: every topic the group has offsets for. */
  readonly topics: ReadonlyMap<string, readonly number[] | null> | null;
  readonly execute: boolean;
}

function resetPlanFrom(values: ToolValues): ResetPlan {
  const specs = RESET_SPECS.filter((s) => values[s] !== undefined);
  if (specs.length !== 1) throw new UsageError(`Option --reset-offsets takes exactly one of: ${RESET_SPECS.map((s) => `--${s}`).join(', ')}`);
  const kind = specs[0];
  let spec: ResetSpec;
  if (kind === 'to-offset') spec = { kind, value: parseIntArg(stringFlag(values, kind)!, '--to-offset', { min: 0 }) };
  else if (kind === 'shift-by') spec = { kind, value: parseIntArg(stringFlag(values, kind)!, '--shift-by') };
  else if (kind === 'to-datetime') spec = { kind, timestamp: parseDatetime(stringFlag(values, kind)!) };
  else spec = { kind };
  if (booleanFlag(values, 'execute') && booleanFlag(values, 'dry-run')) throw new UsageError('Options --execute and --dry-run cannot be specified together.');
  const topicArgs = listFlag(values, 'topic');
  const allTopics = booleanFlag(values, 'all-topics');
  if ((topicArgs.length > 0) === allTopics) throw new UsageError('Option --reset-offsets takes one of these options: --all-topics, --topic');
  let topics: Map<string, number[] | null> | null = null;
  if (!allTopics) {
    topics = new Map();
    for (const arg of topicArgs) {
      const [name, list] = arg.split(':', 2);
      if (!name) throw new UsageError(`--topic '${arg}' is not TOPIC or TOPIC:PARTITION,PARTITION...`);
      topics.set(name, list === undefined ? null : list.split(',').map((p) => parseIntArg(p, `partition in --topic ${arg}`, { min: 0 })));
    }
  }
  return { spec, topics, execute: booleanFlag(values, 'execute') };
}

/** Kafka's --to-datetime: ISO-8601 local time unless a zone is given. */
function parseDatetime(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  const millis = match ? Date.parse(text) : NaN;
  if (!match || Number.isNaN(millis)) throw new UsageError(`--to-datetime '${text}' is not YYYY-MM-DDTHH:mm:SS[.sss][Z|+hh:mm]`);
  return millis;
}

async function resetOffsets(admin: KafkaAdmin, groupIds: readonly string[], plan: ResetPlan): Promise<number> {
  if (!plan.execute) process.stderr.write('WARN: No action will be performed as the --execute option is missing. Add --execute to apply the plan, or --dry-run to keep this behaviour explicitly.\n');
  const rows: Array<Array<string | number>> = [];
  for (const groupId of groupIds) {
    const [group] = await admin.describeConsumerGroups([groupId]);
    if (group.state !== 'Empty' && group.state !== 'Dead') {
      throw new KafkaAdminError(
        [{ name: groupId, code: ErrorCode.NON_EMPTY_GROUP, message: null }],
        `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${group.state}.`,
      );
    }
    const committed = await admin.listConsumerGroupOffsets(groupId);
    const current = new Map(committed.map((o) => [key(o), o.offset]));
    const partitions = await partitionsToReset(admin, plan, committed);
    const targets = await targetOffsets(admin, partitions, plan.spec, current);
    for (const t of targets) rows.push([groupId, t.topic, t.partition, t.offset]);
    if (plan.execute && targets.length > 0) await admin.alterConsumerGroupOffsets(groupId, targets);
  }
  printTable(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], rows);
  return EXIT_OK;
}

async function partitionsToReset(admin: KafkaAdmin, plan: ResetPlan, committed: readonly TopicPartitionRef[]): Promise<TopicPartitionRef[]> {
  if (plan.topics === null) return committed.map((o) => ({ topic: o.topic, partition: o.partition }));
  const out: TopicPartitionRef[] = [];
  const described = await admin.describeTopics([...plan.topics.keys()]);
  for (const topic of described) {
    const wanted = plan.topics.get(topic.name);
    for (const p of topic.partitions) if (!wanted || wanted.includes(p.partition)) out.push({ topic: topic.name, partition: p.partition });
    for (const p of wanted ?? []) {
      if (p >= topic.partitions.length) throw new KafkaAdminError([{ name: `${topic.name}-${p}`, code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: null }]);
    }
  }
  return out;
}

/** The new offset of each partition, kept within [log start, log end] as Kafka's tool does. */
async function targetOffsets(admin: KafkaAdmin, partitions: readonly TopicPartitionRef[], spec: ResetSpec, current: ReadonlyMap<string, number>): Promise<Array<TopicPartitionRef & { offset: number }>> {
  if (partitions.length === 0) return [];
  const earliest = new Map((await admin.listOffsets(partitions, 'earliest')).map((o) => [key(o), o.offset]));
  const latest = new Map((await admin.listOffsets(partitions, 'latest')).map((o) => [key(o), o.offset]));
  const byTime = spec.kind === 'to-datetime' ? new Map((await admin.listOffsets(partitions, { timestamp: spec.timestamp })).map((o) => [key(o), o.offset])) : undefined;
  return partitions.map((tp) => {
    const low = earliest.get(key(tp))!;
    const high = latest.get(key(tp))!;
    const now = current.get(key(tp));
    let offset: number;
    switch (spec.kind) {
      case 'to-earliest':
        offset = low;
        break;
      case 'to-latest':
        offset = high;
        break;
      case 'to-current':
        offset = now ?? high;
        break;
      case 'to-offset':
        offset = spec.value;
        break;
      case 'shift-by':
        offset = (now ?? high) + spec.value;
        break;
      case 'to-datetime': {
        const found = byTime!.get(key(tp))!;
        offset = found < 0 ? high : found;
        break;
      }
    }
    return { ...tp, offset: Math.min(Math.max(offset, low), high) };
  });
}
