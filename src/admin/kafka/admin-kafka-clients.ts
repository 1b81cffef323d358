import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { KafkaServer } from '../../broker/kafka-server.service';
import { KafkaAdmin } from '../../client/admin/kafka-admin';
import { KafkaConsumer } from '../../client/consumer/kafka-consumer';
import { bufferDeserializer } from '../../client/consumer/deserializers';
import { KafkaProducer } from '../../client/producer/kafka-producer';
import { bufferSerializer } from '../../client/producer/serializers';

/** An HTTP caller should hear back well before its own timeout: one admin call retries for at most this long. */
const ADMIN_API_TIMEOUT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The Kafka clients behind the REST admin, bootstrapped at this broker's own listener:
 * the broker knows in process only what it leads or coordinates, so cluster-wide answers
 * (offsets at each leader, log dirs on every broker, groups at their coordinators) come
 * over the Kafka protocol, as any admin tool would get them. The admin client and the
 * producer are made on first use (the listener's port is known only once it is bound)
 * and shared; a consumer is made per read, as reads assign their own partition.
 */
@Injectable()
export class AdminKafkaClients implements OnModuleDestroy {
  private readonly logger = new Logger('AdminKafkaClients');
  private adminClient: Promise<KafkaAdmin> | undefined;
  private producerClient: KafkaProducer<Buffer | null, Buffer | null> | undefined;

  constructor(private readonly server: KafkaServer) {}

  /** The shared admin client, connected. A failed connect is not kept: the next call tries again. */
  admin(): Promise<KafkaAdmin> {
    if (!this.adminClient) {
      const admin = new KafkaAdmin({ bootstrapServers: this.bootstrap(), clientId: 'kafkanest-rest-admin', requestTimeoutMs: REQUEST_TIMEOUT_MS, apiTimeoutMs: ADMIN_API_TIMEOUT_MS });
      const connected = admin.connect().then(() => admin);
      this.adminClient = connected;
      connected.catch(() => {
        if (this.adminClient === connected) this.adminClient = undefined;
        void admin.close().catch(() => undefined);
      });
    }
    return this.adminClient;
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

  /** A consumer without a group, for assign + seek reads; the caller closes it. */
  consumer(maxPollRecords: number): KafkaConsumer<Buffer | null, Buffer | null> {
    return new KafkaConsumer<Buffer | null, Buffer | null>({
      'bootstrap.servers': this.bootstrap(),
      'client.id': 'kafkanest-rest-reader',
      'enable.auto.commit': false,
      'auto.offset.reset': 'none',
      'max.poll.records': maxPollRecords,
      'allow.auto.create.topics': false,
      'request.timeout.ms': REQUEST_TIMEOUT_MS,
      'default.api.timeout.ms': ADMIN_API_TIMEOUT_MS,
      'key.deserializer': bufferDeserializer,
      'value.deserializer': bufferDeserializer,
    });
  }

  async onModuleDestroy(): Promise<void> {
    const admin = this.adminClient;
    const producer = this.producerClient;
    this.adminClient = undefined;
    this.producerClient = undefined;
    await Promise.all([
      admin?.then((a) => a.close()).catch((error: unknown) => this.logger.warn(`closing the admin client: ${String(error)}`)),
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
