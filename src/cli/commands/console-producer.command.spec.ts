import { UsageError } from '../cli-command';
import { lineFormat, parseLine } from './console-producer.command';

describe("console-producer's line format (Kafka's LineMessageReader)", () => {
  it('sends the whole line as the value by default', () => {
    expect(parseLine('a\tb:c', 1, lineFormat(new Map()))).toEqual({ key: undefined, value: 'a\tb:c', headers: undefined });
  });

  it('splits key and value at the first key.separator', () => {
    const format = lineFormat(new Map([['parse.key', 'true'], ['key.separator', '::']]));
    expect(parseLine('k::v::w', 1, format)).toEqual({ key: 'k', value: 'v::w', headers: undefined });
    expect(parseLine('no separator', 3, format)).toBe("No key separator found on line number 3: 'no separator'");
  });

  it('reads headers before the key and value, with null.marker for null values', () => {
    const format = lineFormat(
      new Map([
        ['parse.key', 'true'],
        ['key.separator', ':'],
        ['parse.headers', 'true'],
        ['null.marker', 'NULL'],
      ]),
    );
    expect(parseLine('h1:v1,h2:NULL\tNULL:NULL', 1, format)).toEqual({
      key: null,
      value: null,
      headers: [
        { key: 'h1', value: 'v1' },
        { key: 'h2', value: null },
      ],
    });
    expect(parseLine('\tk:v', 1, format)).toEqual({ key: 'k', value: 'v', headers: [] });
    expect(parseLine('h1-v1\tk:v', 2, format)).toBe("No header key separator found in pair 'h1-v1' on line number 2");
    expect(parseLine('k:v', 4, format)).toBe("No headers delimiter found on line number 4: 'k:v'");
  });

  it('with ignore.error sends a line without key separator as a keyless value', () => {
    const format = lineFormat(new Map([['parse.key', 'true'], ['ignore.error', 'true']]));
    expect(parseLine('just a value', 1, format)).toEqual({ key: undefined, value: 'just a value', headers: undefined });
  });

  it('refuses unknown properties and empty separators', () => {
    expect(() => lineFormat(new Map([['parse.keys', 'true']]))).toThrow(UsageError);
    expect(() => lineFormat(new Map([['headers.separator', '']]))).toThrow(/headers.separator must not be empty/);
  });
});
