// Makes sure a Debian package the suites rely on (zookeeper, kcat) is present.
// As root it installs the package with apt-get; otherwise it fails with the exact command
// to run, because a half-working environment (tests skipped, or a JVM missing a jar) is
// harder to diagnose than a clear stop.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');

class MissingPackageError extends Error {
  constructor(pkg, why) {
    super(`Debian package '${pkg}' is required (${why}). Install it with: sudo apt-get install -y ${pkg}`);
    this.name = 'MissingPackageError';
    this.pkg = pkg;
  }
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function aptGet(args) {
  // stdout goes to stderr so callers that print machine-readable output on stdout stay clean.
  const res = spawnSync('apt-get', args, {
    stdio: ['ignore', process.stderr, process.stderr],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return res.status === 0;
}

/**
 * @param {string} pkg Debian package name
 * @param {() => boolean} isPresent probe that says whether the package's files are usable
 * @param {string} why what the package is for, for the error message
 */
function ensureDebianPackage(pkg, isPresent, why) {
  if (isPresent()) return;
  if (!isRoot()) throw new MissingPackageError(pkg, why);
  if (!fs.existsSync('/usr/bin/apt-get')) throw new MissingPackageError(pkg, `${why}; apt-get not found`);
  process.stderr.write(`installing Debian package ${pkg} (${why})\n`);
  // Try without an index refresh first: on a machine with a recent index this saves a minute.
  if (!aptGet(['install', '-y', '-qq', pkg])) {
    aptGet(['update', '-qq']);
    if (!aptGet(['install', '-y', '-qq', pkg])) throw new MissingPackageError(pkg, `${why}; apt-get install failed`);
  }
  if (!isPresent()) throw new MissingPackageError(pkg, `${why}; installed but still not usable`);
}

function onPath(command) {
  for (const dir of (process.env.PATH || '').split(':')) {
    if (!dir) continue;
    const candidate = `${dir}/${command}`;
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

module.exports = { ensureDebianPackage, MissingPackageError, onPath };
