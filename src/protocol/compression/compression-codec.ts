import { ProtocolError } from '../protocol-error';

/**
 * One codec per RecordBatch compression type. Batches are small enough (a Produce
 * request is bounded by message.max.bytes) that every codec works on whole buffers,
 * synchronously: the broker validates a batch inside one request's handling and a
 * worker-thread hop would cost more than the work.
 *
 * `decompress` must never produce (and should never allocate) more than `maxOutput`
 * bytes: a few hundred compressed bytes can claim gigabytes (a "zip bomb"), and the
 * claim arrives from the network.
 */
export interface CompressionCodec {
  readonly name: string;
  compress(data: Buffer): Buffer;
  decompress(data: Buffer, maxOutput: number): Buffer;
  /**
   * The same output in the pieces the codec produces it in (lz4's blocks), for a reader that
   * need not have it in one buffer: joining them costs a copy of the whole payload.
   */
  decompressParts?(data: Buffer, maxOutput: number): Buffer[];
}

/** CORRUPT_MESSAGE: Kafka's answer for a batch whose compressed payload cannot be read. */
export const CORRUPT_MESSAGE = 2;

export function expansionExceeded(codec: string, maxOutput: number): ProtocolError {
  return new ProtocolError(`${codec} payload expands beyond the ${maxOutput}-byte limit`, CORRUPT_MESSAGE);
}

export function corruptPayload(codec: string, detail: string): ProtocolError {
  return new ProtocolError(`${codec} payload is corrupt: ${detail}`, CORRUPT_MESSAGE);
}
