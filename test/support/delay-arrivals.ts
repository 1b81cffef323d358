// Watches a topic for delayed records arriving: polls every partition with raw Fetch
// requests and notes when each record was first seen, so suites can check delivery
// windows (never before due, at most a second after) and exactly-once delivery.
import { RecordBatchView } from '../../src/protocol';
import { KafkaWireClient } from './kafka-wire-client';
import { waitFor } from './wait-for';
import { fetchAllBatches } from './wire-admin';

export interface Arrival {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string;
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Local time of the poll that first returned the record. */
  readonly seenAt: number;
}

export class ArrivalWatch {
  readonly arrivals: Arrival[] = [];
  private readonly nextOffsets: number[];
  private readonly clients = new Map<number, KafkaWireClient>();

  /** `portFor(partition)`: the Kafka port of the partition's leader now. */
  constructor(
    private readonly topic: string,
    private readonly partitions: number,
    private readonly portFor: (partition: number) => number | Promise<number>,
  ) {
    this.nextOffsets = new Array<number>(partitions).fill(0);
  }

  /** Arrivals by value; a value seen twice has two entries. */
  byValue(): Map<string, Arrival[]> {
    const map = new Map<string, Arrival[]>();
    for (const a of this.arrivals) map.set(a.value, [...(map.get(a.value) ?? []), a]);
    return map;
  }

  async poll(): Promise<void> {
    for (let partition = 0; partition < this.partitions; partition++) {
      const port = await this.portFor(partition);
      let client = this.clients.get(port);
      try {
        if (!client) this.clients.set(port, (client = await KafkaWireClient.connect(port)));
        const batches = await fetchAllBatches(client, this.topic, partition, this.nextOffsets[partition]);
        const seenAt = Date.now();
        for (const bytes of batches) {
          const view = new RecordBatchView(bytes);
          // Consumers skip control batches (the held-sequence markers of delayed records among them).
          if (view.isControl) {
            this.nextOffsets[partition] = Math.max(this.nextOffsets[partition], view.nextOffset);
            continue;
          }
          for (const record of view.records()) {
            if (record.offset < this.nextOffsets[partition]) continue;
            const headers: Record<string, string> = {};
            for (const h of record.headers) headers[h.key] = h.value?.toString() ?? '';
            this.arrivals.push({ partition, offset: record.offset, key: record.key?.toString() ?? null, value: record.value?.toString() ?? '', timestamp: record.timestamp, headers, seenAt });
            this.nextOffsets[partition] = record.offset + 1;
          }
        }
      } catch (error) {
        // A leader in motion or a restarting broker: the next poll asks again.
        client?.close();
        this.clients.delete(port);
        if (!(error instanceof Error)) throw error;
      }
    }
  }

  /** Polls every 20 ms until `count` records arrived. */
  async until(count: number, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => {
        await this.poll();
        return this.arrivals.length >= count;
      },
      { timeoutMs, intervalMs: 20, what: `${count} records in ${this.topic} (have ${this.arrivals.length})` },
    );
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
