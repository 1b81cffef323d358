import { EmbeddedMetadataStore } from '../embedded-metadata-store';
import { PRODUCER_ID_BLOCK_PATH, ProducerIdBlockAccessor } from './producer-id-block.accessor';

describe('ProducerIdBlockAccessor', () => {
  it("claims consecutive blocks of 1000 in Kafka's JSON shape, distinct under concurrent claims", async () => {
    const store = await EmbeddedMetadataStore.open();
    try {
      const accessor = new ProducerIdBlockAccessor(store);
      expect(await accessor.current()).toBeUndefined();
      const first = await accessor.claimNext(3);
      expect(first).toEqual({ brokerId: 3, firstProducerId: 0, lastProducerId: 999 });
      expect((await store.get(PRODUCER_ID_BLOCK_PATH))!.value).toEqual({ version: 1, broker: 3, block_start: '0', block_end: '999' });
      const racing = await Promise.all([accessor.claimNext(1), accessor.claimNext(2)]);
      expect(racing.map((b) => b.firstProducerId).sort((a, b) => a - b)).toEqual([1000, 2000]);
      expect(await accessor.current()).toMatchObject({ lastProducerId: 2999 });
    } finally {
      await store.close();
    }
  });
});
