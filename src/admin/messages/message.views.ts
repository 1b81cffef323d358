import { ApiProperty } from '@nestjs/swagger';
import type { BytesEncoding } from './message.dto';

const ENCODING = { enum: ['utf8', 'base64'], description: 'utf8 when the bytes are valid UTF-8 (and base64 was not asked for), else base64' };

export class MessageHeaderView {
  @ApiProperty({ example: 'trace-id' }) readonly key!: string;
  @ApiProperty({ example: 'abc123', nullable: true, type: String }) readonly value!: string | null;
  @ApiProperty(ENCODING) readonly valueEncoding!: BytesEncoding;
}

export class MessageView {
  @ApiProperty({ example: 0 }) readonly partition!: number;
  @ApiProperty({ example: 42 }) readonly offset!: number;
  @ApiProperty({ example: 1733560000000 }) readonly timestamp!: number;
  @ApiProperty({ enum: ['CreateTime', 'LogAppendTime'] }) readonly timestampType!: string;
  @ApiProperty({ example: 'order-17', nullable: true, type: String }) readonly key!: string | null;
  @ApiProperty(ENCODING) readonly keyEncoding!: BytesEncoding;
  @ApiProperty({ example: '{"total":12.5}', nullable: true, type: String, description: 'null for a tombstone' }) readonly value!: string | null;
  @ApiProperty(ENCODING) readonly valueEncoding!: BytesEncoding;
  @ApiProperty({ type: [MessageHeaderView] }) readonly headers!: readonly MessageHeaderView[];
}

export class MessagePage {
  @ApiProperty({ example: 'orders' }) readonly topic!: string;
  @ApiProperty({ example: 0 }) readonly partition!: number;
  @ApiProperty({ type: [MessageView] }) readonly messages!: readonly MessageView[];
  @ApiProperty({ example: 43, description: 'Where the next page starts: the offset after the last record returned' }) readonly nextOffset!: number;
  @ApiProperty({ example: 1200, description: "The partition's high watermark when the read began" }) readonly highWatermark!: number;
}

export class ProducedMessage {
  @ApiProperty({ example: 'orders' }) readonly topic!: string;
  @ApiProperty({ example: 0 }) readonly partition!: number;
  @ApiProperty({ example: 1200 }) readonly offset!: number;
  @ApiProperty({ example: 1733560000000 }) readonly timestamp!: number;
}
