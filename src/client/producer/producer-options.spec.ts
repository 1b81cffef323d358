import { CompressionType } from '../../protocol';
import { ClientConfig } from '../../config/client.config';
import { ClientConfigError } from '../errors';
import { producerOptionsFromConfig, resolveProducerOptions } from './producer-options';

const base = { bootstrapServers: ['localhost:9092'] };

describe('resolveProducerOptions', () => {
  it("fills in the Java producer's defaults, idempotence on", () => {
    const o = resolveProducerOptions(base);
    expect(o).toMatchObject({
      acks: -1,
      batchSize: 16384,
      lingerMs: 5,
      bufferMemory: 33554432,
      maxBlockMs: 60000,
      requestTimeoutMs: 30000,
      deliveryTimeoutMs: 120000,
      retries: 2147483647,
      compression: CompressionType.None,
      idempotent: true,
      maxInFlightRequestsPerConnection: 5,
      maxRequestSize: 1048576,
    });
    expect(o.retryPolicy).toMatchObject({ backoffMs: 100, maxBackoffMs: 1000 });
    expect(o.clientId).toMatch(/^producer-\d+$/);
  });

  it('drops default idempotence when acks, retries or max in flight rule it out', () => {
    expect(resolveProducerOptions({ ...base, acks: '1' }).idempotent).toBe(false);
    expect(resolveProducerOptions({ ...base, retries: 0 }).idempotent).toBe(false);
    expect(resolveProducerOptions({ ...base, maxInFlightRequestsPerConnection: 6 }).idempotent).toBe(false);
  });

  it('refuses idempotence asked for explicitly with settings that cannot keep it', () => {
    expect(() => resolveProducerOptions({ ...base, acks: 1, enableIdempotence: true })).toThrow(/Must set acks to all/);
    expect(() => resolveProducerOptions({ ...base, maxInFlightRequestsPerConnection: 6, enableIdempotence: true })).toThrow(ClientConfigError);
  });

  it('keeps delivery.timeout.ms at least linger.ms + request.timeout.ms', () => {
    expect(resolveProducerOptions({ ...base, requestTimeoutMs: 200_000 }).deliveryTimeoutMs).toBe(200_005);
    expect(() => resolveProducerOptions({ ...base, requestTimeoutMs: 1000, deliveryTimeoutMs: 500 })).toThrow(/delivery.timeout.ms/);
  });

  it('refuses unknown acks and compression names and negative sizes', () => {
    expect(() => resolveProducerOptions({ ...base, acks: '2' as never })).toThrow(/acks=2/);
    expect(() => resolveProducerOptions({ ...base, compressionType: 'brotli' as never })).toThrow(/compression.type/);
    expect(() => resolveProducerOptions({ ...base, batchSize: -1 })).toThrow(/batch.size/);
    expect(resolveProducerOptions({ ...base, compressionType: 'zstd' }).compression).toBe(CompressionType.Zstd);
  });
});

describe('producerOptionsFromConfig', () => {
  it('maps the kafka.producer keys and lets kafka.producer.properties win', () => {
    const config = new ClientConfig();
    config.bootstrapServers = ['b1:9092', 'b2:9092'];
    config.clientId = 'orders';
    config.producer.acks = '1';
    config.producer.compressionType = 'lz4';
    config.producer.valueSerializer = 'json';
    config.producer.properties = { 'linger.ms': '20', 'enable.idempotence': 'false', 'batch.size': '32768' };
    const options = resolveProducerOptions(producerOptionsFromConfig(config));
    expect(options).toMatchObject({ bootstrapServers: ['b1:9092', 'b2:9092'], clientId: 'orders', acks: 1, compression: CompressionType.Lz4, lingerMs: 20, idempotent: false, batchSize: 32768 });
  });

  it('names the property when a value is not a number', () => {
    const config = new ClientConfig();
    config.producer.properties = { 'linger.ms': 'soon' };
    expect(() => producerOptionsFromConfig(config)).toThrow('kafka.producer.properties.linger.ms=soon: must be a number');
  });
});
