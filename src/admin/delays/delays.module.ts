import { Module } from '@nestjs/common';
import { BrokerModule } from '../../broker/broker.module';
import { DelaysController } from './delays.controller';

/** The delayed-messages admin endpoint, over the broker's DelayService. */
@Module({
  imports: [BrokerModule],
  controllers: [DelaysController],
})
export class DelaysModule {}
