import { ErrorCode, OffsetCommitApi, OffsetFetchApi, type OffsetCommitRequest, type OffsetFetchResponse } from '../../protocol';
import type { KafkaCluster } from '../cluster/kafka-cluster';
import { isCoordinatorError } from '../cluster/kafka-cluster';
import { ClientClosedError, KafkaClientError, isRetriableError } from '../errors';
import type { BrokerConnection } from '../network/broker-connection';
import { topicPartitionKey, type TopicPartition, type TopicPartitionOffset } from '../listener/types';
import { backoffDelay, sleep, type RetryPolicy } from '../retry';
import { describePartition } from './assigned-partitions';

/**
 * A commit the group refused because this member is no longer part of the generation
 * it committed for: it was expired, fenced, or left after missing max.poll.interval.ms
 * (Kafka's CommitFailedException). Its partitions may already be elsewhere.
 */
export class CommitFailedError extends KafkaClientError {
  override readonly name = 'CommitFailedError';
  constructor(code: number, detail: string) {
    super(
      code,
      `commit cannot be completed: ${detail}. The group has already rebalanced and assigned the partitions to another member; ` +
        'this usually means the time between poll() calls exceeded max.poll.interval.ms. Poll again to rejoin.',
      { retriable: false },
    );
  }
}

/** A commit made while the group rebalances (Kafka's RebalanceInProgressException): poll(), then commit again. */
export class RebalanceInProgressError extends KafkaClientError {
  override readonly name = 'RebalanceInProgressError';
  constructor(detail: string) {
    super(ErrorCode.REBALANCE_IN_PROGRESS, `commit cannot be completed while the group rebalances (${detail}); poll() to finish the rebalance, then commit again`, {
      retriable: false,
    });
  }
}

/** What a commit carries per partition. */
export interface OffsetToCommit extends TopicPartitionOffset {
  readonly metadata?: string;
  readonly leaderEpoch?: number;
}

export interface CommittedOffset extends TopicPartition {
  /** null when the group has committed nothing for the partition. */
  readonly offset: number | null;
  readonly metadata: string | null;
  readonly leaderEpoch: number | null;
}

/** Who a commit is made as: a generation's member, or generation -1 and no member outside group management. */
export interface CommitMember {
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface OffsetCommitsSettings {
  readonly groupId: string;
  readonly retry: RetryPolicy;
}

/**
 * A group's committed offsets on the wire: OffsetCommit and OffsetFetch to the group
 * coordinator, retried with back-off while the coordinator moves or loads (the
 * commit/fetch half of Kafka's ConsumerCoordinator).
 *
 * It knows nothing of the membership: a commit goes out as whatever member it is
 * given, and an answer about the member itself (REBALANCE_IN_PROGRESS,
 * UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID) comes back as a typed
 * error for GroupMembership to act on (rejoin, reset, fail for good).
 */
export class OffsetCommits {
  constructor(
    private readonly cluster: KafkaCluster,
    private readonly settings: OffsetCommitsSettings,
    /** Aborted when the consumer closes: no new request, no more waiting between attempts. */
    private readonly closed: AbortSignal,
  ) {}

  /**
   * OffsetCommit for the group. With `retry`, retriable failures (coordinator moved or
   * loading, timeouts) are retried until `deadline`, as commitSync does; without, one
   * attempt, as commitAsync.
   */
  commit(offsets: readonly OffsetToCommit[], member: CommitMember, deadline: number, retry: boolean): Promise<void> {
    return this.attempt(() => this.commitOnce(offsets, member), deadline, retry);
  }

  /** The committed offsets of `partitions`, in their order (OffsetFetch), retrying until `deadline`. */
  async fetchCommitted(partitions: readonly TopicPartition[], deadline: number): Promise<CommittedOffset[]> {
    if (partitions.length === 0) return [];
    return this.attempt(() => this.fetchCommittedOnce(partitions), deadline, true);
  }

