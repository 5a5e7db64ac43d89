/**
 * Runs every benchmark in turn (each prints its figures beside a reference measured in the
 * same run). Usage: npm run bench [-- --only NAME[,NAME]]
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set(process.argv[onlyArg + 1].split(',')) : undefined;
const skip = new Set(['run-all.ts', 'train-memory.ts']);
const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !skip.has(f)).sort();
let failed = 0;
for (const f of files) {
  const name = f.replace(/\.ts$/, '');
  if (only && !only.has(name)) continue;
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`(${name} exited with ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
