import { FieldSpec, Fields, isFieldSpec } from './schema';
import { inVersionRange, isEmptyRange, parseVersionRange } from './version-range';

/**
 * A struct declaration compiled for one version: a flat list of steps in wire order
 * with everything the version decides already resolved — present or absent, regular
 * or tagged, compact or classic, nullable or not, the default to fill in. The encoder
 * and decoder walk these steps and never look at a version range.
 *
 * Why interpret a compiled plan rather than generate code (`new Function`) from the
 * declarations: the plan walk is a small monomorphic switch V8 optimises well, and
 * keeps the codec debuggable, free of eval (no CSP or source-map trouble) and in one
 * place where every bound check can be read. Generated code would shave the switch
 * dispatch per field; Produce and Fetch spend their bytes in `records`, which both
 * schemes pass through as zero-copy slices, so the difference does not matter there.
 */
export enum Kind {
  Bool,
  Int8,
  Int16,
  Uint16,
  Int32,
  Uint32,
  Int64,
  Float64,
  Uuid,
  String,
  Bytes,
  Records,
  Array,
  Struct,
}

export enum Mode {
  /** Written in declaration order in the struct body. */
  Regular,
  /** Written in the struct's tagged-field section, and only when it differs from its default. */
  Tagged,
  /** Not part of this version: decoded as its default, ignored when encoding. */
  Absent,
}

export interface FieldStep {
  readonly name: string;
  /** `Fetch request v12 topics[].partitions[].fetchOffset`, for error messages. */
  readonly label: string;
  readonly kind: Kind;
  readonly mode: Mode;
  /** Compact (unsigned varint N+1) length prefix instead of the classic int16/int32 one. */
  readonly compact: boolean;
  readonly nullable: boolean;
  readonly tag: number;
  /** Element step, for arrays. */
  readonly item: FieldStep | null;
  /** Nested plan, for structs. */
  readonly struct: StructPlan | null;
  /** Fewest bytes the field can take on the wire (bounds array counts before allocating). */
  readonly minSize: number;
  /** The default when nothing is given; `defaultValue()` returns a fresh copy for arrays and structs. */
  readonly defaultIsShared: boolean;
  readonly sharedDefault: unknown;
  defaultValue(): unknown;
  /** One default instance kept for comparisons (tagged fields equal to it are not written); never handed out. */
  readonly comparableDefault: unknown;
  /**
   * What the encoder writes for an undefined value: the default, except that a field
   * defaulting to null (nullable in some versions) gets its empty value in versions
   * where it is not nullable, so callers may leave out fields their version lacks.
   */
  readonly encodeDefault: unknown;
}

export interface StructPlan {
  readonly label: string;
  readonly version: number;
  /** Has a tagged-field section after its regular fields. */
  readonly flexible: boolean;
  /** Every declared field in declaration order (decoded objects get a stable shape). */
  readonly fields: readonly FieldStep[];
  /** Only the Regular fields, in wire order. */
  readonly regular: readonly FieldStep[];
  /** Only the Tagged fields, sorted by tag (Kafka writes them in ascending tag order). */
  readonly tagged: readonly FieldStep[];
  readonly taggedByTag: ReadonlyMap<number, FieldStep>;
  readonly minSize: number;
}

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const EMPTY_BUFFER = Buffer.alloc(0);

const KINDS: Record<string, Kind> = {
  bool: Kind.Bool,
  int8: Kind.Int8,
  int16: Kind.Int16,
  uint16: Kind.Uint16,
  int32: Kind.Int32,
  uint32: Kind.Uint32,
  int64: Kind.Int64,
  float64: Kind.Float64,
  uuid: Kind.Uuid,
  string: Kind.String,
  bytes: Kind.Bytes,
  records: Kind.Records,
  array: Kind.Array,
  struct: Kind.Struct,
};

const FIXED_SIZE: Partial<Record<Kind, number>> = {
  [Kind.Bool]: 1,
  [Kind.Int8]: 1,
  [Kind.Int16]: 2,
  [Kind.Uint16]: 2,
  [Kind.Int32]: 4,
  [Kind.Uint32]: 4,
  [Kind.Int64]: 8,
  [Kind.Float64]: 8,
  [Kind.Uuid]: 16,
};

const planCache = new WeakMap<object, Map<number, StructPlan>>();

/**
 * The plan of `fields` at `version`; `flexible` says whether the message is flexible
 * at that version. Cached per declaration object, so each (struct, version) compiles once.
 */
export function compileStruct(fields: Fields, version: number, flexible: boolean, label = 'struct'): StructPlan {
  let byVersion = planCache.get(fields);
  if (!byVersion) {
    byVersion = new Map();
    planCache.set(fields, byVersion);
  }
  const key = version * 2 + (flexible ? 1 : 0);
  let plan = byVersion.get(key);
  if (!plan) {
    plan = buildStruct(fields, version, flexible, label);
    byVersion.set(key, plan);
  }
  return plan;
}

function buildStruct(fields: Fields, version: number, flexible: boolean, label: string): StructPlan {
  const steps: FieldStep[] = [];
  const tags = new Map<number, FieldStep>();
  for (const [name, spec] of Object.entries(fields)) {
    if (!isFieldSpec(spec)) throw new Error(`${label}.${name}: not a field declaration (use the t.* builders)`);
    const step = buildStep(name, `${label}.${name}`, spec, version, flexible);
    if (step.mode === Mode.Tagged) {
      if (tags.has(step.tag)) throw new Error(`${label}: tag ${step.tag} used by both ${tags.get(step.tag)!.name} and ${name}`);
      tags.set(step.tag, step);
    }
    steps.push(step);
  }
  const regular = steps.filter((s) => s.mode === Mode.Regular);
  const tagged = steps.filter((s) => s.mode === Mode.Tagged).sort((a, b) => a.tag - b.tag);
  const minSize = regular.reduce((n, s) => n + s.minSize, 0) + (flexible ? 1 : 0);
  return { label, version, flexible, fields: steps, regular, tagged, taggedByTag: tags, minSize };
}

