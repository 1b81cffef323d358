import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsIn, IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { IsTopicName, RequiresAlso } from '../http/validators';

/** kafka-consumer-groups.sh --reset-offsets: --to-earliest, --to-latest, --to-datetime, --to-offset. */
export type ResetTarget = 'earliest' | 'latest' | 'timestamp' | 'offset';
const TARGETS: readonly ResetTarget[] = ['earliest', 'latest', 'timestamp', 'offset'];

export class ResetOffsetsDto {
  @ApiProperty({ enum: TARGETS, example: 'earliest' })
  @IsIn(TARGETS)
  to!: ResetTarget;

  @ApiPropertyOptional({ example: 1733560000000, description: "With to=timestamp: the first offset at or after it (the log end when there is none)" })
  @ValidateIf((dto: ResetOffsetsDto) => dto.to === 'timestamp' || dto.timestamp !== undefined)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  timestamp?: number;

  @ApiPropertyOptional({ example: 42, description: 'With to=offset: the offset, clamped to each partition\'s log start and end' })
  @ValidateIf((dto: ResetOffsetsDto) => dto.to === 'offset' || dto.offset !== undefined)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  offset?: number;

  @ApiPropertyOptional({ example: 'orders', description: 'Only this topic (every partition unless `partitions` says); default: every topic the group has offsets for' })
  @IsOptional()
  @IsTopicName()
  topic?: string;

  @ApiPropertyOptional({ example: [0, 2], type: [Number], description: 'With topic: only these partitions' })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsInt({ each: true })
  @Min(0, { each: true })
  @RequiresAlso('topic')
  partitions?: number[];
}
