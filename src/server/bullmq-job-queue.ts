/**
 * Batch jobs through BullMQ on Redis (`--redis URL`): the server (or `medcolor batch`) adds one
 * BullMQ job per item, with the item's hash as its job id (BullMQ ignores an id it already has,
 * so the same work is never queued twice); any number of `medcolor worker` processes on any
 * machines take them. A worker that dies mid-item loses its lock and the item goes back to the
 * queue for another worker (outputs are written atomically under deterministic names, and PACS
 * results have deterministic UIDs, so a redone item replaces, never duplicates). Items that fail
 * are retried with exponential backoff; bad input is not retried; an item that fails for good
 * is pushed onto the dead-letter list `medcolor:dead-letter`.
 */
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { isMedcolorError, MedcolorError } from '../errors.js';
import { statusForCode } from './http-status.js';
import { jobIdFor, type JobItem, type JobSpec } from './job-items.js';
import { summarizeJob, type ItemResult, type ItemRunner, type ItemStatus, type JobQueue } from './job-queue.js';

/** The BullMQ queue's name. */
export const QUEUE_NAME = 'medcolor';
/** Redis list of items that failed for good (newest first), as JSON {item, input, code, error, attempts, at}. */
export const DEAD_LETTER_KEY = 'medcolor:dead-letter';
const jobKey = (id: string) => `medcolor:job:${id}`;

/** Attempts per item and the first backoff delay. */
export const RETRY = { attempts: 3, backoffMs: 1000 } as const;

interface ItemData {
  spec: JobSpec;
  item: JobItem;
}

