#!/usr/bin/env node
// `npm run cluster`: a local three-broker cluster on loopback for development.
//
//   ZooKeeper  127.0.0.1:2181 (a free port when 2181 is taken), data in ./data/zookeeper,
//              brokers under the chroot /kafkanest
//   broker N   Kafka 127.0.0.1:909{2,3,4}, admin http://127.0.0.1:808{0,1,2}, log ./data/broker-N
//
// Every broker gets the repository's application.yml (Kafka's defaults: replication factor 1,
// min.insync.replicas 1, as a stock Kafka) plus the settings above; extra `--set key=value`
// flags go to every broker, after ours, so `-- --set default.replication.factor=3` works.
// Each child's output is printed with its name in front. Ctrl-C (SIGINT) or SIGTERM stops
// the brokers gracefully, then ZooKeeper, and exits 0. A child that dies on its own is
// reported and the others keep running.
//
// Overrides, for tests and for running beside another cluster (0 = a free port each):
//   KAFKANEST_CLUSTER_DIR          data dir (default ./data)
//   KAFKANEST_CLUSTER_ZK_PORT      ZooKeeper client port (default 2181)
//   KAFKANEST_CLUSTER_KAFKA_PORT   broker 0's Kafka port; broker N uses it + N (default 9092)
//   KAFKANEST_CLUSTER_ADMIN_PORT   broker 0's admin port; broker N uses it + N (default 8080)
//
// The children run in their own process groups, so a terminal's Ctrl-C reaches only this
// script and the order of the shutdown is ours: brokers still need ZooKeeper to deregister.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { createInterface } = require('node:readline');
const { freePort } = require('./zookeeper');

const ROOT = path.resolve(__dirname, '..');
const BROKER_MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
const ZOOKEEPER_SCRIPT = path.join(__dirname, 'zookeeper.js');
const CONFIG_FILE = path.join(ROOT, 'application.yml');
const BROKER_COUNT = 3;
const CHROOT = '/kafkanest';
const HOST = '127.0.0.1';
const DEFAULT_PORTS = { zookeeper: 2181, kafka: 9092, admin: 8080 };

const ZK_READY_LINE = /^ZooKeeper ready on (\S+) \(pid (\d+), data (.*), log (.*)\)$/;
const BROKER_LINE = /^kafkanest broker (\d+) listening on PLAINTEXT:\/\/([^:\s]+):(\d+)$/;
const ADMIN_LINE = /^kafkanest admin listening on (http:\/\/\S+)$/;

const ZK_START_TIMEOUT_MS = 90_000;
const BROKER_START_TIMEOUT_MS = 60_000;
/** Above the broker's own 30 s close timeout, so a slow close is its to report, not ours to cut. */
const BROKER_STOP_TIMEOUT_MS = 40_000;
/** scripts/zookeeper.js kills its JVM after 10 s itself. */
const ZK_STOP_TIMEOUT_MS = 20_000;
/** ZooKeeper's maxSessionTimeout in scripts/zookeeper.js: no stale session outlives it. */
const STALE_SESSION_WAIT_MS = 60_000;
const REPEATED_SIGNAL_GRACE_MS = 1_000;

const say = (text) => process.stdout.write(`cluster   | ${text}\n`);
const complain = (text) => process.stderr.write(`cluster   | ${text}\n`);

function usage() {
  return [
    'Usage: npm run cluster [-- --set KEY=VALUE ...]',
    '       node scripts/cluster.js [--set KEY=VALUE ...]',
    '',
    'Starts ZooKeeper and three brokers on 127.0.0.1 until Ctrl-C. Each --set is passed to',
    'every broker (e.g. --set default.replication.factor=3 --set min.insync.replicas=2).',
    'Environment: KAFKANEST_CLUSTER_DIR, KAFKANEST_CLUSTER_ZK_PORT, KAFKANEST_CLUSTER_KAFKA_PORT,',
    'KAFKANEST_CLUSTER_ADMIN_PORT (0 = any free port).',
  ].join('\n');
}

