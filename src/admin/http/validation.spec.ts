import { BadRequestException, type ArgumentMetadata } from '@nestjs/common';
import { ResetOffsetsDto } from '../consumer-groups/consumer-group.dto';
import { ProduceMessageDto, ReadMessagesQuery } from '../messages/message.dto';
import { CreatePartitionsDto, CreateTopicDto } from '../topics/topic.dto';
import { adminValidationPipe, type ValidationErrorBody } from './validation';

const pipe = adminValidationPipe();

async function check(metatype: ArgumentMetadata['metatype'], value: unknown, type: ArgumentMetadata['type'] = 'body'): Promise<{ value?: unknown; fields?: ValidationErrorBody['fields'] }> {
  try {
    return { value: await pipe.transform(value, { type, metatype }) };
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    const body = error.getResponse() as ValidationErrorBody;
    expect(body.statusCode).toBe(400);
    expect(body.message).toEqual(Object.values(body.fields).flat());
    return { fields: body.fields };
  }
}

describe('admin DTO validation', () => {
  describe('CreateTopicDto', () => {
    it('accepts a name alone, and counts and string configs', async () => {
      expect((await check(CreateTopicDto, { name: 'orders' })).fields).toBeUndefined();
      const { value } = await check(CreateTopicDto, { name: 'orders.v2', partitions: 3, replicationFactor: 2, configs: { 'retention.ms': '1000' } });
      expect(value).toBeInstanceOf(CreateTopicDto);
    });

    it('names every bad field', async () => {
      const { fields } = await check(CreateTopicDto, { name: 'no spaces', partitions: 0, replicationFactor: 1.5, configs: { 'retention.ms': 1000 } });
      expect(Object.keys(fields!).sort()).toEqual(['configs', 'name', 'partitions', 'replicationFactor']);
      expect(fields!.name).toEqual([expect.stringContaining('Topic name is invalid')]);
    });

    it("refuses Kafka's illegal names and unknown properties", async () => {
      for (const name of ['.', '..', '', 'x'.repeat(250), 'a/b']) expect((await check(CreateTopicDto, { name })).fields?.name).toBeDefined();
      expect((await check(CreateTopicDto, { name: 'ok', replicationfactor: 3 })).fields).toEqual({ replicationfactor: ['property replicationfactor should not exist'] });
    });
  });

  it('CreatePartitionsDto needs a positive integer count', async () => {
    expect((await check(CreatePartitionsDto, {})).fields?.count).toBeDefined();
    expect((await check(CreatePartitionsDto, { count: '4' })).fields?.count).toBeDefined();
    expect((await check(CreatePartitionsDto, { count: 4 })).fields).toBeUndefined();
  });

  describe('ReadMessagesQuery', () => {
    it('turns query strings into numbers', async () => {
      const { value } = await check(ReadMessagesQuery, { partition: '2', offset: '10', limit: '5' }, 'query');
      expect(value).toMatchObject({ partition: 2, offset: 10, limit: 5 });
    });

    it('needs a partition, refuses offset with timestamp, and bounds the limit', async () => {
      expect((await check(ReadMessagesQuery, {}, 'query')).fields?.partition).toContain('partition is required');
      expect((await check(ReadMessagesQuery, { partition: '0', offset: '1', timestamp: '5' }, 'query')).fields).toEqual({ timestamp: ['give either timestamp or offset, not both'] });
      expect((await check(ReadMessagesQuery, { partition: '0', limit: '1001' }, 'query')).fields?.limit).toBeDefined();
      expect((await check(ReadMessagesQuery, { partition: 'x', offset: '-1', encoding: 'hex' }, 'query')).fields).toEqual({
        partition: expect.any(Array),
        offset: expect.any(Array),
        encoding: expect.any(Array),
      });
    });
  });

  describe('ProduceMessageDto', () => {
    it('accepts a tombstone and headers with null values', async () => {
      expect((await check(ProduceMessageDto, { value: null, key: 'k', headers: [{ key: 'h', value: null }] })).fields).toBeUndefined();
    });

    it('needs a value and checks each header', async () => {
      const { fields } = await check(ProduceMessageDto, { headers: [{ value: 1 }], encoding: 'hex' });
      expect(Object.keys(fields!).sort()).toEqual(['encoding', 'headers.0.key', 'headers.0.value', 'value']);
    });

    it('refuses key, value or header values that are not base64 when encoding is base64, instead of sending what Node makes of them', async () => {
      expect((await check(ProduceMessageDto, { key: 'a2V5', value: 'dmFsdWU=', headers: [{ key: 'h', value: '_-8' }, { key: 'n', value: null }], encoding: 'base64' })).fields).toBeUndefined();
      const { fields } = await check(ProduceMessageDto, { key: 'not base64!', value: '@@@', headers: [{ key: 'h', value: 'a' }], encoding: 'base64' });
      expect(fields).toEqual({
        key: ['key must be base64 when encoding is base64'],
        value: ['value must be base64 when encoding is base64'],
        headers: ["headers' values must be base64 when encoding is base64"],
      });
      // The same text is fine as UTF-8.
      expect((await check(ProduceMessageDto, { key: 'not base64!', value: '@@@' })).fields).toBeUndefined();
    });
  });

  it('refuses offsets and timestamps beyond what a JSON number holds exactly (2^53 - 1), rather than read from a rounded one', async () => {
    const tooBig = '99999999999999999999';
    expect((await check(ReadMessagesQuery, { partition: '0', offset: tooBig }, 'query')).fields?.offset).toEqual(['offset must not be greater than 9007199254740991']);
    expect((await check(ReadMessagesQuery, { partition: '0', timestamp: tooBig }, 'query')).fields?.timestamp).toBeDefined();
    expect((await check(ProduceMessageDto, { value: 'v', timestamp: 1e20 })).fields?.timestamp).toBeDefined();
    expect((await check(ResetOffsetsDto, { to: 'offset', offset: 1e20 })).fields?.offset).toBeDefined();
    expect((await check(ResetOffsetsDto, { to: 'timestamp', timestamp: 1e20 })).fields?.timestamp).toBeDefined();
    expect((await check(ReadMessagesQuery, { partition: '0', offset: String(Number.MAX_SAFE_INTEGER) }, 'query')).fields).toBeUndefined();
  });

  describe('ResetOffsetsDto', () => {
    it('needs the timestamp or offset its target names', async () => {
      expect((await check(ResetOffsetsDto, { to: 'earliest' })).fields).toBeUndefined();
      expect((await check(ResetOffsetsDto, { to: 'timestamp' })).fields?.timestamp).toBeDefined();
      expect((await check(ResetOffsetsDto, { to: 'offset' })).fields?.offset).toBeDefined();
      expect((await check(ResetOffsetsDto, { to: 'offset', offset: 5, topic: 'orders', partitions: [0, 1] })).fields).toBeUndefined();
      expect((await check(ResetOffsetsDto, { to: 'sideways' })).fields?.to).toBeDefined();
    });

    it('takes partitions only with a topic', async () => {
      expect((await check(ResetOffsetsDto, { to: 'latest', partitions: [0] })).fields).toEqual({ partitions: ['partitions needs topic'] });
      expect((await check(ResetOffsetsDto, { to: 'latest', topic: 'orders', partitions: [] })).fields?.partitions).toBeDefined();
    });
  });
});
