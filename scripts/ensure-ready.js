#!/usr/bin/env node
// npm pre-script for start/test/bench: on a fresh clone, `npm start` and `npm test`
// must work with no other step. Installs dependencies when node_modules is missing or
// older than the lock file, and rebuilds dist/ when any source file is newer than it.
'use strict';
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });
const mtime = (p) => {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
};

function newestIn(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(full) : mtime(full));
  }
  return newest;
}

const installed = path.join(root, 'node_modules', '.package-lock.json');
if (mtime(installed) === 0 || mtime(path.join(root, 'package-lock.json')) > mtime(installed)) {
  run('npm ci --no-audit --no-fund');
}

const stamp = path.join(root, 'dist', '.build-stamp');
const sources = Math.max(newestIn(path.join(root, 'src')), mtime(path.join(root, 'tsconfig.json')), mtime(path.join(root, 'tsconfig.build.json')));
if (mtime(stamp) < sources) {
  run('npm run build');
  fs.writeFileSync(stamp, new Date().toISOString());
}
