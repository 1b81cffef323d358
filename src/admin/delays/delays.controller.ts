import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ValidationErrorView } from '../http/error.views';
import { ClusterDelayStats } from './cluster-delay-stats.service';
import { DelayStatsView } from './delay.views';
import { DelayStatsQuery } from './delays.query';

/**
 * GET /api/delays: each delay level's queue (depth, next due time) and the deliver-at heap
 * (size, next due time), from any broker for the whole cluster: the broker asks each queue's
 * leader, which runs its scheduler and alone knows them.
 */
@ApiTags('delays')
@Controller('api/delays')
export class DelaysController {
  constructor(private readonly delays: ClusterDelayStats) {}

  @Get()
  @ApiOkResponse({
    type: DelayStatsView,
    description:
      "Each level's queue and the deliver-at heap with stats from its leader, whichever broker that is; a queue whose leader is missing or could not be asked " +
      'carries an error instead of stats (the answer is still 200)',
  })
  @ApiBadRequestResponse({ type: ValidationErrorView, description: 'An unknown scope' })
  stats(@Query() query: DelayStatsQuery): Promise<DelayStatsView> | DelayStatsView {
    return query.scope === 'broker' ? this.delays.own() : this.delays.cluster();
  }
}
