// A Nest application as a user writes one: KafkaModule.forRoot() with no options, so
// kafka.* comes from application.yml in the working directory, its profile files and
// the environment. Loads the built package main (dist/index.js), sends one record with
// sendDefault and prints its SendResult as one JSON line, then closes the application.
const { join } = require('node:path');
const { NestFactory } = require('@nestjs/core');
const { Module } = require('@nestjs/common');
const { KafkaModule, KafkaTemplate } = require(join(__dirname, '..', '..', 'dist', 'index.js'));

class AppModule {}
Module({ imports: [KafkaModule.forRoot()] })(AppModule);

async function main() {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'], abortOnError: false });
  const template = app.get(KafkaTemplate);
  const result = await template.sendDefault('key-from-child', process.argv[2] || 'from-child');
  process.stdout.write(`${JSON.stringify({ defaultTopic: template.defaultTopic, recordMetadata: result.recordMetadata })}\n`);
  await app.close();
}

main().catch((err) => {
  process.stderr.write(`${err && err.message}\n`);
  process.exit(1);
});
