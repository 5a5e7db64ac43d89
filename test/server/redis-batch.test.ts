/**
 * Batch over Redis with real processes: a real redis-server on loopback, the real server with
 * --redis taking POST /v1/jobs, and two `medcolor worker` processes; one worker is SIGKILLed in
 * the middle of its work. Every one of the forty inputs ends done exactly once (one output each,
 * none missing, none duplicated), the broken forty-first goes to the dead-letter list, and the
 * job's status and progress are read from the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAME, readDeadLetters, workerName } from '../../src/server/bullmq-job-queue.js';
import { startTestServer, type TestServer } from './harness.js';
import { medcolorArgv } from '../run-cli.js';
import { hasRedis, startRedis, type RedisHandle } from './services.js';

const N = 40;

function startWorker(url: string): { proc: ChildProcess; lines: Array<{ state: string; input: string }> } {
  const proc = spawn(process.execPath, medcolorArgv(['worker', '--redis', url, '--lock-ms', '2000', '--json']), { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<{ state: string; input: string }> = [];
  let buf = '';
  proc.stdout!.on('data', (d) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p));
  });
  proc.stderr!.on('data', () => {});
  return { proc, lines };
}

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 90_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.skipIf(!hasRedis && !process.env.CI)('batch over Redis with two workers, one killed', () => {
  let redis: RedisHandle;
  let server: TestServer;
  let root: string;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    root = mkdtempSync(join(tmpdir(), 'medcolor-batch-'));
    mkdirSync(join(root, 'in'));
    // Forty gray images that differ (a gradient with a moving disc), big enough to take a while.
    for (let i = 0; i < N; i++) {
      const w = 768, h = 768, px = Buffer.alloc(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const inDisc = (x - 20 * i) ** 2 + (y - 384) ** 2 < 120 ** 2;
        px[y * w + x] = inDisc ? 230 : Math.round((x / w) * 200);
      }
      await sharp(px, { raw: { width: w, height: h, channels: 1 } }).png().toFile(join(root, 'in', `img-${String(i).padStart(2, '0')}.png`));
    }
    writeFileSync(join(root, 'in', 'zz-broken.png'), Buffer.from('\x89PNG\r\n\x1a\nthis is not a png'));
    server = await startTestServer({ redis: redis.url, jobRoot: root });
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await server?.close();
    await redis?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('every input is done exactly once though a worker dies mid-way; the broken one is dead-lettered', async () => {
    const a = startWorker(redis.url), b = startWorker(redis.url);
    workers.push(a.proc, b.proc);
    const post = await fetch(`${server.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: ['in'], output: 'out', method: 'lut' }),
    });
    expect(post.status).toBe(202);
    const first = (await post.json()) as { id: string; total: number };
    expect(first.total).toBe(N + 1);
    expect(post.headers.get('location')).toBe(`/v1/jobs/${first.id}`);

    // Kill worker A in the middle of an item, after it has finished three.
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAME, { connection });
    await until('worker A to finish 3 items', () => a.lines.filter((l) => l.state === 'done').length >= 3);
    let killedIn: string | undefined;
    await until('worker A to be inside an item', async () => {
      const mine = (await queue.getActive()).find((j) => j.processedBy === workerName(a.proc.pid));
      if (mine) {
        a.proc.kill('SIGKILL');
        killedIn = mine.id;
      }
      return killedIn !== undefined;
    }, 30_000);
    const doneByA = a.lines.filter((l) => l.state === 'done').length;
    const mid = (await (await fetch(`${server.url}/v1/jobs/${first.id}`)).json()) as { state: string; done: number };
    expect(mid.done).toBeLessThan(N);

    let status: { state: string; done: number; failed: number; items: Array<{ input: string; state: string; outputs?: string[]; code?: string }> } | undefined;
    await until('the job to end', async () => {
      status = (await (await fetch(`${server.url}/v1/jobs/${first.id}`)).json()) as typeof status;
      return status!.state === 'done' || status!.state === 'failed';
    });
    expect(status!.done).toBe(N);
    expect(status!.failed).toBe(1);
    expect(status!.state).toBe('failed');
    const broken = status!.items.find((i) => i.input.endsWith('zz-broken.png'))!;
    expect(broken.state).toBe('failed');
    expect(broken.code).toMatch(/^ERR_/);
    // Worker B did the rest, including the item A was killed in (taken over after A's lock ran out).
    expect(b.lines.filter((l) => l.state === 'done').length).toBeGreaterThanOrEqual(N - doneByA);
    const taken = (await queue.getJob(killedIn!))!;
    expect(await taken.getState()).toBe('completed');
    expect(taken.processedBy).toBe(workerName(b.proc.pid));
    expect(taken.stalledCounter).toBeGreaterThanOrEqual(1);
    expect(await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed')).toEqual({ completed: N, failed: 1, active: 0, wait: 0, delayed: 0 });
    await queue.close();
    connection.disconnect();

    // One output per input: none missing, none duplicated, no half-written file under a real name.
    const outputs = readdirSync(join(root, 'out')).filter((f) => !f.startsWith('.')).sort();
    expect(outputs).toEqual(Array.from({ length: N }, (_, i) => `img-${String(i).padStart(2, '0')}.png`));
    for (const f of [outputs[0], outputs[N - 1]]) {
      const meta = await sharp(join(root, 'out', f)).metadata();
      expect([meta.width, meta.height, meta.channels]).toEqual([768, 768, 3]);
    }
    const items = status!.items.filter((i) => i.state === 'done');
    expect(new Set(items.flatMap((i) => i.outputs ?? [])).size).toBe(N);

    const dead = await readDeadLetters(redis.url);
    expect(dead.map((d) => d.input)).toEqual([join(root, 'in', 'zz-broken.png')]);

    // Submitting the same job again queues nothing new: same id, already done.
    const again = (await (await fetch(`${server.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: ['in'], output: 'out', method: 'lut' }),
    })).json()) as { id: string; done: number };
    expect(again.id).toBe(first.id);
    expect(again.done).toBe(N);
  });

  it('medcolor batch without --redis runs the job in its own process', async () => {
    const { runMedcolor } = await import('../run-cli.js');
    const r = await runMedcolor(['batch', join(root, 'in', 'img-0[0-2].png'), '-o', join(root, 'local'), '--method', 'gray', '--json']);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout) as { state: string; done: number; total: number };
    expect(status).toMatchObject({ state: 'done', done: 3, total: 3 });
    expect(readdirSync(join(root, 'local')).sort()).toEqual(['img-00.png', 'img-01.png', 'img-02.png']);
  });
});
