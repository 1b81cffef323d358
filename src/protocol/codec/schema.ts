/**
 * The vocabulary in which every Kafka message is declared once, as data
 * (src/protocol/schemas/*.schema.ts). Field order is the order of the keys in a
 * struct literal (JS keeps string-key insertion order). Each builder also carries
 * the TypeScript type of the decoded value, so `Infer<typeof X>` gives handlers a
 * typed request/response without a second declaration.
 *
 * Version ranges use the notation of Kafka's message specs: '0+', '3-7', 'none'.
 */

export type VersionRange = string;

export type PrimitiveKind =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'uuid'
  | 'string'
  | 'bytes'
  | 'records';

export type FieldKind = PrimitiveKind | 'array' | 'struct';

export interface FieldOptions<T> {
  /** Versions in which the field may be null (strings, bytes, records, arrays, structs). */
  nullable?: VersionRange;
  /** Tag number: the field is a tagged field in `taggedVersions` (only flexible versions). */
  tag?: number;
  taggedVersions?: VersionRange;
  /** Overrides the message's flexible versions for this field (the request header's client_id is 'none'). */
  flexibleVersions?: VersionRange;
  /** Value when the field is absent in a version or an omitted tagged field. Kind default otherwise. */
  default?: T;
}

export interface FieldSpec<T = unknown> {
  readonly kind: FieldKind;
  readonly versions: VersionRange;
  readonly nullableVersions?: VersionRange;
  readonly tag?: number;
  readonly taggedVersions?: VersionRange;
  readonly flexibleVersions?: VersionRange;
  readonly default?: unknown;
  /** Element spec, for kind 'array'. */
  readonly items?: FieldSpec;
  /** Field specs in wire order, for kind 'struct'. */
  readonly fields?: Readonly<Record<string, FieldSpec>>;
  /** Phantom: the decoded TypeScript type. Never set at run time. */
  readonly __type?: T;
}

export type Fields = Record<string, FieldSpec<any>>;
export type Infer<S> = S extends FieldSpec<infer T> ? T : never;
export type InferFields<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

function spec<T>(kind: FieldKind, versions: VersionRange, opts: FieldOptions<T> = {}, extra: Pick<FieldSpec, 'items' | 'fields'> = {}): FieldSpec<T> {
  return {
    kind,
    versions,
    nullableVersions: opts.nullable,
    tag: opts.tag,
    taggedVersions: opts.taggedVersions,
    flexibleVersions: opts.flexibleVersions,
    default: opts.default,
    ...extra,
  };
}

type Nullable<T, O> = O extends { nullable: VersionRange } ? T | null : T;

/**
 * Field builders. `versions` defaults to '0+'. Example:
 *
 *   topics: t.array({ name: t.string(), partitions: t.array(t.int32()) }, '0+', { nullable: '1+' })
 */
export const t = {
  bool: <O extends FieldOptions<boolean>>(versions = '0+', opts?: O) => spec<boolean>('bool', versions, opts),
  int8: <O extends FieldOptions<number>>(versions = '0+', opts?: O) => spec<number>('int8', versions, opts),
  int16: <O extends FieldOptions<number>>(versions = '0+', opts?: O) => spec<number>('int16', versions, opts),
  uint16: <O extends FieldOptions<number>>(versions = '0+', opts?: O) => spec<number>('uint16', versions, opts),
  int32: <O extends FieldOptions<number>>(versions = '0+', opts?: O) => spec<number>('int32', versions, opts),
  uint32: <O extends FieldOptions<number>>(versions = '0+', opts?: O) => spec<number>('uint32', versions, opts),
  /** int64 decoded as a JS number: offsets, timestamps and producer ids stay below 2^53. */
  int64: <O extends FieldOptions<number>>(versions = '0+', opts?: O) => spec<number>('int64', versions, opts),
  float64: <O extends FieldOptions<number>>(versions = '0+', opts?: O) => spec<number>('float64', versions, opts),
  /** UUID in Kafka's string form (URL-safe base64 of the 16 bytes, no padding). */
  uuid: <O extends FieldOptions<string>>(versions = '0+', opts?: O) => spec<string>('uuid', versions, opts),
  string: <O extends FieldOptions<string | null>>(versions = '0+', opts?: O) =>
    spec<Nullable<string, O>>('string', versions, opts as FieldOptions<Nullable<string, O>>),
  bytes: <O extends FieldOptions<Buffer | null>>(versions = '0+', opts?: O) =>
    spec<Nullable<Buffer, O>>('bytes', versions, opts as FieldOptions<Nullable<Buffer, O>>),
  /** Record batches as raw bytes (a zero-copy slice of the frame); always nullable on the wire. */
  records: (versions = '0+', opts?: FieldOptions<Buffer | null>) => spec<Buffer | null>('records', versions, opts),
  array: <I extends FieldSpec<any> | Fields, O extends FieldOptions<unknown[] | null> = FieldOptions<unknown[] | null>>(
    items: I,
    versions = '0+',
    opts?: O,
  ) =>
    spec<Nullable<Array<I extends FieldSpec<infer E> ? E : I extends Fields ? InferFields<I> : never>, O>>(
      'array',
      versions,
      opts as FieldOptions<any>,
      { items: isFieldSpec(items) ? items : structSpec(items as Fields, '0+') },
    ),
  struct: <F extends Fields, O extends FieldOptions<unknown> = FieldOptions<unknown>>(fields: F, versions = '0+', opts?: O) =>
    spec<Nullable<InferFields<F>, O>>('struct', versions, opts as FieldOptions<any>, { fields }),
};

function structSpec(fields: Fields, versions: VersionRange): FieldSpec {
  return { kind: 'struct', versions, fields };
}

export function isFieldSpec(x: unknown): x is FieldSpec {
  return typeof x === 'object' && x !== null && typeof (x as FieldSpec).kind === 'string' && 'versions' in x;
}

/** One Kafka API: request and response side by side, with the versions we serve. */
export interface ApiSpec<Req extends Fields = Fields, Res extends Fields = Fields> {
  readonly apiKey: number;
  readonly name: string;
  /** The versions we declare (Kafka 3.9's range, less what we never serve). */
  readonly validVersions: VersionRange;
  /** Kafka's flexibleVersions for this API ('none' when it has none). */
  readonly flexibleVersions: VersionRange;
  readonly request: Req;
  readonly response: Res;
}

export type RequestOf<A> = A extends ApiSpec<infer Req, any> ? InferFields<Req> : never;
export type ResponseOf<A> = A extends ApiSpec<any, infer Res> ? InferFields<Res> : never;

export function defineApi<Req extends Fields, Res extends Fields>(api: ApiSpec<Req, Res>): ApiSpec<Req, Res> {
  return api;
}
