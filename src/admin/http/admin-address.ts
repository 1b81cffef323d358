import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { BrokerConfig } from '../../config/broker.config';
import { isWildcardHost, type ListenerAddress } from '../../config/listener-address';
import { interBrokerEndpoint, selfAsBroker } from '../../broker/metadata/broker-endpoints';
import { BrokerRegistration } from '../../broker/metadata/broker-registration.service';
import { KafkaServer } from '../../broker/kafka-server.service';

interface ListeningServer {
  address(): AddressInfo | string | null;
  once(event: 'listening', listener: () => void): unknown;
}

/**
 * Where the other brokers reach this broker's REST admin: the address the HTTP server is bound
 * to, or, bound to every interface, the host the other brokers already reach this broker at
 * (its inter-broker advertised listener). Undefined for a server that is not on TCP.
 */
export function reachableAdminUrl(bound: AddressInfo | string | null, brokerId: number, advertised: readonly ListenerAddress[]): string | undefined {
  if (!bound || typeof bound === 'string') return undefined;
  const self = selfAsBroker(brokerId, advertised);
  const host = isWildcardHost(bound.address) ? (self ? interBrokerEndpoint(self).host : 'localhost') : bound.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound.port}`;
}

/**
 * Publishes this broker's admin URL in its /brokers/ids registration once the HTTP server
 * listens (whoever calls listen: `kafkanest start`, or a test's app). An application whose
 * HTTP server never listens publishes nothing, and the other brokers say so for its queues.
 */
@Injectable()
export class AdminAddressPublisher implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminAddress');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: BrokerConfig,
    private readonly kafkaServer: KafkaServer,
    private readonly registration: BrokerRegistration,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as ListeningServer | undefined;
    server?.once('listening', () => {
      const url = reachableAdminUrl(server.address(), this.config.brokerId, this.kafkaServer.advertisedListeners);
      if (!url) return;
      this.registration.publishAdminUrl(url).then(
        () => this.logger.log(`admin address ${url} registered`),
        (error: unknown) => this.logger.warn(`admin address ${url} not registered; other brokers cannot include this one's delay stats: ${error instanceof Error ? error.message : error}`),
      );
    });
  }
}
