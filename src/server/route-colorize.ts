/**
 * POST /v1/colorize: one uploaded file in, the encoded result out. Translates the query and the
 * multipart parts into `colorizeBytes` options and runs it under the work limiter; nothing is
 * written to disk. A multi-frame input with format=png comes back as a ZIP of one PNG per frame
 * (colorized_0000.png, ...) unless `frame` picks one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { zipSync } from 'fflate';
import { MedcolorError } from '../errors.js';
import { decodeDicomInfo } from '../io/dicom/index.js';
import { decodeRasterRgb, sharpRasterCodec } from '../io/raster.js';
import type { MethodOptions } from '../methods/types.js';
import { colorizeBytes } from '../pipeline/colorize-input.js';
import { sendError, type ServerContext } from './app.js';
import { resolveRequestMethod } from './method-cache.js';

/** Query parameters POST /v1/colorize understands (anything else is a 400, to catch typos). */
export const COLORIZE_QUERY = ['method', 'model', 'format', 'frame', 'window', 'palette', 'size', 'seed', 'strict', 'confidence', 'min-confidence', 'decode', 'temperature'] as const;

interface Upload {
  file?: Uint8Array;
  reference?: Uint8Array;
  scribbles?: Uint8Array;
}

const bad = (m: string): never => {
  throw new MedcolorError('ERR_USAGE', m);
};

function parseInteger(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) bad(`${name} expects an integer ${min}..${max}; found "${v}"`);
  return n;
}

/** The request's colorize options from its query string. */
function parseQuery(query: Record<string, string | string[] | undefined>) {
  for (const k of Object.keys(query)) {
    if (!(COLORIZE_QUERY as readonly string[]).includes(k)) bad(`unknown parameter "${k}"; valid: ${COLORIZE_QUERY.join(', ')}`);
    if (Array.isArray(query[k])) bad(`parameter "${k}" is given more than once`);
  }
  const q = query as Record<string, string | undefined>;
  const format = (q.format ?? 'png') as 'png' | 'dcm' | 'nii';
  if (!['png', 'dcm', 'nii'].includes(format)) bad(`format must be png, dcm or nii; found "${q.format}"`);
  const frame: number | 'all' = q.frame === undefined || q.frame === 'all' ? 'all' : parseInteger('frame', q.frame, 0, 1 << 20);
  let window: { center: number; width: number } | undefined;
  if (q.window !== undefined) {
    const m = q.window.split(',').map((s) => Number(s.trim()));
    if (m.length !== 2 || !m.every(Number.isFinite) || m[1] <= 0) bad(`window expects CENTER,WIDTH with WIDTH > 0 (e.g. 40,400); found "${q.window}"`);
    window = { center: m[0], width: m[1] };
  }
  const size = q.size !== undefined ? parseInteger('size', q.size, 0, 16384) : undefined;
  const methodOptions: MethodOptions = {};
  if (q.seed !== undefined) methodOptions.seed = parseInteger('seed', q.seed, 0, 2 ** 31 - 1);
  if (q.palette !== undefined) methodOptions.palette = q.palette;
  // A classification head's decoding; the model method checks the values.
  if (q.decode !== undefined) methodOptions.decode = q.decode;
  if (q.temperature !== undefined) methodOptions.temperature = Number(q.temperature);
  const flag = (name: string): boolean => {
    const v = q[name];
    if (v !== undefined && !['true', 'false', '1', '0'].includes(v)) bad(`${name} expects true or false; found "${v}"`);
    return v === 'true' || v === '1';
  };
  let minConfidence: number | undefined;
  const mc = q['min-confidence'];
  if (mc !== undefined) {
    minConfidence = Number(mc);
    if (mc.trim() === '' || !(minConfidence >= 0 && minConfidence <= 1)) bad(`min-confidence expects a number 0..1; found "${mc}"`);
  }
  return { method: q.method, model: q.model, format, frame, window, size, methodOptions, strict: flag('strict'), confidence: flag('confidence'), minConfidence };
}

const isImageBytes = (b: Uint8Array) =>
  (b[0] === 0x89 && b[1] === 0x50) || (b[0] === 0xff && b[1] === 0xd8) || (b[0] === 0x49 && b[1] === 0x49) || (b[0] === 0x4d && b[1] === 0x4d) || (b[0] === 0x52 && b[8] === 0x57);

