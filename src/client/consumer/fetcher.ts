import {
  ErrorCode,
  FetchApi,
  ListOffsetsApi,
  RecordBatchSplitter,
  RecordReader,
  ZERO_UUID,
  type FetchRequest,
  type FetchResponse,
  type ListOffsetsRequest,
  type RecordHeader,
} from '../../protocol';
import type { KafkaCluster } from '../cluster/kafka-cluster';
import { isMetadataError } from '../cluster/kafka-cluster';
import { ClientClosedError, KafkaClientError, KafkaTimeoutError, isRetriableError } from '../errors';
import { topicPartitionKey, type ConsumerRecord, type TimestampType, type TopicPartition, type TopicPartitionOffset } from '../listener/types';
import { backoffDelay, sleep, type RetryPolicy } from '../retry';
import { describePartition, type AssignedPartitions, type OffsetResetStrategy, type PartitionState } from './assigned-partitions';
import type { FieldDecoder } from './deserializers';

/**
 * Fetch v12 is the newest that names topics instead of topic ids (v13+); it already has
 * everything a consumer uses (flexible encoding, log start offset, read replicas).
 */
const MAX_FETCH_VERSION = 12;
const READ_UNCOMMITTED = 0;
/** ListOffsets timestamps that stand for a log's ends. */
export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;

/** OFFSET_OUT_OF_RANGE under auto.offset.reset=none (Kafka's OffsetOutOfRangeException); `offsets` are the positions that failed. */
export class OffsetOutOfRangeError extends KafkaClientError {
  override readonly name = 'OffsetOutOfRangeError';
  constructor(readonly offsets: readonly TopicPartitionOffset[]) {
    super(ErrorCode.OFFSET_OUT_OF_RANGE, `fetch positions out of range with no reset policy: ${offsets.map(describeOffset).join(', ')}`, { retriable: false });
  }
}

/** No committed offset and auto.offset.reset=none (Kafka's NoOffsetForPartitionException). */
export class NoOffsetForPartitionError extends KafkaClientError {
  override readonly name = 'NoOffsetForPartitionError';
  constructor(readonly partitions: readonly TopicPartition[]) {
    super(ErrorCode.OFFSET_OUT_OF_RANGE, `no committed offset and no reset policy for ${partitions.map(describePartition).join(', ')}`, { retriable: false });
  }
}

/**
 * A record that cannot be read: a deserializer threw, or the batch is corrupt (Kafka's
 * RecordDeserializationException / CorruptRecordException). The position stays on the
 * record, so poll() fails again until the application seeks past `offset`.
 */
export class RecordDeserializationError extends KafkaClientError {
  override readonly name = 'RecordDeserializationError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    cause: unknown,
  ) {
    super(
      cause instanceof KafkaClientError ? cause.code : ErrorCode.INVALID_RECORD,
      `cannot read the record at offset ${offset} of ${topic}-${partition}; seek past it to continue: ${(cause as Error)?.message ?? String(cause)}`,
      { retriable: false, cause },
    );
  }
}

/**
 * One partition's records from one Fetch response, handed out a few at a time.
 * Batches are read lazily: each is checked (CRC), decompressed and parsed only when
 * the application polls its records; records are built straight into ConsumerRecord
 * objects, keys and values decoded from the payload in place.
 */
export class CompletedFetch {
  /** The offset of the next record to return: where the partition's position goes after a drain. */
  nextOffset: number;
  /**
   * Where the partition's position will be once every batch is drained: the next
   * fetch for the partition can start here before the application has seen these
   * records. Read from the batch headers only.
   */
  readonly endOffset: number;
  leaderEpoch = -1;
  private readonly splitter: RecordBatchSplitter;
  private readonly reader = new RecordReader();
  private inBatch = false;
  private payload: Buffer = EMPTY;
  private batchNextOffset = 0;
  private timestampType: TimestampType = 'CreateTime';
  done = false;

