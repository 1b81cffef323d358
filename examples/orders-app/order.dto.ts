import { IsInt, IsNotEmpty, IsNumber, IsString, Max, Min } from 'class-validator';

/** An order as POST /orders takes it and as it travels on the `orders` topic (JSON). */
export class OrderDto {
  @IsString()
  @IsNotEmpty()
  id!: string;

  @IsString()
  @IsNotEmpty()
  item!: string;

  @IsInt()
  @Min(1)
  @Max(1000)
  quantity!: number;
}

/** A payment as POST /payments takes it and as it travels on the `payments` topic. */
export class PaymentDto {
  @IsString()
  @IsNotEmpty()
  orderId!: string;

  @IsNumber()
  @Min(0.01)
  amount!: number;
}
