/**
 * Batch jobs in the server's own process (the default: nothing to install). Items run one at a
 * time per slot, in submission order; an item's result is kept by its id, so submitting the same
 * work again returns the finished status instead of running it twice. State lives in memory and
 * is lost when the process stops (use the BullMQ queue for work that must survive that).
 */
import { isMedcolorError } from '../errors.js';
import { jobIdFor, type JobItem, type JobSpec } from './job-items.js';
import { summarizeJob, type ItemRunner, type ItemStatus, type JobQueue, type JobStatus } from './job-queue.js';

/**
 * Creates the in-process queue.
 *
 * @example
 * const jobs = createInProcessJobQueue(runJobItem, { concurrency: 1 });
 */
export function createInProcessJobQueue(run: ItemRunner, options: { concurrency?: number; onItemDone?: (s: ItemStatus) => void } = {}): JobQueue {
  const concurrency = options.concurrency ?? 1;
  const items = new Map<string, ItemStatus>();
  const jobs = new Map<string, string[]>();
  const pending: Array<{ spec: JobSpec; item: JobItem }> = [];
  let active = 0;
  let closed = false;

  const pump = () => {
    while (!closed && active < concurrency && pending.length > 0) {
      const { spec, item } = pending.shift()!;
      const st = items.get(item.id)!;
      st.state = 'running';
      st.attempts++;
      active++;
      run(spec, item)
        .then(
          (r) => Object.assign(st, { state: 'done', outputs: r.outputs, note: r.note, ...(r.warnings ? { warnings: r.warnings } : {}) }),
          (e) => Object.assign(st, { state: 'failed', code: isMedcolorError(e) ? e.code : 'ERR_INTERNAL', error: e instanceof Error ? e.message : String(e) }),
        )
        .finally(() => {
          active--;
          options.onItemDone?.(st);
          pump();
        });
    }
  };

  return {
    kind: 'in-process',
    async submit(spec, list) {
      const id = jobIdFor(list);
      if (!jobs.has(id)) jobs.set(id, list.map((i) => i.id));
      for (const item of list) {
        const known = items.get(item.id);
        if (known && known.state !== 'failed') continue;
        items.set(item.id, { id: item.id, input: item.input, state: 'queued', attempts: known?.attempts ?? 0 });
        pending.push({ spec, item });
      }
      pump();
      return (await this.status(id))!;
    },
    async status(id): Promise<JobStatus | undefined> {
      const ids = jobs.get(id);
      if (!ids) return undefined;
      return summarizeJob(id, ids.map((i) => ({ ...items.get(i)! })));
    },
    async ready() {
      return !closed;
    },
    async close() {
      closed = true;
    },
  };
}