  constructor(
    readonly state: PartitionState,
    private readonly records: Buffer,
    fetchOffset: number,
  ) {
    const splitter = new RecordBatchSplitter(records);
    let end = fetchOffset;
    while (splitter.next()) if (splitter.view.nextOffset > end) end = splitter.view.nextOffset;
    this.endOffset = end;
    this.splitter = splitter.reset(records);
    this.nextOffset = fetchOffset;
  }

  /** Bytes of the response this fetch keeps alive. */
  get sizeInBytes(): number {
    return this.records.length;
  }

  /**
   * Appends up to `max` records to `out`. Throws RecordDeserializationError for a
   * record that cannot be read; what was appended before it stays valid and
   * `nextOffset` points at the bad record.
   */
  drain<K, V>(max: number, out: ConsumerRecord<K, V>[], decoders: RecordDecoders<K, V>): void {
    const { topic, partition } = this.state;
    const reader = this.reader;
    const decodeKey = decoders.key;
    const decodeValue = decoders.value;
    let taken = 0;
    while (taken < max) {
      if (!this.inBatch && !this.nextBatch(decoders.checkCrcs)) {
        this.done = true;
        return;
      }
      // What is the same for every record of the batch is read once, and the position kept in a local.
      const payload = this.payload;
      const timestampType = this.timestampType;
      const leaderEpoch = this.leaderEpoch >= 0 ? this.leaderEpoch : undefined;
      let next = this.nextOffset;
      let offset = next;
      try {
        while (taken < max) {
          offset = next;
          if (!reader.next()) {
            this.inBatch = false;
            // Compaction and control records leave gaps: the batch's end is the next position.
            if (this.batchNextOffset > next) next = this.batchNextOffset;
            break;
          }
          offset = reader.offset;
          if (offset < next) continue;
          const headers: readonly RecordHeader[] = reader.headers();
          out.push({
            topic,
            partition,
            offset,
            timestamp: reader.timestamp,
            timestampType,
            key: decodeKey(payload, reader.keyStart, reader.keyLength, topic, headers),
            value: decodeValue(payload, reader.valueStart, reader.valueLength, topic, headers),
            headers,
            leaderEpoch,
          });
          next = offset + 1;
          taken++;
        }
      } catch (err) {
        this.nextOffset = next;
        this.done = true;
        throw new RecordDeserializationError(topic, partition, offset, err);
      }
      this.nextOffset = next;
    }
  }

  /** Moves to the next batch holding records at or after the position; false when none is left. */
  private nextBatch(checkCrcs: boolean): boolean {
    const split = this.splitter;
    while (split.next()) {
      const view = split.view;
      // The broker sends whole batches: the first one may start before the fetch offset.
      if (view.nextOffset <= this.nextOffset) continue;
      if (checkCrcs) {
        const error = view.validationError();
        if (error) throw new RecordDeserializationError(this.state.topic, this.state.partition, Math.max(this.nextOffset, view.baseOffset), error);
      }
      if (view.isControl) {
        this.nextOffset = view.nextOffset;
        continue;
      }
      try {
        // Keys and values are decoded from this payload by range, so the reader is pointed at it directly.
        this.payload = view.recordsPayload();
        this.reader.reset(this.payload, 0, this.payload.length, view.recordCount, view.baseOffset, view.baseTimestamp, view.isLogAppendTime ? view.maxTimestamp : null);
      } catch (err) {
        throw new RecordDeserializationError(this.state.topic, this.state.partition, Math.max(this.nextOffset, view.baseOffset), err);
      }
      this.batchNextOffset = view.nextOffset;
      this.timestampType = view.isLogAppendTime ? 'LogAppendTime' : 'CreateTime';
      this.leaderEpoch = view.partitionLeaderEpoch;
      this.inBatch = true;
      return true;
    }
    return false;
  }
}

const EMPTY = Buffer.alloc(0);

export interface RecordDecoders<K, V> {
  readonly key: FieldDecoder<K>;
  readonly value: FieldDecoder<V>;
  readonly checkCrcs: boolean;
}

