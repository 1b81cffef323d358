import { parseArgs } from 'node:util';
import { UsageError } from './cli-command';

/** `--config FILE` and repeated `--set key=value`, shared by every command that reads application.yml. */
export interface ConfigFlags {
  readonly configFile?: string;
  readonly sets: readonly string[];
  readonly help: boolean;
}

export const CONFIG_FLAGS_USAGE = [
  '  -c, --config FILE      configuration file (default: ./application.yml if present);',
  '                         application-{profile}.yml beside it is read for each profile',
  '                         in KAFKANEST_PROFILES_ACTIVE',
  '  -s, --set KEY=VALUE    override one key; repeatable; wins over files and environment',
  '  -h, --help             show this help',
].join('\n');

export function parseConfigFlags(args: readonly string[]): ConfigFlags {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: {
        config: { type: 'string', short: 'c' },
        set: { type: 'string', short: 's', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    return { configFile: values.config, sets: values.set ?? [], help: values.help ?? false };
  } catch (error) {
    // node:util's messages are already one readable line (unknown option, missing value).
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
