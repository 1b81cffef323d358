import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HEALTH_INDICATORS } from './health-indicators.token';
import { LogDirsHealthIndicator } from './log-dirs.indicator';
import { MetadataStoreHealthIndicator } from './metadata-store.indicator';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [
    MetadataStoreHealthIndicator,
    LogDirsHealthIndicator,
    {
      provide: HEALTH_INDICATORS,
      inject: [MetadataStoreHealthIndicator, LogDirsHealthIndicator],
      useFactory: (store: MetadataStoreHealthIndicator, logDirs: LogDirsHealthIndicator) => [() => store.check(), () => logDirs.check()],
    },
  ],
})
export class HealthModule {}
