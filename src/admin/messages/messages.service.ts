import { Injectable } from '@nestjs/common';
import { isUtf8 } from 'node:buffer';
import { KafkaClientError, KafkaTimeoutError } from '../../client/errors';
import type { ConsumerRecord, RecordHeader } from '../../client/listener/types';
import { ErrorCode } from '../../protocol/errors/error-codes';
import { AdminKafkaClients } from '../kafka/admin-kafka-clients';
import { DEFAULT_READ_LIMIT, type BytesEncoding, type ProduceMessageDto, type ReadEncoding, type ReadMessagesQuery } from './message.dto';
import type { MessagePage, ProducedMessage } from './message.views';

/** A read returns what arrived by then rather than hold the HTTP request open. */
const READ_DEADLINE_MS = 10_000;
const POLL_SLICE_MS = 500;

/**
 * Reads and writes records through the SDK's own clients: pooled group-less consumers
 * (assign + seek) for reads, the shared producer for writes. Bytes become JSON text here
 * and only here.
 */
@Injectable()
export class MessagesService {
  constructor(private readonly clients: AdminKafkaClients) {}

  async read(topic: string, query: ReadMessagesQuery): Promise<MessagePage> {
    const admin = await this.clients.admin();
    const tp = { topic, partition: query.partition };
    const limit = query.limit ?? DEFAULT_READ_LIMIT;
    // Asked at once; the partition check's error, when there is one, is the clearest to answer with.
    const [checked, earliestOffsets, latestOffsets, foundOffsets] = await Promise.allSettled([
      this.requirePartition(topic, query.partition),
      admin.listOffsets([tp], 'earliest'),
      admin.listOffsets([tp], 'latest'),
      query.timestamp === undefined ? undefined : admin.listOffsets([tp], { timestamp: query.timestamp }),
    ]);
    const [earliest] = settled(checked, earliestOffsets);
    const [latest] = settled(checked, latestOffsets);
    const found = settled(checked, foundOffsets)?.[0];
    let start = query.offset ?? earliest.offset;
    // No record at or after the timestamp: nothing to return, and the next page starts at the end.
    if (found) start = found.offset < 0 ? latest.offset : found.offset;
    start = Math.max(start, earliest.offset);
    const end = Math.min(latest.offset, start + limit);
    const page = { topic, partition: query.partition, highWatermark: latest.offset };
    if (start >= end) return { ...page, messages: [], nextOffset: Math.min(start, latest.offset) };

    const { records, nextOffset } = await this.fetchRange(topic, query.partition, start, end);
    const encoding = query.encoding ?? 'auto';
    const messages = records.map((r) => {
      const key = encode(r.key, encoding);
      const value = encode(r.value, encoding);
      return {
        partition: r.partition,
        offset: r.offset,
        timestamp: r.timestamp,
        timestampType: r.timestampType,
        key: key.text,
        keyEncoding: key.encoding,
        value: value.text,
        valueEncoding: value.encoding,
        headers: r.headers.map((h: RecordHeader) => {
          const headerValue = encode(h.value, encoding);
          return { key: h.key, value: headerValue.text, valueEncoding: headerValue.encoding };
        }),
      };
    });
    return { ...page, messages, nextOffset };
  }

  async produce(topic: string, dto: ProduceMessageDto): Promise<ProducedMessage> {
    // The producer would wait up to max.block.ms for an unknown topic's metadata; say 404 at once instead.
    await this.requirePartition(topic, dto.partition ?? 0);
    const encoding = dto.encoding ?? 'utf8';
    const metadata = await this.clients.producer().send({
      topic,
      partition: dto.partition,
      key: decode(dto.key ?? null, encoding),
      value: decode(dto.value, encoding),
      headers: (dto.headers ?? []).map((h) => ({ key: h.key, value: decode(h.value, encoding) })),
      timestamp: dto.timestamp,
    });
    return { topic: metadata.topic, partition: metadata.partition, offset: metadata.offset, timestamp: metadata.timestamp };
  }

  /** Records [start, end) of one partition, and where the next read starts: `end`, or sooner when the deadline cut the read short. */
  private fetchRange(topic: string, partition: number, start: number, end: number): Promise<{ records: ConsumerRecord<Buffer | null, Buffer | null>[]; nextOffset: number }> {
    return this.clients.withReader(async (consumer) => {
      const tp = { topic, partition };
      consumer.assign([{ ...tp, offset: start }]);
      const records: ConsumerRecord<Buffer | null, Buffer | null>[] = [];
      const deadline = Date.now() + READ_DEADLINE_MS;
      let reachedEnd = false;
      while (!reachedEnd && Date.now() < deadline) {
        for (const record of await consumer.poll(Math.min(POLL_SLICE_MS, deadline - Date.now()))) {
          if (record.offset >= start && record.offset < end) records.push(record);
        }
        // Offsets may have gaps (deleted records, compaction): the position says how far the read got.
        reachedEnd = records.length >= end - start || (await consumer.position(tp)) >= end;
      }
      // Part of the range is a page (nextOffset says where the rest starts); nothing at all means the leader never answered.
      if (!reachedEnd && records.length === 0) throw new KafkaTimeoutError(`no records of ${topic}-${partition} from offset ${start} within ${READ_DEADLINE_MS} ms`);
      return { records, nextOffset: reachedEnd ? end : records[records.length - 1].offset + 1 };
    });
  }

  /** 404 for a topic or partition that does not exist (UNKNOWN_TOPIC_OR_PARTITION). */
  private async requirePartition(topic: string, partition: number): Promise<void> {
    const admin = await this.clients.admin();
    const [description] = await admin.describeTopics([topic]);
    if (partition >= description.partitions.length) {
      throw new KafkaClientError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        `topic '${topic}' has ${description.partitions.length} partition(s): there is no partition ${partition}`,
      );
    }
  }
}

/** The value of `result`, unless `check` or `result` failed (the check's failure first). */
function settled<T>(check: PromiseSettledResult<void>, result: PromiseSettledResult<T>): T {
  if (check.status === 'rejected') throw check.reason;
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

function encode(bytes: Buffer | null, encoding: ReadEncoding): { text: string | null; encoding: BytesEncoding } {
  if (bytes === null) return { text: null, encoding: 'utf8' };
  if (encoding === 'auto' && isUtf8(bytes)) return { text: bytes.toString('utf8'), encoding: 'utf8' };
  return { text: bytes.toString('base64'), encoding: 'base64' };
}

function decode(text: string | null, encoding: BytesEncoding): Buffer | null {
  return text === null ? null : Buffer.from(text, encoding);
}
