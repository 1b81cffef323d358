// A client worker for bench/client.ts driving @platformatic/kafka:
// `node platformatic-worker.mjs <host:port>`. The library ships ES modules only (with
// import.meta), which the CommonJS loader the benchmarks run under cannot load, so it
// runs in plain Node like test/compat/platformatic-driver.mjs. Same line protocol as
// client-worker.ts (worker-protocol.ts): a JSON command per stdin line, an answer per
// stdout line after ANSWER_PREFIX. No compression: its zstd needs Node >= 22.
/* global process, setTimeout, clearTimeout, Buffer */
import { createInterface } from 'node:readline';
import { Consumer, Producer } from '@platformatic/kafka';

const ANSWER_PREFIX = '@@bench ';
/** Commit every 5 s, as the Java consumer's (and the SDK's) auto.commit.interval.ms. */
const AUTOCOMMIT_MS = 5000;
const STALL_MS = 120_000;

const bootstrap = process.argv[2];
const base = { clientId: 'bench-client', bootstrapBrokers: [bootstrap] };
const message = (err) => (err instanceof Error ? err.message : String(err));
const elapsedSeconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

async function produce(c) {
  const producer = new Producer({ ...base, idempotent: c.idempotent, acks: -1 });
  const value = Buffer.alloc(c.valueBytes, 'v');
  let next = 0;
  let errors = 0;
  let firstError;
  try {
    // Metadata first, so the clock starts with a connected client as for the others.
    await producer.metadata({ topics: [c.topic] });
    const start = process.hrtime.bigint();
    const loop = async () => {
      while (next < c.records) {
        const n = Math.min(c.batch, c.records - next);
        next += n;
        const messages = new Array(n);
        for (let i = 0; i < n; i++) messages[i] = { topic: c.topic, value };
        try {
          await producer.send({ messages, acks: -1 });
        } catch (err) {
          errors += n;
          firstError ??= message(err);
        }
      }
    };
    await Promise.all(Array.from({ length: c.concurrency }, loop));
    return { seconds: elapsedSeconds(start), records: c.records, bytes: c.records * c.valueBytes, errors, firstError };
  } finally {
    await producer.close();
  }
}

async function consume(c) {
  if (c.groupId === null) throw new Error('@platformatic/kafka consume() always joins a group');
  const consumer = new Consumer({ ...base, groupId: c.groupId, maxBytes: 10_485_760, maxBytesPerPartition: 1_048_576 });
  let stream;
  let records = 0;
  let bytes = 0;
  try {
    await consumer.metadata({ topics: [c.topic] });
    const start = process.hrtime.bigint();
    stream = await consumer.consume({ topics: [c.topic], mode: 'earliest', autocommit: AUTOCOMMIT_MS });
    const seconds = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stalled at ${records} of ${c.records} records`)), STALL_MS);
      stream.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      stream.on('data', (m) => {
        if (records === c.records) return;
        bytes += m.value?.length ?? 0;
        if (++records === c.records) {
          clearTimeout(timer);
          resolve(elapsedSeconds(start));
        }
      });
    });
    return { seconds, records, bytes, errors: 0 };
  } finally {
    await stream?.close().catch(() => undefined);
    await consumer.close(true).catch(() => undefined);
  }
}

const answer = (a) => process.stdout.write(`${ANSWER_PREFIX}${JSON.stringify(a)}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const command = JSON.parse(line);
  if (command.op === 'exit') break;
  try {
    answer({ ok: true, result: command.op === 'produce' ? await produce(command) : await consume(command) });
  } catch (err) {
    answer({ ok: false, error: message(err) });
  }
}
process.exit(0);
