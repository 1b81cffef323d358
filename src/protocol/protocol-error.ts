/**
 * The one error type the codec throws for bad bytes: a truncated frame, a length or
 * count larger than what remains, an unknown version, a corrupt batch. Decoders never
 * throw anything else for malformed input; the broker turns it into a Kafka error code
 * or a closed connection in one place.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    message: string,
    /** The Kafka error code that best describes the fault (CORRUPT_MESSAGE = 2, INVALID_REQUEST = 42, ...). */
    readonly errorCode: number = 42,
  ) {
    super(message);
  }
}
