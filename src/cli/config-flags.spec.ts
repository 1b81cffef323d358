import { UsageError } from './cli-command';
import { parseConfigFlags } from './config-flags';

describe('parseConfigFlags', () => {
  it('collects --config and every --set in order', () => {
    expect(parseConfigFlags(['--config', 'a.yml', '--set', 'x=1', '-s', 'y=2', '--set=z=3'])).toEqual({ configFile: 'a.yml', sets: ['x=1', 'y=2', 'z=3'], help: false });
  });

  it('defaults to no file and no overrides', () => {
    expect(parseConfigFlags([])).toEqual({ configFile: undefined, sets: [], help: false });
  });

  it('turns an unknown option or stray argument into a UsageError', () => {
    expect(() => parseConfigFlags(['--bogus'])).toThrow(UsageError);
    expect(() => parseConfigFlags(['extra'])).toThrow(UsageError);
    expect(() => parseConfigFlags(['--config'])).toThrow(UsageError);
  });
});