function parseArgs(argv) {
  const sets = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true, sets };
    if (arg === '--set' && i + 1 < argv.length) sets.push(argv[++i]);
    else if (arg.startsWith('--set=')) sets.push(arg.slice('--set='.length));
    else throw new UsageError(`unknown argument ${arg}`);
  }
  for (const set of sets) if (!/^[^=]+=/.test(set)) throw new UsageError(`--set needs KEY=VALUE, got ${set}`);
  return { help: false, sets };
}

class UsageError extends Error {}

function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  // The base plus the last broker's offset must stay a valid port.
  if (!Number.isInteger(port) || port < 0 || port + BROKER_COUNT - 1 > 65535) throw new UsageError(`${name}=${raw}: must be 0 or a port number`);
  return port;
}

function optionsFromEnv() {
  return {
    dataDir: path.resolve(process.env.KAFKANEST_CLUSTER_DIR || path.join(ROOT, 'data')),
    zookeeperPort: portFromEnv('KAFKANEST_CLUSTER_ZK_PORT', DEFAULT_PORTS.zookeeper),
    kafkaPort: portFromEnv('KAFKANEST_CLUSTER_KAFKA_PORT', DEFAULT_PORTS.kafka),
    adminPort: portFromEnv('KAFKANEST_CLUSTER_ADMIN_PORT', DEFAULT_PORTS.admin),
  };
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** The wanted port when free; otherwise (or for 0) any free one, saying so. */
async function zookeeperPort(wanted) {
  if (wanted !== 0 && (await portIsFree(wanted))) return wanted;
  const port = await freePort(HOST);
  if (wanted !== 0) say(`port ${wanted} is taken; ZooKeeper uses ${port} instead`);
  return port;
}

/**
 * One child process in its own process group, its stdout and stderr printed line by line
 * behind its name. `lines` sees every stdout line, for readiness checks.
 */
class Child {
  constructor(name, args, { cwd, onLine }) {
    this.name = name;
    this.stopRequested = false;
    // Nest colours its log lines unless NO_COLOR is set: keep colours for a terminal only.
    const env = process.stdout.isTTY ? process.env : { ...process.env, NO_COLOR: '1' };
    this.child = spawn(process.execPath, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    this.status = null;
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.status = { code, signal };
        resolve(this.status);
      });
      // A spawn failure has no exit event.
      this.child.once('error', (err) => {
        this.status = { code: null, signal: null, error: err };
        resolve(this.status);
      });
    });
    const prefix = `${name.padEnd(9)} | `;
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      process.stdout.write(`${prefix}${line}\n`);
      onLine?.(line);
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => process.stderr.write(`${prefix}${line}\n`));
  }

  get alive() {
    return this.status === null;
  }

  signal(signal) {
    if (!this.alive) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // already gone
    }
  }

  /** The whole process group: a wrapper and anything it started (ZooKeeper's JVM). */
  killGroup() {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // no such group left
    }
  }

  /** Asks the child to stop and waits; after `timeoutMs` its process group is killed. */
  async stop(timeoutMs) {
    this.stopRequested = true;
    if (!this.alive) return this.status;
    this.signal('SIGTERM');
    const timer = setTimeout(() => {
      complain(`${this.name} did not stop within ${timeoutMs} ms; killing it`);
      this.killGroup();
    }, timeoutMs);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }
}

const describeExit = ({ code, signal, error }) => (error ? error.message : signal ? `signal ${signal}` : `code ${code}`);

