import { Injectable, Logger } from '@nestjs/common';
import { BrokerConfig } from '../../config/broker.config';
import { ErrorCode, errorName } from '../../protocol/errors/error-codes';
import { ControlledShutdownApi } from '../../protocol/schemas/controlled-shutdown.schema';
import { interBrokerEndpoint } from '../metadata/broker-endpoints';
import { BrokerRegistration } from '../metadata/broker-registration.service';
import { MetadataCache } from '../metadata/metadata-cache.service';
import { TcpBrokerChannel } from '../replica/broker-channel';
import { ReplicaManager } from '../replica/replica-manager';
import { KafkaController } from './kafka-controller.service';

const REQUEST_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Kafka's controlled shutdown, on the broker that is stopping: before it closes anything it
 * stops following and asks the controller (ControlledShutdown) to move the leadership of its
 * partitions to other in-sync replicas and to drop it from the ISRs it follows in. Clients
 * meet NOT_LEADER_OR_FOLLOWER from a broker that still answers and move on within a metadata
 * refresh, instead of meeting closed connections until its registration disappears (or, if
 * it hangs on the way out, its session expires); acks=all stops waiting for it at once.
 *
 * Asks again, controlled.shutdown.max.retries times controlled.shutdown.retry.backoff.ms
 * apart (or as soon as a new controller is elected, when the old one could not be asked),
 * while partitions remain; then stops anyway, as Kafka does (its leaving the broker list
 * does the rest). Nothing to do on the embedded store or once no other broker is alive.
 */
@Injectable()
export class ControlledShutdown {
  private readonly logger = new Logger('ControlledShutdown');

  constructor(
    private readonly config: BrokerConfig,
    private readonly cache: MetadataCache,
    private readonly controller: KafkaController,
    private readonly replicas: ReplicaManager,
    private readonly registration: BrokerRegistration,
  ) {}

  /** Resolves once leadership has moved, or once the retries are spent; never throws. */
  async run(): Promise<void> {
    if (!this.config.controlledShutdownEnable || this.config.usesEmbeddedStore) return;
    const me = this.config.brokerId;
    // Followers stop first (Kafka's controller sends StopReplica for them): a leader would
    // otherwise take this broker back into the ISR it is about to be dropped from.
    await this.replicas.stopFollowing();
    let controllerAsked = -1;
    for (let attempt = 0; attempt <= this.config.controlledShutdownMaxRetries; attempt++) {
      if (attempt > 0) await this.backOff(controllerAsked);
      // Everyone else gone (a whole cluster stopping): nobody could take anything over.
      if (!this.cache.liveBrokers().some((broker) => broker.id !== me)) return;
      controllerAsked = this.cache.controllerId();
      try {
        const { errorCode, remaining } = await this.ask(controllerAsked);
        if (errorCode === ErrorCode.NONE && remaining === 0) return;
        this.logger.warn(`controlled shutdown of broker ${me}: ${errorCode === ErrorCode.NONE ? `${remaining} partitions wait for another replica to catch up` : errorName(errorCode)}`);
        if (errorCode === ErrorCode.NONE) controllerAsked = -1;
      } catch (err) {
        this.logger.warn(`controlled shutdown of broker ${me}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.logger.warn(`controlled shutdown of broker ${me} did not complete; stopping anyway`);
  }

  /**
   * controlled.shutdown.retry.backoff.ms, cut short when the controller that could not be
   * asked (`failedController`, -1 after an answer) is replaced by a newly elected one.
   */
  private async backOff(failedController: number): Promise<void> {
    const backoffMs = this.config.controlledShutdownRetryBackoffMs;
    if (failedController < 0) {
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      return;
    }
    await this.cache.waitFor(() => {
      const id = this.cache.controllerId();
      return id >= 0 && id !== failedController;
    }, backoffMs);
  }

  private async ask(controllerId: number): Promise<{ errorCode: ErrorCode; remaining: number }> {
    if (controllerId === this.config.brokerId) {
      const answer = await this.controller.controlledShutdown(controllerId, this.registration.brokerEpoch);
      return { errorCode: answer.errorCode, remaining: answer.remaining.length };
    }
    const broker = this.cache.broker(controllerId);
    if (!broker) return { errorCode: ErrorCode.NOT_CONTROLLER, remaining: 0 };
    const { host, port } = interBrokerEndpoint(broker);
    const channel = await TcpBrokerChannel.connect(host, port, CONNECT_TIMEOUT_MS, `broker-${this.config.brokerId}-shutdown`);
    try {
      const answer = await channel.request(ControlledShutdownApi, 3, { brokerId: this.config.brokerId, brokerEpoch: this.registration.brokerEpoch }, REQUEST_TIMEOUT_MS);
      return { errorCode: answer.errorCode as ErrorCode, remaining: answer.remainingPartitions.length };
    } finally {
      channel.close();
    }
  }
}
