import { ApiProperty } from '@nestjs/swagger';

export class BrokerView {
  @ApiProperty({ example: 0 }) readonly id!: number;
  @ApiProperty({ example: '127.0.0.1' }) readonly host!: string;
  @ApiProperty({ example: 9092 }) readonly port!: number;
  @ApiProperty({ example: null, nullable: true, type: String }) readonly rack!: string | null;
  @ApiProperty({ description: 'Whether this broker is the controller' }) readonly controller!: boolean;
}

export class ClusterView {
  @ApiProperty({ example: 'z88H6ZogRv-6wxDsAPWL6Q', nullable: true, type: String }) readonly clusterId!: string | null;
  @ApiProperty({ example: 0, description: '-1 while no controller is elected' }) readonly controllerId!: number;
  @ApiProperty({ type: [BrokerView] }) readonly brokers!: readonly BrokerView[];
}
