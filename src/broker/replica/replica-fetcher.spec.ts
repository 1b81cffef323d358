import { indexApis } from '../../protocol/codec/api-plan';
import { decodeKnownRequestHeader, decodeRequestBody, decodeResponse, encodeRequest, encodeResponse } from '../../protocol/codec/message-codec';
import type { ApiSpec, RequestOf, ResponseOf } from '../../protocol/codec/schema';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { FetchApi } from '../../protocol/schemas/fetch.schema';
import type { KafkaApiHandler } from '../api/kafka-api-handler';
import { FetchHandler } from '../handlers/01-fetch.handler';
import { ListOffsetsHandler } from '../handlers/02-list-offsets.handler';
import { OffsetForLeaderEpochHandler } from '../handlers/23-offset-for-leader-epoch.handler';
import type { BrokerChannel } from './broker-channel';
import type { AppendOutcome } from './partition';
import { batch, createDataPath, FakeMetadataView, valuesIn, type DataPathFixture } from './replica-manager.test-helpers';

const connection = { id: 1, listenerName: 'PLAINTEXT', remoteAddress: '127.0.0.1', remotePort: 50000 };

/**
 * A follower's channel to a leader in the same process: each request is encoded, decoded
 * and handled by the leader's real handlers, and the answer goes back through the codec,
 * as over a socket.
 */
class InProcessChannel implements BrokerChannel {
  isClosed = false;
  readonly requests: string[] = [];
  /** For each Fetch answer, the partitions (`topic-partition`) it carried records for. */
  readonly served: string[][] = [];
  private readonly handlers: KafkaApiHandler[];

  constructor(leader: DataPathFixture) {
    this.handlers = [new FetchHandler(leader.replicas, leader.metadata), new ListOffsetsHandler(leader.replicas), new OffsetForLeaderEpochHandler(leader.replicas)];
  }

  async request<A extends ApiSpec<any, any>>(api: A, version: number, body: RequestOf<A>): Promise<ResponseOf<A>> {
    if (this.isClosed) throw new Error('closed');
    this.requests.push(api.name);
    const handler = this.handlers.find((h) => h.api.apiKey === api.apiKey)!;
    const encoded = encodeRequest(api, version, { correlationId: 7, clientId: 'follower' }, body);
    const header = decodeKnownRequestHeader(encoded, indexApis([api]));
    const decoded = decodeRequestBody(api, version, encoded, header.bodyOffset);
    const answer = await handler.handle(decoded, { apiVersion: version, correlationId: 7, clientId: 'follower', connection });
    const response = decodeResponse(api, version, encodeResponse(api, version, 7, answer as ResponseOf<A>)).body;
    if (api.apiKey === FetchApi.apiKey) {
      const { responses } = response as ResponseOf<typeof FetchApi>;
      this.served.push(responses.flatMap((t) => t.partitions.filter((p) => (p.records?.length ?? 0) > 0).map((p) => `${t.topic}-${p.partitionIndex}`)));
    }
    return response;
  }

  close(): void {
    this.isClosed = true;
  }
}

const SETTINGS = { fetchWaitMaxMs: 50, fetchMinBytes: 1, fetchMaxBytes: 1 << 20, fetchResponseMaxBytes: 10 << 20, fetchBackoffMs: 20, socketTimeoutMs: 5_000 };

/** Two brokers in this process: 0 and 1, each knowing the other, each with its own log dir. */
function twoBrokers(overrides: Partial<typeof SETTINGS> = {}): { brokers: DataPathFixture[]; channels: InProcessChannel[] } {
  const channels: InProcessChannel[] = [];
  const brokers: DataPathFixture[] = [];
  for (const id of [0, 1]) {
    const metadata = new FakeMetadataView(id);
    metadata.addBroker(1 - id);
    brokers.push(
      createDataPath(
        {
          fetcher: {
            ...SETTINGS,
            ...overrides,
            localBrokerId: id,
            connect: async () => {
              const channel = new InProcessChannel(brokers[1 - id]);
              channels.push(channel);
              return channel;
            },
          },
        },
        metadata,
      ),
    );
  }
  return { brokers, channels };
}

