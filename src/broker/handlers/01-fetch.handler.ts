// Api: Fetch (key 1) v4–v17; not supported: incremental fetch sessions (always session id 0: clients send full fetches), transactions (no aborted transactions; last stable offset = high watermark), preferred read replicas (followers serve no consumers).
import { Inject, Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { FetchApi, type FetchRequest, type FetchResponse } from '../../protocol/schemas/fetch.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';
import { METADATA_VIEW, type MetadataView } from '../metadata/metadata-view';
import { ReplicaManager, type FetchPartitionData } from '../replica/replica-manager';
import { buildFetchPlan, type FetchPlan } from './fetch/fetch-plan';

const READ_COMMITTED = 1;
// Tagged fields at their defaults are not written (some clients misread them when present).
const NO_DIVERGING_EPOCH = { epoch: -1, endOffset: -1 };
const NO_CURRENT_LEADER = { leaderId: -1, leaderEpoch: -1 };
const NO_SNAPSHOT = { endOffset: -1, epoch: -1 };

/**
 * Resolves the request's topics (names, or ids from v13), hands the readable partitions
 * to ReplicaManager.fetch (which may park the request until data arrives or maxWaitMs
 * passes) and lays the answers out in request order. Records are the log's byte ranges,
 * written to the socket by reference.
 */
@Injectable()
@KafkaApi(ApiKey.Fetch)
export class FetchHandler implements KafkaApiHandler<typeof FetchApi> {
  readonly api = FetchApi;
  readonly versions = '4-17';

  constructor(
    private readonly replicas: ReplicaManager,
    @Inject(METADATA_VIEW) private readonly metadata: MetadataView,
  ) {}

  handle(request: FetchRequest, context: RequestContext): FetchResponse | Promise<FetchResponse> {
    if (context.apiVersion >= 7 && request.sessionId !== 0) {
      // We never hand out a session id, so any the client names is unknown to us.
      return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [], nodeEndpoints: [] };
    }
    const plan = buildFetchPlan(request, context.apiVersion, this.metadata);
    const replicaId = context.apiVersion >= 15 ? (request.replicaState?.replicaId ?? -1) : request.replicaId;
    const data = this.replicas.fetch({
      replicaId,
      maxWaitMs: request.maxWaitMs,
      minBytes: request.minBytes,
      maxBytes: request.maxBytes,
      isolationLevel: request.isolationLevel,
      partitions: plan.readable,
    });
    return data instanceof Promise ? data.then((d) => respond(request, plan, d)) : respond(request, plan, data);
  }
}

function respond(request: FetchRequest, plan: FetchPlan, data: readonly FetchPartitionData[]): FetchResponse {
  // Kafka sends an (empty) aborted-transactions list to READ_COMMITTED consumers and null otherwise.
  const abortedTransactions = request.isolationLevel === READ_COMMITTED ? [] : null;
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: 0,
    responses: plan.topics.map((topic) => ({
      topic: topic.name,
      topicId: topic.topicId,
      partitions: topic.partitions.map((p) => {
        const d = p.readIndex >= 0 ? data[p.readIndex] : p.error!;
        return {
          partitionIndex: p.partition,
          errorCode: d.errorCode,
          highWatermark: d.highWatermark,
          lastStableOffset: d.lastStableOffset,
          logStartOffset: d.logStartOffset,
          divergingEpoch: d.divergingEpoch ?? NO_DIVERGING_EPOCH,
          currentLeader: NO_CURRENT_LEADER,
          snapshotId: NO_SNAPSHOT,
          abortedTransactions,
          preferredReadReplica: -1,
          records: d.records,
        };
      }),
    })),
    nodeEndpoints: [],
  };
}
