import {
  CreatePartitionsApi,
  CreateTopicsApi,
  DeleteGroupsApi,
  DeleteTopicsApi,
  DescribeConfigsApi,
  DescribeGroupsApi,
  DescribeLogDirsApi,
  ErrorCode,
  IncrementalAlterConfigsApi,
  ListGroupsApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  ZERO_UUID,
  errorName,
  errorInfo,
  isRetriable,
  type ApiSpec,
  type MetadataResponse,
  type RequestOf,
  type ResponseOf,
} from '../../protocol';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment } from '../../protocol/consumer-protocol';
import { KafkaCluster, isCoordinatorError } from '../cluster/kafka-cluster';
import { offsetFetchAnswers } from '../consumer/offset-commits';
import { KafkaClientError, isRetriableError } from '../errors';
import type { BrokerConnection } from '../network/broker-connection';
import { sleep, backoffDelay, withRetries, type RetryPolicy } from '../retry';
import type {
  AlterOffsetSpec,
  ClusterDescription,
  CommittedOffsetInfo,
  ConsumerGroupDescription,
  ConsumerGroupListing,
  ConsumerGroupMember,
  ListedOffset,
  ListOffsetsOptions,
  NewTopicSpec,
  OffsetSpec,
  ReplicaLogDirInfo,
  TopicConfigEntry,
  TopicDescription,
  TopicPartitionRef,
} from './admin-types';

export interface KafkaAdminOptions {
  readonly bootstrapServers: string | readonly string[];
  readonly clientId?: string;
  /** request.timeout.ms (30000): one request's wait for its answer. */
  readonly requestTimeoutMs?: number;
  /** default.api.timeout.ms (60000): how long one admin call may retry before it fails. */
  readonly apiTimeoutMs?: number;
  /** retry.backoff.ms / retry.backoff.max.ms (100 / 1000) between attempts. */
  readonly retry?: Partial<RetryPolicy>;
}

export interface AdminItemError {
  readonly name: string;
  readonly code: number;
  readonly message: string | null;
}

/**
 * One admin call failed for some of its items (topics, groups, partitions). `code` is the
 * first failed item's Kafka error code; `items` has every failure, so a caller can answer
 * 404 for UNKNOWN_TOPIC_OR_PARTITION or 409 for TOPIC_ALREADY_EXISTS without parsing text.
 */
export class KafkaAdminError extends KafkaClientError {
  override readonly name = 'KafkaAdminError';

  constructor(
    readonly items: readonly AdminItemError[],
    message?: string,
  ) {
    super(items[0]?.code ?? ErrorCode.UNKNOWN_SERVER_ERROR, message ?? items.map(describeItemError).join('; '), { retriable: false });
  }
}

function describeItemError(item: AdminItemError): string {
  const detail = item.message || errorInfo(item.code)?.message;
  return `${item.name}: ${errorName(item.code)}${detail ? ` (${detail})` : ''}`;
}

