/**
 * The commands bench/client.ts sends its client workers (one child process per client
 * library, so no client's heap, timers or JIT state weigh on another's figures) and
 * what they answer. One JSON object per line each way; answers are the lines starting
 * with ANSWER_PREFIX, so a library's stray console output cannot be mistaken for one.
 * platformatic-worker.mjs speaks the same protocol in plain JavaScript.
 */
export const ANSWER_PREFIX = '@@bench ';

export interface ProduceCommand {
  readonly op: 'produce';
  readonly topic: string;
  readonly records: number;
  readonly valueBytes: number;
  readonly idempotent: boolean;
  /** Which API of the client to drive (the SDK: 'producer' or 'template'); the worker's default otherwise. */
  readonly api?: string;
  /** Per-record APIs (the SDK): sends outstanding before the loop waits for acknowledgements. */
  readonly window: number;
  /** Batch APIs (kafkajs, @platformatic/kafka): messages per send() and send() loops running at once. */
  readonly batch: number;
  readonly concurrency: number;
  /** The SDK's KafkaProducer: compression.type (none by default). */
  readonly compression?: 'none' | 'lz4';
  /**
   * The SDK's KafkaProducer: cycle through this many different values of varied letters
   * (made before the clock starts) instead of one value of one repeated byte, so
   * compression and byte searches see data like an application's.
   */
  readonly distinctValues?: number;
}

export interface ConsumeCommand {
  readonly op: 'consume';
  readonly topic: string;
  readonly partitions: number;
  /** Records to read; the measurement ends at the last one. */
  readonly records: number;
  /** A fresh group to join, or null to assign every partition without a group. */
  readonly groupId: string | null;
}

export type WorkerCommand = ProduceCommand | ConsumeCommand | { readonly op: 'exit' };

/** One measurement: wall time from the first record sent (or the consumer's start) to the last acknowledged (or read). */
export interface Measurement {
  readonly seconds: number;
  readonly records: number;
  /** Value bytes moved (consume: summed from what the client handed the application). */
  readonly bytes: number;
  /** Sends or records that failed (should be 0). */
  readonly errors: number;
  readonly firstError?: string;
}

export type WorkerAnswer = { readonly ok: true; readonly result: Measurement } | { readonly ok: false; readonly error: string };