/** Resolves with `match(line)`'s first truthy result, or rejects when the child exits or time runs out. */
function waitForLine(child, lines, match, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${child.name} did not print ${what} within ${timeoutMs} ms`)), timeoutMs);
    lines.push((line) => {
      const found = match(line);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    void child.exited.then((status) => {
      clearTimeout(timer);
      reject(new Error(`${child.name} exited (${describeExit(status)}) before printing ${what}`));
    });
  });
}

function startZooKeeper(port, dataDir) {
  const listeners = [];
  const child = new Child('zookeeper', [ZOOKEEPER_SCRIPT, 'start', '--port', String(port), '--data-dir', dataDir], {
    cwd: ROOT,
    onLine: (line) => listeners.forEach((l) => l(line)),
  });
  const ready = waitForLine(child, listeners, (line) => ZK_READY_LINE.exec(line), ZK_START_TIMEOUT_MS, 'its ready line');
  return { child, ready };
}

/**
 * The brokers do not create the chroot (Kafka does): make it, and wait out registrations a
 * previous run left behind when it was killed outright; ZooKeeper keeps their sessions in
 * its data dir until they time out, and a broker refuses to start while its id is taken.
 */
async function prepareChroot(connect) {
  const { ZooKeeperMetadataStore } = require(path.join(ROOT, 'dist', 'zk', 'zookeeper-metadata-store'));
  const quiet = { log: () => undefined, warn: () => undefined, error: (m) => complain(m) };
  const store = await ZooKeeperMetadataStore.connect({ connect, logger: quiet, sessionTimeoutMs: 10_000 });
  try {
    if ((await store.get(CHROOT)) === null) await store.create(CHROOT, null);
    const stale = async () => {
      const found = [];
      for (let id = 0; id < BROKER_COUNT; id++) if ((await store.get(`${CHROOT}/brokers/ids/${id}`)) !== null) found.push(id);
      return found;
    };
    let left = await stale();
    if (left.length === 0) return;
    say(`broker ids ${left.join(', ')} still registered by a previous run that was killed; waiting for its ZooKeeper sessions to expire`);
    const deadline = Date.now() + STALE_SESSION_WAIT_MS;
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      left = await stale();
    }
    if (left.length > 0) throw new Error(`brokers ${left.join(', ')} are still registered after ${STALE_SESSION_WAIT_MS} ms; is another cluster using ${connect}?`);
  } finally {
    await store.close();
  }
}

function startBroker(id, options, zookeeperConnect, extraSets) {
  const settings = {
    'broker.id': id,
    listeners: `PLAINTEXT://${HOST}:${options.kafkaPort === 0 ? 0 : options.kafkaPort + id}`,
    'server.address': HOST,
    'server.port': options.adminPort === 0 ? 0 : options.adminPort + id,
    'log.dirs': path.join(options.dataDir, `broker-${id}`),
    'zookeeper.connect': zookeeperConnect,
  };
  const args = [BROKER_MAIN, 'start'];
  if (fs.existsSync(CONFIG_FILE)) args.push('--config', CONFIG_FILE);
  for (const [key, value] of Object.entries(settings)) args.push('--set', `${key}=${value}`);
  for (const set of extraSets) args.push('--set', set);

  const listeners = [];
  const child = new Child(`broker-${id}`, args, { cwd: ROOT, onLine: (line) => listeners.forEach((l) => l(line)) });
  const kafka = waitForLine(child, listeners, (line) => BROKER_LINE.exec(line), BROKER_START_TIMEOUT_MS, 'its Kafka listener');
  const admin = waitForLine(child, listeners, (line) => ADMIN_LINE.exec(line), BROKER_START_TIMEOUT_MS, 'its admin listener');
  const ready = Promise.all([kafka, admin]).then(([k, a]) => ({ bootstrap: `${k[2]}:${k[3]}`, adminUrl: a[1] }));
  return { child, ready };
}

