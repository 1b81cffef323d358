import { ProgressLine } from './progress-line';

/** A stand-in for process.stdout/stderr that records what is written. */
function fakeStream(isTTY: boolean, columns = 80): NodeJS.WriteStream & { written: string } {
  const stream = { isTTY, columns, written: '', write: (text: string) => ((stream.written += text), true) };
  return stream as unknown as NodeJS.WriteStream & { written: string };
}

describe('ProgressLine', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('on a terminal rewrites one line in place, blanking longer earlier text, and erases it at stop', () => {
    const stream = fakeStream(true);
    const texts = ['1000 records ...', '20 records ...'];
    let calls = 0;
    const progress = new ProgressLine(stream, (tty) => (expect(tty).toBe(true), texts[calls++]), 5000, 250);
    progress.start();
    jest.advanceTimersByTime(250);
    expect(stream.written).toBe('\r1000 records ...');
    jest.advanceTimersByTime(250);
    expect(stream.written).toBe('\r1000 records ...\r20 records ...  ');
    progress.stop();
    expect(stream.written.endsWith(`\r${' '.repeat(14)}\r`)).toBe(true);
    jest.advanceTimersByTime(1000);
    expect(calls).toBe(2);
  });

  it('cuts a line wider than the terminal so it never wraps', () => {
    const stream = fakeStream(true, 11);
    const progress = new ProgressLine(stream, () => 'x'.repeat(40), 5000, 100);
    progress.start();
    jest.advanceTimersByTime(100);
    progress.stop();
    expect(stream.written.split('\r')[1]).toBe('x'.repeat(10));
  });

  it('into a pipe prints a whole line every interval and nothing at stop', () => {
    const stream = fakeStream(false);
    let window = 0;
    const progress = new ProgressLine(stream, (tty) => (expect(tty).toBe(false), `window ${++window}`), 5000);
    progress.start();
    jest.advanceTimersByTime(4999);
    expect(stream.written).toBe('');
    jest.advanceTimersByTime(10_001);
    progress.stop();
    expect(stream.written).toBe('window 1\nwindow 2\nwindow 3\n');
  });
});
