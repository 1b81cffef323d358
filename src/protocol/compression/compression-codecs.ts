import { CompressionType } from '../record-batch/record-batch-layout';
import { ProtocolError } from '../protocol-error';
import { CompressionCodec } from './compression-codec';
import { gzipCodec } from './gzip.codec';
import { lz4Codec } from './lz4.codec';
import { snappyCodec } from './snappy.codec';
import { zstdCodec } from './zstd.codec';

/** UNSUPPORTED_COMPRESSION_TYPE: the attributes name a codec Kafka does not define. */
const UNSUPPORTED_COMPRESSION_TYPE = 76;

const CODECS: Readonly<Record<number, CompressionCodec>> = {
  [CompressionType.Gzip]: gzipCodec,
  [CompressionType.Snappy]: snappyCodec,
  [CompressionType.Lz4]: lz4Codec,
  [CompressionType.Zstd]: zstdCodec,
};

/** The codec for a batch's compression bits (attributes & 0x07); None has no codec. */
export function codecFor(type: CompressionType): CompressionCodec {
  const codec = CODECS[type];
  if (!codec) throw new ProtocolError(`unknown compression type ${type}`, UNSUPPORTED_COMPRESSION_TYPE);
  return codec;
}