export interface FetcherSettings<K, V> extends RecordDecoders<K, V> {
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly maxWaitMs: number;
  readonly partitionMaxBytes: number;
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly rackId: string | null;
}

/**
 * A wake-up for the poll loop: fetch responses, a finished rebalance and wakeup() all
 * notify it, so poll() waits on one thing.
 */
export class PollSignal {
  private waiters: Array<() => void> = [];

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next notify() or after `ms`. */
  wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const waiters = this.waiters;
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }
}

interface SentPartition {
  readonly state: PartitionState;
  readonly fetchOffset: number;
}

/** The Fetch requests under way to one broker. */
interface NodeFetches {
  requests: number;
  /**
   * Requests none of whose partitions was known to have records past the fetch
   * offset: the broker may hold each for up to fetch.max.wait.ms, and it answers in
   * request order, so nothing is sent behind one.
   */
  parked: number;
}

/**
 * Kafka's Fetcher, pipelined: one Fetch per leader for the assigned, unpaused
 * partitions that have a position, each partition in at most one request at a time.
 * A partition whose buffered records the application has not drained yet is fetched
 * again from where they end, so its next records are on the way (or already here)
 * when the application reaches them, instead of every partition waiting for the
 * slowest one's round trip. Several requests to a broker may be out at once as long
 * as each is expected back at once (its partitions had records past the fetch offset
 * at the last answer); a request that may wait at the broker for new records is the
 * last one sent until it returns.
 *
 * Responses are kept as they came (record bytes are not copied) until poll() takes
 * records from them. Memory: per partition at most the response being drained plus
 * one prefetched response or request; a partition with records still buffered is only
 * fetched ahead while the bytes held and asked for stay under fetch.max.bytes.
 */
export class Fetcher<K, V> {
  private readonly nodes = new Map<number, NodeFetches>();
  private readonly nodeRetryAt = new Map<number, number>();
  private readonly nodeFailures = new Map<number, number>();
  private completed: CompletedFetch[] = [];
  private requestsInFlight = 0;
  /** What the requests in flight may bring back at most. */
  private bytesAskedFor = 0;
  private pendingError: Error | null = null;
  private closed = false;

  constructor(
    private readonly cluster: KafkaCluster,
    private readonly assigned: AssignedPartitions,
    private readonly settings: FetcherSettings<K, V>,
    private readonly signal: PollSignal,
    /** auto.offset.reset, null for none. */
    private readonly resetStrategy: OffsetResetStrategy | null,
  ) {}

  close(): void {
    this.closed = true;
    this.completed = [];
  }

  /** Fetch requests waiting for their answer. */
  get inFlightCount(): number {
    return this.requestsInFlight;
  }

  /** Whether some buffered records could be returned now (unpaused, position unchanged). */
  hasAvailableRecords(): boolean {
    return this.completed.some((c) => this.isReturnable(c));
  }