async function eventually(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ReplicaFetcher (two brokers in one process)', () => {
  let leader: DataPathFixture;
  let follower: DataPathFixture;
  let channels: InProcessChannel[];

  beforeEach(() => {
    const made = twoBrokers();
    [leader, follower] = made.brokers;
    channels = made.channels;
  });

  afterEach(async () => {
    await follower.close();
    await leader.close();
  });

  const logOf = (fx: DataPathFixture) => fx.logManager.getLog({ topic: 't', partition: 0 })!;
  const bytesOf = (fx: DataPathFixture) => logOf(fx).read(logOf(fx).logStartOffset, 1 << 20).records;
  const append = (fx: DataPathFixture, count: number, tag: string, acks = 1) =>
    fx.replicas.appendRecords(acks, 5_000, [{ topic: 't', partition: 0, records: batch(count, { tag }) }]) as AppendOutcome[] | Promise<AppendOutcome[]>;
  /** Both views agree: broker `leaderId` leads epoch `epoch` with both replicas. */
  function assign(leaderId: number, epoch: number, isr = [0, 1]): void {
    for (const fx of [leader, follower]) {
      const options = { leader: leaderId, replicas: [0, 1], isr };
      if (!fx.metadata.topic('t')) fx.metadata.addTopic('t', 1, options);
      fx.metadata.updatePartition('t', 0, { leader: leaderId, leaderEpoch: epoch, isr, replicas: [0, 1] });
    }
  }

  it('copies the leader log with its offsets and epochs, follows its high watermark, and completes acks=-1', async () => {
    assign(0, 0);
    await append(leader, 3, 'a');
    const acked = append(leader, 2, 'b', -1) as Promise<AppendOutcome[]>;
    expect((await acked)[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3 });
    await eventually(() => logOf(follower).highWatermark === 5, 'the follower to learn the high watermark');
    expect(bytesOf(follower).equals(bytesOf(leader))).toBe(true);
    expect(logOf(follower).leaderEpochs.all).toEqual([{ epoch: 0, startOffset: 0 }]);
    // An empty log has no epoch to ask about: it went straight to fetching.
    expect(channels[0].requests[0]).toBe('Fetch');
  });

  it('truncates the records a former leader wrote that the new leader lacks, then catches up', async () => {
    // Epoch 0: broker 1 led and wrote 5 records broker 0 copied, then 5 more nobody else has.
    assign(1, 0, [1]);
    await append(follower, 5, 'shared');
    leader.metadata.updatePartition('t', 0, { leader: 1, leaderEpoch: 0, isr: [0, 1] });
    await eventually(() => logOf(leader).logEndOffset === 5, 'broker 0 to copy the shared records');
    await append(follower, 5, 'lost');
    // Epoch 1: broker 0 leads from offset 5 and writes records of its own.
    leader.metadata.updatePartition('t', 0, { leader: 0, leaderEpoch: 1, isr: [0] });
    await append(leader, 3, 'new');
    expect(logOf(follower).logEndOffset).toBe(10);
    follower.metadata.updatePartition('t', 0, { leader: 0, leaderEpoch: 1, isr: [0] });
    await eventually(() => logOf(follower).logEndOffset === 8 && valuesIn(bytesOf(follower)).includes('new-2'), 'the follower to truncate and catch up');
    expect(valuesIn(bytesOf(follower))).toEqual(['shared-0', 'shared-1', 'shared-2', 'shared-3', 'shared-4', 'new-0', 'new-1', 'new-2']);
    expect(bytesOf(follower).equals(bytesOf(leader))).toBe(true);
    expect(logOf(follower).leaderEpochs.all).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: 5 },
    ]);
    expect(channels.some((c) => c.requests[0] === 'OffsetForLeaderEpoch')).toBe(true);
  });

  it('drops an epoch it led without writing to it, which the new leader never knew, and catches up', async () => {
    assign(0, 0);
    await append(leader, 3, 'a');
    await eventually(() => logOf(follower).logEndOffset === 3, 'the follower to copy');
    // Broker 1 is made leader of epoch 1 but writes nothing before broker 0 leads epoch 2,
    // never having seen epoch 1 (the case of a broker frozen past its ZooKeeper session).
    follower.metadata.updatePartition('t', 0, { leader: 1, leaderEpoch: 1, isr: [0, 1] });
    expect(logOf(follower).leaderEpochs.all).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: 3 },
    ]);
    leader.metadata.updatePartition('t', 0, { leader: 0, leaderEpoch: 2, isr: [0] });
    await append(leader, 2, 'b');
    follower.metadata.updatePartition('t', 0, { leader: 0, leaderEpoch: 2, isr: [0] });
    await eventually(() => logOf(follower).logEndOffset === 5, 'the follower to fetch past the empty epoch');
    expect(bytesOf(follower).equals(bytesOf(leader))).toBe(true);
    expect(logOf(follower).leaderEpochs.all).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 3 },
    ]);
    await eventually(() => leader.replicas.getPartition('t', 0)!.followerLogEnd(1) === 5, 'the leader to see the follower caught up');
  });

  it('starts over at the leader log start when everything it lacks was deleted there', async () => {
    assign(0, 0, [0]);
    for (let i = 0; i < 5; i++) await append(leader, 2, `old${i}`);
    expect(leader.replicas.deleteRecords('t', 0, 7)).toEqual({ errorCode: ErrorCode.NONE, lowWatermark: 7 });
    await eventually(() => logOf(follower).logEndOffset === 10 && logOf(follower).logStartOffset === 7, 'the follower to fetch from the leader log start');
    // The batch holding offset 7 (6-7) comes whole, as the leader serves it.
    expect(valuesIn(bytesOf(follower))).toEqual(['old3-0', 'old3-1', 'old4-0', 'old4-1']);
    expect(channels.some((c) => c.requests.includes('ListOffsets'))).toBe(true);
  });

  it('stops fetching a partition it becomes leader of, and starts again when it follows', async () => {
    assign(0, 0);
    await append(leader, 2, 'a');
    await eventually(() => logOf(follower).logEndOffset === 2, 'the follower to copy');
    assign(1, 1);
    const partition = follower.replicas.getPartition('t', 0)!;
    expect(partition.isLeader).toBe(true);
    const outcome = (await append(follower, 1, 'mine')) as AppendOutcome[];
    expect(outcome[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    // Broker 0 now follows broker 1 and copies the new record.
    await eventually(() => logOf(leader).logEndOffset === 3, 'broker 0 to follow the new leader');
    expect(bytesOf(leader).equals(bytesOf(follower))).toBe(true);
  });
});

