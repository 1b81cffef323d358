import { Inject, Injectable } from '@nestjs/common';
import { BrokerConfig } from '../../config/broker.config';
import { ZERO_UUID } from '../../protocol/codec/struct-plan';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { errorCodeOf, KafkaError } from '../../protocol/errors/kafka-error';
import { TopicAssignmentsAccessor, TopicConfigsAccessor, TopicDeletionsAccessor, TopicExistsInStoreError } from '../../zk/accessors';
import { METADATA_STORE, type MetadataStore } from '../../zk/metadata-store';
import { BadVersionError } from '../../zk/metadata-store.errors';
import { MetadataCache } from '../metadata/metadata-cache.service';
import { placeReplicas, validateAssignment, type ReplicaAssignment } from './replica-placement';
import { validateTopicConfigs } from './topic-config-validator';
import { newTopicId } from './topic-id';
import { collidingTopics, invalidTopicNameReason, isValidTopicName } from './topic-name';

export interface NewTopic {
  readonly name: string;
  /** -1: num.partitions (or the assignment's size). */
  readonly numPartitions: number;
  /** -1: default.replication.factor (or the assignment's). */
  readonly replicationFactor: number;
  readonly assignments: readonly { readonly partitionIndex: number; readonly brokerIds: readonly number[] }[];
  readonly configs: readonly { readonly name: string; readonly value: string | null }[];
}

export interface AdminOptions {
  /** How long to wait for the result to show in this broker's metadata; <= 0 answers at once. */
  readonly timeoutMs: number;
  readonly validateOnly?: boolean;
  /** Auto-creation from Metadata runs on any broker; admin requests must reach the controller. */
  readonly anyBroker?: boolean;
}

export interface TopicOutcome {
  readonly name: string;
  readonly topicId: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface CreatedTopicOutcome extends TopicOutcome {
  readonly numPartitions: number;
  readonly replicationFactor: number;
  /** The topic's overrides (validated), for the CreateTopics v5+ config listing. */
  readonly configs: Readonly<Record<string, string>>;
}

export interface TopicRef {
  readonly name: string | null;
  /** ZERO_UUID or null when the topic is named. */
  readonly topicId: string | null;
}

export interface NewPartitions {
  readonly name: string;
  /** The new total. */
  readonly count: number;
  readonly assignments: readonly (readonly number[])[] | null;
}

/**
 * New partitions one CreateTopics or CreatePartitions request may ask for, as Kafka's KRaft
 * controller limits them (POLICY_VIOLATION beyond): placing and writing, say, a hundred
 * million would exhaust the broker's memory long before an answer.
 */
export const MAX_NEW_PARTITIONS_PER_REQUEST = 10_000;

/** What is left of a request's MAX_NEW_PARTITIONS_PER_REQUEST; each topic takes its share before anything is placed. */
class NewPartitionBudget {
  private left = MAX_NEW_PARTITIONS_PER_REQUEST;

  take(partitions: number): void {
    if (partitions > this.left) {
      throw new KafkaError(
        ErrorCode.POLICY_VIOLATION,
        `Excessively large number of partitions per request: ${partitions} new partition(s) here would bring the request over its limit of ${MAX_NEW_PARTITIONS_PER_REQUEST}.`,
      );
    }
    this.left -= partitions;
  }
}

/**
 * Topic administration as Kafka's ZooKeeper-mode AdminZkClient does it: validate, then write
 * the assignment (and config overrides) to the metadata store; the controller turns them into
 * partition states. Results wait until this broker's MetadataCache shows the outcome (every
 * partition with a leader; a deleted topic gone), bounded by the request's timeout, after
 * which the topic gets REQUEST_TIMED_OUT. Per-topic failures are returned, never thrown.
 */
@Injectable()
export class TopicAdmin {
  private readonly assignments: TopicAssignmentsAccessor;
  private readonly configs: TopicConfigsAccessor;
  private readonly deletions: TopicDeletionsAccessor;
  /** Randomness for placement; tests pin it. */
  random: () => number = Math.random;

  constructor(
    private readonly config: BrokerConfig,
    @Inject(METADATA_STORE) store: MetadataStore,
    private readonly cache: MetadataCache,
  ) {
    this.assignments = new TopicAssignmentsAccessor(store);
    this.configs = new TopicConfigsAccessor(store);
    this.deletions = new TopicDeletionsAccessor(store);
  }

  // ---- CreateTopics ----

