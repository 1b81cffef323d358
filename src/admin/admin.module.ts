import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { BrokerModule } from '../broker/broker.module';
import { ClusterController } from './cluster/cluster.controller';
import { ConsumerGroupsController } from './consumer-groups/consumer-groups.controller';
import { ConsumerGroupsService } from './consumer-groups/consumer-groups.service';
import { ClusterDelayStats } from './delays/cluster-delay-stats.service';
import { DelaysController } from './delays/delays.controller';
import { HealthModule } from './health/health.module';
import { AdminAddressPublisher } from './http/admin-address';
import { AdminTokenGuard } from './http/admin-token.guard';
import { JsonBodyLimit } from './http/json-body-limit';
import { KafkaErrorFilter } from './http/kafka-error.filter';
import { OpenApiDocs } from './http/openapi';
import { adminValidationPipe } from './http/validation';
import { AdminKafkaClients } from './kafka/admin-kafka-clients';
import { MessagesController } from './messages/messages.controller';
import { MessagesService } from './messages/messages.service';
import { MetricsController } from './metrics/metrics.controller';
import { TopicsController } from './topics/topics.controller';
import { TopicsService } from './topics/topics.service';

/**
 * The broker's HTTP side: REST admin under /api (any broker answers for the whole
 * cluster, through KafkaAdmin at its own listener, and for the delay queues by asking their
 * leaders' admin servers, whose address each broker registers), OpenAPI at /docs, /health, /metrics.
 * The validation pipe, the Kafka error filter and the admin-token guard apply to every
 * route of the application.
 */
@Module({
  imports: [BrokerModule, HealthModule],
  controllers: [ClusterController, TopicsController, MessagesController, ConsumerGroupsController, DelaysController, MetricsController],
  providers: [
    AdminKafkaClients,
    TopicsService,
    MessagesService,
    ConsumerGroupsService,
    ClusterDelayStats,
    AdminAddressPublisher,
    OpenApiDocs,
    JsonBodyLimit,
    { provide: APP_PIPE, useFactory: adminValidationPipe },
    { provide: APP_FILTER, useClass: KafkaErrorFilter },
    { provide: APP_GUARD, useClass: AdminTokenGuard },
  ],
})
export class AdminModule {}
