// InitProducerId (key 22) v0–v5, flexible v2+; every Kafka 3.9 version and field declared.
import { ApiKey } from '../api-key';
import { defineApi, RequestOf, ResponseOf, t } from '../codec/schema';

export const InitProducerIdApi = defineApi({
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  validVersions: '0-5',
  flexibleVersions: '2+',
  request: {
    // Null for an idempotent, non-transactional producer.
    transactionalId: t.string('0+', { nullable: '0+' }),
    transactionTimeoutMs: t.int32(),
    // v3+: the id/epoch the producer already holds (-1/-1 when none), so the broker can bump
    // the epoch of the same producer instead of fencing it.
    producerId: t.int64('3+', { default: -1 }),
    producerEpoch: t.int16('3+', { default: -1 }),
  },
  response: {
    throttleTimeMs: t.int32(),
    errorCode: t.int16(),
    producerId: t.int64('0+', { default: -1 }),
    producerEpoch: t.int16(),
  },
});

export type InitProducerIdRequest = RequestOf<typeof InitProducerIdApi>;
export type InitProducerIdResponse = ResponseOf<typeof InitProducerIdApi>;
