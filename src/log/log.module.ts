import { DynamicModule, Module, ModuleMetadata, Provider } from '@nestjs/common';
import { LogConfig, resolveLogConfig } from './log-config';
import { LogManager, LogManagerOptions } from './log-manager';

/** What LogModule needs: log.dirs plus any LogConfig field to override its Kafka default. */
export type LogModuleOptions = Partial<LogConfig> & Pick<LogConfig, 'logDirs'> & LogManagerOptions;

export const LOG_MODULE_OPTIONS = Symbol('LOG_MODULE_OPTIONS');

export interface LogModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: any[];
  useFactory: (...args: any[]) => LogModuleOptions | Promise<LogModuleOptions>;
}

const logManagerProvider: Provider = {
  provide: LogManager,
  inject: [LOG_MODULE_OPTIONS],
  useFactory: ({ now, logger, ...config }: LogModuleOptions) => new LogManager(resolveLogConfig(config), { now, logger }),
};

/**
 * Storage as a Nest module. LogManager loads (and recovers) the logs in onModuleInit and
 * shuts down cleanly in onApplicationShutdown — enable shutdown hooks in the app so a
 * SIGTERM leaves a clean-shutdown marker. The app maps broker config onto LogConfig.
 */
@Module({})
export class LogModule {
  static forRoot(options: LogModuleOptions): DynamicModule {
    return {
      module: LogModule,
      providers: [{ provide: LOG_MODULE_OPTIONS, useValue: options }, logManagerProvider],
      exports: [LogManager],
    };
  }

  static forRootAsync(options: LogModuleAsyncOptions): DynamicModule {
    return {
      module: LogModule,
      imports: options.imports ?? [],
      providers: [{ provide: LOG_MODULE_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory }, logManagerProvider],
      exports: [LogManager],
    };
  }
}
