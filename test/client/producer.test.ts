// The SDK's producer against the built broker as a child process: where records land
// (Java's partitioner), every codec read back, each acks level, idempotent retries after a
// lost acknowledgement (through a TCP proxy that swallows one Produce response), and
// back-pressure while the broker does not answer.
import { createServer, connect as netConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { KafkaClientError, KafkaTimeoutError } from '../../src/client/errors';
import { partitionForKey } from '../../src/client/producer/partitioner';
import { KafkaProducer } from '../../src/client/producer/kafka-producer';
import type { ProducerOptions } from '../../src/client/producer/producer-options';
import { ApiKey, RecordBatchView, type DecodedRecord } from '../../src/protocol';
import { BrokerProcess } from '../support/broker-process';
import { KafkaWireClient } from '../support/kafka-wire-client';
import { waitFor } from '../support/wait-for';
import { createTopic, fetchAllBatches } from '../support/wire-admin';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Every record of a partition, with the offset each was stored at. */
async function readPartition(port: number, topic: string, partition: number): Promise<Array<DecodedRecord & { compression: number }>> {
  const client = await KafkaWireClient.connect(port);
  try {
    const out: Array<DecodedRecord & { compression: number }> = [];
    for (const bytes of await fetchAllBatches(client, topic, partition)) {
      const view = new RecordBatchView(bytes);
      for (const record of view.records()) out.push({ ...record, compression: view.compression });
    }
    return out;
  } finally {
    client.close();
  }
}

/**
 * A byte-level TCP proxy in front of the broker. It reads the Kafka frames going each way
 * (int32 size prefix) to know which responses answer Produce requests, so a test can
 * swallow exactly one acknowledgement and cut the connection, and it can hold all
 * traffic from the broker to stall every acknowledgement.
 */
class KafkaProxy {
  private readonly server: Server;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  /** Swallow the next Produce response and close the connection. */
  dropNextProduceResponse = false;
  droppedProduceResponses = 0;
  private paused = false;
  private readonly held: Array<() => void> = [];

  constructor(private readonly upstreamPort: number) {
    this.server = createServer((client) => this.accept(client));
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const release of this.held.splice(0)) release();
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const upstream = netConnect({ host: '127.0.0.1', port: this.upstreamPort });
    const pair = { client, upstream };
    this.pairs.add(pair);
    const produceIds = new Set<number>();
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    frames(client, (frame) => {
      if (frame.readInt16BE(4) === ApiKey.Produce) produceIds.add(frame.readInt32BE(8));
      upstream.write(frame);
    });
    frames(upstream, (frame) => {
      const deliver = (): void => {
        const correlationId = frame.readInt32BE(4);
        if (produceIds.delete(correlationId) && this.dropNextProduceResponse) {
          this.dropNextProduceResponse = false;
          this.droppedProduceResponses++;
          closeBoth();
          return;
        }
        if (!client.destroyed) client.write(frame);
      };
      if (this.paused) this.held.push(deliver);
      else deliver();
    });
  }
}

/**
 * Calls `onFrame` with each whole frame (size prefix included) read from `socket`. Pieces
 * of a frame are kept in a list and joined once, so multi-megabyte Fetch responses cost
 * one copy.
 */
function frames(socket: Socket, onFrame: (frame: Buffer) => void): void {
  let pieces: Buffer[] = [];
  let buffered = 0;
  socket.on('data', (chunk: Buffer) => {
    pieces.push(chunk);
    buffered += chunk.length;
    while (buffered >= 4) {
      const head = pieces[0].length >= 4 ? pieces[0] : Buffer.concat(pieces);
      const size = 4 + head.readInt32BE(0);
      if (buffered < size) return;
      const all = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, buffered);
      onFrame(all.subarray(0, size));
      pieces = all.length > size ? [all.subarray(size)] : [];
      buffered -= size;
    }
  });
}

