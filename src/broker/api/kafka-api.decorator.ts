import { DiscoveryService } from '@nestjs/core';
import type { ApiKey } from '../../protocol/api-key';

/**
 * Marks a provider as the handler of one Kafka API: `@KafkaApi(ApiKey.Produce)`.
 * Attaches metadata only; ApiRegistry finds the handlers at bootstrap.
 */
export const KafkaApi = DiscoveryService.createDecorator<ApiKey>();