  /**
   * Sends a Fetch to every leader that has partitions to fetch, unless a request that
   * may wait at the broker is in flight there. Returns how many requests went out.
   */
  sendFetches(now = Date.now()): number {
    if (this.closed) return 0;
    const settings = this.settings;
    let held = this.bytesAskedFor;
    for (const state of this.assigned.all()) {
      if (state.buffered !== null) held += state.buffered.sizeInBytes;
      if (state.prefetched !== null) held += state.prefetched.sizeInBytes;
    }
    let byNode: Map<number, SentPartition[]> | undefined;
    /** Leaders of partitions with records at the broker beyond what was fetched or asked for. */
    let nodesBehind: Set<number> | undefined;
    for (const state of this.assigned.all()) {
      if (state.paused || state.position === null || state.pendingReset !== null || state.fetching) continue;
      const head = state.buffered;
      const fetchOffset = head !== null ? head.endOffset : state.position;
      const waiting = state.prefetched !== null || state.retryAt > now;
      const leader = this.cluster.leaderFor(state.topic, state.partition);
      if (leader < 0) {
        if (!waiting) this.cluster.requestRefresh();
        continue;
      }
      if (state.highWatermark > (state.prefetched !== null ? state.prefetched.endOffset : fetchOffset)) (nodesBehind ??= new Set()).add(leader);
      if (waiting || (this.nodes.get(leader)?.parked ?? 0) > 0 || (this.nodeRetryAt.get(leader) ?? 0) > now) continue;
      if (head !== null) {
        // Fetching ahead of records not yet returned stays within fetch.max.bytes held and asked for.
        if (held >= settings.maxBytes) continue;
        held += settings.partitionMaxBytes;
      }
      byNode ??= new Map();
      let list = byNode.get(leader);
      if (!list) byNode.set(leader, (list = []));
      list.push({ state, fetchOffset });
    }
    if (!byNode) return 0;
    let sent = 0;
    for (const [node, partitions] of byNode) {
      // The broker answers at once when one of the partitions has records past its fetch offset; otherwise
      // it may hold the request for fetch.max.wait.ms, and every later answer on the connection waits behind it.
      const answersAtOnce = settings.minBytes <= 1 && partitions.some((p) => p.state.highWatermark > p.fetchOffset);
      if (!answersAtOnce) {
        if (this.nodes.has(node)) continue;
        // Partitions still catching up will want a fetch soon: caught-up ones ride along with theirs instead.
        if (settings.minBytes <= 1 && nodesBehind?.has(node)) continue;
      }
      this.send(node, partitions, !answersAtOnce);
      sent++;
    }
    return sent;
  }

  private send(node: number, partitions: SentPartition[], parks: boolean): void {
    const askedFor = Math.min(this.settings.maxBytes, partitions.length * this.settings.partitionMaxBytes);
    let fetches = this.nodes.get(node);
    if (!fetches) this.nodes.set(node, (fetches = { requests: 0, parked: 0 }));
    fetches.requests++;
    if (parks) fetches.parked++;
    this.requestsInFlight++;
    this.bytesAskedFor += askedFor;
    for (const p of partitions) p.state.fetching = true;
    this.fetchFrom(node, partitions)
      .catch((err) => {
        this.pendingError ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        for (const p of partitions) p.state.fetching = false;
        fetches.requests--;
        if (parks) fetches.parked--;
        if (fetches.requests === 0) this.nodes.delete(node);
        this.requestsInFlight--;
        this.bytesAskedFor -= askedFor;
        this.signal.notify();
      });
  }

  /**
   * Up to `max` records from what was fetched, moving each partition's position past
   * what it returns. An error stored by a response (OFFSET_OUT_OF_RANGE without a reset
   * policy, an unreadable record) is thrown once the records before it were returned.
   */
  collect(max: number): ConsumerRecord<K, V>[] {
    const out: ConsumerRecord<K, V>[] = [];
    if (this.pendingError) {
      const err = this.pendingError;
      this.pendingError = null;
      throw err;
    }
    const kept: CompletedFetch[] = [];
    let i = 0;
    for (; i < this.completed.length && out.length < max; i++) {
      const fetch = this.completed[i];
      if (!this.isCurrent(fetch)) continue;
      if (fetch.state.paused) {
        kept.push(fetch);
        continue;
      }
      const before = out.length;
      try {
        fetch.drain(max - out.length, out, this.settings);
      } catch (err) {
        this.settle(fetch);
        if (out.length === 0) {
          this.completed = [...kept, ...this.completed.slice(i + 1)];
          throw err;
        }
        this.pendingError = err as Error;
        continue;
      }
      if (out.length > before) fetch.state.positionLeaderEpoch = fetch.leaderEpoch;
      this.settle(fetch);
      if (!fetch.done) kept.push(fetch);
    }
    this.completed = i < this.completed.length ? [...kept, ...this.completed.slice(i)] : kept;
    return out;
  }

  /** Drops buffered records of partitions that are no longer assigned or were sought. */
  discardStale(): void {
    this.completed = this.completed.filter((c) => this.isCurrent(c));
  }

