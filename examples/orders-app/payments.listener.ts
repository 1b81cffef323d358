import { Injectable, Logger } from '@nestjs/common';
import { Ack, KafkaListener, Record, type Acknowledgment, type ConsumerRecord } from 'kafkanest';
import { OrderBook } from './order-book';
import type { PaymentDto } from './order.dto';

/**
 * Settles payments from the `payments` topic. The offset is committed only after
 * ack.acknowledge(), so a payment whose settlement never finished (the app crashed,
 * or the call below threw) is delivered again after a restart instead of being lost.
 */
@Injectable()
export class PaymentsListener {
  private readonly logger = new Logger(PaymentsListener.name);

  constructor(private readonly book: OrderBook) {}

  @KafkaListener({ id: 'payments', topics: ['payments'], groupId: 'payments-app' })
  async settle(@Record() record: ConsumerRecord<string, PaymentDto>, @Ack() ack: Acknowledgment): Promise<void> {
    await this.chargeCard(record.value);
    this.book.settledPayments.push({ ...record.value, offset: record.offset });
    ack.acknowledge();
    this.logger.log(`Settled payment of ${record.value.amount} for order ${record.value.orderId} (offset ${record.offset})`);
  }

  /** Stands in for the call to a payment provider. */
  private async chargeCard(payment: PaymentDto): Promise<void> {
    await Promise.resolve(payment);
  }
}