describe('ReplicaFetcher when the leader answers less than every partition has', () => {
  it('rotates the partitions it asks for, so a busy partition early in the request cannot starve the later ones', async () => {
    // One batch per answer: the leader serves the first partition with data (its first batch
    // always comes, Kafka's minOneBatch) and nothing after it.
    const { brokers, channels } = twoBrokers({ fetchMaxBytes: 1, fetchResponseMaxBytes: 1 });
    const [leader, follower] = brokers;
    try {
      const options = { leader: 0, replicas: [0, 1], isr: [0] };
      leader.metadata.addTopic('m', 3, options);
      for (let round = 0; round < 4; round++) {
        for (let p = 0; p < 3; p++) await leader.replicas.appendRecords(1, 5_000, [{ topic: 'm', partition: p, records: batch(1, { tag: `r${round}` }) }]);
      }
      follower.metadata.addTopic('m', 3, options);
      const logEnd = (p: number) => follower.logManager.getLog({ topic: 'm', partition: p })?.logEndOffset ?? -1;
      await eventually(() => [0, 1, 2].every((p) => logEnd(p) === 4), 'the follower to copy every partition');
      const served = channels.flatMap((c) => c.served).filter((s) => s.length > 0);
      expect(served).toEqual(Array.from({ length: 12 }, (_, i) => [`m-${i % 3}`]));
    } finally {
      await follower.close();
      await leader.close();
    }
  });
});
