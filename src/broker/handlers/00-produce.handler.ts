// Api: Produce (key 0) v3–v11; not supported: transactions (transactional batches answer INVALID_TXN_STATE), broker-side recompression (topic compression.type), per-record timestamp and compacted-key checks, KIP-951 leader hints.
import { Injectable, Optional } from '@nestjs/common';
import { ApiKey } from '../../protocol/api-key';
import { ErrorCode, errorName } from '../../protocol/errors/error-codes';
import { KafkaError } from '../../protocol/errors/kafka-error';
import {
  ProduceApi,
  type ProduceRequest,
  type ProduceResponse,
  type ProduceResponsePartition,
} from '../../protocol/schemas/produce.schema';
import { KafkaApi } from '../api/kafka-api.decorator';
import type { KafkaApiHandler, RequestContext } from '../api/kafka-api-handler';
import { DelayPeerCheck } from '../delay/delay-peer-check';
import { failedAppend, type AppendOutcome } from '../replica/partition';
import { ReplicaManager, type ProduceEntry } from '../replica/replica-manager';
import { isInternalTopic } from '../topics/topic-name';
import { DelayedRecords } from './produce/delayed-records';
import { hasTransactionalRecords } from './produce/transactional-records';

/**
 * Appends each partition's single batch through the ReplicaManager and answers per
 * partition. acks=0 expects no response: none is sent, but when a partition failed the
 * connection is closed, as Kafka does, so the producer refreshes its metadata.
 * Transactional records without a transactional id fail the whole request with
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED (Kafka's check before anything is appended).
 */
@Injectable()
@KafkaApi(ApiKey.Produce)
export class ProduceHandler implements KafkaApiHandler<typeof ProduceApi> {
  readonly api = ProduceApi;
  readonly versions = '3-11';

  constructor(
    private readonly replicas: ReplicaManager,
    /** Both absent in unit specs of the ordinary path. */
    @Optional() private readonly delayed?: DelayedRecords,
    @Optional() private readonly delayPeers?: DelayPeerCheck,
  ) {}

  handle(request: ProduceRequest, ctx?: RequestContext): ProduceResponse | null | Promise<ProduceResponse | null> {
    const fromDelayBroker = this.delayPeers?.isDelayBroker(ctx) ?? false;
    return fromDelayBroker instanceof Promise ? fromDelayBroker.then((trusted) => this.produce(request, trusted)) : this.produce(request, fromDelayBroker);
  }

  private produce(request: ProduceRequest, fromDelayBroker: boolean): ProduceResponse | null | Promise<ProduceResponse | null> {
    const entries: ProduceEntry[] = [];
    for (const topic of request.topicData) {
      for (const p of topic.partitionData) entries.push({ topic: topic.name, partition: p.index, records: p.records });
    }
    if (request.transactionalId === null && hasTransactionalRecords(request)) {
      const denied = entries.map(() => ({ errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, baseOffset: -1, nextOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 }));
      return this.respond(request, denied);
    }
    // Delayed records and internal topics are answered here; the rest goes to the log as one call.
    let answered: Array<AppendOutcome | Promise<AppendOutcome> | undefined> | undefined;
    entries.forEach((entry, i) => {
      const answer = this.special(request, fromDelayBroker, entry);
      if (answer !== undefined) (answered ??= [])[i] = answer;
    });
    if (!answered) {
      const outcomes = this.replicas.appendRecords(request.acks, request.timeoutMs, entries);
      return outcomes instanceof Promise ? outcomes.then((o) => this.respond(request, o)) : this.respond(request, outcomes);
    }
    const special = answered;
    const ordinary = entries.filter((_, i) => special[i] === undefined);
    return Promise.all([this.replicas.appendRecords(request.acks, request.timeoutMs, ordinary), Promise.all(special)]).then(([appended, diverted]) => {
      let next = 0;
      return this.respond(request, entries.map((_, i) => diverted[i] ?? appended[next++]));
    });
  }

  private special(request: ProduceRequest, fromDelayBroker: boolean, entry: ProduceEntry): AppendOutcome | Promise<AppendOutcome> | undefined {
    // Another broker's delay path: held records for a queue this broker leads, a due record (it still
    // carries its delay header and is not held again) or a held sequence range after a leader change.
    if (fromDelayBroker) return this.appendFromBroker(request, entry);
    // Only the brokers' delay paths write the internal topics (Kafka refuses clients' appends to them).
    if (isInternalTopic(entry.topic)) return failedAppend(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${entry.topic}`);
    return this.delayed?.divert(request.acks, request.timeoutMs, entry);
  }

  private async appendFromBroker(request: ProduceRequest, entry: ProduceEntry): Promise<AppendOutcome> {
    if (entry.records === null) return failedAppend(ErrorCode.INVALID_RECORD, `${entry.topic}-${entry.partition}: no record batch`);
    const outcome = await this.replicas.appendBrokerBuilt(entry.topic, entry.partition, request.acks, request.timeoutMs, entry.records);
    // The queue's scheduler reads what was appended.
    if (outcome.errorCode === ErrorCode.NONE && isInternalTopic(entry.topic)) this.delayed?.appendedToQueue(entry.topic);
    return outcome;
  }

  private respond(request: ProduceRequest, outcomes: readonly AppendOutcome[]): ProduceResponse | null {
    if (request.acks === 0) {
      const failed = outcomes.find((o) => o.errorCode !== ErrorCode.NONE);
      if (failed) throw new KafkaError(failed.errorCode, `acks=0 produce failed (${errorName(failed.errorCode)}): ${failed.errorMessage ?? ''}; closing the connection`);
      return null;
    }
    let i = 0;
    return {
      responses: request.topicData.map((topic) => ({
        name: topic.name,
        partitionResponses: topic.partitionData.map((p) => partitionResponse(p.index, outcomes[i++])),
      })),
      throttleTimeMs: 0,
      nodeEndpoints: [],
    };
  }
}

// A tagged field at its default is not written (some clients misread tagged fields).
const NO_CURRENT_LEADER = { leaderId: -1, leaderEpoch: -1 };

function partitionResponse(index: number, outcome: AppendOutcome): ProduceResponsePartition {
  const failed = outcome.errorCode !== ErrorCode.NONE;
  return {
    index,
    errorCode: outcome.errorCode,
    baseOffset: outcome.baseOffset,
    logAppendTimeMs: outcome.logAppendTimeMs,
    logStartOffset: outcome.logStartOffset,
    recordErrors:
      failed && outcome.batchIndex !== undefined ? [{ batchIndex: outcome.batchIndex, batchIndexErrorMessage: outcome.errorMessage ?? null }] : [],
    errorMessage: failed ? (outcome.errorMessage ?? null) : null,
    currentLeader: NO_CURRENT_LEADER,
  };
}
