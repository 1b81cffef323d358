// Hostile and broken peers against the built broker: each kind of bad input gets Kafka's
// answer (an error code, or the connection closed) and never disturbs anyone else — a
// connection opened before the bad one, a fresh connection after it, and the process.
import {
  ApiKey,
  ApiVersionsApi,
  CompressionType,
  decodeResponse,
  encodeRecordBatch,
  ErrorCode,
  MetadataApi,
  ProduceApi,
} from '../../src/protocol';
import { BrokerProcess } from '../support/broker-process';
import { fuzzFrames } from '../support/fuzz-frames';
import { KafkaWireClient } from '../support/kafka-wire-client';
import { createTopic, fetchAllBatches, negotiatedVersion } from '../support/wire-admin';

const MAX_REQUEST_BYTES = 64 * 1024;
const CLOSE_DEADLINE_MS = 5_000;

let broker: BrokerProcess;
/** Opened before any bad input; must keep working through all of it. */
let bystander: KafkaWireClient;

beforeAll(async () => {
  broker = await BrokerProcess.start({ settings: { 'socket.request.max.bytes': MAX_REQUEST_BYTES } });
  bystander = await KafkaWireClient.connect(broker.port);
}, 60_000);

afterAll(async () => {
  bystander?.close();
  await broker?.dispose();
}, 30_000);

/** A request frame built by hand: header v1 (or v2 with an empty tag section) + `body`. */
function handFrame(apiKey: number, apiVersion: number, correlationId: number, body: Buffer, headerVersion: 1 | 2 = 1): Buffer {
  const clientId = Buffer.from('bad-input');
  const header = Buffer.alloc(10 + clientId.length + (headerVersion === 2 ? 1 : 0));
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  clientId.copy(header, 10);
  // headerVersion 2 ends with the tagged-field count, 0, already in place.
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length);
  return Buffer.concat([size, header, body]);
}

async function expectClosed(client: KafkaWireClient): Promise<void> {
  expect(await client.closedWithin(CLOSE_DEADLINE_MS)).toBe(true);
}

/** The process lives, the bystander is answered, and a fresh connection gets ApiVersions and Metadata. */
async function expectBrokerStillServes(): Promise<void> {
  expect(broker.isAlive()).toBe(true);
  const viaBystander = await bystander.request(ApiVersionsApi, 3, { clientSoftwareName: 'bystander', clientSoftwareVersion: '1' });
  expect(viaBystander.errorCode).toBe(ErrorCode.NONE);
  const fresh = await KafkaWireClient.connect(broker.port);
  try {
    const versions = await fresh.request(ApiVersionsApi, 3, { clientSoftwareName: 'fresh', clientSoftwareVersion: '1' });
    expect(versions.errorCode).toBe(ErrorCode.NONE);
    const metadata = await fresh.request(MetadataApi, await negotiatedVersion(fresh, MetadataApi, 12), { topics: null, allowAutoTopicCreation: false });
    expect(metadata.brokers.map((b) => b.port)).toEqual([broker.port]);
  } finally {
    fresh.close();
  }
}

