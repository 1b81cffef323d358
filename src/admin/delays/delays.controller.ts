import { Controller, Get } from '@nestjs/common';
import { DelayService, type DelayStats } from '../../coordinator/delay/delay.service';

/**
 * GET /api/delays: each delay level's queue (depth, next due time) and the deliver-at heap
 * (size, next due time). A broker reports in full the queues whose scheduler it runs (it
 * leads their partition); for the others it names the leader to ask.
 */
@Controller('api/delays')
export class DelaysController {
  constructor(private readonly delays: DelayService) {}

  @Get()
  stats(): DelayStats {
    return this.delays.stats();
  }
}