async function main() {
  let args;
  let options;
  try {
    args = parseArgs(process.argv.slice(2));
    options = optionsFromEnv();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    complain(err.message);
    process.stderr.write(`${usage()}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (!fs.existsSync(BROKER_MAIN)) {
    complain(`${path.relative(ROOT, BROKER_MAIN)} is missing: run \`npm run build\` (npm run cluster does it for you)`);
    return 1;
  }

  /** Everything started so far; ZooKeeper first. */
  const children = [];
  let ready = false;
  let allDied = false;
  let requestShutdown;
  const shutdownRequested = new Promise((resolve) => (requestShutdown = resolve));
  /** For start-up waits: gives way to a Ctrl-C that comes before the cluster is up. */
  const interrupted = shutdownRequested.then((why) => Promise.reject(new ShutdownDuringStart(why)));
  interrupted.catch(() => undefined);

  // Whatever happens to this script, no child outlives it: they are in their own groups,
  // so nothing else would stop them. Only synchronous work can run in 'exit'.
  process.on('exit', () => children.forEach((c) => c.alive && c.killGroup()));

  let firstSignalAt = 0;
  const onSignal = (signal) => {
    if (firstSignalAt === 0) {
      firstSignalAt = Date.now();
      requestShutdown(signal);
      return;
    }
    // Under `npm run`, one Ctrl-C can arrive twice: from the terminal and forwarded by npm
    // (when the script shell execs node). A later one means the operator stopped waiting.
    if (Date.now() - firstSignalAt < REPEATED_SIGNAL_GRACE_MS) return;
    complain(`${signal} during shutdown: killing every process now`);
    children.forEach((c) => c.killGroup());
    process.exit(1);
  };
  // SIGHUP too: a closed terminal would otherwise end this script without its 'exit' hook.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);

  const watch = (child) => {
    children.push(child);
    void child.exited.then((status) => {
      // Asked to stop, or a start-up failure that main() reports itself.
      if (child.stopRequested || !ready) return;
      complain(`${child.name} (pid ${child.pid}) exited unexpectedly (${describeExit(status)}); the others keep running`);
      if (children.every((c) => !c.alive)) {
        allDied = true;
        requestShutdown('every process has exited');
      }
    });
  };

  try {
    fs.mkdirSync(path.join(options.dataDir, 'zookeeper'), { recursive: true });
    const zkPort = await zookeeperPort(options.zookeeperPort);
    const zk = startZooKeeper(zkPort, path.join(options.dataDir, 'zookeeper'));
    watch(zk.child);
    const zkReady = await Promise.race([zk.ready, interrupted]);
    const zookeeperConnect = `${HOST}:${zkPort}${CHROOT}`;
    await Promise.race([prepareChroot(`${HOST}:${zkPort}`), interrupted]);

    const brokers = [];
    for (let id = 0; id < BROKER_COUNT; id++) {
      const broker = startBroker(id, options, zookeeperConnect, args.sets);
      watch(broker.child);
      brokers.push(broker);
    }
    const endpoints = await Promise.race([Promise.all(brokers.map((b) => b.ready)), interrupted]);
    ready = true;
    say(`ready: ${BROKER_COUNT} brokers on ZooKeeper ${zookeeperConnect}, data in ${path.relative(process.cwd(), options.dataDir) || '.'}`);
    say(`zookeeper pid ${zk.child.pid} (JVM pid ${zkReady[2]})  client port ${zkPort}  log ${zkReady[4]}`);
    endpoints.forEach((e, id) => say(`broker-${id}  pid ${brokers[id].child.pid}  kafka ${e.bootstrap}  admin ${e.adminUrl}`));
    say(`bootstrap servers ${endpoints.map((e) => e.bootstrap).join(',')}; Ctrl-C stops the cluster`);
  } catch (err) {
    if (err instanceof ShutdownDuringStart) return stopAll(children, err.message);
    complain(`cannot start: ${err.message}`);
    await stopAll(children, 'start-up failed');
    return 1;
  }

  const why = await shutdownRequested;
  const code = await stopAll(children, why);
  return allDied ? 1 : code;
}

/**
 * Brokers first, all at once (each deregisters from ZooKeeper and closes its logs), then
 * ZooKeeper. Resolves 0 when every process asked to stop exited with 0.
 */
async function stopAll(children, why) {
  say(`${why}: stopping the brokers, then ZooKeeper`);
  const order = [children.filter((c) => c.name !== 'zookeeper'), children.filter((c) => c.name === 'zookeeper')];
  let clean = true;
  for (const group of order) {
    await Promise.all(
      group.map(async (child) => {
        const wasAlive = child.alive;
        const status = await child.stop(child.name === 'zookeeper' ? ZK_STOP_TIMEOUT_MS : BROKER_STOP_TIMEOUT_MS);
        // One that had died already was reported then; it does not make this stop unclean.
        if (wasAlive && status.code !== 0) {
          clean = false;
          complain(`${child.name} did not stop cleanly (${describeExit(status)})`);
        }
      }),
    );
  }
  say(clean ? 'stopped' : 'stopped, not cleanly');
  return clean ? 0 : 1;
}

class ShutdownDuringStart extends Error {}

main().then(
  (code) => process.exit(code),
  (err) => {
    complain(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
