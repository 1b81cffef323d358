import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { KafkaServer } from '../../broker/kafka-server.service';
import { KafkaAdmin } from '../../client/admin/kafka-admin';
import { KafkaConsumer } from '../../client/consumer/kafka-consumer';
import { bufferDeserializer } from '../../client/consumer/deserializers';
import { KafkaProducer } from '../../client/producer/kafka-producer';
import { bufferSerializer } from '../../client/producer/serializers';
import { MAX_READ_LIMIT } from '../messages/message.dto';

/** An HTTP caller should hear back well before its own timeout: one admin call retries for at most this long. */
const ADMIN_API_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Readers kept for the next GET .../messages; more run at once when more requests do, the rest are closed after use. */
const MAX_IDLE_READERS = 4;

/**
 * The Kafka clients behind the REST admin, bootstrapped at this broker's own listener:
 * the broker knows in process only what it leads or coordinates, so cluster-wide answers
 * (offsets at each leader, log dirs on every broker, groups at their coordinators) come
 * over the Kafka protocol, as any admin tool would get them. The admin client and the
 * producer are made on first use (the listener's port is known only once it is bound)
 * and shared; readers (group-less consumers) are pooled, as each read assigns its own partition.
 */
@Injectable()
export class AdminKafkaClients implements OnModuleDestroy {
  private readonly logger = new Logger('AdminKafkaClients');
  private readonly adminClient = new SharedClient(
    () => new KafkaAdmin({ bootstrapServers: this.bootstrap(), clientId: 'kafkanest-rest-admin', requestTimeoutMs: REQUEST_TIMEOUT_MS, apiTimeoutMs: ADMIN_API_TIMEOUT_MS }),
    (admin) => admin.connect(),
  );
  private producerClient: KafkaProducer<Buffer | null, Buffer | null> | undefined;
  private readonly idleReaders: KafkaConsumer<Buffer | null, Buffer | null>[] = [];
  private closed = false;

  constructor(private readonly server: KafkaServer) {}

  /** The shared admin client, connected. */
  admin(): Promise<KafkaAdmin> {
    return this.adminClient.get();
  }

  /** The shared producer for POST .../messages: bytes in, acks=all, idempotent. */
  producer(): KafkaProducer<Buffer | null, Buffer | null> {
    this.producerClient ??= new KafkaProducer<Buffer | null, Buffer | null>({
      bootstrapServers: this.bootstrap(),
      clientId: 'kafkanest-rest-producer',
      keySerializer: bufferSerializer,
      valueSerializer: bufferSerializer,
      lingerMs: 0,
      maxBlockMs: ADMIN_API_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      deliveryTimeoutMs: ADMIN_API_TIMEOUT_MS + REQUEST_TIMEOUT_MS,
    });
    return this.producerClient;
  }

  /**
   * Runs `read` with a group-less consumer (assign + seek) that it may assign as it likes.
   * Consumers are kept between reads, up to MAX_IDLE_READERS, so a read does not pay for a
   * new connection and metadata; one that failed is closed rather than reused.
   */
  async withReader<T>(read: (consumer: KafkaConsumer<Buffer | null, Buffer | null>) => Promise<T>): Promise<T> {
    const consumer = this.idleReaders.pop() ?? this.newReader();
    let reusable = false;
    try {
      const result = await read(consumer);
      reusable = true;
      return result;
    } finally {
      if (reusable && !this.closed && this.idleReaders.length < MAX_IDLE_READERS) {
        consumer.assign([]);
        this.idleReaders.push(consumer);
      } else {
        await consumer.close(0).catch(() => undefined);
      }
    }
  }

  private newReader(): KafkaConsumer<Buffer | null, Buffer | null> {
    return new KafkaConsumer<Buffer | null, Buffer | null>({
      'bootstrap.servers': this.bootstrap(),
      'client.id': 'kafkanest-rest-reader',
      'enable.auto.commit': false,
      'auto.offset.reset': 'none',
      'max.poll.records': MAX_READ_LIMIT,
      // Reads stop at the high watermark they saw: a fetch parked there for more data would
      // only hold the next read of this consumer back.
      'fetch.max.wait.ms': 0,
      'allow.auto.create.topics': false,
      'request.timeout.ms': REQUEST_TIMEOUT_MS,
      'default.api.timeout.ms': ADMIN_API_TIMEOUT_MS,
      'key.deserializer': bufferDeserializer,
      'value.deserializer': bufferDeserializer,
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    const producer = this.producerClient;
    this.producerClient = undefined;
    await Promise.all([
      ...this.idleReaders.splice(0).map((consumer) => consumer.close(0).catch(() => undefined)),
      this.adminClient.close().catch((error: unknown) => this.logger.warn(`closing the admin client: ${String(error)}`)),
      producer?.close(5_000).catch((error: unknown) => this.logger.warn(`closing the producer: ${String(error)}`)),
    ]);
  }

  /** This broker's advertised listener; a wildcard host is reached on loopback. */
  private bootstrap(): string {
    const listener = this.server.advertisedListeners[0];
    if (!listener) throw new Error('the Kafka listener is not bound yet');
    const host = listener.host === '' || listener.host === '0.0.0.0' || listener.host === '::' ? '127.0.0.1' : listener.host;
    return `${host.includes(':') ? `[${host}]` : host}:${listener.port}`;
  }
}

/**
 * One client shared by every request, connected on first use. A failed connect is not
 * kept (the client is closed and the next call tries again), so a broker that was not
 * reachable for a moment does not leave the admin broken.
 */
class SharedClient<T extends { close(): unknown }> {
  private connected: Promise<T> | undefined;

  constructor(
    private readonly create: () => T,
    private readonly connect: (client: T) => Promise<unknown>,
  ) {}

  get(): Promise<T> {
    if (!this.connected) {
      const client = this.create();
      const connected = this.connect(client).then(() => client);
      this.connected = connected;
      connected.catch(() => {
        if (this.connected === connected) this.connected = undefined;
        void Promise.resolve(client.close()).catch(() => undefined);
      });
    }
    return this.connected;
  }

  /** Closes the client if one was made; the next get() makes a new one. */
  async close(): Promise<void> {
    const connected = this.connected;
    this.connected = undefined;
    const client = await connected?.catch(() => undefined);
    await client?.close();
  }
}
