/**
 * Load on the HTTP API: starts `medcolor serve` as its own process and drives POST /v1/colorize
 * with a 512x512 CT DICOM (examples/ct-phantom.dcm) through autocannon at 1, 4 and 16 concurrent
 * connections for a fixed time each: requests/s, p50/p99 latency, errors (must be 0) and the
 * server's peak resident memory (VmHWM). The reference, measured in the same run, is the same
 * work through the CLI: `medcolor colorize` over as many copies of the file in one process
 * (images/s without HTTP), and one `medcolor colorize` of one file (a process per image).
 *
 *   npm run bench:server [-- --duration 15] [--connections 1,4,16] [--method ct-tissue] [--model NAME] [--concurrency 1]
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { benchArg as arg } from './lib/bench-args.js';

const DURATION = Number(arg('--duration', '15'));
const CONNECTIONS = arg('--connections', '1,4,16').split(',').map(Number);
const METHOD = arg('--method', '');
const MODEL = arg('--model', '');
const CONCURRENCY = arg('--concurrency', '1');
const root = join(import.meta.dirname, '..');
const main = join(root, 'src/cli/main.ts');
const input = join(root, 'examples/ct-phantom.dcm');
const body = readFileSync(input);
const methodArgs = [...(METHOD ? ['--method', METHOD] : []), ...(MODEL ? ['--model', MODEL] : [])];
const query = new URLSearchParams({ ...(METHOD ? { method: METHOD } : {}), ...(MODEL ? { model: MODEL } : {}) }).toString();

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const peakRssMiB = (pid: number) => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

async function main_(): Promise<void> {
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--port', String(port), '--concurrency', CONCURRENCY, '--queue', '64', '--timeout', '600', '--log-level', 'silent'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let serverErr = '';
  server.stderr!.on('data', (d) => (serverErr += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 300 || server.exitCode !== null) throw new Error(`the server did not start:\n${serverErr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const target = `${url}/v1/colorize${query ? `?${query}` : ''}`;
  // Warm up: the first request loads the model.
  const warm = await fetch(target, { method: 'POST', body, headers: { 'content-type': 'application/dicom' } });
  if (!warm.ok) throw new Error(`warm-up request failed: ${warm.status} ${await warm.text()}`);
  const afterWarm = peakRssMiB(server.pid!);

  console.log(`POST /v1/colorize, ${input.replace(root + '/', '')} (512x512 CT, ${body.length} bytes), method ${METHOD || 'default'}${MODEL ? ` model ${MODEL}` : ''}, server --concurrency ${CONCURRENCY}, ${DURATION} s per level`);
  console.log('connections | req/s | p50 ms | p99 ms | errors | non-2xx | server peak RSS MiB');
  const rows: Array<{ c: number; rps: number }> = [];
  for (const c of CONNECTIONS) {
    const r = await autocannon({ url: target, method: 'POST', body, headers: { 'content-type': 'application/dicom' }, connections: c, duration: DURATION, timeout: 600 });
    // Completed replies over the time the run took (autocannon waits for the replies in flight).
    const rps = r['2xx'] / r.duration;
    rows.push({ c, rps });
    console.log(`${String(c).padStart(11)} | ${rps.toFixed(2).padStart(5)} | ${String(r.latency.p50).padStart(6)} | ${String(r.latency.p99).padStart(6)} | ${String(r.errors).padStart(6)} | ${String(r.non2xx).padStart(7)} | ${peakRssMiB(server.pid!).toFixed(0)}`);
  }
  console.log(`(server resident after warm-up: ${afterWarm.toFixed(0)} MiB)`);
  server.kill('SIGTERM');

  // Reference: the same work through the CLI, in the same run.
  const tmp = mkdtempSync(join(tmpdir(), 'medcolor-bench-server-'));
  try {
    const n = Math.max(8, Math.round(rows[0].rps * DURATION));
    mkdirSync(join(tmp, 'in'));
    for (let i = 0; i < n; i++) copyFileSync(input, join(tmp, 'in', `ct-${i}.dcm`));
    const t0 = performance.now();
    const many = spawnSync(process.execPath, ['--import', 'tsx', main, 'colorize', join(tmp, 'in'), '-o', join(tmp, 'out'), '-q', ...methodArgs], { encoding: 'utf8' });
    const manyS = (performance.now() - t0) / 1000;
    if (many.status !== 0) throw new Error(`medcolor colorize failed: ${many.stderr}`);
    const t1 = performance.now();
    const one = spawnSync(process.execPath, ['--import', 'tsx', main, 'colorize', input, '-o', join(tmp, 'one'), '-q', ...methodArgs], { encoding: 'utf8' });
    const oneMs = performance.now() - t1;
    if (one.status !== 0) throw new Error(`medcolor colorize failed: ${one.stderr}`);
    // The CLI's own rate per image, without its start-up and model load (the one-file run's time).
    const cliRate = (n - 1) / Math.max(1e-3, manyS - oneMs / 1000);
    console.log(`reference, CLI: ${n} files in one process ${manyS.toFixed(1)} s, one file ${(oneMs / 1000).toFixed(1)} s -> ${cliRate.toFixed(2)} images/s after start-up`);
    console.log(`reference, CLI one process per image: ${oneMs.toFixed(0)} ms (${(1000 / oneMs).toFixed(2)} images/s)`);
    for (const r of rows) console.log(`ratio server/CLI throughput at ${r.c} connection(s): ${(r.rps / cliRate).toFixed(2)}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main_();
