/**
 * Bounded concurrency with a bounded waiting queue for the HTTP API's colorizations: at most
 * `concurrency` run at once, at most `queue` wait; one more is refused at once (ERR_QUEUE_FULL,
 * HTTP 429) instead of piling up, so memory stays bounded under any load. A task that is not done
 * within `timeoutMs` (waiting + running) is answered with ERR_TIMEOUT (HTTP 504); work already
 * running cannot be interrupted in this process (it is CPU-bound), so its slot stays taken until
 * it ends and its result is dropped: a timed-out request never lets more work run at once.
 */
import { MedcolorError } from '../errors.js';

/** Counts the limiter exposes (for /metrics and /readyz). */
export interface LimiterState {
  running: number;
  waiting: number;
  concurrency: number;
  queue: number;
}

/** See the file comment. */
export interface WorkLimiter {
  /** Runs `task` when a slot is free; rejects with ERR_QUEUE_FULL or ERR_TIMEOUT. */
  run<T>(task: () => Promise<T>): Promise<T>;
  state(): LimiterState;
}

/**
 * Creates a limiter.
 *
 * @example
 * const limiter = createWorkLimiter({ concurrency: 2, queue: 8, timeoutMs: 60_000 });
 * const png = await limiter.run(() => colorize(bytes));
 */
export function createWorkLimiter(options: { concurrency: number; queue: number; timeoutMs: number }): WorkLimiter {
  const { concurrency, queue, timeoutMs } = options;
  let running = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    running--;
    const next = waiting.shift();
    if (next) next();
  };

  return {
    state: () => ({ running, waiting: waiting.length, concurrency, queue }),
    run<T>(task: () => Promise<T>): Promise<T> {
      if (running >= concurrency && waiting.length >= queue) {
        return Promise.reject(
          new MedcolorError('ERR_QUEUE_FULL', `the server is busy: ${running} colorizations running and ${waiting.length} waiting (limits ${concurrency} and ${queue}); retry later`),
        );
      }
      return new Promise<T>((resolve, reject) => {
        let settled = false;
        const timer = setTimeout(() => {
          if (settled) return;
          settled = true;
          const i = waiting.indexOf(start);
          if (i >= 0) waiting.splice(i, 1);
          reject(new MedcolorError('ERR_TIMEOUT', `the request took longer than the server's timeout of ${timeoutMs / 1000} s`));
        }, timeoutMs);
        const start = () => {
          running++;
          let p: Promise<T>;
          try {
            p = task();
          } catch (e) {
            p = Promise.reject(e);
          }
          p.then(
            (v) => {
              if (!settled) resolve(v);
            },
            (e) => {
              if (!settled) reject(e);
            },
          ).finally(() => {
            settled = true;
            clearTimeout(timer);
            release();
          });
        };
        if (running < concurrency) start();
        else waiting.push(start);
      });
    },
  };
}
