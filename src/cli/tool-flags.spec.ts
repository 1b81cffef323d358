import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './cli-command';
import { ClientConfigError } from '../client/errors';
import { clientProperties, configuredClient, intFlag, keyValueFlags, listFlag, parseToolFlags, readPropertiesFile } from './tool-flags';

const OPTIONS = { throughput: { type: 'string' }, property: { type: 'string', multiple: true }, sync: { type: 'boolean' } } as const;

describe('parseToolFlags', () => {
  it('takes a negative number after a flag as its value, as Kafka tools do (--throughput -1)', () => {
    expect(parseToolFlags(['--throughput', '-1', '--sync'], OPTIONS)).toMatchObject({ throughput: '-1', sync: true });
    expect(parseToolFlags(['--throughput=-5'], OPTIONS)).toMatchObject({ throughput: '-5' });
  });

  it('keeps repeated flags in order and bare arguments only when allowed', () => {
    const values = parseToolFlags(['--property', 'a=1', '--property', 'b=2', 'x=y'], OPTIONS, true);
    expect(listFlag(values, 'property')).toEqual(['a=1', 'b=2']);
    expect(values._positionals).toEqual(['x=y']);
    expect(() => parseToolFlags(['x=y'], OPTIONS)).toThrow(UsageError);
  });

  it('turns an unknown flag or a missing value into a UsageError', () => {
    expect(() => parseToolFlags(['--nope'], OPTIONS)).toThrow(UsageError);
    expect(() => parseToolFlags(['--throughput'], OPTIONS)).toThrow(/argument missing/);
  });
});

describe('intFlag', () => {
  const values = (raw: string) => parseToolFlags(['--throughput', raw], OPTIONS);

  it('reads integers within bounds and falls back when absent', () => {
    expect(intFlag(values('42'), 'throughput', 0, { min: 1 })).toBe(42);
    expect(intFlag(parseToolFlags([], OPTIONS), 'throughput', 7)).toBe(7);
  });

  it.each([
    ['1.5', /must be an integer, got '1.5'/],
    ['1e3', /must be an integer/],
    ['0', /must be at least 1, got 0/],
    ['99999999999999999999', /must be an integer/],
  ])('refuses %s', (raw, message) => {
    expect(() => intFlag(values(raw), 'throughput', 0, { min: 1 })).toThrow(message);
  });
});

describe('keyValueFlags', () => {
  it('splits at the first = so values may hold one, and refuses entries without a key', () => {
    const values = parseToolFlags(['--property', 'key.separator==', '--property', 'a=b=c'], OPTIONS);
    expect([...keyValueFlags(values, 'property')]).toEqual([
      ['key.separator', '='],
      ['a', 'b=c'],
    ]);
    expect(() => keyValueFlags(parseToolFlags(['--property', '=x'], OPTIONS), 'property')).toThrow(/expects key=value, got '=x'/);
  });
});

describe('readPropertiesFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kafkanest-props-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads Java's key=value and key: value lines, skipping comments and blanks", () => {
    const file = join(dir, 'client.properties');
    writeFileSync(file, '# admin\n! also a comment\n\nclient.id=ops\r\nrequest.timeout.ms: 5000\n  default.api.timeout.ms = 9000\n');
    expect([...readPropertiesFile(file)]).toEqual([
      ['client.id', 'ops'],
      ['request.timeout.ms', '5000'],
      ['default.api.timeout.ms', '9000'],
    ]);
  });

  it('names the file when it cannot be read', () => {
    expect(() => readPropertiesFile(join(dir, 'missing.properties'))).toThrow(/cannot read .*missing\.properties/);
  });
});

describe('clientProperties', () => {
  const FLAGS = { 'producer.config': { type: 'string' }, 'producer-property': { type: 'string', multiple: true } } as const;
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kafkanest-props-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the --X.config file as readPropertiesFile does, then lays each --X-property over it, as Kafka's console tools do", () => {
    const file = join(dir, 'producer.properties');
    writeFileSync(file, '# ops defaults\nacks=1\nlinger.ms: 20\n');
    const values = parseToolFlags(['--producer.config', file, '--producer-property', 'acks=all', '--producer-property', 'batch.size=100'], FLAGS);
    expect([...clientProperties(values, 'producer.config', 'producer-property')]).toEqual([
      ['acks', 'all'],
      ['linger.ms', '20'],
      ['batch.size', '100'],
    ]);
  });

  it('is empty without either flag, and names a file it cannot read', () => {
    expect(clientProperties(parseToolFlags([], FLAGS), 'producer.config', 'producer-property').size).toBe(0);
    const missing = parseToolFlags(['--producer.config', join(dir, 'nope.properties')], FLAGS);
    expect(() => clientProperties(missing, 'producer.config', 'producer-property')).toThrow(/cannot read .*nope\.properties/);
  });
});

describe('configuredClient', () => {
  it("turns a setting the client refuses into a UsageError with the client's message, and lets other failures through", () => {
    const refused = () =>
      configuredClient(() => {
        throw new ClientConfigError('acks=7: must be all, -1, 0 or 1');
      });
    expect(refused).toThrow(UsageError);
    expect(refused).toThrow('acks=7: must be all, -1, 0 or 1');
    expect(() =>
      configuredClient(() => {
        throw new TypeError('a bug');
      }),
    ).toThrow(TypeError);
    expect(configuredClient(() => 42)).toBe(42);
  });
});
