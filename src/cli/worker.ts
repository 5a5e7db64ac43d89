/**
 * `medcolor worker --redis URL [--concurrency N]`: takes batch items from the BullMQ queue on
 * Redis and runs them (src/server/bullmq-job-queue.ts, src/server/job-items.ts) until stopped.
 */
import type { Command } from 'commander';
import { parseIntOption } from './common.js';

interface WorkerCliOptions {
  redis: string;
  concurrency: string;
  lockMs: string;
  json?: boolean;
}

/** Registers `medcolor worker`. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('take batch items (files or PACS instances) from the BullMQ queue on Redis and colorize them')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://queue-host:6379')
    .option('--concurrency <n>', 'items at once in this process', '1')
    .option('--lock-ms <ms>', 'lock duration of an item: a dead worker\'s item is taken over after about this long', '30000')
    .option('--json', 'one JSON line per finished item on stdout')
    .addHelpText(
      'after',
      `
File items name paths on this machine: every worker must see the same files at the same paths
(a shared mount). PACS items need the PACS to be reachable from here. See docs/deploy.md.
Stop with SIGINT or SIGTERM: the items in progress finish first.`,
    )
    .action(async (opts: WorkerCliOptions) => {
      const concurrency = parseIntOption('--concurrency', opts.concurrency, 1, 256);
      const lockMs = parseIntOption('--lock-ms', opts.lockMs, 500, 3_600_000);
      const { startBullmqWorker } = await import('../server/bullmq-job-queue.js');
      const { runJobItem } = await import('../server/job-items.js');
      const worker = startBullmqWorker(opts.redis, runJobItem, {
        concurrency,
        lockMs,
        onItem: (e) => {
          if (opts.json) process.stdout.write(JSON.stringify({ item: e.item.id, input: e.item.input, state: e.state, attempts: e.attempts, code: e.code, outputs: e.outputs, note: e.note, warnings: e.warnings }) + '\n');
          else process.stderr.write(`medcolor worker: ${e.item.input}: ${e.state}${e.code ? ` (${e.code}: ${e.error})` : ''}${e.note ? ` (${e.note})` : ''}${(e.warnings ?? []).map((w) => `\n  ${w}`).join('')}\n`);
        },
      });
      process.stderr.write(`medcolor worker: waiting for items on ${opts.redis.replace(/\/\/[^@]*@/, '//')} (concurrency ${concurrency})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.stderr.write('medcolor worker: stopping after the items in progress\n');
          worker.close().then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
