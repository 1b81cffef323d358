// Api: FindCoordinator (key 10) v0–v6; not supported: transaction and share-group coordinators (COORDINATOR_NOT_AVAILABLE / INVALID_REQUEST).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode, errorInfo } from '../../protocol/errors/error-codes';
import { FindCoordinatorApi, type FindCoordinatorRequest, type FindCoordinatorResponse, type FindCoordinatorResult } from '../../protocol/schemas/find-coordinator.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';
import { KafkaServer } from '../kafka-server.service';
import { brokersForListener, selfAsBroker } from '../metadata/broker-endpoints';
import { MetadataCoordinatorCluster } from '../metadata/coordinator-cluster.adapter';
import { MetadataCache } from '../metadata/metadata-cache.service';

const GROUP_KEY = 0;
const TRANSACTION_KEY = 1;

/**
 * Names the group coordinator: a rendezvous hash of the group id over the live brokers
 * (coordinatorOf), so every broker gives the same answer and a group moves only when its
 * own coordinator leaves (or a new broker outranks it). On one node that is always this broker.
 *
 * Advertising this API matters beyond groups: librdkafka enables LZ4 (and its group
 * consumer) only when the broker's ApiVersions lists FindCoordinator.
 */
@Injectable()
@KafkaApi(ApiKey.FindCoordinator)
export class FindCoordinatorHandler implements KafkaApiHandler<typeof FindCoordinatorApi> {
  readonly api = FindCoordinatorApi;
  readonly versions = '0-6';

  constructor(
    private readonly cache: MetadataCache,
    private readonly server: KafkaServer,
    private readonly coordinators: MetadataCoordinatorCluster,
  ) {}

  handle(request: FindCoordinatorRequest, ctx: RequestContext): FindCoordinatorResponse {
    const keys = ctx.apiVersion >= 4 ? request.coordinatorKeys : [request.key];
    const keyType = ctx.apiVersion >= 1 ? request.keyType : GROUP_KEY;
    const coordinators = keys.map((key) => this.find(key, keyType, ctx.connection.listenerName));
    // v0-v3 carry one answer at the top level; v4+ a list (the codec writes what the version has).
    const { errorCode, errorMessage, nodeId, host, port } = coordinators[0] ?? this.failure('', ErrorCode.INVALID_REQUEST, 'no coordinator key given');
    return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port, coordinators };
  }

  private find(key: string, keyType: number, listenerName: string): FindCoordinatorResult {
    if (keyType === TRANSACTION_KEY) return this.failure(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'transactions are not supported yet');
    if (keyType !== GROUP_KEY) return this.failure(key, ErrorCode.INVALID_REQUEST, `unsupported coordinator key type ${keyType}`);
    if (!key) return this.failure(key, ErrorCode.INVALID_GROUP_ID, 'the group id is empty');
    const self = selfAsBroker(this.cache.localBrokerId, this.server.advertisedListeners);
    const coordinatorId = this.coordinators.coordinatorOf(key);
    // The same choice the coordinator makes of itself; a broker without this listener cannot be named.
    const node = brokersForListener(this.cache.liveBrokers(), listenerName, self).find((b) => b.id === coordinatorId);
    if (!node) return this.failure(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
    return { key, nodeId: node.id, host: node.host, port: node.port, errorCode: ErrorCode.NONE, errorMessage: null };
  }

  private failure(key: string, errorCode: number, message: string | null): FindCoordinatorResult {
    return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: message ?? errorInfo(errorCode)?.message ?? null };
  }
}
