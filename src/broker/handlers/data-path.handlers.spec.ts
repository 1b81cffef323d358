import type { DiscoveryService } from '@nestjs/core';
import { ApiKey } from '../../protocol/api-key';
import { decodeResponse, encodeRequest } from '../../protocol/codec/message-codec';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { FetchApi, type FetchRequest, type FetchResponse } from '../../protocol/schemas/fetch.schema';
import { ListOffsetsApi } from '../../protocol/schemas/list-offsets.schema';
import { ProduceApi, type ProduceRequest, type ProduceResponse } from '../../protocol/schemas/produce.schema';
import { ApiRegistry } from '../api/api-registry';
import type { RequestContext } from '../api/kafka-api-handler';
import { RequestRouter } from '../api/request-router';
import { ProducerIdManager } from '../replica/producer-id-manager';
import { batch, createDataPath, valuesIn, type DataPathFixture } from '../replica/replica-manager.test-helpers';
import { ProduceHandler } from './00-produce.handler';
import { FetchHandler } from './01-fetch.handler';
import { ListOffsetsHandler } from './02-list-offsets.handler';
import { DeleteRecordsHandler } from './21-delete-records.handler';
import { InitProducerIdHandler } from './22-init-producer-id.handler';

const connection = { id: 1, listenerName: 'PLAINTEXT', remoteAddress: '127.0.0.1', remotePort: 50000 };
const ctx = (apiVersion: number): RequestContext => ({ apiVersion, correlationId: 1, clientId: 'test', connection });

function produceRequest(records: Array<{ partition: number; records: Buffer | null }>, acks = -1, topic = 't'): ProduceRequest {
  return { transactionalId: null, acks, timeoutMs: 1000, topicData: [{ name: topic, partitionData: records.map((r) => ({ index: r.partition, records: r.records })) }] };
}

function fetchRequest(partitions: Array<{ partition: number; offset: number }>, extra: Partial<FetchRequest> = {}, topic = 't', topicId = ''): FetchRequest {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        topicId,
        partitions: partitions.map((p) => ({
          partition: p.partition,
          currentLeaderEpoch: -1,
          fetchOffset: p.offset,
          lastFetchedEpoch: -1,
          logStartOffset: -1,
          partitionMaxBytes: 1 << 20,
          replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
        })),
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
    ...extra,
  };
}

