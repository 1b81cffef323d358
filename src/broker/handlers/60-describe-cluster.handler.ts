// Api: DescribeCluster (key 60) v0–v1; not supported: endpoint type 2 (controllers: there is no KRaft quorum).
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { DescribeClusterApi, type DescribeClusterRequest, type DescribeClusterResponse } from '../../protocol/schemas/describe-cluster.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';
import { KafkaServer } from '../kafka-server.service';
import { brokersForListener, selfAsBroker } from '../metadata/broker-endpoints';
import { MetadataCache } from '../metadata/metadata-cache.service';

const BROKERS_ENDPOINT = 1;
/** CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE: everything, with no authorizer. */
const ALL_CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0);

/** The live brokers (at the endpoint of the request's listener), controller and cluster id. */
@Injectable()
@KafkaApi(ApiKey.DescribeCluster)
export class DescribeClusterHandler implements KafkaApiHandler<typeof DescribeClusterApi> {
  readonly api = DescribeClusterApi;
  readonly versions = '0-1';

  constructor(
    private readonly cache: MetadataCache,
    private readonly server: KafkaServer,
  ) {}

  handle(request: DescribeClusterRequest, ctx: RequestContext): DescribeClusterResponse {
    const endpointType = ctx.apiVersion >= 1 ? request.endpointType : BROKERS_ENDPOINT;
    const base = { throttleTimeMs: 0, endpointType, clusterId: this.cache.clusterId(), controllerId: -1, brokers: [], clusterAuthorizedOperations: -2147483648 };
    if (endpointType !== BROKERS_ENDPOINT) {
      return { ...base, errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER' };
    }
    const self = selfAsBroker(this.cache.localBrokerId, this.server.advertisedListeners);
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      controllerId: this.cache.controllerId(),
      brokers: brokersForListener(this.cache.liveBrokers(), ctx.connection.listenerName, self).map((b) => ({ brokerId: b.id, host: b.host, port: b.port, rack: b.rack })),
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? ALL_CLUSTER_OPERATIONS : -2147483648,
    };
  }
}