  private async attempt<T>(once: () => Promise<T>, deadline: number, retry: boolean): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await once();
      } catch (err) {
        if (!retry || !isRetriableError(err) || this.closed.aborted) throw err;
        const delay = backoffDelay(this.settings.retry, attempt);
        if (Date.now() + delay >= deadline) throw err;
        await sleep(delay, this.closed);
      }
    }
  }

  private async commitOnce(offsets: readonly OffsetToCommit[], member: CommitMember): Promise<void> {
    const { groupId } = this.settings;
    const connection = await this.coordinatorConnection();
    const byTopic = new Map<string, OffsetCommitRequest['topics'][number]['partitions']>();
    for (const o of offsets) {
      let list = byTopic.get(o.topic);
      if (!list) byTopic.set(o.topic, (list = []));
      list.push({
        partitionIndex: o.partition,
        committedOffset: o.offset,
        committedLeaderEpoch: o.leaderEpoch ?? -1,
        commitTimestamp: -1,
        committedMetadata: o.metadata ?? '',
      });
    }
    const response = await connection.send(OffsetCommitApi, {
      groupId,
      generationIdOrMemberEpoch: member.generationId,
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      retentionTimeMs: -1,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    });
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        const code = p.errorCode;
        if (code === ErrorCode.NONE) continue;
        const what = `committing ${describePartition({ topic: topic.name, partition: p.partitionIndex })}`;
        if (isCoordinatorError(code)) {
          this.cluster.handleCoordinatorError(groupId, code);
          throw new KafkaClientError(code, KafkaClientError.fromCode(code, what).message, { retriable: true });
        }
        switch (code) {
          case ErrorCode.REBALANCE_IN_PROGRESS:
            throw new RebalanceInProgressError(what);
          case ErrorCode.UNKNOWN_MEMBER_ID:
          case ErrorCode.ILLEGAL_GENERATION:
            throw new CommitFailedError(code, KafkaClientError.fromCode(code, what).message);
          default:
            throw KafkaClientError.fromCode(code, what);
        }
      }
    }
  }

  private async fetchCommittedOnce(partitions: readonly TopicPartition[]): Promise<CommittedOffset[]> {
    const { groupId } = this.settings;
    const connection = await this.coordinatorConnection();
    const version = connection.versionFor(OffsetFetchApi);
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions) {
      let list = byTopic.get(tp.topic);
      if (!list) byTopic.set(tp.topic, (list = []));
      list.push(tp.partition);
    }
    const topics = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    const response = await connection.send(
      OffsetFetchApi,
      {
        groupId,
        topics: version >= 8 ? [] : topics,
        groups: version >= 8 ? [{ groupId, memberId: null, memberEpoch: -1, topics }] : [],
        requireStable: false,
      },
      { version },
    );
    const { errorCode, answers } = offsetFetchAnswers(response, version, groupId);
    if (errorCode !== ErrorCode.NONE) {
      if (isCoordinatorError(errorCode)) this.cluster.handleCoordinatorError(groupId, errorCode);
      throw KafkaClientError.fromCode(errorCode, `fetching committed offsets of group ${groupId}`);
    }
    const found = new Map<string, CommittedOffset>();
    for (const topic of answers) {
      for (const p of topic.partitions) {
        const tp = { topic: topic.name, partition: p.partitionIndex };
        if (p.errorCode !== ErrorCode.NONE && p.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
          if (isCoordinatorError(p.errorCode)) this.cluster.handleCoordinatorError(groupId, p.errorCode);
          throw KafkaClientError.fromCode(p.errorCode, `fetching the committed offset of ${describePartition(tp)}`);
        }
        const none = p.errorCode !== ErrorCode.NONE || p.committedOffset < 0;
        found.set(topicPartitionKey(tp), {
          ...tp,
          offset: none ? null : p.committedOffset,
          metadata: none ? null : p.metadata,
          leaderEpoch: none || p.committedLeaderEpoch < 0 ? null : p.committedLeaderEpoch,
        });
      }
    }
    return partitions.map((tp) => found.get(topicPartitionKey(tp)) ?? { topic: tp.topic, partition: tp.partition, offset: null, metadata: null, leaderEpoch: null });
  }

  private async coordinatorConnection(): Promise<BrokerConnection> {
    if (this.closed.aborted) throw new ClientClosedError('the consumer');
    return this.cluster.coordinatorConnection(this.settings.groupId);
  }
}

/** OffsetFetch v8+ answers per group; older versions answer for the one group asked about. */
export function offsetFetchAnswers(
  response: OffsetFetchResponse,
  version: number,
  groupId: string,
): { errorCode: number; answers: { name: string; partitions: { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; metadata: string | null; errorCode: number }[] }[] } {
  if (version < 8) return { errorCode: version >= 2 ? response.errorCode : ErrorCode.NONE, answers: response.topics };
  const group = response.groups.find((g) => g.groupId === groupId);
  if (!group) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, answers: [] };
  return { errorCode: group.errorCode, answers: group.topics };
}
