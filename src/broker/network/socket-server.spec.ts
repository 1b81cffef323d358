import { connect, type Socket } from 'node:net';
import { SocketServer } from './socket-server';
import type { RequestDispatcher } from './kafka-connection';
import { FrameReader } from './frame-reader';

const frame = (body: Buffer): Buffer => {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
};

/** A client that records every response frame. */
async function client(port: number): Promise<{ socket: Socket; frames: Buffer[]; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const frames: Buffer[] = [];
  const reader = new FrameReader(1 << 20);
  socket.on('data', (chunk) => reader.push(chunk, (f) => frames.push(Buffer.from(f))));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, frames, closed };
}

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('SocketServer', () => {
  let server: SocketServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function start(dispatch: RequestDispatcher, overrides: Partial<ConstructorParameters<typeof SocketServer>[0]> = {}): Promise<number> {
    server = new SocketServer(
      { listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }], maxRequestBytes: 1024, connectionsMaxIdleMs: 60_000, ...overrides },
      dispatch,
    );
    const [bound] = await server.start();
    return bound.port;
  }

  it('answers pipelined requests in request order even when they complete out of order', async () => {
    // The first request is the slowest: its response must still come first.
    const port = await start(async (req) => {
      const delay = req[0] === 0 ? 50 : 0;
      await new Promise((r) => setTimeout(r, delay));
      return [Buffer.from([req[0], 0xaa])];
    });
    const c = await client(port);
    c.socket.write(Buffer.concat([0, 1, 2, 3].map((i) => frame(Buffer.from([i])))));
    await until(() => c.frames.length === 4);
    expect(c.frames.map((f) => f[0])).toEqual([0, 1, 2, 3]);
    c.socket.destroy();
  });

  it('sends nothing for a request that expects no response and keeps order for the rest', async () => {
    const port = await start((req) => (req[0] === 1 ? null : [Buffer.from([req[0]])]));
    const c = await client(port);
    c.socket.write(Buffer.concat([0, 1, 2].map((i) => frame(Buffer.from([i])))));
    await until(() => c.frames.length === 2);
    expect(c.frames.map((f) => f[0])).toEqual([0, 2]);
    c.socket.destroy();
  });

  it('closes a connection that announces a frame over socket.request.max.bytes, and serves others', async () => {
    const errors: unknown[] = [];
    const port = await start((req) => [req], { onConnectionError: (e) => errors.push(e) });
    const bad = await client(port);
    const good = await client(port);
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(1025);
    bad.socket.write(huge);
    await bad.closed;
    expect(String(errors[0])).toMatch(/exceeds socket.request.max.bytes=1024/);
    good.socket.write(frame(Buffer.from('still here')));
    await until(() => good.frames.length === 1);
    expect(good.frames[0].toString()).toBe('still here');
    good.socket.destroy();
  });

  it('closes a connection whose request the dispatcher cannot parse', async () => {
    const port = await start(() => {
      throw new Error('malformed header');
    }, { onConnectionError: () => undefined });
    const c = await client(port);
    c.socket.write(frame(Buffer.from([1])));
    await c.closed;
    expect(c.frames).toHaveLength(0);
  });

  it('closes idle connections after connections.max.idle.ms', async () => {
    const port = await start((req) => [req], { connectionsMaxIdleMs: 50 });
    const c = await client(port);
    await c.closed;
    await until(() => server!.connectionCount === 0);
    expect(c.frames).toHaveLength(0);
  });

  it('finishes in-flight requests before a graceful stop closes the connection', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let arrived = false;
    const port = await start(async (req) => {
      arrived = true;
      await gate;
      return [req];
    });
    const c = await client(port);
    c.socket.write(frame(Buffer.from('in flight')));
    await until(() => arrived);
    const stopping = server!.stop();
    release();
    await stopping;
    server = undefined;
    await c.closed;
    expect(c.frames.map((f) => f.toString())).toEqual(['in flight']);
  });
});
