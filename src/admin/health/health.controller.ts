import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import { HEALTH_INDICATORS } from './health-indicators.token';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(HEALTH_INDICATORS) private readonly indicators: readonly HealthIndicatorFunction[],
  ) {}

  /**
   * 200 with just the status, as Spring Boot's health endpoint answers by default (load
   * balancers and probes need no more); 503 with every indicator's details when one is
   * down (terminus throws it).
   */
  @Get()
  @HealthCheck()
  @ApiOkResponse({ description: '{"status":"ok"}: the metadata store session is up and every log dir is writable' })
  @ApiServiceUnavailableResponse({ description: 'Which indicator is down and why' })
  async check(): Promise<{ status: HealthCheckResult['status'] }> {
    const result = await this.health.check([...this.indicators]);
    return { status: result.status };
  }
}
