#!/usr/bin/env node
// Compiles only when a source file changed since the last build, so a warm `npm start` or
// `npm run cli` starts at once instead of spending seconds in tsc.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildInfo = join(root, 'dist', '.tsbuildinfo');

function newestSourceChange(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceChange(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(buildInfo).mtimeMs;
  } catch {
    return 0;
  }
}

const inputs = ['src', 'blocks'].map((dir) => newestSourceChange(join(root, dir)));
const configs = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map(
  (file) => statSync(join(root, file)).mtimeMs,
);
if (Math.max(...inputs, ...configs) > builtAt()) {
  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // tsc leaves its build info untouched when the output did not change; mark this build as current.
  const now = new Date();
  utimesSync(buildInfo, now, now);
}
