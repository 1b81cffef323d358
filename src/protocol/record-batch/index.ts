export * from './control-record';
export * from './crc32c';
export * from './record-batch-errors';
export * from './record-batch-encoder';
export * from './record-batch-layout';
export * from './record-batch-splitter';
export * from './record-batch-view';
export * from './record-reader';
