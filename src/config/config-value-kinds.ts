/**
 * Turning raw property values (YAML scalars, or strings from env and --set) into typed
 * values. Each failure names the rule the value broke; the binder adds key and source.
 */
export type ValueKind = 'int' | 'long' | 'boolean' | 'string' | 'list' | 'duration' | 'size' | 'map';

export interface ValueKindOptions {
  /**
   * Kafka spells "no limit" for some long settings as Long.MAX_VALUE
   * (log.flush.interval.messages). JavaScript numbers cannot hold it exactly, so any
   * value at or above 2^63-1 reads as unset instead of as a rounded number.
   */
  readonly longMaxMeansUnset?: boolean;
}

export class ValueKindError extends Error {
  override readonly name = 'ValueKindError';
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
/** 2^63 - 1 as the nearest double (2^63): what YAML or Number() makes of Long.MAX_VALUE. */
const LONG_MAX_APPROX = 2 ** 63;
const INTEGER_TEXT = /^[+-]?\d+$/;

export function convertValue(kind: Exclude<ValueKind, 'map'>, raw: unknown, options: ValueKindOptions = {}): unknown {
  switch (kind) {
    case 'int':
      return toInteger(raw, INT_MIN, INT_MAX, 'must be a 32-bit integer');
    case 'long':
      if (options.longMaxMeansUnset && toNumber(raw) >= LONG_MAX_APPROX) return undefined;
      return toInteger(raw, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, `must be an integer between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
    case 'boolean':
      return toBoolean(raw);
    case 'string':
      return toText(raw);
    case 'list':
      return toList(raw);
    case 'duration':
      return parseDurationMs(raw);
    case 'size':
      return parseDataSizeBytes(raw);
  }
}

function toNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && INTEGER_TEXT.test(raw.trim())) return Number(raw.trim());
  return Number.NaN;
}

function toInteger(raw: unknown, min: number, max: number, rule: string): number {
  const value = toNumber(raw);
  if (!Number.isInteger(value)) throw new ValueKindError('must be an integer');
  if (value < min || value > max) throw new ValueKindError(rule);
  return value;
}

function toBoolean(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const text = raw.trim().toLowerCase();
    if (text === 'true') return true;
    if (text === 'false') return false;
  }
  throw new ValueKindError('must be true or false');
}

function toText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw new ValueKindError('must be a single value, not a list or map');
}

/** YAML sequences and comma strings are the same list; blanks are dropped, as Kafka's list type does. */
function toList(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw];
  return items
    .map((item) => {
      if (typeof item === 'object' && item !== null) throw new ValueKindError('must be a list of plain values or a comma-separated string');
      return String(item).trim();
    })
    .filter((item) => item.length > 0);
}

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIMPLE_DURATION = /^([+-]?\d+)\s*(ns|us|ms|s|m|h|d)?$/i;
const ISO_DURATION = /^([+-]?)P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const DURATION_RULE = 'must be a duration such as 500ms, 5s, 1m, PT5S or a number of milliseconds';

/** Spring's Duration binding: a bare number is milliseconds; otherwise `<n><unit>` or ISO-8601. */
export function parseDurationMs(raw: unknown): number {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new ValueKindError(DURATION_RULE);
    return raw;
  }
  const text = typeof raw === 'string' ? raw.trim() : '';
  const simple = SIMPLE_DURATION.exec(text);
  if (simple) return Number(simple[1]) * DURATION_UNITS_MS[(simple[2] ?? 'ms').toLowerCase()];
  const iso = ISO_DURATION.exec(text);
  if (iso && text.length > 2 && !/T$/i.test(text)) {
    const [, sign, days, hours, minutes, seconds] = iso;
    const ms =
      Number(days ?? 0) * DURATION_UNITS_MS.d +
      Number(hours ?? 0) * DURATION_UNITS_MS.h +
      Number(minutes ?? 0) * DURATION_UNITS_MS.m +
      Number(seconds ?? 0) * DURATION_UNITS_MS.s;
    return sign === '-' ? -ms : ms;
  }
  throw new ValueKindError(DURATION_RULE);
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
const DATA_SIZE = /^([+-]?\d+)\s*(B|KB|MB|GB|TB)?$/i;

/** Spring's DataSize binding: a bare number is bytes; units are binary (1KB = 1024 bytes). */
export function parseDataSizeBytes(raw: unknown): number {
  if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
  const match = typeof raw === 'string' ? DATA_SIZE.exec(raw.trim()) : null;
  if (!match) throw new ValueKindError('must be a data size such as 16384, 16KB or 32MB');
  return Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()];
}
