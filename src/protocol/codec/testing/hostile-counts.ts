/**
 * Length and count fields a hostile or broken peer writes: values that would make a
 * careless decoder allocate gigabytes or loop forever. Fuzzers splice them into frames.
 */
export const HOSTILE_COUNTS: readonly Buffer[] = [
  Buffer.from([0x7f, 0xff, 0xff, 0xff]), // int32 2^31-1
  Buffer.from([0x80, 0x00, 0x00, 0x00]), // int32 -2^31
  Buffer.from([0xff, 0xff, 0xff, 0xfe]), // int32 -2
  Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08]), // unsigned varint 2^31
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), // unsigned varint 2^32-1
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // over-long varint
  Buffer.from([0x7f, 0xff]), // int16 32767
];
