import { BATCH_HEADER_SIZE, BATCH_LOG_OVERHEAD, BatchOffsets, CURRENT_MAGIC } from '../protocol/record-batch/record-batch-layout';

/**
 * The framing check for hopping from batch to batch through a segment file read in
 * chunks, where the batch may extend past the bytes in memory (RecordBatchSplitter
 * needs whole batches in its buffer; it takes over once they are). Checks the header at
 * `at` against `bytesLeft` in the file: a length covering at least a header and fitting
 * in the file, magic 2, a non-negative lastOffsetDelta. Needs the 61-byte header in
 * `buf` unless fewer bytes are left. Returns the batch size, or why it is not a batch.
 */
export function checkBatchHeader(buf: Buffer, at: number, bytesLeft: number): number | string {
  if (bytesLeft < BATCH_HEADER_SIZE) return `${bytesLeft} bytes left, less than a batch header`;
  const size = buf.readInt32BE(at + BatchOffsets.batchLength) + BATCH_LOG_OVERHEAD;
  if (size < BATCH_HEADER_SIZE) return `batch length ${size - BATCH_LOG_OVERHEAD} is shorter than a batch header`;
  if (size > bytesLeft) return `batch of ${size} bytes runs past the end (${bytesLeft} bytes left)`;
  const magic = buf[at + BatchOffsets.magic];
  if (magic !== CURRENT_MAGIC) return `magic ${magic}, expected ${CURRENT_MAGIC}`;
  if (buf.readInt32BE(at + BatchOffsets.lastOffsetDelta) < 0) return 'negative lastOffsetDelta';
  return size;
}
