import type { ProducerIdBlock } from '../../zk/accessors/producer-id-block.accessor';

/** Where blocks of producer ids come from: the metadata store in the broker, a counter in tests. */
export interface ProducerIdBlockSource {
  claimNext(brokerId: number): Promise<ProducerIdBlock>;
}

/**
 * Hands out producer ids for InitProducerId, from blocks this broker claims in the
 * metadata store (/latest_producer_id_block, as Kafka's ZkProducerIdManager does), so ids
 * are unique across brokers and restarts: a restart claims a fresh block and never reuses
 * an id whose sequences partitions may still remember.
 */
export class ProducerIdManager {
  private block: ProducerIdBlock | undefined;
  private next = 0;
  private claiming: Promise<void> | undefined;

  constructor(
    private readonly brokerId: number,
    private readonly source: ProducerIdBlockSource,
  ) {}

  async generate(): Promise<number> {
    while (!this.block || this.next > this.block.lastProducerId) {
      this.claiming ??= this.source
        .claimNext(this.brokerId)
        .then((block) => {
          this.block = block;
          this.next = block.firstProducerId;
        })
        .finally(() => (this.claiming = undefined));
      await this.claiming;
    }
    return this.next++;
  }
}
