#!/usr/bin/env node
// kcat from Debian's `kcat` package: the reference C client (librdkafka) for compatibility
// suites. `node scripts/kcat.js ensure` installs it when missing (as root) or says how.
'use strict';
const { spawn } = require('node:child_process');
const { ensureDebianPackage, onPath } = require('./debian-package');

function ensureKcatInstalled() {
  ensureDebianPackage('kcat', () => onPath('kcat') !== null, 'kcat, the librdkafka reference client used by compatibility suites');
  return onPath('kcat');
}

/**
 * Runs kcat with the given arguments, feeding `input` on stdin, and resolves with its
 * output and exit status. A run that outlives timeoutMs is killed and rejected, so a
 * hanging consumer fails a test instead of stalling it.
 */
function runKcat(args, options = {}) {
  const kcat = ensureKcatInstalled();
  const timeoutMs = options.timeoutMs || 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(kcat, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kcat ${args.join(' ')} timed out after ${timeoutMs} ms; stderr:\n${Buffer.concat(err).toString()}`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => {
      // kcat may exit before reading all input (e.g. a bad argument); the exit code says why.
    });
    child.stdin.end(options.input === undefined ? undefined : options.input);
  });
}

if (require.main === module) {
  const [command] = process.argv.slice(2);
  if (command === 'ensure') {
    try {
      console.log(`kcat: ${ensureKcatInstalled()}`);
    } catch (err) {
      console.error(err.message);
      process.exitCode = 1;
    }
  } else {
    console.error('usage: node scripts/kcat.js ensure');
    process.exitCode = 2;
  }
}

module.exports = { ensureKcatInstalled, runKcat };
