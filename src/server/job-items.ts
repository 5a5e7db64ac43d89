/**
 * What a batch job is made of: its spec (inputs or a DICOMweb source, method, model, format),
 * its items (one input file, or one DICOMweb instance) each with an id that is a hash of the
 * work it describes, and the one function that runs an item, used by the in-process queue and
 * by `medcolor worker` alike.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { MedcolorError } from '../errors.js';
import { colorizePacsInstance, findPacsInstances } from '../dicomweb/colorize-pacs.js';
import { createDicomWebClient, type DicomWebSource } from '../dicomweb/client.js';
import { expandInputs } from '../io/expand-inputs.js';
import { colorizeFiles, isInputFile } from '../pipeline/colorize-files.js';
import type { ItemResult } from './job-queue.js';
import { resolveRequestMethod } from './method-cache.js';

/** A batch job as POST /v1/jobs and `medcolor batch` give it. */
export interface JobSpec {
  /** Files, folders or globs (file jobs). */
  inputs?: string[];
  /** Output folder (file jobs). */
  output?: string;
  /** Output format of file jobs (default png). */
  format?: 'png' | 'dcm' | 'nii';
  /** A DICOMweb source: results are stored back into the PACS. */
  dicomweb?: DicomWebSource & { study?: string; series?: string; query?: string };
  method?: string;
  model?: string;
  /** Refuse inputs outside the model's domain (ERR_OUT_OF_DOMAIN) instead of colorizing them with a warning. */
  strict?: boolean;
  /** Also make each output's confidence map (a file beside it, or a series of its own in the PACS). */
  confidence?: boolean;
  /** Fade chroma to gray where the confidence is below this (0..1). */
  minConfidence?: number;
}

/** The trust options of a job as the pipeline takes them. */
function trustOf(spec: JobSpec): { strict: boolean; confidence: boolean; minConfidence?: number } {
  return { strict: Boolean(spec.strict), confidence: Boolean(spec.confidence), ...(spec.minConfidence !== undefined ? { minConfidence: spec.minConfidence } : {}) };
}

/** One unit of work. */
export interface JobItem {
  /** Hash of (input, method, model, format, output, trust options): the same work has the same id. */
  id: string;
  /** The input file, or the source SOP Instance UID. */
  input: string;
  /** File items: the folder its outputs go to (folder inputs keep their layout). */
  outDir?: string;
  /** DICOMweb items: where the instance is. */
  instance?: { study: string; series: string; sop: string };
}

const hash = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

/** The trust options in an item's id: none when unset, so ids of plain jobs stay as they were. */
const trustKey = (spec: JobSpec): unknown[] => {
  const t = trustOf(spec);
  return t.strict || t.confidence || t.minConfidence !== undefined ? [t] : [];
};

/** The id of a job: a hash of its items' ids (the same items make the same job). */
export function jobIdFor(items: JobItem[]): string {
  return `j${hash(items.map((i) => i.id).sort()).slice(0, 24)}`;
}

function within(root: string, p: string, what: string): string {
  const abs = resolve(root, p);
  if (abs !== root && !abs.startsWith(root + sep)) {
    throw new MedcolorError('ERR_USAGE', `${what} "${p}" is outside the server's job root; expected a path below it`);
  }
  return abs;
}

/** Checks a spec's shape (it comes from JSON). */
export function checkJobSpec(spec: unknown): JobSpec {
  const s = spec as JobSpec;
  const bad = (m: string): never => {
    throw new MedcolorError('ERR_USAGE', m);
  };
  if (!s || typeof s !== 'object') bad('expected a JSON object with "inputs" and "output", or "dicomweb"');
  const hasFiles = s.inputs !== undefined, hasPacs = s.dicomweb !== undefined;
  if (hasFiles === hasPacs) bad('give either "inputs" (with "output") or "dicomweb"');
  if (hasFiles && (!Array.isArray(s.inputs) || s.inputs.length === 0 || !s.inputs.every((i) => typeof i === 'string'))) bad('"inputs" must be a non-empty list of paths');
  if (hasFiles && typeof s.output !== 'string') bad('"output" (a folder) is required with "inputs"');
  if (hasPacs && (typeof s.dicomweb!.url !== 'string' || [s.dicomweb!.study, s.dicomweb!.series, s.dicomweb!.query].every((v) => v === undefined))) {
    bad('"dicomweb" needs "url" and one of "study", "series", "query"');
  }
  if (s.format !== undefined && !['png', 'dcm', 'nii'].includes(s.format)) bad(`"format" must be png, dcm or nii; found "${String(s.format)}"`);
  for (const k of ['method', 'model'] as const) if (s[k] !== undefined && typeof s[k] !== 'string') bad(`"${k}" must be a string`);
  for (const k of ['strict', 'confidence'] as const) if (s[k] !== undefined && typeof s[k] !== 'boolean') bad(`"${k}" must be true or false; found ${JSON.stringify(s[k])}`);
  if (s.minConfidence !== undefined && !(typeof s.minConfidence === 'number' && s.minConfidence >= 0 && s.minConfidence <= 1)) {
    bad(`"minConfidence" must be a number 0..1; found ${JSON.stringify(s.minConfidence)}`);
  }
  return s;
}

