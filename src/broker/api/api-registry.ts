import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { indexApis, type ApiLookup } from '../../protocol/codec/api-plan';
import type { ApiSpec } from '../../protocol/codec/schema';
import { inVersionRange, parseVersionRange } from '../../protocol/codec/version-range';
import { KafkaApi } from './kafka-api.decorator';
import type { KafkaApiHandler } from './kafka-api-handler';

export interface ServedApi {
  readonly handler: KafkaApiHandler;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/**
 * Every Kafka API this broker serves, found through the @KafkaApi decorator at start.
 * ApiVersions answers from here, so it can never advertise an API no handler serves.
 */
@Injectable()
export class ApiRegistry implements OnModuleInit, ApiLookup {
  private readonly served = new Map<number, ServedApi>();
  private apis = new Map<number, ApiSpec>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const apiKey = this.discovery.getMetadataByDecorator(KafkaApi, wrapper);
      if (apiKey === undefined || !wrapper.instance) continue;
      this.register(apiKey, wrapper.instance as KafkaApiHandler);
    }
  }

  register(apiKey: number, handler: KafkaApiHandler): void {
    if (handler.api.apiKey !== apiKey) {
      throw new Error(`${handler.constructor.name} is registered for key ${apiKey} but handles ${handler.api.name} (key ${handler.api.apiKey})`);
    }
    if (this.served.has(apiKey)) throw new Error(`two handlers for ${handler.api.name} (key ${apiKey})`);
    const { min, max } = parseVersionRange(handler.versions);
    if (!inVersionRange(handler.api.validVersions, min) || !inVersionRange(handler.api.validVersions, max)) {
      throw new Error(`${handler.api.name} handler serves ${handler.versions}, outside the declared ${handler.api.validVersions}`);
    }
    this.served.set(apiKey, { handler, minVersion: min, maxVersion: max });
    this.apis = indexApis([...this.served.values()].map((s) => s.handler.api));
  }

  /** ApiLookup for the header decoder: only APIs that have a handler. */
  get(apiKey: number): ApiSpec | undefined {
    return this.apis.get(apiKey);
  }

  handler(apiKey: number): ServedApi | undefined {
    return this.served.get(apiKey);
  }

  /** Served APIs in key order. */
  list(): ServedApi[] {
    return [...this.served.values()].sort((a, b) => a.handler.api.apiKey - b.handler.api.apiKey);
  }
}
