import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DelayService } from '../../coordinator/delay/delay.service';
import { DelayStatsView } from './delay.views';

/**
 * GET /api/delays: each delay level's queue (depth, next due time) and the deliver-at heap
 * (size, next due time). A broker reports in full the queues whose scheduler it runs (it
 * leads their partition); for the others it names the leader to ask.
 */
@ApiTags('delays')
@Controller('api/delays')
export class DelaysController {
  constructor(private readonly delays: DelayService) {}

  @Get()
  @ApiOkResponse({ type: DelayStatsView, description: "Each level's queue and the deliver-at heap: in full for the queues this broker leads, their leader for the others" })
  stats(): DelayStatsView {
    return this.delays.stats();
  }
}
