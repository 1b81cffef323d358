// A steady stream of numbered records through the SDK's idempotent producer (acks=all), for
// failover suites: record n has the value `${tag}-${n}` and goes to partition n % partitions,
// so each partition must hold its records in send order. Sends are paced, so that records
// keep flowing while brokers die and return; finish() sends the rest at once. Every
// outcome is kept: where each record was acknowledged, or why it failed.
import { KafkaProducer } from '../../src/client/producer/kafka-producer';
import { waitFor } from './wait-for';

export interface SequenceLoadOptions {
  bootstrapServers: string[];
  topic: string;
  partitions: number;
  tag: string;
  /** How many records in all. */
  total: number;
  /** Paced sends per second until finish(). */
  ratePerSecond: number;
  /** Records held back until finish(), so pacing never runs out before the failures are over. */
  reserve?: number;
}

export interface Acknowledged {
  partition: number;
  offset: number;
}

/** How often the pacer hands out the records that became due. */
const PACE_TICK_MS = 20;

export class SequenceLoad {
  readonly producer: KafkaProducer<string, string>;
  /** Acknowledged values and where the producer was told they are. */
  readonly acknowledged = new Map<string, Acknowledged>();
  readonly failures: Array<{ value: string; error: Error }> = [];
  private readonly ackedPerPartition: number[];
  private sent = 0;
  private unpaced = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: SequenceLoadOptions) {
    this.ackedPerPartition = new Array<number>(options.partitions).fill(0);
    this.producer = new KafkaProducer<string, string>({
      bootstrapServers: options.bootstrapServers,
      clientId: `failover-${options.tag}`,
      acks: 'all',
      enableIdempotence: true,
      // Short back-offs: a dead leader is noticed by the next metadata refresh, not after seconds.
      retryBackoffMs: 50,
      retryBackoffMaxMs: 500,
      // Requests in flight to a frozen (SIGSTOPped) broker get no answer and no reset: as in
      // Java, they are given up only after request.timeout.ms, so it is kept short.
      requestTimeoutMs: 5_000,
    });
  }

  get sentCount(): number {
    return this.sent;
  }

  /** Acknowledged records of one partition so far. */
  ackedOn(partition: number): number {
    return this.ackedPerPartition[partition];
  }

  valueOf(seq: number): string {
    return `${this.options.tag}-${seq}`;
  }

  /** The sequence number in a value this load sent, or NaN. */
  seqOf(value: string): number {
    const prefix = `${this.options.tag}-`;
    return value.startsWith(prefix) ? Number(value.slice(prefix.length)) : NaN;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Resolves once `count` more records of `partition` are acknowledged than `after`. */
  async waitForProgress(partition: number, after: number, count: number, timeoutMs = 20_000): Promise<void> {
    await waitFor(() => this.ackedOn(partition) >= after + count || this.failures.length > 0, {
      timeoutMs,
      what: `${count} acknowledgements on partition ${partition} after the first ${after}`,
    });
    if (this.failures.length > 0) throw this.failures[0].error;
  }

  /** Sends what is left without pacing, waits for every outcome and closes the producer. */
  async finish(): Promise<void> {
    this.unpaced = true;
    this.start();
    await this.running;
    await this.producer.flush();
    await this.producer.close();
  }

  /** Closes without waiting for outcomes (cleanup after a failed test). */
  async abandon(): Promise<void> {
    this.unpaced = true;
    await this.producer.close(0).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { total, ratePerSecond, reserve = 0, partitions, topic } = this.options;
    const started = Date.now();
    while (this.sent < total) {
      const due = this.unpaced ? total : Math.min(total - reserve, Math.floor(((Date.now() - started) * ratePerSecond) / 1000));
      for (; this.sent < due; this.sent++) {
        const seq = this.sent;
        const value = this.valueOf(seq);
        const partition = seq % partitions;
        this.producer.send({ topic, partition, value }, (error, metadata) => {
          if (error || !metadata) {
            this.failures.push({ value, error: error ?? new Error('no metadata') });
            return;
          }
          this.acknowledged.set(value, { partition: metadata.partition, offset: metadata.offset });
          this.ackedPerPartition[metadata.partition]++;
        });
      }
      if (this.sent < total) await new Promise((resolve) => setTimeout(resolve, PACE_TICK_MS));
    }
  }
}
