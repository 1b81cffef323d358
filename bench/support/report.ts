/**
 * Every benchmark ends with exactly one line: a JSON object of its figures, so a
 * script can take the last line of `npm run bench -- name` and compare runs.
 * `environment()` records what the figures depend on.
 */
import { cpus } from 'node:os';

export function environment(): Record<string, string | number> {
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' };
}

export function printFinalJson(benchmark: string, figures: Record<string, unknown>): void {
  const round = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(4)) : value);
  console.log(JSON.stringify({ benchmark, at: new Date().toISOString(), environment: environment(), ...figures }, round));
}
