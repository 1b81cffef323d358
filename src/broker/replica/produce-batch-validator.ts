import { ErrorCode } from '../../protocol/errors/error-codes';
import { RecordBatchSplitter, SplitStop } from '../../protocol/record-batch/record-batch-splitter';
import { BATCH_HEADER_SIZE } from '../../protocol/record-batch/record-batch-layout';
import type { RecordBatchView } from '../../protocol/record-batch/record-batch-view';

/** A produced partition's records that failed validation: nothing of it is appended. */
export interface BatchRejection {
  readonly errorCode: ErrorCode;
  readonly message: string;
  /** Set for INVALID_RECORD, reported in the response's recordErrors (v8+). */
  readonly batchIndex?: number;
}

/**
 * Kafka's checks on the records of one partition of a Produce request (v3+), in Kafka's
 * order, on the batch header and CRC only — records are never decoded or decompressed:
 *
 *  1. exactly one RecordBatch v2 (ProduceRequest.validateRecords): none, more than one or
 *     another magic is INVALID_RECORD;
 *  2. base offset 0 as producers write it (UnifiedLog.analyzeAndValidateRecords), else
 *     INVALID_RECORD;
 *  3. batch size within max.message.bytes, else MESSAGE_TOO_LARGE;
 *  4. the CRC-32C, else CORRUPT_MESSAGE (as are framing faults: a length that does not
 *     match the bytes present);
 *  5. LogValidator's batch checks: record count consistent with the offset range, no
 *     control batch, a sequence when a producer id is set — INVALID_RECORD.
 *
 * On success `view` is left on the batch. Not done (they need every record): the
 * per-record timestamp bounds and the compacted-topic key check.
 */
export class ProduceBatchValidator {
  private readonly split = new RecordBatchSplitter();

  /** The validated batch after a successful validate(). */
  get view(): RecordBatchView {
    return this.split.view;
  }

  /** `brokerBuilt`: a batch the broker made itself (a control batch), spared LogValidator's client checks (5). */
  validate(records: Buffer | null, maxMessageBytes: number, brokerBuilt = false): BatchRejection | null {
    if (records === null || records.length === 0) {
      return invalid('a produce request must carry one record batch per partition (none given)');
    }
    const split = this.split.reset(records);
    if (!split.next()) {
      if (split.stop === SplitStop.Corrupt && split.declaredSize >= BATCH_HEADER_SIZE) {
        return invalid('produce requests may only carry record batches with magic 2');
      }
      return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: split.stopError()?.message ?? 'record batch framing is corrupt' };
    }
    const size = split.size;
    const view = split.view;
    if (split.position + size !== records.length) {
      return invalid('a produce request may carry only one record batch per partition');
    }
    if (view.baseOffset !== 0) return invalid(`the base offset of a produced batch must be 0, not ${view.baseOffset}`);
    if (size > maxMessageBytes) {
      return { errorCode: ErrorCode.MESSAGE_TOO_LARGE, message: `record batch of ${size} bytes exceeds max.message.bytes ${maxMessageBytes}` };
    }
    const corrupt = view.validationError();
    if (corrupt) return { errorCode: corrupt.errorCode as ErrorCode, message: corrupt.message, batchIndex: corrupt.errorCode === ErrorCode.INVALID_RECORD ? 0 : undefined };
    const clientError = brokerBuilt ? null : view.clientBatchError();
    if (clientError) return { errorCode: clientError.errorCode as ErrorCode, message: clientError.message, batchIndex: 0 };
    return null;
  }
}

function invalid(message: string): BatchRejection {
  return { errorCode: ErrorCode.INVALID_RECORD, message };
}
