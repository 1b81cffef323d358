import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BrokerConfig } from '../config/broker.config';
import { formatListener, parseListener, type ListenerAddress } from '../config/listener-address';
import { RequestRouter } from './api/request-router';
import { SocketServer } from './network/socket-server';

/**
 * Runs the Kafka listeners for the application's lifetime: binds them once every
 * module is initialised (so no request meets a half-built broker). Shutdown happens in
 * three phases so nothing a request needs is gone while it runs:
 *  1. onModuleDestroy: this stops accepting and reading, and waits for in-flight
 *     requests; ReplicaManager, in the same phase, answers parked fetches and waiters;
 *  2. beforeApplicationShutdown: the controller and metadata cache stop watching;
 *  3. onApplicationShutdown: the log flushes and checkpoints, the store closes.
 */
@Injectable()
export class KafkaServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('KafkaServer');
  private server: SocketServer | undefined;
  private advertised: ListenerAddress[] = [];
  private readonly announceSteps: ((advertised: readonly ListenerAddress[]) => Promise<void>)[] = [];

  constructor(
    private readonly config: BrokerConfig,
    private readonly router: RequestRouter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const listeners = this.config.listeners.map((text) => parseListener(text)!);
    this.server = new SocketServer(
      {
        listeners,
        maxRequestBytes: this.config.socketRequestMaxBytes,
        connectionsMaxIdleMs: this.config.connectionsMaxIdleMs,
        onConnectionError: (err, connection) =>
          this.logger.warn(`closing connection ${connection.id} from ${connection.remoteAddress}:${connection.remotePort}: ${err instanceof Error ? err.message : String(err)}`),
      },
      this.router.dispatch,
    );
    const bound = await this.server.start();
    // An advertised port 0 (listeners bound to a free port, as tests do) means "the port we got".
    this.advertised = this.config.advertisedListeners.map((text) => {
      const listener = parseListener(text)!;
      const actual = bound.find((b) => b.name === listener.name);
      return listener.port === 0 && actual ? { ...listener, port: actual.port } : listener;
    });
    for (const step of this.announceSteps) await step(this.advertised);
    for (const listener of this.advertised) process.stdout.write(`kafkanest broker ${this.config.brokerId} listening on ${formatListener(listener)}\n`);
  }

  /**
   * Runs `step` once the listeners are bound (so real ports are known) and before the broker
   * says it is listening: broker registration and controller election happen here, so a
   * client that waited for the listening line finds this broker in Metadata.
   */
  beforeAnnounce(step: (advertised: readonly ListenerAddress[]) => Promise<void>): void {
    this.announceSteps.push(step);
  }

  /** Where clients reach this broker, per listener name, with real ports. */
  get advertisedListeners(): readonly ListenerAddress[] {
    return this.advertised;
  }

  async onModuleDestroy(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }
}
