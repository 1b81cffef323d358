import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiscoveryService } from '@nestjs/core';
import { ApiKey } from '../../protocol/api-key';
import { decodeResponse } from '../../protocol/codec/message-codec';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { FetchApi } from '../../protocol/schemas/fetch.schema';
import { ListOffsetsApi } from '../../protocol/schemas/list-offsets.schema';
import { ProduceApi } from '../../protocol/schemas/produce.schema';
import { ApiRegistry } from '../api/api-registry';
import { RequestRouter } from '../api/request-router';
import { createDataPath, type DataPathFixture } from '../replica/replica-manager.test-helpers';
import { RecordBatchSplitter } from '../../protocol/record-batch/record-batch-splitter';
import { ProduceHandler } from './00-produce.handler';
import { FetchHandler } from './01-fetch.handler';
import { ListOffsetsHandler } from './02-list-offsets.handler';

// Request frames captured from the real clients (see test/fixtures/protocol/README.md), fed
// through the router into the data-path handlers: what each client produced must come back
// to its own fetch and list-offsets requests.
const FIXTURES = path.join(__dirname, '../../../test/fixtures/protocol');
const CLIENTS = [
  { client: 'kcat', produce: 'kcat-2.0-produce-v7', fetch: 'kcat-2.0-fetch-v11', list: 'kcat-2.0-list-offsets-v2' },
  { client: 'kafkajs', produce: 'kafkajs-2.2-produce-v7', fetch: 'kafkajs-2.2-fetch-v11', list: 'kafkajs-2.2-list-offsets-v3' },
  { client: 'platformatic', produce: 'platformatic-1.35-produce-v11', fetch: 'platformatic-1.35-fetch-v17', list: 'platformatic-1.35-list-offsets-v9' },
];

const frame = (name: string): Buffer => fs.readFileSync(path.join(FIXTURES, `${name}.request.bin`));
const expected = (name: string): any => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.expected.json`), 'utf8'));
const connection = { id: 1, listenerName: 'PLAINTEXT', remoteAddress: '127.0.0.1', remotePort: 50000 };

describe.each(CLIENTS)('golden frames from $client', ({ produce, fetch, list }) => {
  let fx: DataPathFixture;
  let router: RequestRouter;

  beforeEach(() => {
    fx = createDataPath();
    const topicId = expected(fetch).body.topics[0].topicId as string | undefined;
    fx.metadata.addTopic('golden', 1, topicId ? { topicId } : {});
    const registry = new ApiRegistry({} as DiscoveryService);
    registry.register(ApiKey.Produce, new ProduceHandler(fx.replicas));
    registry.register(ApiKey.Fetch, new FetchHandler(fx.replicas, fx.metadata));
    registry.register(ApiKey.ListOffsets, new ListOffsetsHandler(fx.replicas));
    router = new RequestRouter(registry);
  });

  afterEach(async () => {
    await fx.close();
  });

  const call = async (name: string): Promise<Buffer> => Buffer.concat((await router.dispatch(frame(name), connection))!);

  it('appends the produced batch, fetches it back with its keys and values, and lists the log end', async () => {
    const produceVersion = expected(produce).header.apiVersion;
    const produced = decodeResponse(ProduceApi, produceVersion, await call(produce));
    expect(produced.body.responses[0].partitionResponses[0]).toMatchObject({ index: 0, errorCode: ErrorCode.NONE, baseOffset: 0 });

    const fetched = decodeResponse(FetchApi, expected(fetch).header.apiVersion, await call(fetch));
    const partition = fetched.body.responses[0].partitions[0];
    expect(partition.errorCode).toBe(ErrorCode.NONE);
    const records: Array<{ key: string; value: string }> = [];
    const split = new RecordBatchSplitter(partition.records!);
    while (split.next()) for (const r of split.view.records()) records.push({ key: r.key!.toString(), value: r.value!.toString() });
    expect(records).toEqual(expected(produce).records.map((r: any) => ({ key: r.key, value: r.value })));
    expect(partition.highWatermark).toBe(records.length);

    const listed = decodeResponse(ListOffsetsApi, expected(list).header.apiVersion, await call(list));
    const offsets = listed.body.topics[0].partitions[0];
    expect(offsets.errorCode).toBe(ErrorCode.NONE);
    const timestamp = expected(list).body.topics[0].partitions[0].timestamp;
    expect(offsets.offset).toBe(timestamp === -2 ? 0 : records.length);
  });
});