describe('data-path handlers', () => {
  let fx: DataPathFixture;
  let produce: ProduceHandler;
  let fetch: FetchHandler;

  beforeEach(() => {
    fx = createDataPath();
    fx.metadata.addTopic('t', 2);
    produce = new ProduceHandler(fx.replicas);
    fetch = new FetchHandler(fx.replicas, fx.metadata);
  });

  afterEach(async () => {
    await fx.close();
  });

  it('Produce answers per partition in request order, with logStartOffset', async () => {
    const bad = batch(1);
    bad[bad.length - 1] ^= 1;
    const response = (await produce.handle(
      produceRequest([
        { partition: 0, records: batch(2) },
        { partition: 1, records: bad },
      ]),
    )) as ProduceResponse;
    expect(response.responses[0].partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset, p.logStartOffset])).toEqual([
      [0, ErrorCode.NONE, 0, 0],
      [1, ErrorCode.CORRUPT_MESSAGE, -1, -1],
    ]);
    expect(response.responses[0].partitionResponses[1].errorMessage).toMatch(/crc/i);
  });

  it('Produce with acks=0 appends and sends no response', async () => {
    const response = await produce.handle(produceRequest([{ partition: 0, records: batch(3) }], 0));
    expect(response).toBeNull();
    expect(fx.replicas.getPartition('t', 0)!.log.logEndOffset).toBe(3);
  });

  it('Produce with acks=0 closes the connection (throws) when a partition fails, as Kafka does', async () => {
    await expect(Promise.resolve().then(() => produce.handle(produceRequest([{ partition: 0, records: batch(1) }], 0, 'nope')))).rejects.toMatchObject({
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    });
  });

  it('Produce of transactional records without a transactional id fails every partition with TRANSACTIONAL_ID_AUTHORIZATION_FAILED', async () => {
    const txn = batch(1, { transactional: true, producerId: 3, producerEpoch: 0, baseSequence: 0 });
    const response = (await produce.handle(produceRequest([{ partition: 0, records: txn }, { partition: 1, records: batch(1) }]))) as ProduceResponse;
    expect(response.responses[0].partitionResponses.map((p) => p.errorCode)).toEqual([
      ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    ]);
    expect(fx.replicas.getPartition('t', 1)!.log.logEndOffset).toBe(0);
  });

  it('Fetch by topic id (v13+) reads the topic and answers UNKNOWN_TOPIC_ID for an unknown id', async () => {
    await produce.handle(produceRequest([{ partition: 1, records: batch(2) }]));
    const topicId = fx.metadata.topic('t')!.topicId;
    const known = (await fetch.handle(fetchRequest([{ partition: 1, offset: 0 }], {}, '', topicId), ctx(13))) as FetchResponse;
    expect(known.responses[0].topicId).toBe(topicId);
    expect(known.responses[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 2, lastStableOffset: 2, abortedTransactions: [], preferredReadReplica: -1 });
    expect(valuesIn(known.responses[0].partitions[0].records!)).toEqual(['v-0', 'v-1']);
    const unknown = (await fetch.handle(fetchRequest([{ partition: 0, offset: 0 }], {}, '', 'AAAAAAAAAAAAAAAAAAAAAQ'), ctx(13))) as FetchResponse;
    expect(unknown.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('Fetch answers FETCH_SESSION_ID_NOT_FOUND for a session id we never handed out', async () => {
    const response = (await fetch.handle(fetchRequest([{ partition: 0, offset: 0 }], { sessionId: 12, sessionEpoch: 1 }), ctx(11))) as FetchResponse;
    expect(response.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('ListOffsets answers v0 in the old list form and v1+ as timestamp/offset pairs', async () => {
    await produce.handle(produceRequest([{ partition: 0, records: batch(4) }]));
    const handler = new ListOffsetsHandler(fx.replicas);
    const request = { replicaId: -1, isolationLevel: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] }] };
    expect(handler.handle(request, ctx(0)).topics[0].partitions[0].oldStyleOffsets).toEqual([4]);
    expect(handler.handle(request, ctx(5)).topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, offset: 4, timestamp: -1, leaderEpoch: 0 });
  });

  it('DeleteRecords answers the low watermark per partition', async () => {
    await produce.handle(produceRequest([{ partition: 0, records: batch(4) }]));
    const handler = new DeleteRecordsHandler(fx.replicas);
    const response = handler.handle({ topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 3 }, { partitionIndex: 1, offset: 5 }] }], timeoutMs: 1000 });
    expect(response.topics[0].partitions).toEqual([
      { partitionIndex: 0, lowWatermark: 3, errorCode: ErrorCode.NONE },
      { partitionIndex: 1, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE },
    ]);
  });

  it('InitProducerId hands out distinct ids with epoch 0, claiming blocks, and refuses transactional ids', async () => {
    let next = 0;
    const claims: number[] = [];
    const ids = new ProducerIdManager(0, {
      claimNext: async (brokerId) => {
        claims.push(brokerId);
        const block = { brokerId, firstProducerId: next, lastProducerId: next + 1 };
        next += 2;
        return block;
      },
    });
    const handler = new InitProducerIdHandler(ids);
    const request = { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 };
    const answers = await Promise.all([handler.handle(request), handler.handle(request), handler.handle(request)]);
    expect(answers.map((a) => [a.errorCode, a.producerId, a.producerEpoch])).toEqual([
      [0, 0, 0],
      [0, 1, 0],
      [0, 2, 0],
    ]);
    expect(claims).toEqual([0, 0]);
    const txn = await handler.handle({ ...request, transactionalId: 'tx' });
    expect(txn).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1 });
  });

  it('serves encoded Produce, Fetch and ListOffsets frames through the RequestRouter', async () => {
    const registry = new ApiRegistry({} as DiscoveryService);
    registry.register(ApiKey.Produce, produce);
    registry.register(ApiKey.Fetch, fetch);
    registry.register(ApiKey.ListOffsets, new ListOffsetsHandler(fx.replicas));
    const router = new RequestRouter(registry);
    const call = async (frame: Buffer): Promise<Buffer> => Buffer.concat((await router.dispatch(frame, connection))!);

    const records = batch(50, { valueBytes: 100 });
    const produceFrame = encodeRequest(ProduceApi, 9, { correlationId: 7, clientId: 'c' }, produceRequest([{ partition: 0, records }]));
    const produced = decodeResponse(ProduceApi, 9, await call(produceFrame));
    expect(produced.correlationId).toBe(7);
    expect(produced.body.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });

    const fetchFrame = encodeRequest(FetchApi, 12, { correlationId: 8, clientId: 'c' }, fetchRequest([{ partition: 0, offset: 0 }], { maxWaitMs: 500 }));
    const fetched = decodeResponse(FetchApi, 12, await call(fetchFrame));
    expect(fetched.correlationId).toBe(8);
    const partition = fetched.body.responses[0].partitions[0];
    expect(partition).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 50, lastStableOffset: 50, logStartOffset: 0 });
    expect(valuesIn(partition.records!)).toHaveLength(50);

    const listFrame = encodeRequest(ListOffsetsApi, 7, { correlationId: 9, clientId: 'c' }, {
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3, maxNumOffsets: 1 }] }],
    });
    const listed = decodeResponse(ListOffsetsApi, 7, await call(listFrame));
    expect(listed.body.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, offset: 49 });

    // A parked fetch over the router is woken by a produce on another "connection".
    const parked = call(encodeRequest(FetchApi, 11, { correlationId: 10, clientId: 'c' }, fetchRequest([{ partition: 1, offset: 0 }], { maxWaitMs: 5000 })));
    const started = performance.now();
    await call(encodeRequest(ProduceApi, 7, { correlationId: 11, clientId: 'c' }, produceRequest([{ partition: 1, records: batch(1) }])));
    const woken = decodeResponse(FetchApi, 11, await parked);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(valuesIn(woken.body.responses[0].partitions[0].records!)).toEqual(['v-0']);
  });
});
