import { ApiVersionsApi } from '../schemas/api-versions.schema';
import { FetchApi } from '../schemas/fetch.schema';
import { JoinGroupApi } from '../schemas/join-group.schema';
import { MetadataApi } from '../schemas/metadata.schema';
import { ByteReader } from './byte-reader';
import { encodeResponse } from './message-codec';
import { apiVersionPlan } from './api-plan';
import { decodeStruct } from './struct-decoder';

/**
 * Bytes from and for a real client: kafkajs's own protocol encoders and decoders
 * (CommonJS, so usable here) agree with the engine walking our declarations, for the
 * classic versions kafkajs speaks. (@platformatic/kafka, which speaks the flexible
 * versions, ships ES modules Jest cannot load here; it belongs to test/compat.)
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const kafkajsRequest = (path: string) => require(`kafkajs/src/protocol/requests/${path}/request`);
const kafkajsResponse = (path: string) => require(`kafkajs/src/protocol/requests/${path}/response`);
/* eslint-enable @typescript-eslint/no-require-imports */

async function kafkajsBody(path: string, args: unknown): Promise<Buffer> {
  return (await kafkajsRequest(path)(args).encode()).buffer;
}

function decodeAll(api: typeof MetadataApi | typeof FetchApi | typeof JoinGroupApi, version: number, body: Buffer) {
  const r = new ByteReader(body);
  const value = decodeStruct(apiVersionPlan(api, version).request, r);
  expect(r.offset).toBe(body.length);
  return value;
}

describe('kafkajs interop', () => {
  it('decodes a kafkajs Metadata v6 request', async () => {
    const body = await kafkajsBody('metadata/v6', { topics: ['orders', 'payments'], allowAutoTopicCreation: false });
    expect(decodeAll(MetadataApi, 6, body)).toMatchObject({ topics: [{ name: 'orders' }, { name: 'payments' }], allowAutoTopicCreation: false });
  });

  it('decodes a kafkajs Fetch v11 request', async () => {
    const body = await kafkajsBody('fetch/v11', {
      replicaId: -1,
      maxWaitTime: 500,
      minBytes: 1,
      maxBytes: 10485760,
      topics: [{ topic: 'orders', partitions: [{ partition: 2, fetchOffset: '1234567890123', maxBytes: 1048576 }] }],
      rackId: 'r1',
    });
    expect(decodeAll(FetchApi, 11, body)).toMatchObject({
      replicaId: -1,
      maxWaitMs: 500,
      isolationLevel: 1,
      sessionEpoch: -1,
      topics: [{ topic: 'orders', partitions: [{ partition: 2, currentLeaderEpoch: -1, fetchOffset: 1234567890123, logStartOffset: -1, partitionMaxBytes: 1048576 }] }],
      rackId: 'r1',
    });
  });

  it('decodes a kafkajs JoinGroup v5 request with a null group instance id', async () => {
    const body = await kafkajsBody('joinGroup/v5', {
      groupId: 'g',
      sessionTimeout: 30000,
      rebalanceTimeout: 60000,
      memberId: '',
      protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1]) }],
    });
    expect(decodeAll(JoinGroupApi, 5, body)).toMatchObject({ groupId: 'g', groupInstanceId: null, protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1]) }] });
  });

  it('encodes an ApiVersions v2 response kafkajs parses', async () => {
    const frame = encodeResponse(ApiVersionsApi, 2, 1, {
      errorCode: 0,
      apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
    const decoded = await kafkajsResponse('apiVersions/v2').decode(frame.subarray(4));
    expect(decoded.apiVersions).toEqual([{ apiKey: 3, minVersion: 0, maxVersion: 12 }]);
  });

  it('encodes a Metadata v6 response kafkajs parses', async () => {
    const frame = encodeResponse(MetadataApi, 6, 1, {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 0, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'c',
      controllerId: 0,
      topics: [{ errorCode: 0, name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 0, leaderEpoch: -1, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] }], topicAuthorizedOperations: 0 }],
      clusterAuthorizedOperations: 0,
    });
    const decoded = await kafkajsResponse('metadata/v6').decode(frame.subarray(4));
    expect(decoded.brokers).toEqual([{ nodeId: 0, host: 'localhost', port: 9092, rack: null }]);
    expect(decoded.topicMetadata[0]).toMatchObject({ topic: 'orders', partitionMetadata: [{ partitionId: 0, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] }] });
  });
});