async function readUpload(req: FastifyRequest): Promise<Upload> {
  if (!req.isMultipart()) {
    const body = req.body;
    if (!(body instanceof Uint8Array) || body.length === 0) {
      throw new MedcolorError('ERR_UNSUPPORTED_FORMAT', `expected the image file as the request body (DICOM, NIfTI, PNG, JPEG, TIFF, WebP); found ${body instanceof Uint8Array ? 'an empty body' : `a ${req.headers['content-type'] ?? 'typeless'} body`}`);
    }
    return { file: body };
  }
  const upload: Upload = {};
  for await (const part of req.parts()) {
    if (!['file', 'reference', 'scribbles'].includes(part.fieldname)) bad(`unknown multipart part "${part.fieldname}"; valid: file, reference, scribbles`);
    // Strokes may come as a text field (-F 'scribbles=[...]') as well as a file part.
    if (part.type === 'field') {
      if (part.fieldname !== 'scribbles') bad(`multipart part "${part.fieldname}" must be a file`);
      upload.scribbles = new TextEncoder().encode(String(part.value));
      continue;
    }
    upload[part.fieldname as keyof Upload] = new Uint8Array(await part.toBuffer());
  }
  if (!upload.file) bad('the multipart body has no "file" part');
  return upload;
}

/** 413 before decoding when a DICOM's header says it is larger than --max-pixels. */
async function checkDicomPixels(bytes: Uint8Array, maxPixels: number): Promise<void> {
  const dicm = bytes.length > 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
  if (!dicm) return;
  let info;
  try {
    info = await decodeDicomInfo(bytes);
  } catch {
    return; // the decoder reports it with its own code
  }
  const n = info.columns * info.rows * Math.max(1, info.frameCount);
  if (n > maxPixels) {
    throw new MedcolorError(
      'ERR_IMAGE_TOO_LARGE',
      `the image has ${info.columns} x ${info.rows} x ${info.frameCount} frame(s) = ${n} pixels; this server accepts at most ${maxPixels} (--max-pixels)`,
    );
  }
}

/** Registers the route (and the body parsers it needs). */
export async function registerColorizeRoute(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const limit = ctx.options.maxBodyBytes;
  await app.register(multipart, { limits: { fileSize: limit, fieldSize: limit, files: 3, fields: 1, parts: 4 }, throwFileSizeLimit: true });
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body));

  // Requests admitted (body being read, waiting or running): at most concurrency + queue, so the
  // bodies held in memory are bounded too; one more is refused before its body is read.
  let admitted = 0;
  const capacity = ctx.options.concurrency + ctx.options.queue;
  const admit = async (_req: FastifyRequest, reply: FastifyReply) => {
    if (admitted >= capacity) {
      return sendError(ctx, reply, new MedcolorError('ERR_QUEUE_FULL', `the server is busy: ${admitted} requests admitted (limit --concurrency + --queue = ${capacity}); retry later`));
    }
    admitted++;
    // 'close' comes once the reply is sent or the client went away, whichever happens.
    reply.raw.once('close', () => admitted--);
  };

  app.post('/v1/colorize', { onRequest: admit }, async (req: FastifyRequest, reply: FastifyReply) => {
    const q = parseQuery(req.query as Record<string, string>);
    const upload = await readUpload(req);
    await checkDicomPixels(upload.file!, ctx.options.maxPixels);
    const { method, label, model } = await resolveRequestMethod(q.method, q.model);
    const methodOptions = { ...q.methodOptions };
    if (upload.reference) methodOptions.reference = await decodeRasterRgb(upload.reference, { source: 'reference part', maxPixels: ctx.options.maxPixels });
    if (upload.scribbles) {
      methodOptions.strokes = isImageBytes(upload.scribbles)
        ? await decodeRasterRgb(upload.scribbles, { source: 'scribbles part', maxPixels: ctx.options.maxPixels })
        : new TextDecoder().decode(upload.scribbles);
    }
    if (method.needsReference && !methodOptions.reference) bad(`method ${label} needs a color reference image: send multipart/form-data with a "reference" part`);
    if (label === 'scribble' && methodOptions.strokes === undefined) bad('method scribble needs strokes: send multipart/form-data with a "scribbles" part');
    const result = await ctx.limiter.run(() =>
      colorizeBytes(upload.file!, method, {
        name: 'upload',
        format: q.format,
        frame: q.frame,
        window: q.window,
        size: q.size,
        methodOptions,
        strict: q.strict,
        confidence: q.confidence,
        minConfidence: q.minConfidence,
        maxPixels: ctx.options.maxPixels,
        raster: sharpRasterCodec,
        provenance: { method: label, model },
      }),
    );
    reply.header('x-medcolor-method', label);
    if (model) reply.header('x-medcolor-model', model);
    reply.header('x-medcolor-frames', String(result.frames));
    if (result.warnings.length) reply.header('x-medcolor-warnings', encodeURIComponent(JSON.stringify(result.warnings)));
    if (result.meanConfidence !== undefined) reply.header('x-medcolor-confidence', String(result.meanConfidence));
    if (result.outputs.length === 1) {
      const o = result.outputs[0];
      return reply.type(o.contentType).header('content-disposition', `attachment; filename="colorized${o.suffix}"`).send(Buffer.from(o.bytes));
    }
    const zip = zipSync(Object.fromEntries(result.outputs.map((o) => [`colorized${o.suffix}`, [o.bytes, { level: 0 }]])));
    return reply.type('application/zip').header('content-disposition', 'attachment; filename="colorized.zip"').send(Buffer.from(zip));
  });
}
