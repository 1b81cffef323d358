import { defineApi, t } from '../schema';

/**
 * Test-only declarations that prove the engine independently of the real schemas:
 * an ApiVersions look-alike (Kafka 3.9's field layout) and a "kitchen sink" that uses
 * every kind, nullable and tagged form, a per-field flexibleVersions override, a
 * nullable struct and fields that come and go between versions.
 */
export const SampleApiVersionsApi = defineApi({
  apiKey: 18,
  name: 'SampleApiVersions',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: {
    clientSoftwareName: t.string('3+'),
    clientSoftwareVersion: t.string('3+'),
  },
  response: {
    errorCode: t.int16(),
    apiKeys: t.array({ apiKey: t.int16(), minVersion: t.int16(), maxVersion: t.int16() }),
    throttleTimeMs: t.int32('1+'),
    supportedFeatures: t.array({ name: t.string('3+'), minVersion: t.int16('3+'), maxVersion: t.int16('3+') }, '3+', {
      tag: 0,
      taggedVersions: '3+',
    }),
    finalizedFeaturesEpoch: t.int64('3+', { tag: 1, taggedVersions: '3+', default: -1 }),
    finalizedFeatures: t.array({ name: t.string('3+'), maxVersionLevel: t.int16('3+'), minVersionLevel: t.int16('3+') }, '3+', {
      tag: 2,
      taggedVersions: '3+',
    }),
    zkMigrationReady: t.bool('3+', { tag: 3, taggedVersions: '3+' }),
  },
});

export const KitchenSinkApi = defineApi({
  apiKey: 9000,
  name: 'KitchenSink',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: {
    flag: t.bool(),
    tiny: t.int8(),
    small: t.int16(),
    port: t.uint16('2+'),
    count: t.int32(),
    unsigned: t.uint32(),
    offset: t.int64('0+', { default: -1 }),
    ratio: t.float64('1+'),
    topicId: t.uuid(),
    name: t.string(),
    maybeName: t.string('0+', { nullable: '1+' }),
    alwaysClassic: t.string('0+', { nullable: '0+', flexibleVersions: 'none' }),
    data: t.bytes('0+', { nullable: '2+' }),
    records: t.records(),
    ints: t.array(t.int32()),
    names: t.array(t.string(), '0+', { nullable: '3+' }),
    nested: t.array({
      a: t.int16(),
      b: t.string('2+'),
      inner: t.array({ x: t.int64() }),
      note: t.string('3+', { tag: 0, taggedVersions: '3+', nullable: '3+', default: null }),
    }),
    optional: t.struct({ p: t.int32(), q: t.string() }, '1+', { nullable: '2+' }),
    required: t.struct({ r: t.bool(), s: t.int32('2+', { default: 7 }) }),
    removed: t.int32('0-1', { default: 42 }),
    taggedInt: t.int32('3+', { tag: 5, taggedVersions: '3+', default: -1 }),
    taggedList: t.array({ k: t.string('3+') }, '3+', { tag: 1, taggedVersions: '3+' }),
    taggedStruct: t.struct({ e: t.int32('3+', { default: -1 }), f: t.int64('3+', { default: -1 }) }, '3+', {
      tag: 2,
      taggedVersions: '3+',
    }),
    taggedBytes: t.bytes('3+', { tag: 3, taggedVersions: '3+', nullable: '3+', default: null }),
    taggedUuid: t.uuid('4+', { tag: 4, taggedVersions: '4+' }),
  },
  response: {
    throttleTimeMs: t.int32(),
    errorCode: t.int16(),
    partitions: t.array({ index: t.int32(), records: t.records('0+', { nullable: '0+' }), error: t.string('1+', { nullable: '1+', default: null }) }),
  },
});

export const SAMPLE_APIS = [SampleApiVersionsApi, KitchenSinkApi];
