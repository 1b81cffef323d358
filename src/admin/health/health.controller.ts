import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import { HEALTH_INDICATORS } from './health-indicators.token';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(HEALTH_INDICATORS) private readonly indicators: readonly HealthIndicatorFunction[],
  ) {}

  /** 200 with the status, or 503 with every indicator's details when one is down. */
  @Get()
  @HealthCheck()
  async check(): Promise<HealthCheckResult | { status: HealthCheckResult['status'] }> {
    const result = await this.health.check([...this.indicators]);
    // With no indicators terminus still returns empty info/error/details maps; the
    // answer is then just the status.
    return Object.keys(result.details).length === 0 ? { status: result.status } : result;
  }
}