/** ConfigResource.Type of a topic in DescribeConfigs / IncrementalAlterConfigs. */
const TOPIC_RESOURCE = 2;
/** ConfigSource DEFAULT_CONFIG: the value no level overrides. */
const DEFAULT_CONFIG_SOURCE = 5;
const EARLIEST_TIMESTAMP = -2;
const LATEST_TIMESTAMP = -1;
/** ListOffsets' replica ids: a consumer, answered up to the high watermark (or LSO); a debugging client, answered up to the log end. */
const CONSUMER_REPLICA_ID = -1;
const DEBUGGING_REPLICA_ID = -2;
const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;
/** Groups an admin may rewrite offsets of: nobody consumes with them (Kafka's ConsumerGroupCommand rule). */
const INACTIVE_GROUP_STATES: ReadonlySet<string> = new Set(['Empty', 'Dead']);
/** Item errors worth another attempt at the controller or coordinator besides the retriable codes. */
const ROUTING_ERRORS: ReadonlySet<number> = new Set([ErrorCode.NOT_CONTROLLER, ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

/** One item's answer. `item` names the pending item it belongs to when that differs (a partition's error in a group's commit). */
type ItemOutcome = { name: string; code: number; message: string | null; item?: string };

/**
 * Kafka's Admin client over the SDK's KafkaCluster: topic and partition management at the
 * controller, configs, offsets at each partition's leader, log dirs on every broker and
 * consumer groups at their coordinators. Every call retries retriable failures (a moved
 * controller, a coordinator still loading, a lost connection) until apiTimeoutMs, and
 * throws KafkaAdminError naming each item that failed for good.
 */
export class KafkaAdmin {
  private readonly cluster: KafkaCluster;
  private readonly apiTimeoutMs: number;

  constructor(options: KafkaAdminOptions) {
    this.apiTimeoutMs = options.apiTimeoutMs ?? 60_000;
    this.cluster = new KafkaCluster({
      bootstrapServers: options.bootstrapServers,
      clientId: options.clientId ?? 'kafkanest-admin',
      requestTimeoutMs: options.requestTimeoutMs,
      defaultApiTimeoutMs: this.apiTimeoutMs,
      retry: options.retry,
      allowAutoTopicCreation: false,
    });
  }

  /** Learns the brokers; fails once apiTimeoutMs passes without any broker answering. */
  async connect(): Promise<void> {
    await this.cluster.connect(this.apiTimeoutMs);
  }

  async close(): Promise<void> {
    this.cluster.close();
  }

  // ---- cluster and topics ----

  async describeCluster(): Promise<ClusterDescription> {
    const response = await this.retrying(() => this.metadata([]));
    return {
      clusterId: response.clusterId ?? null,
      controllerId: response.controllerId ?? -1,
      brokers: response.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null })).sort((a, b) => a.nodeId - b.nodeId),
    };
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    const response = await this.retrying(() => this.metadata(null));
    return response.topics
      .filter((t) => t.name !== null && t.errorCode === ErrorCode.NONE && (options.includeInternal || !t.isInternal))
      .map((t) => t.name!)
      .sort();
  }

  /** Fails with UNKNOWN_TOPIC_OR_PARTITION naming every topic that does not exist. */
  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    if (names.length === 0) return [];
    const response = await this.retrying(async () => {
      const answer = await this.metadata(names);
      // A topic just created may answer LEADER_NOT_AVAILABLE until its leaders are elected.
      const electing = answer.topics.find((t) => t.errorCode === ErrorCode.LEADER_NOT_AVAILABLE);
      if (electing) throw KafkaClientError.fromCode(electing.errorCode, `describing topic ${electing.name}`);
      return answer;
    });
    const failures: ItemOutcome[] = [];
    const byName = new Map(response.topics.map((t) => [t.name, t]));
    const found: TopicDescription[] = [];
    for (const name of names) {
      const t = byName.get(name);
      if (!t || t.errorCode !== ErrorCode.NONE) {
        failures.push({ name, code: t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: null });
        continue;
      }
      const partitions = [...t.partitions]
        .sort((a, b) => a.partitionIndex - b.partitionIndex)
        .map((p) => ({
          topic: name,
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch ?? -1,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas ?? [],
          errorCode: p.errorCode,
        }));
      found.push({ name, topicId: t.topicId ?? ZERO_UUID, isInternal: t.isInternal, partitions });
    }
    if (failures.length > 0) throw new KafkaAdminError(failures);
    return found;
  }

  async createTopics(topics: readonly NewTopicSpec[], options: { validateOnly?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const specs = new Map(topics.map((t) => [t.name, t]));
    await this.perItem([...specs.keys()], async (names) => {
      const response = await this.sendToController(CreateTopicsApi, {
        topics: names.map((name) => {
          const spec = specs.get(name)!;
          const assignments = spec.assignments ? Object.entries(spec.assignments).map(([p, brokerIds]) => ({ partitionIndex: Number(p), brokerIds: [...brokerIds] })) : [];
          return {
            name,
            numPartitions: assignments.length > 0 ? -1 : (spec.numPartitions ?? -1),
            replicationFactor: assignments.length > 0 ? -1 : (spec.replicationFactor ?? -1),
            assignments,
            configs: Object.entries(spec.configs ?? {}).map(([key, value]) => ({ name: key, value })),
          };
        }),
        timeoutMs: options.timeoutMs ?? this.apiTimeoutMs,
        validateOnly: options.validateOnly ?? false,
      });
      return response.topics.map((t) => ({ name: t.name, code: t.errorCode, message: t.errorMessage }));
    });
  }

  async deleteTopics(names: readonly string[], options: { timeoutMs?: number } = {}): Promise<void> {
    await this.perItem(names, async (pending) => {
      const response = await this.sendToController(DeleteTopicsApi, {
        topics: pending.map((name) => ({ name, topicId: ZERO_UUID })),
        topicNames: [...pending],
        timeoutMs: options.timeoutMs ?? this.apiTimeoutMs,
      });
      return response.responses.map((r) => ({ name: r.name ?? '', code: r.errorCode, message: r.errorMessage }));
    });
  }

  /** Grows `topic` to `totalCount` partitions (Kafka never shrinks one: INVALID_PARTITIONS). */
  async createPartitions(topic: string, totalCount: number, options: { timeoutMs?: number } = {}): Promise<void> {
    await this.perItem([topic], async () => {
      const response = await this.sendToController(CreatePartitionsApi, {
        topics: [{ name: topic, count: totalCount, assignments: null }],
        timeoutMs: options.timeoutMs ?? this.apiTimeoutMs,
        validateOnly: false,
      });
      return response.results.map((r) => ({ name: r.name, code: r.errorCode, message: r.errorMessage }));
    });
  }

  async describeTopicConfigs(topic: string): Promise<TopicConfigEntry[]> {
    let entries: TopicConfigEntry[] = [];
    await this.perItem([topic], async () => {
      const connection = await this.cluster.anyConnection();
      const version = connection.versionFor(DescribeConfigsApi);
      const response = await connection.send(
        DescribeConfigsApi,
        { resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false },
        { version },
      );
      const result = response.results[0];
      if (!result) return [{ name: topic, code: ErrorCode.UNKNOWN_SERVER_ERROR, message: 'no result for the topic' }];
      entries = result.configs
        .map((c) => ({
          name: c.name,
          value: c.value,
          isDefault: version === 0 ? c.isDefault : c.configSource === DEFAULT_CONFIG_SOURCE,
          isSensitive: c.isSensitive,
          readOnly: c.readOnly,
        }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return [{ name: topic, code: result.errorCode, message: result.errorMessage }];
    });
    return entries;
  }

  /** IncrementalAlterConfigs: sets the keys in `set`, reverts the keys in `remove` to their defaults, leaves others. */
  async alterTopicConfigs(topic: string, set: Readonly<Record<string, string>>, remove: readonly string[] = []): Promise<void> {
    const configs = [
      ...Object.entries(set).map(([name, value]) => ({ name, configOperation: 0, value })),
      ...remove.map((name) => ({ name, configOperation: 1, value: null })),
    ];
    await this.perItem([topic], async () => {
      const response = await this.sendToController(IncrementalAlterConfigsApi, { resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configs }], validateOnly: false });
      return response.responses.map((r) => ({ name: topic, code: r.errorCode, message: r.errorMessage }));
    });
  }

  // ---- offsets and log dirs ----

  /** Each partition asked at its leader; fails naming the partitions that do not exist. */
  async listOffsets(partitions: readonly TopicPartitionRef[], spec: OffsetSpec, options: ListOffsetsOptions = {}): Promise<ListedOffset[]> {
    const timestamp = spec === 'earliest' ? EARLIEST_TIMESTAMP : spec === 'latest' || spec === 'logEnd' ? LATEST_TIMESTAMP : spec.timestamp;
    const replicaId = spec === 'logEnd' ? DEBUGGING_REPLICA_ID : CONSUMER_REPLICA_ID;
    const isolationLevel = options.isolationLevel === 'read_committed' ? READ_COMMITTED : READ_UNCOMMITTED;
    const found = new Map<string, ListedOffset>();
    const wanted = new Map(partitions.map((tp) => [partitionName(tp), tp]));
    await this.perItem([...wanted.keys()], async (pending) => {
      const refs = pending.map((name) => wanted.get(name)!);
      const topics = await this.describeTopics([...new Set(refs.map((r) => r.topic))]);
      const byLeader = new Map<number, TopicPartitionRef[]>();
      const outcomes: ItemOutcome[] = [];
      for (const ref of refs) {
        const leader = topics.find((t) => t.name === ref.topic)?.partitions[ref.partition]?.leader;
        if (leader === undefined) outcomes.push({ name: partitionName(ref), code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: null });
        else if (leader < 0) outcomes.push({ name: partitionName(ref), code: ErrorCode.LEADER_NOT_AVAILABLE, message: null });
        else byLeader.set(leader, [...(byLeader.get(leader) ?? []), ref]);
      }
      const answers = await Promise.all(
        [...byLeader].map(async ([leader, refsAtLeader]) => {
          const response = await this.cluster.send(leader, ListOffsetsApi, {
            replicaId,
            isolationLevel,
            topics: groupByTopic(refsAtLeader).map(([name, ps]) => ({
              name,
              partitions: ps.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })),
            })),
          });
          return response.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, ...p })));
        }),
      );
      for (const p of answers.flat()) {
        const name = partitionName({ topic: p.topic, partition: p.partitionIndex });
        if (p.errorCode === ErrorCode.NONE) {
          const offset = p.offset >= 0 || p.oldStyleOffsets.length === 0 ? p.offset : p.oldStyleOffsets[0];
          found.set(name, { topic: p.topic, partition: p.partitionIndex, offset, timestamp: p.timestamp, leaderEpoch: p.leaderEpoch });
        } else {
          this.cluster.handleErrorCode(p.errorCode);
        }
        outcomes.push({ name, code: p.errorCode, message: null });
      }
      return outcomes;
    });
    return partitions.map((tp) => found.get(partitionName(tp))!);
  }

  /** Every replica on the given brokers (every live broker by default), with its size and lag. */
  async describeLogDirs(brokerIds?: readonly number[]): Promise<ReplicaLogDirInfo[]> {
    const ids = brokerIds ?? (await this.describeCluster()).brokers.map((b) => b.nodeId);
    const perBroker = await Promise.all(
      ids.map((brokerId) =>
        this.retrying(async () => {
          const response = await this.cluster.send(brokerId, DescribeLogDirsApi, { topics: null });
          if (response.errorCode !== ErrorCode.NONE) throw KafkaClientError.fromCode(response.errorCode, `DescribeLogDirs at broker ${brokerId}`);
          const replicas: ReplicaLogDirInfo[] = [];
          // An offline dir (KAFKA_STORAGE_ERROR) describes no replica.
          for (const dir of response.results) {
            if (dir.errorCode !== ErrorCode.NONE) continue;
            for (const t of dir.topics) {
              for (const p of t.partitions) {
                if (p.isFutureKey) continue;
                replicas.push({ brokerId, logDir: dir.logDir, topic: t.name, partition: p.partitionIndex, sizeBytes: p.partitionSize, offsetLag: p.offsetLag });
              }
            }
          }
          return replicas;
        }),
      ),
    );
    return perBroker.flat();
  }

  // ---- consumer groups ----

  /** Asks every broker for the groups it coordinates. */
  async listConsumerGroups(): Promise<ConsumerGroupListing[]> {
    const brokers = (await this.describeCluster()).brokers;
    const perBroker = await Promise.all(
      brokers.map((broker) =>
        this.retrying(async () => {
          const response = await this.cluster.send(broker.nodeId, ListGroupsApi, { statesFilter: [], typesFilter: [] });
          if (response.errorCode !== ErrorCode.NONE) throw KafkaClientError.fromCode(response.errorCode, `ListGroups at broker ${broker.nodeId}`);
          return response.groups.map((g) => ({ groupId: g.groupId, state: g.groupState || 'Unknown', protocolType: g.protocolType, coordinatorId: broker.nodeId }));
        }),
      ),
    );
    return perBroker.flat().sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  /** Each group at its coordinator; a group nobody knows is described as Dead with no members, as Kafka does. */
  async describeConsumerGroups(groupIds: readonly string[]): Promise<ConsumerGroupDescription[]> {
    const found = new Map<string, ConsumerGroupDescription>();
    await this.perItem(groupIds, async (pending) =>
      Promise.all(
        pending.map(async (groupId): Promise<ItemOutcome> => {
          const { coordinatorId, response } = await this.atCoordinator(groupId, DescribeGroupsApi, { groups: [groupId], includeAuthorizedOperations: false });
          const g = response.groups.find((x) => x.groupId === groupId);
          if (!g) return { name: groupId, code: ErrorCode.COORDINATOR_NOT_AVAILABLE, message: 'no answer for the group' };
          if (g.errorCode === ErrorCode.NONE) {
            found.set(groupId, {
              groupId,
              state: g.groupState,
              protocolType: g.protocolType,
              protocol: g.protocolData,
              coordinatorId,
              members: g.members.map((m) => memberOf(m, g.protocolType)),
            });
          }
          return { name: groupId, code: g.errorCode, message: null };
        }),
      ),
    );
    return groupIds.map((id) => found.get(id)!);
  }

  /** The group's committed offsets; none for a group that never committed. */
  async listConsumerGroupOffsets(groupId: string): Promise<CommittedOffsetInfo[]> {
    let offsets: CommittedOffsetInfo[] = [];
    await this.perItem([groupId], async () => {
      const { response, version } = await this.atCoordinator(groupId, OffsetFetchApi, (v) => ({
        groupId,
        topics: v >= 8 ? [] : null,
        groups: v >= 8 ? [{ groupId, memberId: null, memberEpoch: -1, topics: null }] : [],
        requireStable: false,
      }));
      const { errorCode, answers } = offsetFetchAnswers(response, version, groupId);
      if (errorCode !== ErrorCode.NONE) return [{ name: groupId, code: errorCode, message: null }];
      const failed = answers.flatMap((t) =>
        t.partitions.filter((p) => p.errorCode !== ErrorCode.NONE).map((p) => ({ name: `${t.name}-${p.partitionIndex}`, code: p.errorCode, message: null, item: groupId })),
      );
      if (failed.length > 0) return failed;
      offsets = answers
        .flatMap((t) => t.partitions.filter((p) => p.committedOffset >= 0).map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata })))
        .sort(byTopicPartition);
      return [{ name: groupId, code: ErrorCode.NONE, message: null }];
    });
    return offsets;
  }

  /**
   * Commits offsets for a group nobody consumes with. A group with members would have the
   * commit refused by the coordinator (UNKNOWN_MEMBER_ID, an admin not being a member) or
   * overwritten by the members' next commit, so it is refused here with NON_EMPTY_GROUP
   * naming the state, as Kafka's kafka-consumer-groups.sh does.
   */
  async alterConsumerGroupOffsets(groupId: string, offsets: readonly AlterOffsetSpec[]): Promise<void> {
    const [group] = await this.describeConsumerGroups([groupId]);
    if (!INACTIVE_GROUP_STATES.has(group.state)) throw activeGroupError(groupId, group.state);
    await this.perItem([groupId], async () => {
      const { response } = await this.atCoordinator(groupId, OffsetCommitApi, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: groupByTopic(offsets).map(([name]) => ({
          name,
          partitions: offsets
            .filter((o) => o.topic === name)
            .map((o) => ({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: o.metadata ?? '' })),
        })),
      });
      const outcomes = response.topics.flatMap((t) => t.partitions.map((p) => ({ name: `${t.name}-${p.partitionIndex}`, code: p.errorCode, message: null, item: groupId })));
      // A member joined between the state check and the commit.
      if (outcomes.some((o) => o.code === ErrorCode.UNKNOWN_MEMBER_ID || o.code === ErrorCode.ILLEGAL_GENERATION)) throw activeGroupError(groupId, 'active');
      const failed = outcomes.filter((o) => o.code !== ErrorCode.NONE);
      return failed.length > 0 ? failed : [{ name: groupId, code: ErrorCode.NONE, message: null }];
    });
  }

  /** Deletes groups with no members and their offsets: NON_EMPTY_GROUP while one has members, GROUP_ID_NOT_FOUND for an unknown one. */
  async deleteConsumerGroups(groupIds: readonly string[]): Promise<void> {
    await this.perItem(groupIds, async (pending) =>
      Promise.all(
        pending.map(async (groupId): Promise<ItemOutcome> => {
          const { response } = await this.atCoordinator(groupId, DeleteGroupsApi, { groupsNames: [groupId] });
          const result = response.results.find((r) => r.groupId === groupId);
          return { name: groupId, code: result?.errorCode ?? ErrorCode.COORDINATOR_NOT_AVAILABLE, message: null };
        }),
      ),
    );
  }

  // ---- internals ----

  /** A Metadata request that never auto-creates; `null` asks for every topic, `[]` for none. */
  private async metadata(topics: readonly string[] | null): Promise<MetadataResponse> {
    const connection = await this.cluster.anyConnection();
    const version = connection.versionFor(MetadataApi);
    const list = topics === null ? (version === 0 ? [] : null) : topics.map((name) => ({ topicId: ZERO_UUID, name }));
    const response = await connection.send(
      MetadataApi,
      { topics: list, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false },
      { version },
    );
    this.cluster.metadata.update(response, topics);
    return response;
  }

  /** Sends to the controller (any broker while none is known; NOT_CONTROLLER then sends the retry to the right one). */
  private async sendToController<A extends ApiSpec<any, any>>(api: A, body: RequestOf<A>): Promise<ResponseOf<A>> {
    const controller = this.cluster.metadata.controllerId;
    const connection = controller >= 0 ? await this.cluster.connectionTo(controller) : await this.cluster.anyConnection();
    return connection.send(api, body);
  }

  /** Sends to the group's coordinator; `body` may depend on the version negotiated with it. */
  private async atCoordinator<A extends ApiSpec<any, any>>(
    groupId: string,
    api: A,
    body: RequestOf<A> | ((version: number) => RequestOf<A>),
  ): Promise<{ coordinatorId: number; version: number; response: ResponseOf<A> }> {
    const connection: BrokerConnection = await this.cluster.coordinatorConnection(groupId);
    const version = connection.versionFor(api);
    try {
      const response = await connection.send(api, typeof body === 'function' ? (body as (v: number) => RequestOf<A>)(version) : body, { version });
      return { coordinatorId: connection.nodeId ?? -1, version, response };
    } catch (err) {
      if (isRetriableError(err)) this.cluster.invalidateCoordinator(groupId);
      throw err;
    }
  }

  /** Retries `fn` on retriable errors until the API timeout. */
  private retrying<T>(fn: () => Promise<T>): Promise<T> {
    return withRetries(fn, {
      policy: this.cluster.retryPolicy,
      deadline: Date.now() + this.apiTimeoutMs,
      onRetry: (err) => {
        if (err instanceof KafkaClientError) this.cluster.handleErrorCode(err.code);
      },
    });
  }

  /**
   * Runs `attempt` for the items still pending until each has succeeded or failed for
   * good: retriable item errors (a moved controller or coordinator, a leader election) are
   * sent again after a back-off, until the API timeout; whole-request failures that are
   * retriable (a lost connection) likewise. Throws KafkaAdminError for the failed items.
   */
  private async perItem(names: readonly string[], attempt: (pending: readonly string[]) => Promise<readonly ItemOutcome[]>): Promise<void> {
    const deadline = Date.now() + this.apiTimeoutMs;
    const failed = new Map<string, ItemOutcome>();
    let pending = [...new Set(names)];
    for (let round = 0; pending.length > 0; round++) {
      let outcomes: readonly ItemOutcome[];
      try {
        outcomes = await attempt(pending);
      } catch (err) {
        if (!isRetriableError(err) || Date.now() >= deadline) throw err;
        await this.backOff(round, err);
        continue;
      }
      // This round's answers replace the earlier ones of the items it asked about.
      for (const [name, o] of failed) if (pending.includes(o.item ?? name)) failed.delete(name);
      const retry = new Set<string>();
      const answered = new Set<string>();
      for (const o of outcomes) {
        const item = o.item ?? o.name;
        answered.add(item);
        if (o.code === ErrorCode.NONE) continue;
        failed.set(o.name, o);
        // A missing topic is a final answer for an admin (Kafka's Admin does not wait for it to appear).
        if ((isRetriable(o.code) || ROUTING_ERRORS.has(o.code)) && o.code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
          retry.add(item);
          this.cluster.handleErrorCode(o.code);
          if (isCoordinatorError(o.code)) this.cluster.invalidateCoordinator(item);
        }
      }
      // An item the broker did not answer for is asked again.
      for (const item of pending) if (!answered.has(item)) retry.add(item);
      if (retry.size === 0 || Date.now() >= deadline) break;
      if ([...failed.values()].some((o) => o.code === ErrorCode.NOT_CONTROLLER)) await this.cluster.refreshMetadata().catch(() => undefined);
      await this.backOff(round);
      pending = [...retry];
    }
    if (failed.size > 0) throw new KafkaAdminError([...failed.values()].map(({ name, code, message }) => ({ name, code, message })));
  }

  private async backOff(round: number, err?: unknown): Promise<void> {
    if (err instanceof KafkaClientError) this.cluster.handleErrorCode(err.code);
    await sleep(backoffDelay(this.cluster.retryPolicy, round));
  }
}

