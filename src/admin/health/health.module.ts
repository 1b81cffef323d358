import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HEALTH_INDICATORS } from './health-indicators.token';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [{ provide: HEALTH_INDICATORS, useValue: [] }],
})
export class HealthModule {}
