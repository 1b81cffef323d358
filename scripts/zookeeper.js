#!/usr/bin/env node
// A standalone ZooKeeper from Debian's `zookeeper` package, for tests and `npm run cluster`.
//
//   node scripts/zookeeper.js start [--port N] [--data-dir D]   foreground until Ctrl-C
//   node scripts/zookeeper.js ensure                             install check only
//
// The JVM is started directly (ZooKeeperServerMain with a generated zoo.cfg) instead of
// through zkServer.sh: the script reads /etc/zookeeper, daemonizes and writes a pid file
// under /var, none of which suits a throwaway server per test run. zookeeper.jar's
// manifest carries the Class-Path of its dependencies, so the jar alone is the classpath;
// slf4j-simple is added when present so the server log is readable instead of NOP.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { ensureDebianPackage, onPath } = require('./debian-package');

const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
const SLF4J_SIMPLE_JAR = '/usr/share/java/slf4j-simple.jar';
const DEFAULT_START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 5;

function ensureZooKeeperInstalled() {
  ensureDebianPackage('zookeeper', () => fs.existsSync(ZOOKEEPER_JAR) && onPath('java') !== null, 'ZooKeeper server for the metadata store and tests');
  return { jar: ZOOKEEPER_JAR, java: onPath('java') };
}

/** Binds port 0 on loopback and releases it; the caller races other processes for it, hence retries. */
function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Sends a four-letter-word command and resolves with the whole answer ('' when nothing answers). */
function fourLetterWord(host, port, word, timeoutMs = 1000) {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect({ host, port });
    const done = () => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, done);
    socket.once('error', () => resolve(''));
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.once('end', done);
    socket.once('connect', () => socket.write(word));
  });
}

function writeConfig(dir, dataDir, host, port, tickTimeMs) {
  const cfg = [
    `tickTime=${tickTimeMs}`,
    `dataDir=${dataDir}`,
    `clientPort=${port}`,
    `clientPortAddress=${host}`,
    // Jetty admin server would grab port 8080: one per machine, so parallel runs would collide.
    'admin.enableServer=false',
    '4lw.commands.whitelist=ruok,stat,srvr,mntr,cons',
    // Tests run many short-lived clients from one address; the default cap is 60.
    'maxClientCnxns=0',
    // Sessions may be as short as 2 ticks (1 s at the default 500 ms tick) so session-expiry
    // paths can be exercised quickly, and as long as Kafka's 18 s default.
    `minSessionTimeout=${2 * tickTimeMs}`,
    'maxSessionTimeout=60000',
    // Snapshots and purge: a test server is short-lived, but `npm run cluster` may run for days.
    'autopurge.snapRetainCount=3',
    'autopurge.purgeInterval=1',
    '',
  ].join('\n');
  const file = path.join(dir, 'zoo.cfg');
  fs.writeFileSync(file, cfg);
  return file;
}

function tail(file, bytes = 4000) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

/**
 * Servers to kill, and their temp dirs to remove, if this Node process exits without
 * calling stop() (a crashed or timed-out Jest run). Only synchronous work runs in 'exit'.
 */
