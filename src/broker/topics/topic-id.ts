import { randomUUID } from 'node:crypto';

/**
 * A new topic id in Kafka's string form: a random (v4) UUID's 16 bytes as URL-safe base64
 * without padding. Like Kafka's Uuid.randomUuid, ids whose text starts with '-' are redrawn
 * (command-line tools would read them as options), as are the two reserved ids (zero and
 * the metadata topic's 0...01).
 */
export function newTopicId(): string {
  for (;;) {
    const bytes = Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
    const text = bytes.toString('base64url');
    if (!text.startsWith('-') && !isReservedId(bytes)) return text;
  }
}

export function isReservedId(bytes: Buffer): boolean {
  for (let i = 0; i < 15; i++) if (bytes[i] !== 0) return false;
  return bytes[15] === 0 || bytes[15] === 1;
}
