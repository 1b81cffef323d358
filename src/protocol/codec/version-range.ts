import { VersionRange } from './schema';

/**
 * Kafka's version-range notation ('0+', '3-7', '5', 'none') parsed once into
 * inclusive bounds. Plans are compiled per version, so a range is only ever
 * consulted while compiling, never while encoding or decoding.
 */
export interface ParsedRange {
  readonly min: number;
  /** Inclusive; Infinity for open ranges ('3+'). */
  readonly max: number;
}

const NONE: ParsedRange = { min: 1, max: 0 };
const cache = new Map<string, ParsedRange>();

export function parseVersionRange(range: VersionRange | undefined): ParsedRange {
  if (range === undefined || range === '' || range === 'none') return NONE;
  let parsed = cache.get(range);
  if (parsed) return parsed;
  const m = /^(\d+)(?:(\+)|-(\d+))?$/.exec(range.trim());
  if (!m) throw new Error(`invalid version range '${range}' (expected '0+', '3-7', '5' or 'none')`);
  const min = Number(m[1]);
  const max = m[2] ? Infinity : m[3] !== undefined ? Number(m[3]) : min;
  if (max < min) throw new Error(`invalid version range '${range}': upper bound below lower bound`);
  parsed = { min, max };
  cache.set(range, parsed);
  return parsed;
}

export function inVersionRange(range: VersionRange | undefined, version: number): boolean {
  const r = parseVersionRange(range);
  return version >= r.min && version <= r.max;
}

export function isEmptyRange(range: VersionRange | undefined): boolean {
  const r = parseVersionRange(range);
  return r.min > r.max;
}

/** The highest version of a range, for ranges that have one (validVersions always do). */
export function highestVersion(range: VersionRange): number {
  const r = parseVersionRange(range);
  if (!Number.isFinite(r.max)) throw new Error(`version range '${range}' has no upper bound`);
  return r.max;
}

export function lowestVersion(range: VersionRange): number {
  return parseVersionRange(range).min;
}
