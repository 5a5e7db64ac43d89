/**
 * The page's side of the worker: numbered requests, progress callbacks, and cancellation by
 * ending the worker (a WebAssembly call cannot be interrupted) and starting a fresh one.
 */
import type { Reply, Request } from './protocol.js';

/** An error the worker reported: the library's code and message. */
export class WorkerError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void; onProgress?: (stage: string, fraction?: number) => void };

export class WorkerClient {
  private worker!: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  /** Called after a cancel, once the fresh worker is up (the page re-opens its files there). */
  onRestart?: () => Promise<void>;

  constructor() {
    this.start();
  }

  private start(): void {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'medcolor' });
    this.worker.onmessage = (ev: MessageEvent<Reply>) => {
      const msg = ev.data;
      const p = this.pending.get(msg.id);
      if (!p) return;
      if ('progress' in msg) {
        p.onProgress?.(msg.progress.stage, msg.progress.fraction);
        return;
      }
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new WorkerError(msg.error.code, msg.error.message));
    };
    this.worker.onerror = (ev) => {
      for (const [, p] of this.pending) p.reject(new WorkerError('ERR_INTERNAL', `worker failed: ${ev.message}`));
      this.pending.clear();
    };
  }

  /** Sends a request; `transfer` lists buffers handed over to the worker. */
  request<T>(req: Request, options: { transfer?: Transferable[]; onProgress?: Pending['onProgress'] } = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: options.onProgress });
      this.worker.postMessage({ id, req }, options.transfer ?? []);
    });
  }

  /** Stops whatever runs: every pending request fails with ERR_CANCELLED; a fresh worker starts. */
  async cancel(): Promise<void> {
    this.worker.terminate();
    for (const [, p] of this.pending) p.reject(new WorkerError('ERR_CANCELLED', 'cancelled'));
    this.pending.clear();
    this.start();
    await this.onRestart?.();
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }
}
