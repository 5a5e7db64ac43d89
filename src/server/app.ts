/**
 * The HTTP API (fastify): routes, token check, limits, structured logs without patient data,
 * errors as JSON `{code, message}`. The routes only translate HTTP to library calls.
 *
 * @example
 * const app = await createServerApp({ token: 's3cret', concurrency: 2 });
 * await app.listen({ host: '127.0.0.1', port: 8080 });
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { randomUUID } from 'node:crypto';
import { isMedcolorError, MedcolorError } from '../errors.js';
import { isAuthorized } from './auth.js';
import { renderDocsPage } from './docs-page.js';
import { statusForCode } from './http-status.js';
import type { JobQueue } from './job-queue.js';
import { createServerMetrics, type ServerMetrics } from './metrics.js';
import { buildOpenApiDocument } from './openapi.js';
import { resolveServerOptions, type ResolvedServerOptions, type ServerOptions } from './options.js';
import { registerInfoRoutes } from './route-info.js';
import { registerColorizeRoute } from './route-colorize.js';
import { registerJobRoutes } from './route-jobs.js';
import { createInProcessJobQueue } from './in-process-job-queue.js';
import { runJobItem } from './job-items.js';
import { createWorkLimiter, type WorkLimiter } from './work-limiter.js';
import { packageVersion } from '../io/package-version.js';

/** What the routes share. */
export interface ServerContext {
  options: ResolvedServerOptions;
  limiter: WorkLimiter;
  metrics: ServerMetrics;
  jobs?: JobQueue;
}

/** Routes anyone may call without the token (probes and the API's own description). */
const OPEN_ROUTES = new Set(['/healthz', '/readyz', '/openapi.json', '/docs']);

/** Maps any error to `{status, code, message}`. Messages of non-library errors are not echoed. */
export function describeHttpError(e: unknown): { status: number; code: string; message: string } {
  if (isMedcolorError(e)) return { status: statusForCode(e.code), code: e.code, message: e.message };
  const fe = e as { code?: string; statusCode?: number; message?: string };
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.code === 'FST_REQ_FILE_TOO_LARGE' || fe.statusCode === 413) {
    return { status: 413, code: 'ERR_BODY_TOO_LARGE', message: 'the request body is larger than the server\'s --max-body' };
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) {
    return { status: 415, code: 'ERR_UNSUPPORTED_FORMAT', message: fe.message ?? 'unsupported content type' };
  }
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500)) {
    return { status: 400, code: 'ERR_USAGE', message: fe.message ?? 'bad request' };
  }
  return { status: 500, code: 'ERR_INTERNAL', message: 'internal error (the server log has the request id)' };
}

/** Sends an error reply and counts it. */
export function sendError(ctx: ServerContext, reply: FastifyReply, e: unknown): FastifyReply {
  const { status, code, message } = describeHttpError(e);
  ctx.metrics.errors.inc({ code });
  // A bug: log its kind and stack frames' places, never its message (it may quote the input).
  if (status === 500) reply.log.error({ code, error: (e as Error)?.name, stack: String((e as Error)?.stack ?? '').split('\n').slice(1, 6).join(' | ') }, 'internal error');
  (reply as FastifyReply & { medcolorCode?: string }).medcolorCode = code;
  if (status === 429) reply.header('retry-after', '1');
  return reply.code(status).type('application/json').send({ code, message });
}

/**
 * Creates the server (not listening yet). `jobs` is the batch queue; by default BullMQ on
 * `options.redis` when given, else the in-process queue.
 */
export async function createServerApp(options: ServerOptions = {}, jobs?: JobQueue): Promise<FastifyInstance> {
  const resolved = resolveServerOptions(options);
  const limiter = createWorkLimiter({ concurrency: resolved.concurrency, queue: resolved.queue, timeoutMs: resolved.timeoutSeconds * 1000 });
  const metrics = createServerMetrics(() => limiter.state());
  if (!jobs) {
    if (resolved.redis) jobs = (await import('./bullmq-job-queue.js')).createBullmqJobQueue(resolved.redis);
    else jobs = createInProcessJobQueue(runJobItem, { onItemDone: (s) => metrics.jobs.inc({ state: s.state }) });
  }
  const ctx: ServerContext = { options: resolved, limiter, metrics, jobs };

  // Log lines carry only request ids, methods, route patterns, sizes, codes and timings: never
  // query strings, headers, file names or pixel data (patient names and IDs live there).
  const logger = pino(
    { level: resolved.logLevel, base: { service: 'medcolor' }, serializers: {}, redact: { paths: ['req', 'res', 'headers'], remove: true } },
    resolved.logStream ? (resolved.logStream as unknown as NodeJS.WritableStream) : process.stdout,
  );
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: resolved.maxBodyBytes,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
  });

  if (resolved.cors) {
    const cors = (await import('@fastify/cors')).default;
    await app.register(cors, { origin: resolved.cors, methods: ['GET', 'POST'], allowedHeaders: ['authorization', 'content-type'] });
  }

  // Every route registered, as "METHOD /path" (the OpenAPI test compares them with the document).
  const routes: string[] = [];
  app.decorate('medcolorRoutes', routes);
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD' && m !== 'OPTIONS') routes.push(`${m} ${r.url}`);
  });

  app.setErrorHandler((e, _req, reply) => sendError(ctx, reply, e));
  app.setNotFoundHandler((req, reply) =>
    sendError(ctx, reply, new MedcolorError('ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}; see /docs for the routes`)),
  );

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!resolved.token) return;
    const route = req.routeOptions.url ?? '';
    if (OPEN_ROUTES.has(route) || req.method === 'OPTIONS') return;
    if (!isAuthorized(req.headers.authorization, resolved.token)) {
      reply.header('www-authenticate', 'Bearer');
      const given = req.headers.authorization ? 'a wrong token' : 'no Authorization header';
      return sendError(ctx, reply, new MedcolorError('ERR_UNAUTHORIZED', `expected "Authorization: Bearer <token>"; found ${given}`));
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    metrics.requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    metrics.latency.observe({ route }, ms / 1000);
    req.log.info(
      {
        method: req.method,
        route,
        status: reply.statusCode,
        bytesIn: Number(req.headers['content-length'] ?? 0),
        bytesOut: Number(reply.getHeader('content-length') ?? 0),
        ms: Math.round(ms * 10) / 10,
        ...((reply as FastifyReply & { medcolorCode?: string }).medcolorCode ? { code: (reply as FastifyReply & { medcolorCode?: string }).medcolorCode } : {}),
      },
      'request',
    );
  });

  const doc = buildOpenApiDocument(packageVersion());
  app.get('/openapi.json', async () => doc);
  app.get('/docs', async (_req, reply) => reply.type('text/html; charset=utf-8').send(renderDocsPage(doc)));
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const s = limiter.state();
    const jobsReady = jobs ? await jobs.ready() : true;
    const ready = (s.running < s.concurrency || s.waiting < s.queue) && jobsReady;
    return reply.code(ready ? 200 : 503).send(ready ? { ok: true, ...s } : { code: 'ERR_UNAVAILABLE', message: jobsReady ? 'the queue is full' : 'the job queue is not reachable', ...s });
  });
  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  registerInfoRoutes(app);
  await registerColorizeRoute(app, ctx);
  registerJobRoutes(app, ctx);
  app.addHook('onClose', async () => {
    await jobs?.close();
  });
  return app;
}
