import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, getConfigToken, registerAs } from '@nestjs/config';
import { AdminConfig } from './admin.config';
import { BrokerConfig } from './broker.config';
import { ClientConfig } from './client.config';
import type { KafkanestConfig } from './kafkanest-config.loader';

export const KAFKANEST_CONFIG = Symbol('KAFKANEST_CONFIG');

/**
 * Hands the already validated configuration to Nest. The CLI loads and validates before
 * Nest starts, so a bad value ends the process with one line and exit code 2 rather than
 * a bootstrap stack trace. Each area is registered with `registerAs` (so
 * `ConfigService.get('broker.numPartitions')` works) and is also injectable by its class:
 * `constructor(private readonly broker: BrokerConfig)`.
 */
@Module({})
export class KafkanestConfigModule {
  static forRoot(config: KafkanestConfig): DynamicModule {
    const areas = [
      registerAs('broker', () => config.broker),
      registerAs('client', () => config.client),
      registerAs('admin', () => config.admin),
    ];
    return {
      module: KafkanestConfigModule,
      global: true,
      imports: [
        // Environment variables were already applied by our own Spring-style rules;
        // ConfigService must not fall back to raw process.env under other names.
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validatePredefined: false, skipProcessEnv: true, load: areas }),
      ],
      providers: [
        { provide: KAFKANEST_CONFIG, useValue: config },
        { provide: BrokerConfig, useExisting: getConfigToken('broker') },
        { provide: ClientConfig, useExisting: getConfigToken('client') },
        { provide: AdminConfig, useExisting: getConfigToken('admin') },
      ],
      exports: [KAFKANEST_CONFIG, BrokerConfig, ClientConfig, AdminConfig],
    };
  }
}
