// The package's main export is the SDK for Nest apps:
//   import { KafkaModule, KafkaTemplate, KafkaListener, Acknowledgment, ConsumerRecord } from 'kafkanest'
export * from './client';