function activeGroupError(groupId: string, state: string): KafkaAdminError {
  return new KafkaAdminError(
    [{ name: groupId, code: ErrorCode.NON_EMPTY_GROUP, message: `group is ${state}` }],
    `Offsets of group '${groupId}' can only be changed while it is inactive (Empty or Dead), but its current state is ${state}; stop its consumers first.`,
  );
}

function memberOf(m: ResponseOf<typeof DescribeGroupsApi>['groups'][number]['members'][number], protocolType: string): ConsumerGroupMember {
  let assignment: TopicPartitionRef[] = [];
  if (protocolType === CONSUMER_PROTOCOL_TYPE && m.memberAssignment.length > 0) {
    try {
      assignment = decodeAssignment(m.memberAssignment).assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
    } catch {
      // A member whose assignment is not in the consumer protocol's layout is shown without one.
    }
  }
  return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, host: m.clientHost, assignment };
}

function partitionName(tp: TopicPartitionRef): string {
  return `${tp.topic}-${tp.partition}`;
}

function byTopicPartition(a: TopicPartitionRef, b: TopicPartitionRef): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

function groupByTopic(refs: readonly TopicPartitionRef[]): Array<[string, number[]]> {
  const byTopic = new Map<string, number[]>();
  for (const r of refs) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r.partition]);
  return [...byTopic];
}