  async createTopics(topics: readonly NewTopic[], options: AdminOptions): Promise<CreatedTopicOutcome[]> {
    const counts = countBy(topics.map((t) => t.name));
    const duplicates = [...counts].filter(([, n]) => n > 1).map(([name]) => name);
    const outcomes: CreatedTopicOutcome[] = [];
    const created: { name: string; partitions: number }[] = [];
    const budget = new NewPartitionBudget();
    for (const topic of topics) {
      if (counts.get(topic.name)! > 1) {
        outcomes.push(createFailure(topic, ErrorCode.INVALID_REQUEST, `Create topics request contains multiple entries for the following topics: ${duplicates.join(', ')}`));
        continue;
      }
      try {
        this.requireController(options);
        const outcome = await this.createTopic(topic, options.validateOnly ?? false, budget);
        outcomes.push(outcome);
        if (!options.validateOnly) created.push({ name: topic.name, partitions: outcome.numPartitions });
      } catch (err) {
        outcomes.push(createFailure(topic, errorCodeOf(err), messageOf(err)));
      }
    }
    if (created.length > 0 && options.timeoutMs > 0) {
      await this.cache.waitFor(() => created.every((c) => this.hasLeaders(c.name, c.partitions)), options.timeoutMs);
      return outcomes.map((o) => {
        const c = created.find((x) => x.name === o.name && o.errorCode === ErrorCode.NONE);
        return c && !this.hasLeaders(c.name, c.partitions) ? { ...o, ...timedOut(o.name, 'the partitions to get leaders') } : o;
      });
    }
    return outcomes;
  }

