import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** `cluster`: every queue, whichever broker leads it. `broker`: what this broker's own schedulers know (brokers ask each other this). */
export type DelayStatsScope = 'cluster' | 'broker';
const SCOPES: readonly DelayStatsScope[] = ['cluster', 'broker'];

export class DelayStatsQuery {
  @ApiPropertyOptional({
    enum: SCOPES,
    default: 'cluster',
    description: "cluster: stats of every queue, asked of each queue's leader; broker: only the queues whose scheduler this broker runs (no other broker is asked)",
  })
  @IsOptional()
  @IsIn(SCOPES, { message: `scope must be one of ${SCOPES.join(', ')}` })
  scope?: DelayStatsScope;
}