function buildStep(name: string, label: string, spec: FieldSpec, version: number, flexible: boolean): FieldStep {
  const kind = KINDS[spec.kind];
  if (kind === undefined) throw new Error(`${label}: unknown field kind '${spec.kind}'`);
  parseVersionRange(spec.versions);
  const present = inVersionRange(spec.versions, version);
  let mode = present ? Mode.Regular : Mode.Absent;
  if (spec.tag !== undefined) {
    if (!Number.isInteger(spec.tag) || spec.tag < 0) throw new Error(`${label}: tag must be a non-negative integer`);
    if (present && flexible && inVersionRange(spec.taggedVersions ?? spec.versions, version)) mode = Mode.Tagged;
  }
  const compact = spec.flexibleVersions !== undefined ? inVersionRange(spec.flexibleVersions, version) : flexible;
  const nullableSomewhere = !isEmptyRange(spec.nullableVersions);
  // Records are always nullable on the wire (a Fetch partition without data sends null).
  const nullable = kind === Kind.Records || inVersionRange(spec.nullableVersions, version);
  if (nullableSomewhere && FIXED_SIZE[kind] !== undefined) throw new Error(`${label}: a ${spec.kind} cannot be nullable`);

  let item: FieldStep | null = null;
  let struct: StructPlan | null = null;
  if (kind === Kind.Array) {
    if (!spec.items) throw new Error(`${label}: array without an element declaration`);
    // Elements are never null; they follow the array's compactness and the message version.
    item = buildStep(name, `${label}[]`, { ...spec.items, versions: '0+', nullableVersions: undefined, tag: undefined, flexibleVersions: spec.flexibleVersions }, version, flexible);
  } else if (kind === Kind.Struct) {
    if (!spec.fields) throw new Error(`${label}: struct without fields`);
    struct = compileStruct(spec.fields, version, flexible, label);
  }

  const minSize = nullable && kind === Kind.Struct ? 1 : wireMinSize(kind, compact, struct);
  const { shared, isShared, make } = defaultOf(spec, kind, nullableSomewhere, version, flexible, label);
  const comparableDefault = isShared ? shared : make();
  const encodeDefault = comparableDefault === null && !nullable ? emptyValue(kind, struct) : comparableDefault;
  return {
    name,
    label,
    kind,
    mode,
    compact,
    nullable,
    tag: spec.tag ?? -1,
    item,
    struct,
    minSize,
    defaultIsShared: isShared,
    sharedDefault: shared,
    defaultValue: make,
    comparableDefault,
    encodeDefault,
  };
}

function wireMinSize(kind: Kind, compact: boolean, struct: StructPlan | null): number {
  const fixed = FIXED_SIZE[kind];
  if (fixed !== undefined) return fixed;
  switch (kind) {
    case Kind.String:
      return compact ? 1 : 2;
    case Kind.Bytes:
    case Kind.Records:
    case Kind.Array:
      return compact ? 1 : 4;
    default:
      return struct!.minSize;
  }
}

function defaultOf(
  spec: FieldSpec,
  kind: Kind,
  nullable: boolean,
  version: number,
  flexible: boolean,
  label: string,
): { shared: unknown; isShared: boolean; make: () => unknown } {
  if (spec.default !== undefined) {
    const d = spec.default;
    if (Array.isArray(d)) return { shared: d, isShared: false, make: () => d.slice() };
    if (d !== null && typeof d === 'object' && !Buffer.isBuffer(d)) return { shared: d, isShared: false, make: () => ({ ...d }) };
    return constant(d);
  }
  switch (kind) {
    case Kind.Bool:
      return constant(false);
    case Kind.Uuid:
      return constant(ZERO_UUID);
    case Kind.String:
      return constant(nullable ? null : '');
    case Kind.Bytes:
      return constant(nullable ? null : EMPTY_BUFFER);
    case Kind.Records:
      return constant(null);
    case Kind.Array:
      return { shared: [], isShared: false, make: () => [] };
    case Kind.Struct: {
      if (nullable) return constant(null);
      const plan = compileStruct(spec.fields!, version, flexible, label);
      return { shared: undefined, isShared: false, make: () => defaultStruct(plan) };
    }
    default:
      return constant(0);
  }
}

function emptyValue(kind: Kind, struct: StructPlan | null): unknown {
  switch (kind) {
    case Kind.String:
      return '';
    case Kind.Bytes:
      return EMPTY_BUFFER;
    case Kind.Array:
      return [];
    case Kind.Struct:
      return defaultStruct(struct!);
    default:
      return null;
  }
}

function constant(v: unknown): { shared: unknown; isShared: boolean; make: () => unknown } {
  return { shared: v, isShared: true, make: () => v };
}

const flatTemplates = new WeakMap<StructPlan, Record<string, unknown> | null>();

/** A struct with every field at its default, shaped like a decoded one. */
export function defaultStruct(plan: StructPlan): Record<string, unknown> {
  let template = flatTemplates.get(plan);
  if (template === undefined) {
    // When every default is a shared primitive, one spread copies the whole struct.
    template = plan.fields.every((f) => f.defaultIsShared) ? buildDefault(plan) : null;
    flatTemplates.set(plan, template);
  }
  return template ? { ...template } : buildDefault(plan);
}

function buildDefault(plan: StructPlan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of plan.fields) out[f.name] = f.defaultIsShared ? f.sharedDefault : f.defaultValue();
  return out;
}
