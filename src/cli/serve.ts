/**
 * `medcolor serve`: the HTTP API (src/server/app.ts) on a host and port. Only parses options,
 * builds the job queue (in-process, or BullMQ with --redis) and listens.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseByteSize, SERVER_DEFAULTS } from '../server/options.js';
import { addListenOptions, parseIntOption, parsePortOption, usage } from './common.js';

interface ServeCliOptions {
  host: string;
  port: string;
  token?: string;
  tokenFile?: string;
  maxBody: string;
  maxPixels: string;
  concurrency: string;
  queue: string;
  timeout: string;
  cors?: string;
  redis?: string;
  jobRoot?: string;
  logLevel: string;
}

/** Registers `medcolor serve`. */
export function registerServe(program: Command): void {
  addListenOptions(
    program.command('serve').description('run the HTTP API: POST /v1/colorize, /v1/jobs, /v1/models, /metrics, /openapi.json, /docs'),
  )
    .option('--token <token>', 'require "Authorization: Bearer <token>" (prefer --token-file: a command line is visible to other users)')
    .option('--token-file <file>', 'read the token from this file (first line)')
    .option('--max-body <size>', 'largest request body, e.g. 256MB', '256MB')
    .option('--max-pixels <n>', 'largest image in pixels (width x height x frames)', String(SERVER_DEFAULTS.maxPixels))
    .option('--concurrency <n>', 'colorizations at once', String(SERVER_DEFAULTS.concurrency))
    .option('--queue <n>', 'requests waiting beyond --concurrency before 429', String(SERVER_DEFAULTS.queue))
    .option('--timeout <s>', 'seconds a request may wait and run before 504', String(SERVER_DEFAULTS.timeoutSeconds))
    .option('--cors <origin>', 'allow this origin (CORS is off without it)')
    .option('--redis <url>', 'run jobs through BullMQ on this Redis (workers: medcolor worker --redis URL)')
    .option('--job-root <dir>', 'folder that file jobs (POST /v1/jobs with inputs) may read and write below; without it file jobs are refused')
    .option('--log-level <level>', 'pino log level: fatal, error, warn, info, debug, silent', 'info')
    .addHelpText(
      'after',
      `
Logs are JSON lines on stdout with request ids, routes, sizes, codes and timings only: never
names, IDs, query strings or pixel data. See docs/server.md and docs/deploy.md.

Examples:
  medcolor serve --port 8080 --token-file /etc/medcolor/token
  curl --data-binary @ct.dcm -H "Authorization: Bearer $(cat /etc/medcolor/token)" \\
    'http://127.0.0.1:8080/v1/colorize?method=ct-tissue' -o ct.png`,
    )
    .action(async (opts: ServeCliOptions) => {
      if (opts.token !== undefined && opts.tokenFile !== undefined) usage('give --token or --token-file, not both');
      let token = opts.token;
      if (opts.tokenFile !== undefined) {
        try {
          token = readFileSync(opts.tokenFile, 'utf8').split(/\r?\n/)[0].trim();
        } catch (e) {
          usage(`--token-file: cannot read ${opts.tokenFile} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        }
        if (!token) usage(`--token-file: ${opts.tokenFile} is empty; expected the token on its first line`);
      }
      const timeout = Number(opts.timeout);
      if (!(timeout > 0)) usage(`--timeout expects seconds > 0; found "${opts.timeout}"`);
      const options = {
        token,
        maxBodyBytes: parseByteSize(opts.maxBody),
        maxPixels: parseIntOption('--max-pixels', opts.maxPixels, 1, 2 ** 40),
        concurrency: parseIntOption('--concurrency', opts.concurrency, 1, 1024),
        queue: parseIntOption('--queue', opts.queue, 0, 1 << 20),
        timeoutSeconds: timeout,
        cors: opts.cors,
        redis: opts.redis,
        jobRoot: opts.jobRoot,
        logLevel: opts.logLevel,
      };
      const port = parsePortOption(opts.port);
      // Loaded here so that other commands do not pay for fastify at start-up.
      const { createServerApp } = await import('../server/app.js');
      const app = await createServerApp(options);
      const address = await app.listen({ host: opts.host, port });
      process.stderr.write(`medcolor serve: listening on ${address} (docs: ${address}/docs)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.stderr.write('medcolor serve: stopping (finishing requests in progress)\n');
          app.close().then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
