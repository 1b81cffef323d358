import {
  deletedPartitionDirName,
  filenamePrefixFromOffset,
  isDeletedPartitionDir,
  isLeftoverFile,
  logFile,
  offsetFromSegmentFileName,
  parsePartitionDirName,
  timeIndexFile,
} from './log-file-names';

describe('log file names', () => {
  it('spells segment files with the 20-digit base offset, as Kafka does', () => {
    expect(filenamePrefixFromOffset(0)).toBe('00000000000000000000');
    expect(logFile('/d', 1234)).toBe('/d/00000000000000001234.log');
    expect(timeIndexFile('/d', 1234, '.deleted')).toBe('/d/00000000000000001234.timeindex.deleted');
    expect(offsetFromSegmentFileName('00000000000000001234.log', '.log')).toBe(1234);
    expect(offsetFromSegmentFileName('00000000000000001234.log.deleted', '.log')).toBeUndefined();
    expect(offsetFromSegmentFileName('1234.log', '.log')).toBeUndefined();
  });

  it('parses partition dirs of topics with dashes and dots at the last dash', () => {
    expect(parsePartitionDirName('my-topic.v2-11')).toEqual({ topic: 'my-topic.v2', partition: 11 });
    expect(parsePartitionDirName('no_partition')).toBeUndefined();
    expect(parsePartitionDirName('topic-x')).toBeUndefined();
  });

  it('names deleted partition dirs {topic}-{p}.{uuid without dashes}-delete', () => {
    const name = deletedPartitionDirName({ topic: 'a-b', partition: 3 });
    expect(name).toMatch(/^a-b-3\.[0-9a-f]{32}-delete$/);
    expect(isDeletedPartitionDir(name)).toBe(true);
    expect(isDeletedPartitionDir('a-b-3')).toBe(false);
  });

  it('recognises leftovers of interrupted deletes and checkpoint writes', () => {
    expect(['x.log.deleted', 'x.index.cleaned', 'x.log.swap', 'recovery-point-offset-checkpoint.tmp'].every(isLeftoverFile)).toBe(true);
    expect(isLeftoverFile('00000000000000000000.log')).toBe(false);
  });
});
