import {
  ControlRecordType,
  decodeControlRecordKey,
  decodeEndTxnMarkerValue,
  encodeTransactionMarkerBatch,
} from './control-record';
import { RecordBatchView } from './record-batch-view';

describe('control records', () => {
  it.each([true, false])('writes a transaction marker batch (commit=%s) that reads back', (commit) => {
    const view = new RecordBatchView(encodeTransactionMarkerBatch({ commit, coordinatorEpoch: 7, producerId: 42, producerEpoch: 3 }, { baseOffset: 500 }));
    view.validate();
    expect(view.isControl).toBe(true);
    expect(view.isTransactional).toBe(true);
    expect(view.producerId).toBe(42);
    expect(view.producerEpoch).toBe(3);
    const [record] = [...view.records()];
    expect(record.offset).toBe(500);
    expect(decodeControlRecordKey(record.key)).toEqual({ version: 0, type: commit ? ControlRecordType.Commit : ControlRecordType.Abort });
    expect(decodeEndTxnMarkerValue(record.value)).toEqual({ version: 0, coordinatorEpoch: 7 });
  });

  it('rejects a short or unknown-version control key as INVALID_RECORD', () => {
    expect(() => decodeControlRecordKey(Buffer.from([0, 0]))).toThrow(expect.objectContaining({ errorCode: 87 }));
    expect(() => decodeControlRecordKey(Buffer.from([0, 1, 0, 0]))).toThrow(expect.objectContaining({ errorCode: 87 }));
    expect(() => decodeEndTxnMarkerValue(null)).toThrow(expect.objectContaining({ errorCode: 87 }));
  });
});
