import { Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { ClientConfig } from '../config/client.config';
import { loadClientConfig, type KafkaModuleAsyncOptions, type KafkaModuleOptions } from './kafka-options';
import { KafkaTemplate } from './kafka-template';
import { listenerProviders } from './listener/kafka-listener-registry.service';

/** The options given to forRoot, or made by forRootAsync's factory. */
export const KAFKA_MODULE_OPTIONS = Symbol('KAFKA_MODULE_OPTIONS');
/** The bound and validated `kafka.*` configuration (a ClientConfig). */
export const KAFKA_CLIENT_CONFIG = Symbol('KAFKA_CLIENT_CONFIG');

/**
 * Providers the listener side adds to the module: the registry that finds
 * `@KafkaListener` methods through DiscoveryService (imported below) at bootstrap and
 * owns their containers. They can inject KAFKA_CLIENT_CONFIG and KafkaTemplate (for
 * dead-letter publishing). Nest stops them (onModuleDestroy / beforeApplicationShutdown)
 * before the template closes its producer in onApplicationShutdown, so a container
 * stopping can still publish.
 */
const LISTENER_PROVIDERS: Provider[] = listenerProviders(KAFKA_CLIENT_CONFIG, KAFKA_MODULE_OPTIONS);

/**
 * The SDK for Nest applications, as Spring Boot's Kafka auto-configuration:
 *
 *     @Module({ imports: [KafkaModule.forRoot()] })
 *     export class AppModule {}
 *
 * reads `kafka.*` from application.yml in the working directory under Spring Boot's
 * rules (profiles from KAFKANEST_PROFILES_ACTIVE, environment variables such as
 * KAFKA_BOOTSTRAP_SERVERS, `${ENV:default}` placeholders), validates it and provides
 * a KafkaTemplate. A bad value stops the application at start with the one-line
 * ConfigError (`kafka.producer.acks=2: ...`); an unreachable broker does not: the
 * producer connects on the first send, as Spring's does. Global, so feature modules
 * inject KafkaTemplate without importing anything.
 */
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions = {}): DynamicModule {
    return KafkaModule.build([{ provide: KAFKA_MODULE_OPTIONS, useValue: options }], []);
  }

  static forRootAsync(options: KafkaModuleAsyncOptions): DynamicModule {
    return KafkaModule.build([{ provide: KAFKA_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }], options.imports ?? []);
  }

  private static build(optionsProviders: Provider[], imports: NonNullable<KafkaModuleAsyncOptions['imports']>): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      imports: [DiscoveryModule, ...imports],
      providers: [
        ...optionsProviders,
        { provide: KAFKA_CLIENT_CONFIG, useFactory: clientConfigFrom, inject: [KAFKA_MODULE_OPTIONS] },
        {
          provide: KafkaTemplate,
          useFactory: (config: ClientConfig, options: KafkaModuleOptions) => new KafkaTemplate(config, options.template),
          inject: [KAFKA_CLIENT_CONFIG, KAFKA_MODULE_OPTIONS],
        },
        ...LISTENER_PROVIDERS,
      ],
      exports: [KAFKA_MODULE_OPTIONS, KAFKA_CLIENT_CONFIG, KafkaTemplate, ...LISTENER_PROVIDERS],
    };
  }
}

function clientConfigFrom(options: KafkaModuleOptions): ClientConfig {
  const loaded = loadClientConfig(options);
  const logger = new Logger(KafkaModule.name);
  for (const warning of loaded.warnings) logger.warn(warning);
  return loaded.config;
}
