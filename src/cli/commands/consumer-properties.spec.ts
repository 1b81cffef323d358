import { UsageError } from '../cli-command';
import { consumerOptionsFromToolProperties } from './consumer-properties';

describe('consumer properties for the tools (--consumer.config, --consumer-property)', () => {
  it('reads each value as the consumer expects it: numbers, booleans, lists, text', () => {
    const props = new Map([
      ['group.id', 'ops'],
      ['max.poll.records', '10'],
      ['check.crcs', 'false'],
      ['partition.assignment.strategy', 'range, roundrobin'],
      ['auto.offset.reset', 'earliest'],
    ]);
    expect(consumerOptionsFromToolProperties(props)).toEqual({
      'group.id': 'ops',
      'max.poll.records': 10,
      'check.crcs': false,
      'partition.assignment.strategy': ['range', 'roundrobin'],
      'auto.offset.reset': 'earliest',
    });
  });

  it('leaves out what the tool sets itself: the brokers (--bootstrap-server) and the deserializers', () => {
    const props = new Map([
      ['bootstrap.servers', 'elsewhere:9092'],
      ['key.deserializer', 'org.apache.kafka.common.serialization.StringDeserializer'],
      ['value.deserializer', 'org.apache.kafka.common.serialization.StringDeserializer'],
      ['client.id', 'ops-reader'],
    ]);
    expect(consumerOptionsFromToolProperties(props)).toEqual({ 'client.id': 'ops-reader' });
  });

  it('refuses an unknown name and a value of the wrong kind with a usage error naming the property', () => {
    expect(() => consumerOptionsFromToolProperties(new Map([['max.poll.recrods', '5']]))).toThrow(new UsageError("unknown consumer property 'max.poll.recrods'"));
    expect(() => consumerOptionsFromToolProperties(new Map([['session.timeout.ms', '10s']]))).toThrow(UsageError);
    expect(() => consumerOptionsFromToolProperties(new Map([['session.timeout.ms', '10s']]))).toThrow('session.timeout.ms=10s: must be an integer');
  });
});
