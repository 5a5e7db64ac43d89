/**
 * Starts the real server (fastify listening on a free loopback port) for a test and captures its
 * log lines; requests go over real HTTP with fetch.
 */
import type { FastifyInstance } from 'fastify';
import { createServerApp } from '../../src/server/app.js';
import type { JobQueue } from '../../src/server/job-queue.js';
import type { ServerOptions } from '../../src/server/options.js';

/** A listening server. */
export interface TestServer {
  app: FastifyInstance;
  url: string;
  /** Every JSON log line written so far. */
  logs: string[];
  close(): Promise<void>;
}

/** Creates the app with `options`, listens on 127.0.0.1:0. */
export async function startTestServer(options: ServerOptions = {}, jobs?: JobQueue): Promise<TestServer> {
  const logs: string[] = [];
  const app = await createServerApp({ logLevel: 'info', ...options, logStream: { write: (l: string) => logs.push(l) } }, jobs);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, logs, close: () => app.close() };
}
