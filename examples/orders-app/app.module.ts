import { join } from 'node:path';
import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { FixedBackOff, KafkaModule } from 'kafkanest';
import { OrderBook } from './order-book';
import { OrdersController } from './orders.controller';
import { OrdersListener } from './orders.listener';
import { PaymentsListener } from './payments.listener';

@Module({
  imports: [
    KafkaModule.forRoot({
      // kafka.* from this example's application.yml (overridable by KAFKA_* environment
      // variables), not from the broker's application.yml in the working directory.
      config: join(__dirname, 'application.yml'),
      listener: {
        // A failing record is delivered twice more, half a second apart, then published
        // to {topic}.DLT (Spring's DefaultErrorHandler with a DeadLetterPublishingRecoverer).
        errorHandler: { backOff: new FixedBackOff(500, 2) },
      },
    }),
  ],
  controllers: [OrdersController],
  providers: [
    OrderBook,
    OrdersListener,
    PaymentsListener,
    // Every @Body() is checked against its DTO's class-validator rules; unknown fields are refused.
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }) },
  ],
})
export class AppModule {}
