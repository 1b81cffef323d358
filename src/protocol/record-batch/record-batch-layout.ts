/**
 * RecordBatch v2 (magic 2) header layout, byte offsets from the start of the batch.
 *
 *   0  baseOffset            int64   rewritten by the broker on append (outside the CRC)
 *   8  batchLength           int32   bytes after this field
 *  12  partitionLeaderEpoch  int32   rewritten by the broker (outside the CRC)
 *  16  magic                 int8    = 2
 *  17  crc                   uint32  CRC-32C of bytes [21, end)
 *  21  attributes            int16   bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control
 *  23  lastOffsetDelta       int32
 *  27  baseTimestamp         int64
 *  35  maxTimestamp          int64
 *  43  producerId            int64
 *  51  producerEpoch         int16
 *  53  baseSequence          int32
 *  57  recordCount           int32
 *  61  records...
 */
export const BatchOffsets = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

/** Bytes before the records. */
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the batch's total size is batchLength + this. */
export const BATCH_LOG_OVERHEAD = 12;
/** The CRC covers everything from attributes to the end of the batch. */
export const CRC_START = BatchOffsets.attributes;
export const CURRENT_MAGIC = 2;

export const enum BatchAttributes {
  CompressionMask = 0x07,
  TimestampTypeLogAppend = 0x08,
  Transactional = 0x10,
  Control = 0x20,
  DeleteHorizon = 0x40,
}

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}
