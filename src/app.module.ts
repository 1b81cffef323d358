import { Module, type DynamicModule } from '@nestjs/common';
import { DelaysModule } from './admin/delays/delays.module';
import { HealthModule } from './admin/health/health.module';
import { BrokerModule } from './broker/broker.module';
import { brokerLogOptions } from './broker/replica/broker-log-options';
import { KafkanestConfigModule } from './config/kafkanest-config.module';
import { LogModule } from './log/log.module';
import type { KafkanestConfig } from './config/kafkanest-config.loader';
import { ZkModule } from './zk/zk.module';

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
      imports: [
        KafkanestConfigModule.forRoot(config),
        // The metadata store: ZooKeeper when zookeeper.connect names one, else the embedded
        // store persisted under the first log dir.
        // Global, like the log: the broker's metadata, controller and producer ids all use it.
        {
          ...ZkModule.forRoot({
            connect: config.broker.zookeeperConnect,
            sessionTimeoutMs: config.broker.zookeeperSessionTimeoutMs,
            connectionTimeoutMs: config.broker.zookeeperConnectionTimeoutMs,
            dataDir: config.broker.logDirs[0],
          }),
          global: true,
        },
        HealthModule,
        // Global: the broker's ReplicaManager and the admin side both reach the LogManager.
        { ...LogModule.forRoot(brokerLogOptions(config.broker)), global: true },
        BrokerModule,
        DelaysModule,
      ],
    };
  }
}