function connect(url: string): Redis {
  // BullMQ needs maxRetriesPerRequest null (blocking commands); fail fast on a wrong URL.
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/** Splits "CODE: message" (how failures travel through BullMQ) back into its parts. */
function splitReason(reason: string | undefined): { code?: string; error?: string } {
  if (!reason) return {};
  const m = /^(ERR_[A-Z0-9_]+): ([\s\S]*)$/.exec(reason);
  return m ? { code: m[1], error: m[2] } : { code: 'ERR_INTERNAL', error: reason };
}

/**
 * The producer side (the server, `medcolor batch`).
 *
 * @example
 * const jobs = createBullmqJobQueue('redis://127.0.0.1:6379');
 * const status = await jobs.submit(spec, await expandJob(spec));
 */
export function createBullmqJobQueue(url: string): JobQueue {
  const redis = connect(url);
  redis.on('error', () => {}); // reported through ready() and the calls that fail
  const queue = new Queue<ItemData>(QUEUE_NAME, { connection: redis });
  queue.on('error', () => {});

  async function itemStatus(id: string, input: string): Promise<ItemStatus> {
    const job = await Job.fromId<ItemData>(queue, id);
    if (!job) return { id, input, state: 'queued', attempts: 0 };
    const state = await job.getState();
    const base = { id, input, attempts: job.attemptsMade };
    if (state === 'completed') {
      const r = (job.returnvalue ?? { outputs: [] }) as ItemResult;
      return { ...base, state: 'done', outputs: r.outputs, ...(r.note ? { note: r.note } : {}), ...(r.warnings ? { warnings: r.warnings } : {}) };
    }
    if (state === 'failed') return { ...base, state: 'failed', ...splitReason(job.failedReason) };
    if (state === 'active') return { ...base, state: 'running' };
    return { ...base, state: 'queued', ...(job.failedReason ? splitReason(job.failedReason) : {}) };
  }

  return {
    kind: 'bullmq',
    async submit(spec, items) {
      const id = jobIdFor(items);
      await redis.set(jobKey(id), JSON.stringify({ items: items.map((i) => [i.id, i.input]) }));
      await queue.addBulk(
        items.map((item) => ({
          name: 'item',
          data: { spec, item },
          opts: { jobId: item.id, attempts: RETRY.attempts, backoff: { type: 'exponential', delay: RETRY.backoffMs }, removeOnComplete: false, removeOnFail: false },
        })),
      );
      // An item that had failed for good is given another round when submitted again.
      for (const item of items) {
        const job = await Job.fromId<ItemData>(queue, item.id);
        if (job && (await job.getState()) === 'failed') await job.retry('failed');
      }
      return (await this.status(id))!;
    },
    async status(id) {
      const raw = await redis.get(jobKey(id));
      if (!raw) return undefined;
      const { items } = JSON.parse(raw) as { items: Array<[string, string]> };
      return summarizeJob(id, await Promise.all(items.map(([i, input]) => itemStatus(i, input))));
    },
    async ready() {
      // ioredis queues commands while it reconnects: give the ping one second.
      const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 1000).unref());
      try {
        return (await Promise.race([redis.ping(), timeout])) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      // With Redis down, BullMQ's close waits for a connection that never comes: bound it.
      await Promise.race([queue.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
      redis.disconnect();
    },
  };
}

/** The name a worker process gives BullMQ (a job's `processedBy`): host and process id. */
export function workerName(pid = process.pid): string {
  return `medcolor-worker-${hostname()}-${pid}`;
}

/** Options of {@link startBullmqWorker}. */
export interface BullmqWorkerOptions {
  /** Items at once in this process (default 1). */
  concurrency?: number;
  /** How long an item's lock lasts without renewal: a dead worker's item is taken over after about this long (default 30000 ms). */
  lockMs?: number;
  /** Hears each item as it ends. */
  onItem?: (event: { item: JobItem; state: 'done' | 'retry' | 'failed'; attempts: number; code?: string; error?: string; outputs?: string[]; note?: string; warnings?: string[] }) => void;
}

/**
 * A worker: takes items from the queue and runs them with `run` until closed.
 *
 * @example
 * const w = startBullmqWorker('redis://127.0.0.1:6379', runJobItem, { concurrency: 2 });
 * process.on('SIGTERM', () => w.close());
 */
export function startBullmqWorker(url: string, run: ItemRunner, options: BullmqWorkerOptions = {}): { close(): Promise<void> } {
  const connection = connect(url);
  const deadLetters = connect(url);
  const lockMs = options.lockMs ?? 30_000;
  const worker = new Worker<ItemData>(
    QUEUE_NAME,
    async (job) => {
      try {
        return await run(job.data.spec, job.data.item);
      } catch (e) {
        const code = isMedcolorError(e) ? e.code : 'ERR_INTERNAL';
        const reason = `${code}: ${e instanceof Error ? e.message : String(e)}`;
        // Bad input fails the same way every time: straight to the dead-letter list.
        if (isMedcolorError(e) && statusForCode(code) < 500) throw new UnrecoverableError(reason);
        throw new Error(reason);
      }
    },
    { name: workerName(), connection, concurrency: options.concurrency ?? 1, lockDuration: lockMs, stalledInterval: Math.max(500, Math.round(lockMs / 2)), maxStalledCount: 2 },
  );
  worker.on('error', () => {});
  worker.on('completed', (job, result: ItemResult) => {
    options.onItem?.({ item: job.data.item, state: 'done', attempts: job.attemptsMade, outputs: result.outputs, note: result.note, warnings: result.warnings });
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    const { code, error } = splitReason(err.message);
    options.onItem?.({ item: job.data.item, state: final ? 'failed' : 'retry', attempts: job.attemptsMade, code, error });
    if (final) {
      deadLetters
        .lpush(DEAD_LETTER_KEY, JSON.stringify({ item: job.data.item.id, input: job.data.item.input, code, error, attempts: job.attemptsMade, at: new Date().toISOString() }))
        .catch(() => {});
    }
  });
  return {
    async close() {
      await worker.close();
      await connection.quit().catch(() => {});
      await deadLetters.quit().catch(() => {});
    },
  };
}

/** Reads the dead-letter list (newest first). */
export async function readDeadLetters(url: string): Promise<Array<{ item: string; input: string; code: string; error: string; attempts: number; at: string }>> {
  const redis = connect(url);
  try {
    return (await redis.lrange(DEAD_LETTER_KEY, 0, -1)).map((s) => JSON.parse(s));
  } catch (e) {
    throw new MedcolorError('ERR_UNAVAILABLE', `Redis at ${url.replace(/\/\/[^@]*@/, '//')} is not reachable (${(e as Error).message})`);
  } finally {
    await redis.quit().catch(() => {});
  }
}
