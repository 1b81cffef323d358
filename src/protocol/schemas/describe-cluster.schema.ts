// DescribeCluster (key 60) v0–v1, flexible in every version; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const DescribeClusterApi = defineApi({
  apiKey: ApiKey.DescribeCluster,
  name: 'DescribeCluster',
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: {
    includeClusterAuthorizedOperations: t.bool(),
    // 1 brokers, 2 controllers.
    endpointType: t.int8('1+', { default: 1 }),
  },
  response: {
    throttleTimeMs: t.int32(),
    errorCode: t.int16(),
    errorMessage: t.string('0+', { nullable: '0+', default: null }),
    endpointType: t.int8('1+', { default: 1 }),
    clusterId: t.string(),
    controllerId: t.int32('0+', { default: -1 }),
    brokers: t.array({
      brokerId: t.int32(),
      host: t.string(),
      port: t.int32(),
      rack: t.string('0+', { nullable: '0+', default: null }),
    }),
    // One bit per AclOperation code; Integer.MIN_VALUE when they were not asked for.
    clusterAuthorizedOperations: t.int32('0+', { default: -2147483648 }),
  },
});

export type DescribeClusterRequest = RequestOf<typeof DescribeClusterApi>;
export type DescribeClusterResponse = ResponseOf<typeof DescribeClusterApi>;
export type DescribeClusterBroker = DescribeClusterResponse['brokers'][number];