  private async createTopic(topic: NewTopic, validateOnly: boolean, budget: NewPartitionBudget): Promise<CreatedTopicOutcome> {
    const invalid = invalidTopicNameReason(topic.name);
    if (invalid) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, invalid);
    if (await this.assignments.get(topic.name)) {
      const marked = await this.deletions.isMarked(topic.name);
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, marked ? `Topic '${topic.name}' is marked for deletion.` : `Topic '${topic.name}' already exists.`);
    }
    const colliding = collidingTopics(topic.name, await this.assignments.names());
    if (colliding.length > 0) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${topic.name}' collides with existing topics: ${colliding.join(', ')}`);
    const replicas = this.assignmentFor(topic, budget);
    const overrides = validateTopicConfigs(topic.configs);
    const topicId = validateOnly ? ZERO_UUID : newTopicId();
    if (!validateOnly) {
      // Configs first, as Kafka does: whoever sees the topic appear finds its overrides in place.
      if (Object.keys(overrides).length > 0) await this.configs.set(topic.name, overrides);
      try {
        await this.assignments.create(topic.name, topicId, replicas);
      } catch (err) {
        if (err instanceof TopicExistsInStoreError) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, err.message);
        throw err;
      }
    }
    return {
      name: topic.name,
      topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: replicas.length,
      replicationFactor: replicas[0]?.length ?? -1,
      configs: overrides,
    };
  }

  private assignmentFor(topic: NewTopic, budget: NewPartitionBudget): ReplicaAssignment {
    const live = this.cache.liveBrokers().map((b) => b.id);
    if (topic.assignments.length > 0) {
      budget.take(topic.assignments.length);
      if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
        throw new KafkaError(
          ErrorCode.INVALID_REQUEST,
          'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
        );
      }
      const replicas: ReplicaAssignment = [];
      for (const a of topic.assignments) replicas[a.partitionIndex] = [...a.brokerIds];
      const indexes = topic.assignments.map((a) => a.partitionIndex);
      if (new Set(indexes).size !== indexes.length || indexes.some((p) => p < 0 || p >= topic.assignments.length)) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence');
      }
      validateAssignment(replicas, live);
      return replicas;
    }
    const partitions = topic.numPartitions === -1 ? this.config.numPartitions : topic.numPartitions;
    if (partitions > 0) budget.take(partitions);
    const factor = topic.replicationFactor === -1 ? this.config.defaultReplicationFactor : topic.replicationFactor;
    return placeReplicas(partitions, factor, live, { random: this.random });
  }

  // ---- DeleteTopics ----

  async deleteTopics(refs: readonly TopicRef[], options: AdminOptions): Promise<TopicOutcome[]> {
    const outcomes: TopicOutcome[] = [];
    const pending: { name: string; topicId: string }[] = [];
    const seen = countBy(refs.map((r) => (hasId(r) ? `id:${r.topicId}` : `name:${r.name}`)));
    for (const ref of refs) {
      const name = ref.name ?? null;
      const topicId = hasId(ref) ? ref.topicId! : ZERO_UUID;
      try {
        if (seen.get(hasId(ref) ? `id:${ref.topicId}` : `name:${ref.name}`)! > 1) {
          throw new KafkaError(ErrorCode.INVALID_REQUEST, hasId(ref) ? 'Duplicate topic id.' : 'Duplicate topic name.');
        }
        if (!this.config.deleteTopicEnable) throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
        this.requireController(options);
        const target = await this.resolve(ref);
        await this.deletions.mark(target.name);
        pending.push(target);
        outcomes.push({ name: target.name, topicId: target.topicId, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        outcomes.push({ name: name ?? '', topicId, errorCode: errorCodeOf(err), errorMessage: messageOf(err) });
      }
    }
    if (pending.length === 0 || options.timeoutMs <= 0) return outcomes;
    const gone = (t: { name: string; topicId: string }): boolean => this.cache.topic(t.name)?.topicId !== t.topicId || !this.cache.topic(t.name);
    await this.cache.waitFor(() => pending.every(gone), options.timeoutMs);
    return outcomes.map((o) => {
      const p = pending.find((x) => x.name === o.name && o.errorCode === ErrorCode.NONE);
      return p && !gone(p) ? { ...o, ...timedOut(o.name, 'the topic to be deleted') } : o;
    });
  }

  private async resolve(ref: TopicRef): Promise<{ name: string; topicId: string }> {
    if (hasId(ref)) {
      const topic = this.cache.topicById(ref.topicId!);
      if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_ID, `Topic id ${ref.topicId} does not exist.`);
      return { name: topic.name, topicId: topic.topicId };
    }
    if (!ref.name) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.');
    // A name no topic can have names no topic (and must not reach a store path).
    if (!isValidTopicName(ref.name)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${ref.name}' does not exist.`);
    const assignment = await this.assignments.get(ref.name);
    if (!assignment) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${ref.name}' does not exist.`);
    return { name: ref.name, topicId: assignment.topicId || ZERO_UUID };
  }

  // ---- CreatePartitions ----

  async createPartitions(topics: readonly NewPartitions[], options: AdminOptions): Promise<TopicOutcome[]> {
    const counts = countBy(topics.map((t) => t.name));
    const outcomes: TopicOutcome[] = [];
    const grown: { name: string; partitions: number }[] = [];
    const budget = new NewPartitionBudget();
    for (const topic of topics) {
      try {
        if (counts.get(topic.name)! > 1) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.');
        this.requireController(options);
        await this.addPartitions(topic, options.validateOnly ?? false, budget);
        if (!options.validateOnly) grown.push({ name: topic.name, partitions: topic.count });
        outcomes.push({ name: topic.name, topicId: ZERO_UUID, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (err) {
        outcomes.push({ name: topic.name, topicId: ZERO_UUID, errorCode: errorCodeOf(err), errorMessage: messageOf(err) });
      }
    }
    if (grown.length === 0 || options.timeoutMs <= 0) return outcomes;
    await this.cache.waitFor(() => grown.every((g) => this.hasLeaders(g.name, g.partitions)), options.timeoutMs);
    return outcomes.map((o) => {
      const g = grown.find((x) => x.name === o.name && o.errorCode === ErrorCode.NONE);
      return g && !this.hasLeaders(g.name, g.partitions) ? { ...o, ...timedOut(o.name, 'the new partitions to get leaders') } : o;
    });
  }

  /** Compare-and-set on the assignment node: a concurrent change makes it read and decide again. */
  private async addPartitions(topic: NewPartitions, validateOnly: boolean, budget: NewPartitionBudget, attempt = 0): Promise<void> {
    if (!isValidTopicName(topic.name)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${topic.name}' does not exist.`);
    const current = await this.assignments.get(topic.name);
    if (!current) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${topic.name}' does not exist.`);
    if (await this.deletions.isMarked(topic.name)) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `The topic '${topic.name}' is queued for deletion.`);
    const existing = current.partitions.length;
    if (topic.count < existing) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${existing} partitions, which is higher than the requested ${topic.count}.`);
    }
    if (topic.count === existing) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${existing} partitions.`);
    // A retry after a concurrent change already took its share.
    if (attempt === 0) budget.take(topic.count - existing);
    const factor = current.partitions[0]?.length ?? this.config.defaultReplicationFactor;
    const live = this.cache.liveBrokers().map((b) => b.id);
    let added: ReplicaAssignment;
    if (topic.assignments) {
      if (topic.assignments.length !== topic.count - existing) {
        throw new KafkaError(
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          `Increasing the number of partitions by ${topic.count - existing} but ${topic.assignments.length} assignments provided.`,
        );
      }
      added = topic.assignments.map((ids) => [...ids]);
      validateAssignment(added, live, factor);
    } else {
      added = placeReplicas(topic.count, factor, live, { existing: current.partitions, random: this.random });
    }
    if (validateOnly) return;
    try {
      await this.assignments.setPartitions(topic.name, current.topicId, [...current.partitions, ...added], current.version);
    } catch (err) {
      if (err instanceof BadVersionError && attempt < 3) return this.addPartitions(topic, validateOnly, budget, attempt + 1);
      throw err;
    }
  }

  // ---- shared ----

  private requireController(options: AdminOptions): void {
    if (options.anyBroker) return;
    if (this.cache.controllerId() !== this.cache.localBrokerId) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This is not the correct controller for this cluster.');
  }

  /** The topic shows in this broker's metadata with `partitions` partitions, each led. */
  private hasLeaders(name: string, partitions: number): boolean {
    const topic = this.cache.topic(name);
    return !!topic && topic.partitions.length >= partitions && topic.partitions.every((p) => p.leader >= 0);
  }
}

function createFailure(topic: NewTopic, errorCode: number, errorMessage: string | null): CreatedTopicOutcome {
  return { name: topic.name, topicId: ZERO_UUID, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: {} };
}

function timedOut(name: string, what: string): { errorCode: number; errorMessage: string } {
  return { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: `Timed out waiting for ${what} of '${name}'.` };
}

function messageOf(err: unknown): string | null {
  if (err instanceof KafkaError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

function countBy(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

function hasId(ref: TopicRef): boolean {
  return !!ref.topicId && ref.topicId !== ZERO_UUID;
}
