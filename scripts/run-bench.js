#!/usr/bin/env node
// `npm run bench` runs every bench/*.ts; `npm run bench -- protocol log` runs the named ones.
// Benchmarks print figures and never fail a build, so a crashing benchmark is reported
// and the rest still run; the exit code is always 0.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const benchDir = path.resolve(__dirname, '..', 'bench');
const all = fs.readdirSync(benchDir).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3)).sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = wanted.length ? wanted : all;
for (const name of chosen) {
  if (!all.includes(name)) {
    console.error(`no benchmark bench/${name}.ts (have: ${all.join(', ')})`);
    continue;
  }
  console.log(`\n=== bench/${name}.ts`);
  const res = spawnSync(process.execPath, ['-r', '@swc-node/register', path.join(benchDir, `${name}.ts`)], {
    stdio: 'inherit',
    env: { ...process.env, SWC_NODE_PROJECT: path.resolve(__dirname, '..', 'tsconfig.json') },
  });
  if (res.status !== 0) console.error(`bench/${name}.ts exited with ${res.status ?? res.signal}`);
}
