import { BATCH_HEADER_SIZE, BatchAttributes, BatchOffsets } from '../../../protocol/record-batch/record-batch-layout';
import type { ProduceRequest } from '../../../protocol/schemas/produce.schema';

/**
 * Kafka's RequestUtils.hasTransactionalRecords: whether any partition's (first) batch
 * has the transactional attribute. Reads two header bytes per partition; framing faults
 * are left to the per-partition validation.
 */
export function hasTransactionalRecords(request: ProduceRequest): boolean {
  for (const topic of request.topicData) {
    for (const partition of topic.partitionData) {
      const records = partition.records;
      if (!records || records.length < BATCH_HEADER_SIZE) continue;
      if ((records.readInt16BE(BatchOffsets.attributes) & BatchAttributes.Transactional) !== 0) return true;
    }
  }
  return false;
}
