// /latest_producer_id_block: the last block of producer ids handed to a broker, Kafka's shape
// (kafka.zk.ProducerIdBlockZNode): {"version":1,"broker":N,"block_start":"0","block_end":"999"}
// with the bounds as decimal strings. Each broker claims the next block by a conditional
// write on the node's version, so two brokers never get the same ids.
import type { MetadataStore } from '../metadata-store';
import { BadVersionError, NodeExistsError } from '../metadata-store.errors';

/** Kept beside its only user until ZkPaths takes it: `ZkPaths.producerIdBlock`. */
export const PRODUCER_ID_BLOCK_PATH = '/latest_producer_id_block';
/** Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE. */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

export interface ProducerIdBlockJson {
  version: number;
  broker: number;
  block_start: string;
  block_end: string;
}

export interface ProducerIdBlock {
  readonly brokerId: number;
  readonly firstProducerId: number;
  readonly lastProducerId: number;
}

export class ProducerIdBlockAccessor {
  constructor(private readonly store: MetadataStore) {}

  /** The last claimed block, or undefined when none was ever claimed. */
  async current(): Promise<ProducerIdBlock | undefined> {
    const node = await this.store.get<ProducerIdBlockJson>(PRODUCER_ID_BLOCK_PATH);
    return node?.value ? parseBlock(node.value) : undefined;
  }

  /** Claims the block after the last claimed one for `brokerId`, retrying when another broker wins a race. */
  async claimNext(brokerId: number, blockSize = PRODUCER_ID_BLOCK_SIZE): Promise<ProducerIdBlock> {
    while (true) {
      const node = await this.store.get<ProducerIdBlockJson>(PRODUCER_ID_BLOCK_PATH);
      const previous = node?.value ? parseBlock(node.value) : undefined;
      const first = previous ? previous.lastProducerId + 1 : 0;
      const block: ProducerIdBlock = { brokerId, firstProducerId: first, lastProducerId: first + blockSize - 1 };
      if (block.lastProducerId > Number.MAX_SAFE_INTEGER) throw new Error(`producer ids exhausted (last block ended at ${previous?.lastProducerId})`);
      const json: ProducerIdBlockJson = { version: 1, broker: brokerId, block_start: String(block.firstProducerId), block_end: String(block.lastProducerId) };
      try {
        if (node) await this.store.set(PRODUCER_ID_BLOCK_PATH, json as never, node.version);
        else await this.store.create(PRODUCER_ID_BLOCK_PATH, json as never);
        return block;
      } catch (err) {
        if (err instanceof BadVersionError || err instanceof NodeExistsError) continue;
        throw err;
      }
    }
  }
}

function parseBlock(json: ProducerIdBlockJson): ProducerIdBlock {
  const first = Number(json.block_start);
  const last = Number(json.block_end);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) {
    throw new Error(`${PRODUCER_ID_BLOCK_PATH} holds an unreadable block: ${JSON.stringify(json)}`);
  }
  return { brokerId: json.broker, firstProducerId: first, lastProducerId: last };
}
