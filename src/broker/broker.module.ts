import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ApiRegistry } from './api/api-registry';
import { RequestRouter } from './api/request-router';
import { ApiVersionsHandler } from './handlers/18-api-versions.handler';
import { KafkaServer } from './kafka-server.service';

/**
 * The Kafka broker: socket server, request router and one handler per API. Handlers
 * are found by their @KafkaApi decorator; adding an API is adding its handler here.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [ApiRegistry, RequestRouter, KafkaServer, ApiVersionsHandler],
  exports: [ApiRegistry, RequestRouter, KafkaServer],
})
export class BrokerModule {}
