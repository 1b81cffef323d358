import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from './admin/health/health.module';
import { BrokerModule } from './broker/broker.module';
import { KafkanestConfigModule } from './config/kafkanest-config.module';
import type { KafkanestConfig } from './config/kafkanest-config.loader';

/**
 * The broker application. Built from a configuration loaded and validated beforehand
 * (see src/cli/commands/start.command.ts); the metadata store, log and broker modules
 * join the imports as their issues land.
 */
@Module({})
export class AppModule {
  static forRoot(config: KafkanestConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [KafkanestConfigModule.forRoot(config), HealthModule, BrokerModule],
    };
  }
}