describe('bad input', () => {
  let client: KafkaWireClient;

  beforeEach(async () => {
    client = await KafkaWireClient.connect(broker.port);
  });

  afterEach(async () => {
    client.close();
    await expectBrokerStillServes();
  });

  it('closes the connection when a request body does not decode', async () => {
    // ApiVersions v3's body opens with a compact string; this length varint claims 2^31 bytes.
    client.write(handFrame(ApiKey.ApiVersions, 3, 1, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08, 0x61, 0x62]), 2));
    await expectClosed(client);
  });

  it('closes the connection when a frame is too short to hold a request header', async () => {
    client.write(Buffer.from([0, 0, 0, 3, 0x00, 0x12, 0x00]));
    await expectClosed(client);
  });

  it('closes the connection on a negative frame size', async () => {
    client.write(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    await expectClosed(client);
  });

  it('closes the connection on a size over socket.request.max.bytes before any of the body arrives', async () => {
    const size = Buffer.alloc(4);
    size.writeInt32BE(MAX_REQUEST_BYTES + 1);
    client.write(size);
    await expectClosed(client);
  });

  it('closes the connection on a size of 2^31-1 without waiting for (or buffering) the body', async () => {
    client.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0x00, 0x12]));
    await expectClosed(client);
  });

  it('serves a request of exactly socket.request.max.bytes', async () => {
    // ApiVersions v0 has an empty body; Kafka ignores bytes after it, so padding fills the frame to the limit.
    const frame = handFrame(ApiKey.ApiVersions, 0, 7, Buffer.alloc(0));
    const padded = Buffer.concat([frame, Buffer.alloc(MAX_REQUEST_BYTES - (frame.length - 4))]);
    padded.writeInt32BE(MAX_REQUEST_BYTES, 0);
    const response = decodeResponse(ApiVersionsApi, 0, await client.send(padded, 7));
    expect(response.body.errorCode).toBe(ErrorCode.NONE);
  });

  it('closes the connection on an API key nobody declares', async () => {
    client.write(handFrame(1000, 0, 1, Buffer.alloc(8)));
    await expectClosed(client);
  });

  it('answers ApiVersions v99 in v0 form with UNSUPPORTED_VERSION and the supported list, and keeps the connection', async () => {
    const response = decodeResponse(ApiVersionsApi, 0, await client.send(handFrame(ApiKey.ApiVersions, 99, 5, Buffer.alloc(0), 2), 5));
    expect(response.correlationId).toBe(5);
    expect(response.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(response.body.apiKeys).toEqual(expect.arrayContaining([{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 4 }]));
    const retried = await client.request(ApiVersionsApi, 3, { clientSoftwareName: 'retry', clientSoftwareVersion: '1' });
    expect(retried.errorCode).toBe(ErrorCode.NONE);
    expect(retried.apiKeys).toEqual(response.body.apiKeys);
  });

  it.each([
    ['Produce v2', ApiKey.Produce, 2],
    ['Metadata v99', ApiKey.Metadata, 99],
  ])('closes the connection on %s, a version no declaration covers (Kafka cannot parse its header either)', async (_name, apiKey, version) => {
    client.write(handFrame(apiKey, version, 1, Buffer.alloc(16)));
    await expectClosed(client);
  });

  it('answers a batch with a bad CRC with CORRUPT_MESSAGE for its partition and appends the good partition', async () => {
    await createTopic(broker.port, 'bad-crc', 2);
    const good = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('fine') }], { compression: CompressionType.None });
    const corrupt = encodeRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('flipped') }], { compression: CompressionType.None });
    corrupt[corrupt.length - 2] ^= 0x01; // a value byte: covered by the CRC, no length disturbed
    const version = await negotiatedVersion(client, ProduceApi, 9);
    const response = await client.request(ProduceApi, version, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 10_000,
      topicData: [
        {
          name: 'bad-crc',
          partitionData: [
            { index: 0, records: corrupt },
            { index: 1, records: good },
          ],
        },
      ],
    });
    const partitions = response.responses[0].partitionResponses;
    expect(partitions.map((p) => [p.index, p.errorCode])).toEqual([
      [0, ErrorCode.CORRUPT_MESSAGE],
      [1, ErrorCode.NONE],
    ]);
    expect(await fetchAllBatches(client, 'bad-crc', 0)).toHaveLength(0);
    expect(await fetchAllBatches(client, 'bad-crc', 1)).toHaveLength(1);
  });
});

describe('fuzz', () => {
  const FRAMES = Number(process.env.KAFKANEST_FUZZ_FRAMES ?? 3000);
  const CONNECTIONS = 24;
  /** A frame the broker neither answers nor closes on (acks=0, long poll, a lying size) is given up after this. */
  const SILENCE_MS = 200;

  it(`survives ${FRAMES} random and mutated frames of every declared API over ${CONNECTIONS} connections`, async () => {
    const frames = fuzzFrames(Number(process.env.KAFKANEST_FUZZ_SEED ?? 20240501), FRAMES);
    const outcome = { answered: 0, closed: 0, silent: 0 };


    async function worker(): Promise<void> {
      let conn: KafkaWireClient | undefined;
      for (let next = frames.next(); !next.done; next = frames.next()) {
        const frame = next.value;
        conn ??= await KafkaWireClient.connect(broker.port);
        // The broker answers with whatever correlation id it read, mutated or not.
        const correlationId = frame.bytes.length >= 12 ? frame.bytes.readInt32BE(8) : -1;
        try {
          await conn.send(frame.bytes, correlationId, SILENCE_MS);
          outcome.answered++;
        } catch {
          if (conn.isClosed) outcome.closed++;
          else outcome.silent++;
          conn.close();
          conn = undefined;
        }
        if (!broker.isAlive()) throw new Error(`broker exited after ${frame.label}: ${frame.bytes.toString('hex')}\n${broker.stderr.slice(-4000)}`);
      }
      conn?.close();
    }

    await Promise.all(Array.from({ length: CONNECTIONS }, () => worker()));
    if (process.env.KAFKANEST_FUZZ_REPORT) console.log(outcome);
    expect(outcome.answered + outcome.closed + outcome.silent).toBe(FRAMES);
    // Both of Kafka's answers were exercised, not just one.
    expect(outcome.answered).toBeGreaterThan(0);
    expect(outcome.closed).toBeGreaterThan(0);
    await expectBrokerStillServes();
  }, 60_000);
});
