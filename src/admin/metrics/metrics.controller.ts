import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { BrokerMetrics } from '../../broker/metrics/broker-metrics';

/** The Prometheus scrape endpoint: this broker's registry in the text exposition format. */
@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: BrokerMetrics) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Requests, bytes and latency per API, ISR shrinks/expands, under-replicated and offline partitions, log sizes, consumer lag' })
  async scrape(@Res({ passthrough: true }) response: { setHeader(name: string, value: string): void }): Promise<string> {
    const text = await this.metrics.scrape();
    response.setHeader('Content-Type', this.metrics.contentType);
    return text;
  }
}
