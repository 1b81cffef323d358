import { Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit, type Provider } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import type { ClientConfig } from '../../config/client.config';
import { ClientConfigError } from '../errors';
import type { KafkaModuleOptions } from '../kafka-options';
import { KafkaTemplate } from '../kafka-template';
import { backOffFrom } from './backoff';
import { createListenerContainer, type ConcurrentMessageListenerContainer, type MessageListenerContainer } from './concurrent-listener-container';
import type { DefaultErrorHandlerOptions, KafkaListenerContainerOptions } from './container-options';
import { DeadLetterPublishingRecoverer } from './dead-letter-publisher';
import { DefaultErrorHandler, isCommonErrorHandler, type CommonErrorHandler } from './error-handler';
import { listenerDefaultsFrom, listenerMethodOf, resolveListenerEndpoint, type ListenerEndpoint } from './listener-endpoint';
import { ListenerInvoker } from './listener-invoker';

/**
 * Spring Kafka's KafkaListenerAnnotationBeanPostProcessor and
 * KafkaListenerEndpointRegistry in one provider. When the module initialises it finds
 * every @KafkaListener method of the application's providers and controllers
 * (DiscoveryService, MetadataScanner), validates each (a mistake stops the application
 * with a message naming the listener) and builds its container; at bootstrap it starts
 * those with autoStartup; when the application shuts down it stops them all before the
 * KafkaTemplate closes its producer, so a container stopping can still publish.
 *
 *     constructor(private readonly registry: KafkaListenerEndpointRegistry) {}
 *     await this.registry.getListenerContainer('orders')?.start();
 */
export class KafkaListenerEndpointRegistry implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('KafkaListenerEndpointRegistry');
  private readonly containers = new Map<string, ConcurrentMessageListenerContainer>();
  private readonly options: KafkaListenerContainerOptions;
  private deadLetterTemplate: KafkaTemplate<Buffer, Buffer> | null = null;
  private errorHandler: CommonErrorHandler | null = null;

  constructor(
    private readonly config: ClientConfig,
    private readonly moduleOptions: KafkaModuleOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {
    this.options = moduleOptions.listener ?? {};
  }

  onModuleInit(): void {
    const defaults = listenerDefaultsFrom(this.config);
    const owners = new Map<string, string>();
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance = listenerHost(wrapper);
      if (instance === undefined || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = listenerMethodOf(prototype, name);
        if (method === undefined) continue;
        const endpoint = resolveListenerEndpoint(method, defaults);
        const where = `${endpoint.className}.${endpoint.methodName}`;
        const owner = owners.get(endpoint.id);
        if (owner !== undefined) {
          throw new ClientConfigError(`@KafkaListener ${endpoint.id} (${where}): the id is already used by ${owner}; listener ids must be unique`);
        }
        owners.set(endpoint.id, where);
        this.register(endpoint, instance, (instance as Record<string, (...args: unknown[]) => unknown>)[name]);
      }
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const container of this.containers.values()) {
      if (container.endpoint.autoStartup) await container.start();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
    const template = this.deadLetterTemplate;
    this.deadLetterTemplate = null;
    await template?.close().catch((err: Error) => this.logger.warn(`Closing the dead-letter producer failed: ${err.message}`));
  }

  /** The container of the listener with this id (Spring's getListenerContainer). */
  getListenerContainer(id: string): ConcurrentMessageListenerContainer | undefined {
    return this.containers.get(id);
  }

  getListenerContainerIds(): string[] {
    return [...this.containers.keys()];
  }

  /** Every listener's container, in discovery order. */
  listListenerContainers(): MessageListenerContainer[] {
    return [...this.containers.values()];
  }

  /** Starts every container that is not running, autoStartup or not. */
  async start(): Promise<void> {
    for (const container of this.containers.values()) if (!container.isRunning()) await container.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.containers.values()].map((container) => container.stop()));
  }

  isRunning(): boolean {
    return [...this.containers.values()].some((container) => container.isRunning());
  }

  private register(endpoint: ListenerEndpoint, instance: object, method: (...args: unknown[]) => unknown): void {
    const invoker = new ListenerInvoker(instance, method, endpoint);
    const container = createListenerContainer(endpoint, invoker, this.sharedErrorHandler(), this.config, this.options);
    this.containers.set(endpoint.id, container);
    this.logger.log(`Registered @KafkaListener ${endpoint.id} (${endpoint.className}.${endpoint.methodName}), concurrency ${container.concurrency}`);
  }

  /** One error handler for all containers (its failure counts are per consumer). */
  private sharedErrorHandler(): CommonErrorHandler {
    if (this.errorHandler) return this.errorHandler;
    const spec = this.options.errorHandler;
    if (isCommonErrorHandler(spec)) return (this.errorHandler = spec);
    const settings: DefaultErrorHandlerOptions = spec ?? {};
    const deadLetter = settings.deadLetter ?? true;
    const recoverer =
      deadLetter === false ? undefined : new DeadLetterPublishingRecoverer(() => this.deadLetterProducer(), deadLetter === true ? {} : deadLetter).recover;
    return (this.errorHandler = new DefaultErrorHandler({ backOff: backOffFrom(settings.backOff), recoverer }));
  }

  /**
   * Dead letters carry the original bytes, so they go through a template of their own
   * with byte serializers (the application's may be JSON), made on the first dead
   * letter with the application's producer settings.
   */
  private deadLetterProducer(): KafkaTemplate<Buffer, Buffer> {
    this.deadLetterTemplate ??= new KafkaTemplate<Buffer, Buffer>(this.config, {
      keySerializer: 'bytes',
      valueSerializer: 'bytes',
      producerFactory: this.moduleOptions.template?.producerFactory,
    });
    return this.deadLetterTemplate;
  }
}

/** The instance behind a provider or controller, when it can host listeners (created once, not request-scoped). */
function listenerHost(wrapper: InstanceWrapper): object | undefined {
  const instance: unknown = wrapper.instance;
  if (instance === null || typeof instance !== 'object') return undefined;
  if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) return undefined;
  return instance;
}

/**
 * KafkaModule's listener providers: the registry, built from the module's tokens (passed
 * in, so this file does not import the module that imports it).
 */
export function listenerProviders(clientConfigToken: symbol, moduleOptionsToken: symbol): Provider[] {
  return [
    {
      provide: KafkaListenerEndpointRegistry,
      useFactory: (config: ClientConfig, options: KafkaModuleOptions, discovery: DiscoveryService, scanner: MetadataScanner) =>
        new KafkaListenerEndpointRegistry(config, options, discovery, scanner),
      inject: [clientConfigToken, moduleOptionsToken, DiscoveryService, MetadataScanner],
    },
  ];
}
