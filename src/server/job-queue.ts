/**
 * The one interface of batch jobs, with two implementations: in the server's own process
 * (in-process-job-queue.ts, the default, nothing to install) and BullMQ on Redis
 * (bullmq-job-queue.ts, `--redis URL`, taken by `medcolor worker` processes on any machine).
 * A job is a list of items (one input file, or one DICOMweb instance); each item's id is a hash
 * of what it does (input + method + model + format + output), so submitting the same work again
 * never runs or writes it twice.
 */
import type { JobItem, JobSpec } from './job-items.js';

/** What a finished item gave: its outputs, note 'skipped' when the result already existed, and the pipeline's warnings. */
export interface ItemResult {
  outputs: string[];
  note?: string;
  /** E.g. WARN_OUT_OF_DOMAIN: colorized, but outside the model's domain. */
  warnings?: string[];
}

/** Runs one item. */
export type ItemRunner = (spec: JobSpec, item: JobItem) => Promise<ItemResult>;

/** State of one item. */
export type ItemState = 'queued' | 'running' | 'done' | 'failed';

/** Status of one item. */
export interface ItemStatus {
  id: string;
  input: string;
  state: ItemState;
  attempts: number;
  outputs?: string[];
  /** 'skipped' when the result already existed (idempotent re-run). */
  note?: string;
  /** What the pipeline warned of for this item (e.g. WARN_OUT_OF_DOMAIN). */
  warnings?: string[];
  code?: string;
  error?: string;
}

/** Status of a job: its items and their counts. */
export interface JobStatus {
  id: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  total: number;
  done: number;
  failed: number;
  items: ItemStatus[];
}

/** What both queues offer. */
export interface JobQueue {
  /** Which implementation ('in-process' or 'bullmq'). */
  readonly kind: string;
  /** Adds a job (its items already expanded) and returns its first status. */
  submit(spec: JobSpec, items: JobItem[]): Promise<JobStatus>;
  /** Status of a job, or undefined when unknown. */
  status(id: string): Promise<JobStatus | undefined>;
  /** Whether the queue can take work (Redis reachable). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** Sums item states into a job status. */
export function summarizeJob(id: string, items: ItemStatus[]): JobStatus {
  const done = items.filter((i) => i.state === 'done').length;
  const failed = items.filter((i) => i.state === 'failed').length;
  const running = items.some((i) => i.state === 'running') || (done + failed > 0 && done + failed < items.length);
  const state = done + failed === items.length ? (failed > 0 ? 'failed' : 'done') : running ? 'running' : 'queued';
  return { id, state, total: items.length, done, failed, items };
}
