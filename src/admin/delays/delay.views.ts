import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// What GET /api/delays answers (DelayService.stats()), as classes so the OpenAPI document describes it.

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
  @ApiPropertyOptional({ type: DelayQueueStatsView, description: "Present when this broker runs the queue's scheduler; otherwise ask the leader" })
  readonly stats?: DelayQueueStatsView;
}

export class DelayLevelView extends DelayQueueView {
  @ApiProperty({ example: 3, description: 'The x-delay-level header value' }) readonly level!: number;
  @ApiProperty({ example: 10000, description: 'How long the level holds a record (delay.levels)' }) readonly delayMs!: number;
}

export class RetiredDelayLevelView extends DelayQueueView {
  @ApiProperty({ example: 19 }) readonly level!: number;
}

export class DelayLatenessView {
  @ApiProperty({ example: 250 }) readonly samples!: number;
  @ApiProperty({ example: 12, nullable: true, type: Number }) readonly p50!: number | null;
  @ApiProperty({ example: 95, nullable: true, type: Number }) readonly p99!: number | null;
}

export class DelayStatsView {
  @ApiProperty({ description: 'delay.enable: whether held records are delivered' }) readonly enabled!: boolean;
  @ApiProperty({ example: 0, description: 'The broker that answered' }) readonly brokerId!: number;
  @ApiProperty({ type: [DelayLevelView], description: 'One queue per level of delay.levels' }) readonly levels!: readonly DelayLevelView[];
  @ApiProperty({ type: DelayQueueView, description: 'The deliver-at heap (x-deliver-at)' }) readonly schedule!: DelayQueueView;
  @ApiProperty({ type: [RetiredDelayLevelView], description: 'Levels no longer in delay.levels whose queues this broker still drains' })
  readonly retiredLevels!: readonly RetiredDelayLevelView[];
  @ApiProperty({ type: DelayLatenessView, description: "Lateness in ms of the last deliveries of this broker's schedulers" }) readonly lateness!: DelayLatenessView;
}