  /**
   * Moves the partition's position past what was returned; once a fetch is used up,
   * the response prefetched behind it takes its place (at the end of the queue, so
   * partitions take turns).
   */
  private settle(fetch: CompletedFetch): void {
    const state = fetch.state;
    state.position = fetch.nextOffset;
    if (!fetch.done) return;
    state.buffered = null;
    const next = state.prefetched;
    if (next === null) return;
    state.prefetched = null;
    // A failed record stops the drain short of where the prefetch starts: that prefetch is stale.
    if (next.nextOffset !== state.position) return;
    state.buffered = next;
    this.completed.push(next);
  }

  /** The fetch still belongs to an assigned partition whose position is where the fetch left it. */
  private isCurrent(fetch: CompletedFetch): boolean {
    const state = fetch.state;
    return state.buffered === fetch && this.assigned.get(state) === state && state.position === fetch.nextOffset && state.pendingReset === null;
  }

  private isReturnable(fetch: CompletedFetch): boolean {
    return this.isCurrent(fetch) && !fetch.state.paused;
  }

  private async fetchFrom(node: number, partitions: SentPartition[]): Promise<void> {
    const settings = this.settings;
    let response: FetchResponse;
    try {
      const connection = await this.cluster.connectionTo(node);
      const version = connection.versionFor(FetchApi, MAX_FETCH_VERSION);
      response = await connection.send(FetchApi, this.fetchRequest(partitions), { version, timeoutMs: settings.requestTimeoutMs + settings.maxWaitMs });
    } catch (err) {
      if (this.closed) return;
      if (!isRetriableError(err)) {
        this.pendingError ??= err as Error;
        return;
      }
      // A lost connection or a timeout: the leader may have moved. Back off this broker and ask again.
      const failures = (this.nodeFailures.get(node) ?? 0) + 1;
      this.nodeFailures.set(node, failures);
      this.nodeRetryAt.set(node, Date.now() + backoffDelay(settings.retry, failures - 1));
      this.cluster.requestRefresh();
      return;
    }
    this.nodeFailures.delete(node);
    this.nodeRetryAt.delete(node);
    if (this.closed) return;
    if (response.errorCode !== ErrorCode.NONE) {
      this.nodeRetryAt.set(node, Date.now() + settings.retry.backoffMs);
      this.cluster.handleErrorCode(response.errorCode);
      return;
    }
    const sent = new Map<string, SentPartition>();
    for (const p of partitions) sent.set(p.state.key, p);
    const outOfRange: TopicPartitionOffset[] = [];
    for (const topic of response.responses) {
      for (const p of topic.partitions) {
        const request = sent.get(topicPartitionKey({ topic: topic.topic, partition: p.partitionIndex }));
        if (!request) continue;
        const state = request.state;
        const head = state.buffered;
        // Assignment changed, or the application sought, while the fetch was out: the answer is stale.
        if (this.assigned.get(state) !== state || state.pendingReset !== null || state.prefetched !== null) continue;
        if ((head !== null ? head.endOffset : state.position) !== request.fetchOffset) continue;
        switch (p.errorCode) {
          case ErrorCode.NONE:
            if (p.highWatermark >= 0) state.highWatermark = p.highWatermark;
            if (p.logStartOffset >= 0) state.logStartOffset = p.logStartOffset;
            if (p.records !== null && p.records.length > 0) {
              const fetch = new CompletedFetch(state, p.records, request.fetchOffset);
              if (head !== null) {
                state.prefetched = fetch;
              } else {
                state.buffered = fetch;
                this.completed.push(fetch);
              }
            }
            break;
          case ErrorCode.OFFSET_OUT_OF_RANGE:
            // Fetched ahead of records not yet returned: the position itself is fine; ask again from it once they are.
            if (head !== null) state.retryAt = Date.now() + settings.retry.backoffMs;
            else if (this.resetStrategy === null) outOfRange.push({ topic: state.topic, partition: state.partition, offset: request.fetchOffset });
            else state.pendingReset = this.resetStrategy;
            break;
          default:
            if (isMetadataError(p.errorCode) || KafkaClientError.fromCode(p.errorCode).retriable) {
              this.cluster.handleErrorCode(p.errorCode);
              state.retryAt = Date.now() + settings.retry.backoffMs;
            } else {
              this.pendingError ??= KafkaClientError.fromCode(p.errorCode, `fetching ${describePartition(state)}`);
            }
        }
      }
    }
    if (outOfRange.length > 0) this.pendingError ??= new OffsetOutOfRangeError(outOfRange);
  }

