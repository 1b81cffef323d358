import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// What GET /api/delays answers (DelayService.stats(), merged over the queues' leaders), as
// classes so the OpenAPI document describes it.

export class DelayQueueStatsView {
  @ApiProperty({ example: 2, description: 'Records held in the queue and not yet delivered' }) readonly depth!: number;
  @ApiProperty({ example: 1764547200000, nullable: true, type: Number, description: 'When the next record is due (epoch ms); null when the queue is empty' })
  readonly nextDueMs!: number | null;
  @ApiProperty({ example: 0, description: 'Due records taken from the queue and not yet acknowledged by their target' }) readonly inFlight!: number;
  @ApiProperty({ example: 120 }) readonly delivered!: number;
  @ApiProperty({ example: 0, description: 'Records whose target topic was deleted before they were due' }) readonly dropped!: number;
  @ApiProperty({ example: 0, description: 'Deliveries found unfinished when the queue was loaded (a crash or a leader change) and sent again' })
  readonly resent!: number;
  @ApiProperty({ description: 'Whether the scheduler is still reading its queue after taking it over' }) readonly loading!: boolean;
}

export class DelayQueueView {
  @ApiProperty({ example: '__delay_level_03' }) readonly topic!: string;
  @ApiProperty({ example: 0, description: 'The broker leading the queue and running its scheduler; -1 when none' }) readonly leader!: number;
  @ApiPropertyOptional({
    type: DelayQueueStatsView,
    description: "From the queue's leader, whichever broker that is; absent when `error` says why, or with scope=broker for the queues another broker runs",
  })
  readonly stats?: DelayQueueStatsView;
  @ApiPropertyOptional({
    example: 'broker 1 did not answer at http://10.0.0.2:8080 within 2000 ms',
    description: 'Why there are no stats: the queue has no leader, or its leader could not be asked (down, too slow, no admin address registered)',
  })
  readonly error?: string;
}

export class DelayLevelView extends DelayQueueView {
  @ApiProperty({ example: 3, description: 'The x-delay-level header value' }) readonly level!: number;
  @ApiProperty({ example: 10000, description: 'How long the level holds a record (delay.levels)' }) readonly delayMs!: number;
}

export class RetiredDelayLevelView extends DelayQueueView {
  @ApiProperty({ example: 19 }) readonly level!: number;
}

export class DelayLatenessView {
  @ApiProperty({ example: 0 }) readonly brokerId!: number;
  @ApiProperty({ example: 250 }) readonly samples!: number;
  @ApiProperty({ example: 12, nullable: true, type: Number }) readonly p50!: number | null;
  @ApiProperty({ example: 95, nullable: true, type: Number }) readonly p99!: number | null;
}

export class DelayStatsView {
  @ApiProperty({ description: 'delay.enable: whether held records are delivered' }) readonly enabled!: boolean;
  @ApiProperty({ example: 0, description: 'The broker that answered' }) readonly brokerId!: number;
  @ApiProperty({ type: [DelayLevelView], description: 'One queue per level of delay.levels' }) readonly levels!: readonly DelayLevelView[];
  @ApiProperty({ type: DelayQueueView, description: 'The deliver-at heap (x-deliver-at)' }) readonly schedule!: DelayQueueView;
  @ApiProperty({ type: [RetiredDelayLevelView], description: 'Levels no longer in delay.levels whose queue topics still exist (their leaders drain them)' })
  readonly retiredLevels!: readonly RetiredDelayLevelView[];
  @ApiProperty({
    type: [DelayLatenessView],
    description:
      'Delivery lateness in ms (acknowledged minus due) over the last 65,536 deliveries of each broker’s schedulers, one entry per broker that answered: ' +
      'the one asked and every queue leader it reached. Per broker, not merged: percentiles of different brokers cannot be combined into the cluster’s',
  })
  readonly lateness!: readonly DelayLatenessView[];
}