const liveChildren = new Map();
let exitHookInstalled = false;
function killOnExit(child, workDir) {
  liveChildren.set(child, workDir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [c, dir] of liveChildren) {
      try {
        c.kill('SIGKILL');
      } catch {
        // already gone
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

async function launchOnce({ java, host, port, workDir, dataDir, tickTimeMs, deadline }) {
  const cfgFile = writeConfig(workDir, dataDir, host, port, tickTimeMs);
  const logFile = path.join(workDir, 'zookeeper.log');
  const logFd = fs.openSync(logFile, 'a');
  const classpath = [ZOOKEEPER_JAR, ...(fs.existsSync(SLF4J_SIMPLE_JAR) ? [SLF4J_SIMPLE_JAR] : [])].join(':');
  const child = spawn(
    java,
    [
      '-Xms64m',
      '-Xmx256m',
      '-XX:+UseSerialGC',
      // Short-lived JVM: tiered compilation up to C1 only starts noticeably faster.
      '-XX:TieredStopAtLevel=1',
      '-Djava.net.preferIPv4Stack=true',
      '-Dzookeeper.admin.enableServer=false',
      '-Dorg.slf4j.simpleLogger.showDateTime=true',
      '-cp',
      classpath,
      'org.apache.zookeeper.server.ZooKeeperServerMain',
      cfgFile,
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  fs.closeSync(logFd);
  killOnExit(child, workDir);

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      liveChildren.delete(child);
      resolve(exited);
    });
  });
  child.once('error', (err) => {
    exited = exited || { code: null, signal: null, error: err };
  });

  while (Date.now() < deadline) {
    if (exited) break;
    // `ruok` answers imok as soon as the socket is bound, before the database is loaded;
    // `srvr` only reports a Mode once requests are served, so both are checked.
    if ((await fourLetterWord(host, port, 'ruok', 500)) === 'imok' && /^Mode: /m.test(await fourLetterWord(host, port, 'srvr', 500))) {
      return { child, exitPromise, logFile, cfgFile };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const log = tail(logFile);
  if (!exited) {
    child.kill('SIGKILL');
    await exitPromise;
  }
  const portTaken = /Address already in use|BindException/.test(log);
  const err = new Error(
    exited
      ? `ZooKeeper exited during start (code ${exited.code}, signal ${exited.signal}); log ${logFile}:\n${log}`
      : `ZooKeeper did not answer ruok on ${host}:${port} in time; log ${logFile}:\n${log}`,
  );
  err.portTaken = portTaken;
  throw err;
}

/**
 * Starts a standalone ZooKeeper and resolves once it answers `ruok` with `imok`.
 * With no dataDir a temp dir is created and removed on stop(); a given dataDir is kept,
 * so a server can be stopped and started again on the same data and port (sessions and
 * znodes survive, as in a real restart).
 */
async function startZooKeeper(options = {}) {
  const { java } = ensureZooKeeperInstalled();
  const host = options.host || '127.0.0.1';
  const tickTimeMs = options.tickTimeMs || 500;
  const deadline = Date.now() + (options.startTimeoutMs || DEFAULT_START_TIMEOUT_MS);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafkanest-zk-'));
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : path.join(workDir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });

  let launched;
  let port = options.port;
  for (let attempt = 1; ; attempt++) {
    const tryPort = port || (await freePort(host));
    try {
      launched = await launchOnce({ java, host, port: tryPort, workDir, dataDir, tickTimeMs, deadline });
      port = tryPort;
      break;
    } catch (err) {
      // Only a port picked by us can be retried: another process won the race for it.
      if (!options.port && err.portTaken && attempt < PORT_ATTEMPTS) continue;
      fs.rmSync(workDir, { recursive: true, force: true });
      throw err;
    }
  }

  const { child, exitPromise, logFile } = launched;
  let stopping = null;
  const stop = () => {
    if (stopping) return stopping;
    stopping = (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exitPromise;
        clearTimeout(timer);
      }
      // The work dir holds zoo.cfg, the log and (when we made it) the data.
      fs.rmSync(workDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  return {
    host,
    port,
    connectString: `${host}:${port}`,
    dataDir,
    logFile,
    pid: child.pid,
    stop,
    /** Resolves when the server process exits for any reason. */
    exited: exitPromise,
  };
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [key, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (key === '--port') opts.port = Number(value());
    else if (key === '--data-dir') opts.dataDir = value();
    else if (key === '--host') opts.host = value();
    else throw new Error(`unknown option ${arg}`);
  }
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port > 0 && opts.port < 65536)) {
    throw new Error('--port must be an integer between 1 and 65535');
  }
  return opts;
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'ensure') {
    ensureZooKeeperInstalled();
    console.log(`zookeeper: ${ZOOKEEPER_JAR}`);
    return;
  }
  if (command !== 'start') {
    console.error('usage: node scripts/zookeeper.js start [--port N] [--data-dir D] [--host H] | ensure');
    process.exitCode = 2;
    return;
  }
  const zk = await startZooKeeper(parseArgs(rest));
  console.log(`ZooKeeper ready on ${zk.connectString} (pid ${zk.pid}, data ${zk.dataDir}, log ${zk.logFile})`);
  let shuttingDown = false;
  const shutdown = async () => {
    if (shuttingDown) return;
    shuttingDown = true;
    await zk.stop();
    console.log('ZooKeeper stopped');
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  const { code, signal } = await zk.exited;
  if (!shuttingDown) {
    console.error(`ZooKeeper exited unexpectedly (code ${code}, signal ${signal})`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err.message);
    process.exitCode = 1;
  });
}

module.exports = { ensureZooKeeperInstalled, startZooKeeper, fourLetterWord, freePort };