  private fetchRequest(partitions: readonly SentPartition[]): FetchRequest {
    const settings = this.settings;
    const byTopic = new Map<string, FetchRequest['topics'][number]['partitions']>();
    for (const { state, fetchOffset } of partitions) {
      let list = byTopic.get(state.topic);
      if (!list) byTopic.set(state.topic, (list = []));
      list.push({
        partition: state.partition,
        currentLeaderEpoch: -1,
        fetchOffset,
        lastFetchedEpoch: -1,
        logStartOffset: -1,
        partitionMaxBytes: settings.partitionMaxBytes,
        replicaDirectoryId: ZERO_UUID,
      });
    }
    return {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1 },
      maxWaitMs: settings.maxWaitMs,
      minBytes: settings.minBytes,
      maxBytes: settings.maxBytes,
      isolationLevel: READ_UNCOMMITTED,
      // No fetch session (KIP-227): every request is a full fetch.
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, list]) => ({ topic, topicId: ZERO_UUID, partitions: list })),
      forgottenTopicsData: [],
      rackId: settings.rackId ?? '',
    };
  }

  // ---- positions from the log's ends (Kafka's OffsetFetcher) ----

  /**
   * Resolves pending resets (auto.offset.reset, seekToBeginning/End) with one
   * ListOffsets per leader, each applied as it answers. A partition whose leader is
   * unknown or failed keeps its reset and is tried again after the retry back-off, so
   * one offline partition never holds up the others.
   */
  async resetPositions(): Promise<void> {
    const now = Date.now();
    const byLeader = new Map<number, Array<{ state: PartitionState; strategy: OffsetResetStrategy }>>();
    for (const state of this.assigned.all()) {
      if (state.pendingReset === null || state.retryAt > now) continue;
      const leader = this.cluster.leaderFor(state.topic, state.partition);
      if (leader < 0) {
        this.cluster.requestRefresh();
        state.retryAt = now + this.settings.retry.backoffMs;
        continue;
      }
      let list = byLeader.get(leader);
      if (!list) byLeader.set(leader, (list = []));
      list.push({ state, strategy: state.pendingReset });
    }
    await Promise.all(
      [...byLeader].map(async ([leader, asked]) => {
        const found = new Map<string, { offset: number; timestamp: number; leaderEpoch: number }>();
        try {
          await this.listOffsetsFrom(
            leader,
            asked.map(({ state, strategy }) => ({ topic: state.topic, partition: state.partition, timestamp: strategy === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP })),
            found,
          );
        } catch (err) {
          if (!isRetriableError(err)) throw err;
          this.cluster.requestRefresh();
        }
        for (const { state, strategy } of asked) {
          // Superseded by a seek or a newer reset while the request was out.
          if (this.assigned.get(state) !== state || state.pendingReset !== strategy) continue;
          const offset = found.get(state.key);
          if (offset === undefined) {
            state.retryAt = Date.now() + this.settings.retry.backoffMs;
            continue;
          }
          state.position = offset.offset;
          state.positionLeaderEpoch = offset.leaderEpoch;
          state.pendingReset = null;
          state.buffered = null;
          state.prefetched = null;
          state.retryAt = 0;
        }
      }),
    );
  }

  /**
   * ListOffsets for each partition at `timestamp` (or EARLIEST/LATEST), grouped by
   * leader, retrying stale leaders until `deadline`.
   */
  async listOffsets(
    requests: ReadonlyArray<TopicPartition & { timestamp: number }>,
    deadline: number,
  ): Promise<Map<string, { offset: number; timestamp: number; leaderEpoch: number }>> {
    const result = new Map<string, { offset: number; timestamp: number; leaderEpoch: number }>();
    let remaining = [...requests];
    let lastError: unknown;
    for (let attempt = 0; remaining.length > 0; attempt++) {
      if (this.closed) throw new ClientClosedError('the consumer');
      await this.cluster.ensureTopics(new Set(remaining.map((r) => r.topic)), Math.max(0, deadline - Date.now())).catch((err) => {
        lastError = err;
      });
      const byLeader = new Map<number, Array<TopicPartition & { timestamp: number }>>();
      const retry: Array<TopicPartition & { timestamp: number }> = [];
      for (const r of remaining) {
        const leader = this.cluster.leaderFor(r.topic, r.partition);
        if (leader < 0) {
          retry.push(r);
          continue;
        }
        let list = byLeader.get(leader);
        if (!list) byLeader.set(leader, (list = []));
        list.push(r);
      }
      await Promise.all(
        [...byLeader].map(async ([leader, list]) => {
          try {
            const failed = await this.listOffsetsFrom(leader, list, result);
            retry.push(...failed);
          } catch (err) {
            if (!isRetriableError(err)) throw err;
            lastError = err;
            retry.push(...list);
          }
        }),
      );
      remaining = retry;
      if (remaining.length === 0) break;
      this.cluster.requestRefresh();
      const delay = backoffDelay(this.settings.retry, attempt);
      if (Date.now() + delay >= deadline) {
        throw lastError instanceof KafkaClientError
          ? lastError
          : new KafkaTimeoutError(`offsets of ${remaining.map(describePartition).join(', ')} not found before the deadline`);
      }
      await sleep(delay);
    }
    return result;
  }

  /** One ListOffsets; returns the partitions to retry (stale leader and the like). */
  private async listOffsetsFrom(
    leader: number,
    list: ReadonlyArray<TopicPartition & { timestamp: number }>,
    into: Map<string, { offset: number; timestamp: number; leaderEpoch: number }>,
  ): Promise<Array<TopicPartition & { timestamp: number }>> {
    const byTopic = new Map<string, ListOffsetsRequest['topics'][number]['partitions']>();
    const asked = new Map<string, TopicPartition & { timestamp: number }>();
    for (const r of list) {
      asked.set(topicPartitionKey(r), r);
      let partitions = byTopic.get(r.topic);
      if (!partitions) byTopic.set(r.topic, (partitions = []));
      partitions.push({ partitionIndex: r.partition, currentLeaderEpoch: -1, timestamp: r.timestamp, maxNumOffsets: 1 });
    }
    const connection = await this.cluster.connectionTo(leader);
    const version = connection.versionFor(ListOffsetsApi);
    const response = await connection.send(
      ListOffsetsApi,
      { replicaId: -1, isolationLevel: READ_UNCOMMITTED, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) },
      { version },
    );
    const retry: Array<TopicPartition & { timestamp: number }> = [];
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        const key = topicPartitionKey({ topic: topic.name, partition: p.partitionIndex });
        const request = asked.get(key);
        if (!request) continue;
        asked.delete(key);
        if (p.errorCode === ErrorCode.NONE) {
          const offset = version === 0 ? (p.oldStyleOffsets[0] ?? -1) : p.offset;
          into.set(key, { offset, timestamp: p.timestamp, leaderEpoch: p.leaderEpoch });
        } else if (isMetadataError(p.errorCode) || KafkaClientError.fromCode(p.errorCode).retriable) {
          this.cluster.handleErrorCode(p.errorCode);
          retry.push(request);
        } else {
          throw KafkaClientError.fromCode(p.errorCode, `ListOffsets for ${describePartition(request)}`);
        }
      }
    }
    retry.push(...asked.values());
    return retry;
  }
}

function describeOffset(tp: TopicPartitionOffset): string {
  return `${tp.topic}-${tp.partition}@${tp.offset}`;
}
