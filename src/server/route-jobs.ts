/** POST /v1/jobs and GET /v1/jobs/:id: batch jobs through the server's job queue. */
import type { FastifyInstance } from 'fastify';
import { MedcolorError } from '../errors.js';
import type { ServerContext } from './app.js';
import { sendError } from './app.js';
import { checkJobSpec, expandJob } from './job-items.js';

/** Registers the job routes. */
export function registerJobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/v1/jobs', async (req, reply) => {
    const jobs = ctx.jobs;
    if (!jobs) return sendError(ctx, reply, new MedcolorError('ERR_UNAVAILABLE', 'this server has no job queue'));
    const spec = checkJobSpec(req.body);
    if (spec.inputs && !ctx.options.jobRoot) {
      throw new MedcolorError('ERR_USAGE', 'file jobs are off: start the server with --job-root DIR to allow inputs and outputs below DIR');
    }
    if (!(await jobs.ready())) return sendError(ctx, reply, new MedcolorError('ERR_UNAVAILABLE', `the ${jobs.kind} job queue is not reachable`));
    const items = await expandJob(spec, { root: ctx.options.jobRoot });
    const status = await jobs.submit(spec, items);
    return reply.code(202).header('location', `/v1/jobs/${status.id}`).send(status);
  });
  app.get('/v1/jobs/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const status = ctx.jobs && /^j[0-9a-f]{24}$/.test(id) ? await ctx.jobs.status(id) : undefined;
    if (!status) return sendError(ctx, reply, new MedcolorError('ERR_JOB_NOT_FOUND', `no job ${id.slice(0, 40)}`));
    return status;
  });
}
