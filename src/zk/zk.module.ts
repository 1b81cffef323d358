// ZkModule: provides the MetadataStore (METADATA_STORE), for the typed accessors in
// src/zk/accessors, the only callers of the store. `connect` chooses the implementation: a host:port list (optionally
// with a /chroot) means ZooKeeper; empty or 'embedded' means the in-process store persisted
// under dataDir (the first log dir). Options are plain values: the app module maps broker
// config (zookeeper.connect, zookeeper.session.timeout.ms, log.dirs[0]) onto them.
import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ConsumerGroupMetadata } from './accessors/consumer-group-metadata';
import { METADATA_STORE, type MetadataStore } from './metadata-store';
import { createMetadataStore, type ZkModuleOptions } from './metadata-store.factory';

export const ZK_MODULE_OPTIONS = Symbol('ZK_MODULE_OPTIONS');

export interface ZkModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  useFactory: (...args: any[]) => ZkModuleOptions | Promise<ZkModuleOptions>;
  inject?: any[];
}

// The broker's services build the other accessors (src/zk/accessors) over METADATA_STORE
// themselves; the ones listed here are offered as providers too.
const accessors = [ConsumerGroupMetadata];

const accessorProviders: Provider[] = accessors.map((Accessor) => ({
  provide: Accessor,
  useFactory: (store: MetadataStore) => new Accessor(store),
  inject: [METADATA_STORE],
}));

const storeProvider: Provider = {
  provide: METADATA_STORE,
  useFactory: (options: ZkModuleOptions) => createMetadataStore(options, (context) => new Logger(context)),
  inject: [ZK_MODULE_OPTIONS],
};

/** Closes the store when the app shuts down, so our ephemerals go at once, not after a timeout. */
class MetadataStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(METADATA_STORE) private readonly store: MetadataStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

@Module({})
export class ZkModule {
  static forRoot(options: ZkModuleOptions): DynamicModule {
    return ZkModule.build([{ provide: ZK_MODULE_OPTIONS, useValue: options }]);
  }

  static forRootAsync(options: ZkModuleAsyncOptions): DynamicModule {
    return ZkModule.build([{ provide: ZK_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }], options.imports);
  }

  private static build(optionProviders: Provider[], imports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: ZkModule,
      imports,
      providers: [...optionProviders, storeProvider, ...accessorProviders, MetadataStoreCloser],
      exports: [METADATA_STORE, ...accessors],
    };
  }
}
