// kcat (librdkafka 2.0 from Debian) against the built broker: metadata listing, then
// 100k keyed records produced and consumed back over a 3-partition topic, once per
// compression codec. librdkafka picks its own Produce/Fetch/Metadata versions from our
// ApiVersions answer, so this is the broker as an unmodified C client sees it.
import { runKcat } from '../../scripts/kcat';
import { BrokerProcess } from '../support/broker-process';
import { CompressionType, RecordBatchView } from '../../src/protocol';
import { KafkaWireClient } from '../support/kafka-wire-client';
import { createTopic, fetchAllBatches } from '../support/wire-admin';

const RECORDS = Number(process.env.KAFKANEST_COMPAT_RECORDS ?? 100_000);
const KEYS = 1000;
const PARTITIONS = 3;

interface KcatMetadata {
  brokers: Array<{ id: number; name: string }>;
  topics: Array<{ topic: string; error?: string; partitions: Array<{ partition: number; leader: number; error?: string }> }>;
}

let broker: BrokerProcess;

beforeAll(async () => {
  broker = await BrokerProcess.start();
}, 60_000);

afterAll(async () => {
  await broker?.dispose();
}, 30_000);

async function kcat(args: string[], input?: string, timeoutMs = 120_000): Promise<string> {
  const result = await runKcat(['-b', broker.bootstrap, ...args], { input, timeoutMs });
  if (result.code !== 0) throw new Error(`kcat ${args.join(' ')} exited ${result.code ?? result.signal}:\n${result.stderr}`);
  return result.stdout.toString('utf8');
}

describe('kcat', () => {
  it('lists the broker and a created topic with its partitions and leader (-L -J)', async () => {
    await createTopic(broker.port, 'kcat-listed', PARTITIONS);
    const metadata = JSON.parse(await kcat(['-L', '-J'])) as KcatMetadata;

    expect(metadata.brokers).toEqual([{ id: broker.brokerId, name: broker.bootstrap }]);
    const topic = metadata.topics.find((t) => t.topic === 'kcat-listed');
    expect(topic).toBeDefined();
    expect(topic!.error).toBeUndefined();
    expect(topic!.partitions.map((p) => [p.partition, p.leader])).toEqual([
      [0, broker.brokerId],
      [1, broker.brokerId],
      [2, broker.brokerId],
    ]);
  }, 30_000);

  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])(
    'round-trips %s-compressed keyed records: each exactly once, each key in one partition',
    async (codec) => {
      const topic = `kcat-roundtrip-${codec}`;
      await createTopic(broker.port, topic, PARTITIONS);
      const lines: string[] = [];
      for (let i = 0; i < RECORDS; i++) lines.push(`k${i % KEYS}:${codec}-${i}`);
      await kcat(['-P', '-K:', '-t', topic, '-z', codec, '-X', 'linger.ms=20'], lines.join('\n') + '\n');

      const out = await kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k|%p|%o|%s\n']);
      const seen = new Uint8Array(RECORDS);
      const partitionOfKey = new Map<string, number>();
      const nextOffset = new Array<number>(PARTITIONS).fill(0);
      let duplicates = 0;
      let misplacedKeys = 0;
      let offsetGaps = 0;
      for (const line of out.split('\n')) {
        if (line === '') continue;
        const [key, partitionText, offsetText, value] = line.split('|');
        const partition = Number(partitionText);
        const offset = Number(offsetText);
        const i = Number(value.slice(codec.length + 1));
        if (seen[i]++) duplicates++;
        if (key !== `k${i % KEYS}`) misplacedKeys++;
        const known = partitionOfKey.get(key);
        if (known === undefined) partitionOfKey.set(key, partition);
        else if (known !== partition) misplacedKeys++;
        if (offset !== nextOffset[partition]) offsetGaps++;
        nextOffset[partition] = offset + 1;
      }
      const missing = seen.reduce((n, s) => n + (s === 0 ? 1 : 0), 0);
      expect({ missing, duplicates, misplacedKeys, offsetGaps }).toEqual({ missing: 0, duplicates: 0, misplacedKeys: 0, offsetGaps: 0 });
      expect(partitionOfKey.size).toBe(KEYS);
      // The default partitioner spreads 1000 keys over all three partitions.
      expect(new Set(partitionOfKey.values()).size).toBe(PARTITIONS);
      expect(nextOffset.reduce((a, b) => a + b, 0)).toBe(RECORDS);

      // The log holds the producer's batches as sent, compressed with the codec kcat used.
      // (librdkafka 2.0 compresses with LZ4 only when the broker advertises FindCoordinator v0.)
      const client = await KafkaWireClient.connect(broker.port);
      try {
        const stored = new Set((await fetchAllBatches(client, topic, 0)).map((bytes) => new RecordBatchView(bytes).compression));
        expect([...stored].map((c) => CompressionType[c].toLowerCase())).toEqual([codec]);
      } finally {
        client.close();
      }
    },
    180_000,
  );
});
