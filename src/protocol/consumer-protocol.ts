// The "consumer" embedded protocol: what consumer clients put in JoinGroup's protocol
// metadata (their subscription) and SyncGroup's assignment. The broker passes both
// through untouched; it decodes them only to publish /consumers/{group}/ids and owners
// and to notice a subscribed topic growing. Kafka 3.9: ConsumerProtocolSubscription
// v0–v3 and ConsumerProtocolAssignment v0–v3, never flexible.
import { ByteReader } from './codec/byte-reader';
import { decodeStruct } from './codec/struct-decoder';
import { encodeParts } from './codec/struct-encoder';
import { compileStruct, type StructPlan } from './codec/struct-plan';
import { t, type Fields, type InferFields } from './codec/schema';
import { ProtocolError } from './protocol-error';

const topicPartitions = { topic: t.string(), partitions: t.array(t.int32()) };

const SUBSCRIPTION_FIELDS = {
  topics: t.array(t.string()),
  userData: t.bytes('0+', { nullable: '0+', default: null }),
  ownedPartitions: t.array(topicPartitions, '1+'),
  generationId: t.int32('2+', { default: -1 }),
  rackId: t.string('3+', { nullable: '3+', default: null }),
} satisfies Fields;

const ASSIGNMENT_FIELDS = {
  assignedPartitions: t.array(topicPartitions),
  userData: t.bytes('0+', { nullable: '0+', default: null }),
} satisfies Fields;

export type ConsumerSubscription = InferFields<typeof SUBSCRIPTION_FIELDS>;
export type ConsumerAssignment = InferFields<typeof ASSIGNMENT_FIELDS>;
export type TopicPartitions = ConsumerAssignment['assignedPartitions'][number];

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
const HIGHEST_VERSION = 3;

const plans = (fields: Fields): StructPlan[] =>
  Array.from({ length: HIGHEST_VERSION + 1 }, (_, v) => compileStruct(fields, v, false, 'consumer protocol'));
const SUBSCRIPTION_PLANS = plans(SUBSCRIPTION_FIELDS);
const ASSIGNMENT_PLANS = plans(ASSIGNMENT_FIELDS);

/**
 * Reads a subscription. A version newer than ours is read with our newest schema:
 * the protocol only ever appends fields, so the known prefix is valid (Kafka's own
 * clients rely on the same rule). Throws ProtocolError on malformed bytes.
 */
export function decodeSubscription(bytes: Buffer): ConsumerSubscription & { version: number } {
  return decodeVersioned(bytes, SUBSCRIPTION_PLANS) as ConsumerSubscription & { version: number };
}

export function decodeAssignment(bytes: Buffer): ConsumerAssignment & { version: number } {
  return decodeVersioned(bytes, ASSIGNMENT_PLANS) as ConsumerAssignment & { version: number };
}

export function encodeSubscription(value: Partial<ConsumerSubscription> & Pick<ConsumerSubscription, 'topics'>, version = 1): Buffer {
  return encodeVersioned({ userData: null, ownedPartitions: [], generationId: -1, rackId: null, ...value }, version, SUBSCRIPTION_PLANS);
}

export function encodeAssignment(value: Partial<ConsumerAssignment> & Pick<ConsumerAssignment, 'assignedPartitions'>, version = 1): Buffer {
  return encodeVersioned({ userData: null, ...value }, version, ASSIGNMENT_PLANS);
}

function decodeVersioned(bytes: Buffer, versions: StructPlan[]): Record<string, unknown> & { version: number } {
  const reader = new ByteReader(bytes);
  const version = reader.int16();
  if (version < 0) throw new ProtocolError(`consumer protocol version ${version} is negative`);
  const body = decodeStruct(versions[Math.min(version, HIGHEST_VERSION)], reader);
  return { ...body, version };
}

function encodeVersioned(value: Record<string, unknown>, version: number, versions: StructPlan[]): Buffer {
  const plan = versions[version];
  if (!plan) throw new RangeError(`consumer protocol version ${version} is not one of 0-${HIGHEST_VERSION}`);
  const body = encodeParts([{ plan, value }]);
  const out = Buffer.allocUnsafe(2 + body.length);
  out.writeInt16BE(version, 0);
  body.copy(out, 2);
  return out;
}
