import { convertValue, parseDataSizeBytes, parseDurationMs, ValueKindError } from './config-value-kinds';

describe('convertValue', () => {
  it('reads integers from YAML numbers and from strings', () => {
    expect(convertValue('int', 3)).toBe(3);
    expect(convertValue('int', ' -3 ')).toBe(-3);
  });

  it('rejects fractions and words as integers', () => {
    expect(() => convertValue('int', 1.5)).toThrow('must be an integer');
    expect(() => convertValue('int', 'ten')).toThrow('must be an integer');
  });

  it('bounds int to 32 bits and long to the safe integer range', () => {
    expect(() => convertValue('int', 2147483648)).toThrow('must be a 32-bit integer');
    expect(convertValue('long', '4294967296')).toBe(4294967296);
    expect(() => convertValue('long', '9007199254740993')).toThrow(ValueKindError);
  });

  it('reads Long.MAX_VALUE as unset where Kafka uses it for "no limit"', () => {
    expect(convertValue('long', '9223372036854775807', { longMaxMeansUnset: true })).toBeUndefined();
    // What YAML makes of 9223372036854775807: the nearest double, 2^63.
    expect(convertValue('long', 2 ** 63, { longMaxMeansUnset: true })).toBeUndefined();
  });

  it('reads booleans case-insensitively and nothing else', () => {
    expect(convertValue('boolean', 'TRUE')).toBe(true);
    expect(convertValue('boolean', false)).toBe(false);
    expect(() => convertValue('boolean', 'yes')).toThrow('must be true or false');
  });

  it('reads a list from a YAML sequence or a comma string, dropping blanks', () => {
    expect(convertValue('list', ['a', ' b '])).toEqual(['a', 'b']);
    expect(convertValue('list', 'a, b,,c')).toEqual(['a', 'b', 'c']);
    expect(() => convertValue('list', [{ a: 1 }])).toThrow('must be a list of plain values');
  });

  it('reads scalars as strings but refuses a list for a single value', () => {
    expect(convertValue('string', 1)).toBe('1');
    expect(() => convertValue('string', ['a'])).toThrow('must be a single value');
  });
});

describe('parseDurationMs', () => {
  it.each([
    [500, 500],
    ['500', 500],
    ['500ms', 500],
    ['5s', 5000],
    ['2m', 120000],
    ['1h', 3600000],
    ['1d', 86400000],
    ['1500us', 1.5],
    ['PT5S', 5000],
    ['PT1M30S', 90000],
    ['P1DT1H', 90000000],
    ['pt0.5s', 500],
  ])('reads %p as %p ms', (raw, ms) => {
    expect(parseDurationMs(raw)).toBe(ms);
  });

  it.each(['5 seconds', 'PT', 's', ''])('rejects %p', (raw) => {
    expect(() => parseDurationMs(raw)).toThrow('must be a duration such as 500ms, 5s');
  });
});

describe('parseDataSizeBytes', () => {
  it('reads bytes and binary units', () => {
    expect(parseDataSizeBytes(16384)).toBe(16384);
    expect(parseDataSizeBytes('16KB')).toBe(16384);
    expect(parseDataSizeBytes('32mb')).toBe(33554432);
    expect(parseDataSizeBytes('1B')).toBe(1);
  });

  it('rejects unknown units', () => {
    expect(() => parseDataSizeBytes('16KiB')).toThrow('must be a data size such as 16384, 16KB or 32MB');
  });
});