describe('KafkaProducer against a broker', () => {
  let broker: BrokerProcess;
  let proxy: KafkaProxy;
  const producers: KafkaProducer<any, any>[] = [];

  function producer(options: Partial<ProducerOptions<string, string>> = {}): KafkaProducer<string, string> {
    const p = new KafkaProducer<string, string>({ bootstrapServers: [broker.bootstrap], retryBackoffMs: 20, retryBackoffMaxMs: 200, ...options });
    producers.push(p);
    return p;
  }

  beforeAll(async () => {
    // Clients reach the broker through the proxy only: it is the advertised address.
    const brokerPort = await freePort();
    const proxyPort = await freePort();
    proxy = new KafkaProxy(brokerPort);
    await proxy.listen(proxyPort);
    broker = await BrokerProcess.start({
      settings: {
        listeners: `PLAINTEXT://127.0.0.1:${brokerPort}`,
        'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxyPort}`,
        'num.partitions': 1,
      },
    });
    expect(broker.port).toBe(proxyPort);
  });

  afterEach(async () => {
    proxy.resume();
    for (const p of producers.splice(0)) await p.close(5_000);
  });

  afterAll(async () => {
    await broker?.dispose();
    await proxy?.close();
  });

  it("puts keyed records on the Java partitioner's partition and keyless ones in sticky runs", async () => {
    await createTopic(broker.port, 'placement', 6);
    const p = producer();
    const keyed = await Promise.all(Array.from({ length: 600 }, (_, i) => p.send({ topic: 'placement', key: `user-${i}`, value: `keyed-${i}` })));
    for (const [i, meta] of keyed.entries()) expect(meta.partition).toBe(partitionForKey(Buffer.from(`user-${i}`), 6));
    const keyless = await Promise.all(Array.from({ length: 300 }, (_, i) => p.send({ topic: 'placement', value: `keyless-${i}` })));

    const stored = new Map<string, { partition: number; offset: number }>();
    for (let partition = 0; partition < 6; partition++) {
      for (const r of await readPartition(broker.port, 'placement', partition)) stored.set(r.value!.toString(), { partition, offset: r.offset });
    }
    expect(stored.size).toBe(900);
    for (const [i, meta] of keyed.entries()) expect(stored.get(`keyed-${i}`)).toEqual({ partition: meta.partition, offset: meta.offset });
    expect(new Set(keyed.map((m) => m.partition)).size).toBe(6);
    // Keyless records fill a batch on one partition before moving on: few partition changes.
    let switches = 0;
    for (let i = 1; i < keyless.length; i++) if (keyless[i].partition !== keyless[i - 1].partition) switches++;
    expect(switches).toBeLessThan(30);
    for (const [i, meta] of keyless.entries()) expect(stored.get(`keyless-${i}`)).toEqual({ partition: meta.partition, offset: meta.offset });
  });

  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const)('sends 100k records compressed with %s and reads every one back', async (codec) => {
    const topic = `codec-${codec}`;
    await createTopic(broker.port, topic, 2);
    const p = producer({ compressionType: codec, lingerMs: 10 });
    const n = 100_000;
    const sends: Promise<unknown>[] = new Array(n);
    for (let i = 0; i < n; i++) sends[i] = p.send({ topic, key: `k${i % 1000}`, value: `${codec}-${i}` });
    await Promise.all(sends);
    // Checked in plain loops and asserted once: 100k expect() calls would take seconds.
    const seen = new Uint8Array(n);
    const codecs = new Set<number>();
    let misplaced = 0;
    let offsetGaps = 0;
    for (let partition = 0; partition < 2; partition++) {
      const records = await readPartition(broker.port, topic, partition);
      for (let index = 0; index < records.length; index++) {
        const r = records[index];
        if (r.offset !== index) offsetGaps++;
        if (partitionForKey(r.key!, 2) !== partition) misplaced++;
        seen[Number(r.value!.toString().slice(codec.length + 1))]++;
        codecs.add(r.compression);
      }
    }
    expect([misplaced, offsetGaps]).toEqual([0, 0]);
    expect(seen.every((count) => count === 1)).toBe(true);
    expect([...codecs]).toEqual([{ none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }[codec]]);
  });

  it('writes with acks=0, 1 and all; only acknowledged sends know their offsets', async () => {
    await createTopic(broker.port, 'acks', 1);
    const offsets: Record<string, number[]> = {};
    for (const acks of ['0', '1', 'all'] as const) {
      const p = producer({ acks });
      offsets[acks] = (await Promise.all(Array.from({ length: 50 }, (_, i) => p.send({ topic: 'acks', value: `${acks}-${i}` })))).map((m) => m.offset);
      await p.flush();
    }
    expect(offsets['0'].every((o) => o === -1)).toBe(true);
    expect(offsets['1']).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
    expect(offsets.all).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
    const values = (await readPartition(broker.port, 'acks', 0)).map((r) => r.value!.toString());
    expect(values).toEqual(['0', '1', 'all'].flatMap((acks) => Array.from({ length: 50 }, (_, i) => `${acks}-${i}`)));
  });

  it('does not duplicate a batch whose acknowledgement was lost: the retry keeps its sequence numbers', async () => {
    await createTopic(broker.port, 'exactly-once-ish', 1);
    const p = producer();
    await p.send({ topic: 'exactly-once-ish', value: 'warm-up' });
    proxy.dropNextProduceResponse = true;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => p.send({ topic: 'exactly-once-ish', value: `v${i}` })));
    expect(proxy.droppedProduceResponses).toBe(1);
    expect(results.map((m) => m.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const stored = await readPartition(broker.port, 'exactly-once-ish', 0);
    expect(stored.map((r) => r.value!.toString())).toEqual(['warm-up', ...Array.from({ length: 20 }, (_, i) => `v${i}`)]);
  });

  it('makes sends wait while buffer.memory is full and the broker is silent, then delivers them in order', async () => {
    await createTopic(broker.port, 'pressure', 1);
    const p = producer({ batchSize: 4096, bufferMemory: 16_384, lingerMs: 0 });
    await p.send({ topic: 'pressure', value: 'first' });
    proxy.pause();
    const value = 'x'.repeat(1000);
    const sends = Array.from({ length: 60 }, (_, i) => p.send({ topic: 'pressure', value: `${i}:${value}` }));
    await waitFor(() => p.metrics().waitingSends > 0, { what: 'sends to wait for buffer memory' });
    expect(p.metrics().bufferAvailableBytes).toBeLessThan(4096);
    const waiting = p.metrics().waitingSends;
    expect(waiting).toBeGreaterThan(30);
    proxy.resume();
    const offsets = (await Promise.all(sends)).map((m) => m.offset);
    expect(offsets).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(p.metrics().bufferAvailableBytes).toBe(16_384);
  });

  it('delivers callback sends in order beside promise sends, also those that waited for buffer memory', async () => {
    await createTopic(broker.port, 'callbacks', 1);
    const p = producer({ batchSize: 4096, bufferMemory: 16_384, lingerMs: 0 });
    await p.send({ topic: 'callbacks', value: 'first' });
    proxy.pause();
    const value = 'c'.repeat(1000);
    const byCallback: Array<{ index: number; offset: number | null; error: Error | null }> = [];
    const promised: Array<Promise<{ index: number; offset: number }>> = [];
    for (let i = 0; i < 60; i++) {
      const record = { topic: 'callbacks', value: `${i}:${value}` };
      if (i % 2 === 0) p.send(record, (error, metadata) => byCallback.push({ index: i, offset: metadata?.offset ?? null, error }));
      else promised.push(p.send(record).then((m) => ({ index: i, offset: m.offset })));
    }
    await waitFor(() => p.metrics().waitingSends > 0, { what: 'sends to wait for buffer memory' });
    proxy.resume();
    const viaPromise = await Promise.all(promised);
    await waitFor(() => byCallback.length === 30, { what: 'every callback' });
    expect(byCallback.filter((c) => c.error !== null)).toEqual([]);
    const offsets = [...byCallback, ...viaPromise].sort((a, b) => a.index - b.index).map((c) => c.offset);
    expect(offsets).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // Callbacks of one partition run in offset order.
    expect(byCallback.map((c) => c.index)).toEqual(Array.from({ length: 30 }, (_, i) => 2 * i));
  });

  it('fails sends that cannot get buffer memory within max.block.ms, and keeps the rest', async () => {
    await createTopic(broker.port, 'blocked', 1);
    const p = producer({ batchSize: 2048, bufferMemory: 4096, lingerMs: 0, maxBlockMs: 300 });
    await p.send({ topic: 'blocked', value: 'first' });
    proxy.pause();
    const value = 'y'.repeat(1500);
    const sends = Array.from({ length: 4 }, (_, i) => p.send({ topic: 'blocked', value: `${i}:${value}` }).catch((e: unknown) => e));
    const started = Date.now();
    const outcomes = await Promise.all(sends.slice(2));
    expect(outcomes.every((o) => o instanceof KafkaTimeoutError)).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
    proxy.resume();
    const delivered = await Promise.all(sends.slice(0, 2));
    expect(delivered.every((d) => !(d instanceof Error))).toBe(true);
    expect((await readPartition(broker.port, 'blocked', 0)).length).toBe(3);
  });

  it('connects through a bootstrap list whose first entry is dead', async () => {
    await createTopic(broker.port, 'bootstrap', 1);
    const p = producer({ bootstrapServers: [`127.0.0.1:${await freePort()}`, broker.bootstrap] });
    const meta = await p.send({ topic: 'bootstrap', value: 'reached' });
    expect([meta.partition, meta.offset]).toEqual([0, 0]);
  });

  it('reports a record the broker refuses as too large', async () => {
    await createTopic(broker.port, 'small', 1, { 'max.message.bytes': '2000' });
    const p = producer();
    const err = await p.send({ topic: 'small', value: 'z'.repeat(5000) }).catch((e) => e);
    expect(err).toBeInstanceOf(KafkaClientError);
    expect(err.codeName).toBe('MESSAGE_TOO_LARGE');
    expect((await p.send({ topic: 'small', value: 'fits' })).offset).toBe(0);
  });
});
