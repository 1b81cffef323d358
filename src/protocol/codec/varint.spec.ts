import { readUnsignedVarint, readVarint, readVarlong, unsignedVarintSize, varintSize, writeUnsignedVarint, writeVarint, writeVarlong } from './varint';
import { ProtocolError } from '../protocol-error';

describe('varint', () => {
  it('round-trips zigzag varints at the int32 edges', () => {
    for (const v of [0, -1, 1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31)]) {
      const buf = Buffer.alloc(10);
      const end = writeVarint(buf, 0, v);
      expect(end).toBe(varintSize(v));
      const cursor = { offset: 0 };
      expect(readVarint(buf, cursor)).toBe(v);
      expect(cursor.offset).toBe(end);
    }
  });

  it('round-trips varlongs up to 2^53', () => {
    for (const v of [0, -1, 2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER >> 1, 1700000000000]) {
      const buf = Buffer.alloc(10);
      const end = writeVarlong(buf, 0, v);
      const cursor = { offset: 0 };
      expect(readVarlong(buf, cursor)).toBe(v);
      expect(cursor.offset).toBe(end);
    }
  });

  it('matches the protobuf encoding of known values', () => {
    const buf = Buffer.alloc(5);
    expect(buf.subarray(0, writeUnsignedVarint(buf, 0, 300))).toEqual(Buffer.from([0xac, 0x02]));
    expect(unsignedVarintSize(2 ** 32 - 1)).toBe(5);
    expect(buf.subarray(0, writeVarint(buf, 0, -1))).toEqual(Buffer.from([0x01]));
  });

  it('rejects truncated and over-long varints with a ProtocolError', () => {
    expect(() => readUnsignedVarint(Buffer.from([0x80, 0x80]), { offset: 0 })).toThrow(ProtocolError);
    expect(() => readUnsignedVarint(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), { offset: 0 })).toThrow(ProtocolError);
    expect(() => readUnsignedVarint(Buffer.from([0x81, 0x01]), { offset: 0 }, 1)).toThrow(ProtocolError);
  });
});
