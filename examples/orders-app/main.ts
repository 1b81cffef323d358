import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  // On Ctrl-C the listeners finish the record in hand, commit, leave their groups, and
  // the template flushes what it still buffers.
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  Logger.log(`orders-app listening on http://localhost:${port}`, 'OrdersApp');
}

void bootstrap();
