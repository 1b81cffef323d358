import { crc32c as nativeCrc32c } from '@node-rs/crc32';
import { randomBytes } from 'node:crypto';
import { crc32c } from './crc32c';
import { crc32cSoftware } from './crc32c-software';

describe('crc32c', () => {
  it('gives the standard check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32cSoftware(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('agrees with the native implementation on every size around the dispatch threshold and on sub-ranges', () => {
    const data = randomBytes(5_000);
    for (const size of [0, 1, 7, 8, 9, 61, 255, 511, 512, 513, 1024, 4_997]) {
      const expected = nativeCrc32c(data.subarray(3, 3 + size)) >>> 0;
      expect(crc32c(data, 3, 3 + size)).toBe(expected);
      expect(crc32cSoftware(data, 3, 3 + size)).toBe(expected);
    }
  });
});
