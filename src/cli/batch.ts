/**
 * `medcolor batch`: a batch job (files, folders, globs, or a DICOMweb study/series/query) through
 * the job queue: in this process by default, or through BullMQ on Redis with --redis (then
 * `medcolor worker` processes do the work and this command reports their progress until done).
 */
import type { Command } from 'commander';
import { EXIT, labelWarning, parseIntOption, usage } from './common.js';
import { addTrustOptions, parseTrustOptions, type TrustCliOptions } from './trust-options.js';
import type { JobSpec } from '../server/job-items.js';
import type { JobQueue, JobStatus } from '../server/job-queue.js';

interface BatchCliOptions extends TrustCliOptions {
  output?: string;
  format?: string;
  method?: string;
  model?: string;
  url?: string;
  study?: string;
  series?: string;
  query?: string;
  user?: string;
  password?: string;
  bearer?: string;
  redis?: string;
  concurrency: string;
  detach?: boolean;
  json?: boolean;
}

/** Registers `medcolor batch`. */
export function registerBatch(program: Command): void {
  const cmd = program.command('batch');
  cmd
    .description('run a batch job through the job queue (in this process, or BullMQ workers with --redis)')
    .argument('[input...]', 'files, folders or globs (or use --url with --study/--series/--query)')
    .option('-o, --output <dir>', 'output folder (file inputs)')
    .option('-f, --format <fmt>', 'png, dcm or nii (file inputs)', 'png')
    .option('-m, --method <name>', 'colorization method (default: model with the default shipped model)')
    .option('--model <name>', 'shipped model name; implies --method model')
    .option('--url <url>', 'DICOMweb root of a PACS: results are stored back there')
    .option('--study <uid>', 'Study Instance UID (with --url)')
    .option('--series <uid>', 'Series Instance UID (with --url)')
    .option('--query <q>', 'QIDO-RS query of series (with --url), e.g. "PatientID=123&Modality=CT"')
    .option('--user <user>', 'PACS basic auth user')
    .option('--password <password>', 'PACS basic auth password (or MEDCOLOR_PACS_PASSWORD)')
    .option('--bearer <token>', 'PACS bearer token (or MEDCOLOR_PACS_BEARER)')
    .option('--redis <url>', 'queue the items on this Redis for medcolor worker processes')
    .option('--concurrency <n>', 'items at once (in-process queue)', '1')
    .option('--detach', 'with --redis: queue the items, print the job id and exit without waiting')
    .option('--json', 'the final job status as JSON on stdout');
  addTrustOptions(cmd, 'a file beside each output (NAME.confidence.png / .dcm), or with --url a series of its own in the PACS')
    .action(async (inputs: string[], opts: BatchCliOptions) => {
      const spec: JobSpec = { method: opts.method, model: opts.model, ...parseTrustOptions(opts) };
      if (opts.url) {
        if (inputs.length) usage('give input files or --url, not both');
        spec.dicomweb = {
          url: opts.url,
          study: opts.study,
          series: opts.series,
          query: opts.query,
          user: opts.user,
          password: opts.password ?? process.env.MEDCOLOR_PACS_PASSWORD,
          bearer: opts.bearer ?? process.env.MEDCOLOR_PACS_BEARER,
        };
      } else {
        if (!inputs.length) usage('give input files, folders or globs, or --url with --study/--series/--query');
        if (!opts.output) usage('-o/--output is required with file inputs');
        if (!['png', 'dcm', 'nii'].includes(opts.format ?? 'png')) usage(`--format must be png, dcm or nii; found "${opts.format}"`);
        Object.assign(spec, { inputs, output: opts.output, format: opts.format });
      }
      if (opts.detach && !opts.redis) usage('--detach needs --redis (an in-process job ends with this process)');
      const concurrency = parseIntOption('--concurrency', opts.concurrency, 1, 256);
      const { expandJob, runJobItem } = await import('../server/job-items.js');
      const items = await expandJob(spec);
      let queue: JobQueue;
      if (opts.redis) queue = (await import('../server/bullmq-job-queue.js')).createBullmqJobQueue(opts.redis);
      else queue = (await import('../server/in-process-job-queue.js')).createInProcessJobQueue(runJobItem, { concurrency });
      try {
        let status: JobStatus = await queue.submit(spec, items);
        process.stderr.write(`medcolor batch: job ${status.id}: ${status.total} items (${queue.kind})\n`);
        if (opts.detach) {
          if (opts.json) process.stdout.write(JSON.stringify(status) + '\n');
          return;
        }
        let shown = -1;
        for (;;) {
          status = (await queue.status(status.id))!;
          const finished = status.done + status.failed;
          if (finished !== shown && !opts.json) process.stderr.write(`medcolor batch: ${status.done} done, ${status.failed} failed of ${status.total}\n`);
          shown = finished;
          if (status.state === 'done' || status.state === 'failed') break;
          await new Promise((r) => setTimeout(r, 250));
        }
        for (const i of status.items) {
          if (opts.json) break;
          if (i.state === 'failed') process.stderr.write(`  ${i.input}: ${i.code}: ${i.error}\n`);
          for (const w of i.warnings ?? []) process.stderr.write(`  ${i.input}: ${labelWarning(w)}\n`);
        }
        if (opts.json) process.stdout.write(JSON.stringify(status) + '\n');
        process.exitCode = status.failed === 0 ? EXIT.OK : status.done === 0 ? EXIT.ALL_FAILED : EXIT.SOME_FAILED;
      } finally {
        await queue.close();
      }
    });
}
