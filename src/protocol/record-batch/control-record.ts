import { invalidRecord } from './record-batch-errors';
import { encodeRecordBatch, RecordBatchOptions } from './record-batch-encoder';

/**
 * Control batches (attribute bit 5) carry markers, not data; consumers skip them.
 * The one a broker writes is the transaction marker, one record per batch:
 *
 *   key    version int16 (0), type int16 (0 = ABORT, 1 = COMMIT; KRaft adds 2..6)
 *   value  version int16 (0), coordinatorEpoch int32   (EndTransactionMarker)
 */
export enum ControlRecordType {
  Abort = 0,
  Commit = 1,
  LeaderChange = 2,
  SnapshotHeader = 3,
  SnapshotFooter = 4,
  KRaftVersion = 5,
  KRaftVoters = 6,
}

export interface ControlRecordKey {
  version: number;
  type: ControlRecordType;
}

const CONTROL_KEY_SIZE = 4;
const END_TXN_MARKER_SIZE = 6;

export function encodeControlRecordKey(type: ControlRecordType): Buffer {
  const key = Buffer.allocUnsafe(CONTROL_KEY_SIZE);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return key;
}

export function decodeControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < CONTROL_KEY_SIZE) throw invalidRecord('control record key is shorter than 4 bytes');
  const version = key.readInt16BE(0);
  if (version !== 0) throw invalidRecord(`unsupported control record key version ${version}`);
  return { version, type: key.readInt16BE(2) };
}

export function encodeEndTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.allocUnsafe(END_TXN_MARKER_SIZE);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

export function decodeEndTxnMarkerValue(value: Buffer | null): { version: number; coordinatorEpoch: number } {
  if (value === null || value.length < END_TXN_MARKER_SIZE) throw invalidRecord('transaction marker value is shorter than 6 bytes');
  const version = value.readInt16BE(0);
  if (version > 0) throw invalidRecord(`unsupported transaction marker version ${version}`);
  return { version, coordinatorEpoch: value.readInt32BE(2) };
}

export interface TransactionMarker {
  commit: boolean;
  coordinatorEpoch: number;
  producerId: number;
  producerEpoch: number;
  timestamp?: number;
}

/** A COMMIT or ABORT marker batch, as the broker appends when a transaction ends. */
export function encodeTransactionMarkerBatch(marker: TransactionMarker, options: Omit<RecordBatchOptions, 'control' | 'transactional'> = {}): Buffer {
  return encodeRecordBatch(
    [
      {
        key: encodeControlRecordKey(marker.commit ? ControlRecordType.Commit : ControlRecordType.Abort),
        value: encodeEndTxnMarkerValue(marker.coordinatorEpoch),
        timestamp: marker.timestamp,
      },
    ],
    { ...options, control: true, transactional: true, producerId: marker.producerId, producerEpoch: marker.producerEpoch },
  );
}