/**
 * Expands a job into its items: every file of its inputs (folders walked, globs matched; with
 * `root`, every path must lie below it), or every instance of its DICOMweb selection.
 *
 * @example
 * const items = await expandJob({ inputs: ['scans/'], output: 'out', method: 'lut' });
 */
export async function expandJob(spec: JobSpec, options: { root?: string } = {}): Promise<JobItem[]> {
  checkJobSpec(spec);
  const { label, model } = await resolveRequestMethod(spec.method, spec.model);
  if (spec.dicomweb) {
    const { study, series, query, ...source } = spec.dicomweb;
    const refs = await findPacsInstances(createDicomWebClient(source), { study, series, query });
    return refs.map((r) => ({ id: `i${hash(['dicomweb', source.url, r.sop, label, model, ...trustKey(spec)]).slice(0, 32)}`, input: r.sop, instance: r }));
  }
  const root = options.root ? resolve(options.root) : undefined;
  const output = root ? within(root, spec.output!, 'output') : resolve(spec.output!);
  const items: JobItem[] = [];
  for (const given of spec.inputs!) {
    const abs = root ? within(root, given, 'input') : resolve(given);
    let folder: string | undefined;
    try {
      if (statSync(abs).isDirectory()) folder = abs;
    } catch {
      /* a glob or a missing path */
    }
    for (const f of expandInputs([abs], { accept: isInputFile })) {
      if (f.missing) throw new MedcolorError('ERR_USAGE', `no such file, folder or matching glob: ${given}`);
      const file = resolve(f.file);
      if (root) within(root, file, 'input');
      const outDir = folder ? join(output, dirname(relative(folder, file))) : output;
      items.push({ id: `i${hash(['file', file, outDir, label, model, spec.format ?? 'png', ...trustKey(spec)]).slice(0, 32)}`, input: file, outDir });
    }
  }
  if (items.length === 0) throw new MedcolorError('ERR_USAGE', `no input files in ${spec.inputs!.join(', ')}`);
  return items;
}

/**
 * Runs one item: colorizes the file into its output folder, or the DICOMweb instance back into
 * its PACS (`note: 'skipped'` when the PACS already had the result). Throws a MedcolorError when
 * the item failed.
 *
 * @example
 * const { outputs } = await runJobItem(spec, items[0]);
 */
export async function runJobItem(spec: JobSpec, item: JobItem): Promise<ItemResult> {
  const { method, label, model } = await resolveRequestMethod(spec.method, spec.model);
  if (item.instance) {
    if (!spec.dicomweb) throw new MedcolorError('ERR_USAGE', 'a DICOMweb item needs the job\'s "dicomweb" source');
    const { study: _s, series: _se, query: _q, ...source } = spec.dicomweb;
    const o = await colorizePacsInstance(createDicomWebClient(source), item.instance, { method, label, model, colorize: trustOf(spec) });
    if (o.state === 'failed') throw new MedcolorError((o.code ?? 'ERR_INTERNAL') as never, o.error ?? 'failed');
    return {
      outputs: [o.derivedSop, ...(o.confidenceSop ? [o.confidenceSop] : [])],
      ...(o.state === 'exists' ? { note: 'skipped' } : {}),
      ...(o.warnings ? { warnings: o.warnings } : {}),
    };
  }
  let failure: MedcolorError | undefined;
  let result: ItemResult = { outputs: [] };
  await colorizeFiles([item.input], method, {
    outDir: item.outDir!,
    format: spec.format ?? 'png',
    provenance: { method: label, model },
    ...trustOf(spec),
    onFile: (e) => {
      if (e.ok) result = { outputs: e.outputs, ...(e.warnings.length ? { warnings: e.warnings } : {}) };
      else failure = new MedcolorError(e.code, e.error);
    },
  });
  if (failure) throw failure;
  return result;
}
