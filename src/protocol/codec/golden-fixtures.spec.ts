import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_APIS, ApiKey, ByteReader, RecordBatchView, apiVersionPlan, decodeRequestBody, decodeRequestHeader, decodeStruct, indexApis } from '../index';
import type { GoldenExpectation } from './testing/golden-fixture';

/*
 * Request frames captured from real clients (scripts/capture-protocol-fixtures.ts) with
 * what each must decode to, known from how the client was driven. A mismatch here is a
 * codec or schema bug, or a client that changed: re-capture and compare before editing
 * an expectation.
 */

const FIXTURE_DIR = join(__dirname, '../../../test/fixtures/protocol');

type Expected = GoldenExpectation;

const fixtures: Expected[] = readdirSync(FIXTURE_DIR)
  .filter((f) => f.endsWith('.expected.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(FIXTURE_DIR, f), 'utf8')) as Expected);

const apis = indexApis(ALL_APIS);

/*
 * The consumer protocol's embedded formats, read with plain Buffer calls so they do not
 * lean on the codec under test (Kafka's ConsumerProtocolSubscription / Assignment):
 *   subscription v0: version int16, topics [string], userData bytes
 *                v1+: ... ownedPartitions [topic string, partitions [int32]] (v2 generation, v3 rack follow)
 *   assignment   v0+: version int16, [topic string, partitions [int32]], userData bytes
 * Arrays and bytes have int32 lengths, strings int16 lengths.
 */
class PlainReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  int16(): number {
    this.at += 2;
    return this.buf.readInt16BE(this.at - 2);
  }
  int32(): number {
    this.at += 4;
    return this.buf.readInt32BE(this.at - 4);
  }
  string(): string {
    const length = this.int16();
    this.at += length;
    return this.buf.toString('utf8', this.at - length, this.at);
  }
  array<T>(item: () => T): T[] {
    const n = this.int32();
    return Array.from({ length: Math.max(n, 0) }, item);
  }
}

function subscriptionTopics(metadata: Buffer): string[] {
  const r = new PlainReader(metadata);
  r.int16();
  return r.array(() => r.string());
}

function assignmentTopics(assignment: Buffer): { topic: string; partitions: number[] }[] {
  const r = new PlainReader(assignment);
  r.int16();
  return r.array(() => ({ topic: r.string(), partitions: r.array(() => r.int32()) }));
}

describe('golden request frames captured from kcat, kafkajs and @platformatic/kafka', () => {
  it('hold the minimum set of APIs from every client', () => {
    const minimum = ['ApiVersions', 'Metadata', 'Produce', 'Fetch', 'JoinGroup', 'SyncGroup', 'OffsetCommit'];
    for (const client of ['kcat', 'kafkajs', 'platformatic']) {
      const held = new Set(fixtures.filter((f) => f.client === client).map((f) => f.api));
      expect(minimum.filter((api) => !held.has(api))).toEqual([]);
    }
  });

  describe.each(fixtures)('$fixture ($clientVersion)', (expected) => {
    const frame = readFileSync(join(FIXTURE_DIR, expected.fixture));
    const header = decodeRequestHeader(frame, apis);

    it('decodes the header the client wrote', () => {
      expect({ apiKey: header.apiKey, apiVersion: header.apiVersion, correlationId: header.correlationId, clientId: header.clientId }).toEqual(
        expected.header,
      );
      expect(header.api?.name).toBe(expected.api);
    });

    it('decodes the body to the values the client was driven with', () => {
      const body = decodeRequestBody(header.api!, header.apiVersion, frame, header.bodyOffset);
      expect(body).toMatchObject(expected.body);
    });

    it('consumes the frame to its last byte', () => {
      const reader = new ByteReader(frame, header.bodyOffset, frame.length);
      decodeStruct(apiVersionPlan(header.api!, header.apiVersion).request, reader);
      expect(reader.offset).toBe(frame.length);
    });

    if (expected.records) {
      const records = expected.records;
      it('carries the produced records in one valid batch', () => {
        const body = decodeRequestBody(header.api!, header.apiVersion, frame, header.bodyOffset) as { topicData: { partitionData: { records: Buffer | null }[] }[] };
        const bytes = body.topicData[0].partitionData[0].records!;
        const batch = new RecordBatchView(bytes);
        expect(() => batch.validate()).not.toThrow();
        expect(batch.sizeInBytes).toBe(bytes.length);
        expect(batch.recordCount).toBe(records.length);
        const seen: { key: string; value: string }[] = [];
        for (const reader = batch.recordReader(); reader.next(); ) seen.push({ key: reader.key()!.toString(), value: reader.value()!.toString() });
        expect(seen).toEqual(records);
      });
    }

    if (expected.subscriptions) {
      const subscriptions = expected.subscriptions;
      it('carries each protocol with a consumer subscription to the driven topics', () => {
        expect(header.apiKey).toBe(ApiKey.JoinGroup);
        const body = decodeRequestBody(header.api!, header.apiVersion, frame, header.bodyOffset) as { protocols: { name: string; metadata: Buffer }[] };
        expect(body.protocols.map((p) => ({ name: p.name, topics: subscriptionTopics(p.metadata) }))).toEqual(subscriptions);
      });
    }

    if (expected.assignments) {
      const assignments = expected.assignments;
      it("carries the leader's consumer assignment of the driven topic", () => {
        expect(header.apiKey).toBe(ApiKey.SyncGroup);
        const body = decodeRequestBody(header.api!, header.apiVersion, frame, header.bodyOffset) as { assignments: { memberId: string; assignment: Buffer }[] };
        expect(body.assignments.map((a) => ({ memberId: a.memberId, topics: assignmentTopics(a.assignment) }))).toEqual(assignments);
      });
    }
  });
});
