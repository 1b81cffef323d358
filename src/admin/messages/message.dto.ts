import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsAbsentWith, IsBase64WhenEncoded } from '../http/validators';
import { IsArray, IsDefined, IsIn, IsInt, IsOptional, IsString, Max, Min, ValidateIf, ValidateNested } from 'class-validator';

/** The most records one GET returns. */
export const MAX_READ_LIMIT = 1000;
export const DEFAULT_READ_LIMIT = 100;

/** How bytes travel in JSON: `utf8` text, or `base64` for anything else. */
export type BytesEncoding = 'utf8' | 'base64';
const ENCODINGS: readonly BytesEncoding[] = ['utf8', 'base64'];
/** For reads: `auto` shows each field as UTF-8 when it is valid UTF-8, else base64. */
export type ReadEncoding = 'auto' | 'base64';

export class ReadMessagesQuery {
  @ApiProperty({ example: 0 })
  @IsDefined({ message: 'partition is required' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  partition!: number;

  @ApiPropertyOptional({ example: 42, description: 'First offset to return (clamped to the log start). Not with timestamp; neither means the log start.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  offset?: number;

  @ApiPropertyOptional({ example: 1733560000000, description: 'Start at the first record with a timestamp at or after this (ms since the epoch). Not with offset.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  @IsAbsentWith('offset')
  timestamp?: number;

  @ApiPropertyOptional({ example: DEFAULT_READ_LIMIT, maximum: MAX_READ_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_READ_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ enum: ['auto', 'base64'], description: 'auto (default): UTF-8 where the bytes are valid UTF-8, else base64' })
  @IsOptional()
  @IsIn(['auto', 'base64'])
  encoding?: ReadEncoding;
}

export class MessageHeaderDto {
  @ApiProperty({ example: 'trace-id' })
  @IsString()
  key!: string;

  @ApiProperty({ example: 'abc123', nullable: true, type: String })
  @ValidateIf((_, value) => value !== null)
  @IsString()
  value!: string | null;
}

export class ProduceMessageDto {
  @ApiPropertyOptional({ description: "A fixed partition; otherwise the key's partition (murmur2), as Kafka's producer picks it" })
  @IsOptional()
  @IsInt()
  @Min(0)
  partition?: number;

  @ApiPropertyOptional({ example: 'order-17', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @IsBase64WhenEncoded('encoding')
  key?: string | null;

  @ApiProperty({ example: '{"total":12.5}', nullable: true, type: String, description: 'null produces a tombstone' })
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @IsBase64WhenEncoded('encoding')
  value!: string | null;

  @ApiPropertyOptional({ type: [MessageHeaderDto] })
  @IsOptional()
  @IsArray()
  @IsBase64WhenEncoded('encoding')
  @ValidateNested({ each: true })
  @Type(() => MessageHeaderDto)
  headers?: MessageHeaderDto[];

  @ApiPropertyOptional({ example: 1733560000000, description: 'Create time in ms; now when omitted' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  timestamp?: number;

  @ApiPropertyOptional({ enum: ENCODINGS, description: 'How key, value and header values are written: utf8 (default) or base64' })
  @IsOptional()
  @IsIn(ENCODINGS)
  encoding?: BytesEncoding;
}
