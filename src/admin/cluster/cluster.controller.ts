import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminKafkaClients } from '../kafka/admin-kafka-clients';
import { BrokerView, ClusterView } from './cluster.views';

@ApiTags('cluster')
@Controller('api')
export class ClusterController {
  constructor(private readonly clients: AdminKafkaClients) {}

  @Get('cluster')
  @ApiOkResponse({ type: ClusterView, description: 'Cluster id, the controller and the live brokers (DescribeCluster)' })
  async cluster(): Promise<ClusterView> {
    const admin = await this.clients.admin();
    const { clusterId, controllerId, brokers } = await admin.describeCluster();
    return {
      clusterId,
      controllerId,
      brokers: brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port, rack: b.rack, controller: b.nodeId === controllerId })).sort((a, b) => a.id - b.id),
    };
  }

  @Get('brokers')
  @ApiOkResponse({ type: [BrokerView], description: 'The live brokers with their advertised address and rack' })
  async brokers(): Promise<BrokerView[]> {
    return [...(await this.cluster()).brokers];
  }
}
