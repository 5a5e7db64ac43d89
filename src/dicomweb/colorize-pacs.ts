/**
 * Colorizing a study, a series or a query's results in a PACS over DICOMweb: QIDO-RS finds the
 * instances, WADO-RS retrieves each as stored, the library decodes and colorizes it
 * (`colorizeBytes`, format dcm: the DICOM Secondary Capture writer with its provenance
 * attributes) and STOW-RS stores the result into the same study. Derived UIDs are functions of
 * the source UID, the method and the model, so a second run finds its results already stored
 * and stores nothing new, and a retried job never duplicates a series. Node only.
 */
import { isMedcolorError, MedcolorError } from '../errors.js';
import { deriveUid, isDerivedUid } from '../io/dicom/derived-uid.js';
import { sharpRasterCodec } from '../io/raster.js';
import type { ColorizationMethod } from '../methods/types.js';
import { colorizeBytes, type ColorizeBytesOptions } from '../pipeline/colorize-input.js';
import { createDicomWebClient, readJsonValue, TAG, type DicomWebClient, type DicomWebSource } from './client.js';

/** Where one source instance is. */
export interface InstanceRef {
  study: string;
  series: string;
  sop: string;
}

/** Which instances: a study, a series, or a QIDO-RS query of series (e.g. `PatientID=123&Modality=CT`). */
export interface PacsSelection {
  study?: string;
  series?: string;
  query?: string;
}

/** How the instances are colorized. */
export interface PacsColorizeOptions {
  method: ColorizationMethod;
  /** 'model' or the classical method's name (recorded in DerivationDescription and in the derived UIDs). */
  label: string;
  /** Model name when the method is 'model'. */
  model?: string | null;
  /** Further pipeline options (window, working size, method options). */
  colorize?: Omit<ColorizeBytesOptions, 'format' | 'provenance' | 'raster' | 'name'>;
  /** Find and report, store nothing. */
  dryRun?: boolean;
}

/** The outcome of one instance. */
export interface InstanceOutcome {
  source: InstanceRef;
  /** SOP Instance UID of the colorized instance. */
  derivedSop: string;
  derivedSeries: string;
  /** stored: sent by STOW-RS; exists: already in the PACS (nothing sent); dry-run: would be sent; failed. */
  state: 'stored' | 'exists' | 'dry-run' | 'failed';
  code?: string;
  error?: string;
  ms: number;
}

/** What a whole run did. */
export interface PacsSummary {
  total: number;
  stored: number;
  exists: number;
  failed: number;
  dryRun: number;
  /** Series UIDs created or found (source series -> derived series). */
  series: Record<string, string>;
}

/** The derived Series Instance UID of a source series for a method and model. */
export function deriveSeriesUid(sourceSeries: string, label: string, model?: string | null): Promise<string> {
  return deriveUid(['medcolor-series', sourceSeries, label, model ?? '']);
}

/** The derived SOP Instance UID of a source instance for a method and model. */
export function deriveInstanceUid(sourceSop: string, label: string, model?: string | null): Promise<string> {
  return deriveUid(['medcolor-instance', sourceSop, label, model ?? '']);
}

async function listSeriesInstances(client: DicomWebClient, study: string, series: string): Promise<InstanceRef[]> {
  const found = await client.search(`studies/${study}/series/${series}/instances`);
  return found.map((d) => ({ study, series, sop: readJsonValue(d, TAG.SOPInstanceUID) })).filter((r) => r.sop);
}

/**
 * The instances a selection names, in PACS order, without the series that are medcolor's own
 * results (their UIDs say so: isDerivedUid), so colorizing a study again, with any method, never
 * colorizes the colorized series.
 *
 * @example
 * const refs = await findPacsInstances(client, { study: '1.2.3' });
 */
export async function findPacsInstances(client: DicomWebClient, selection: PacsSelection): Promise<InstanceRef[]> {
  const { study, series, query } = selection;
  if ([study, series, query].filter((v) => v !== undefined).length !== 1 && !(study && series)) {
    throw new MedcolorError('ERR_USAGE', 'give one of study, series or query (or study with series)');
  }
  let seriesList: Array<{ study: string; series: string }>;
  if (series) {
    const st = study ?? readJsonValue((await client.search('series', { SeriesInstanceUID: series }))[0] ?? {}, TAG.StudyInstanceUID);
    if (!st) throw new MedcolorError('ERR_PACS_NOT_FOUND', `no series ${series} in the PACS at ${client.url}`);
    seriesList = [{ study: st, series }];
  } else if (study) {
    const found = await client.search(`studies/${study}/series`);
    if (found.length === 0) throw new MedcolorError('ERR_PACS_NOT_FOUND', `no study ${study} (or no series in it) in the PACS at ${client.url}`);
    seriesList = found.map((d) => ({ study, series: readJsonValue(d, TAG.SeriesInstanceUID) }));
  } else {
    const params = new URLSearchParams(query!);
    if ([...params.keys()].length === 0) throw new MedcolorError('ERR_USAGE', `the query "${query}" has no attribute=value pairs; expected e.g. PatientID=123&Modality=CT`);
    const found = await client.search('series', params);
    seriesList = found.map((d) => ({ study: readJsonValue(d, TAG.StudyInstanceUID), series: readJsonValue(d, TAG.SeriesInstanceUID) }));
  }
  const refs: InstanceRef[] = [];
  for (const s of seriesList) {
    if (isDerivedUid(s.series)) continue;
    refs.push(...(await listSeriesInstances(client, s.study, s.series)));
  }
  return refs;
}

/**
 * Colorizes one instance and stores the result, unless the PACS already has it.
 *
 * @example
 * const out = await colorizePacsInstance(client, ref, { method, label: 'lut' });
 */
export async function colorizePacsInstance(client: DicomWebClient, ref: InstanceRef, options: PacsColorizeOptions): Promise<InstanceOutcome> {
  const started = performance.now();
  const derivedSop = await deriveInstanceUid(ref.sop, options.label, options.model);
  const derivedSeries = await deriveSeriesUid(ref.series, options.label, options.model);
  const outcome = (state: InstanceOutcome['state'], extra: Partial<InstanceOutcome> = {}): InstanceOutcome => ({
    source: ref,
    derivedSop,
    derivedSeries,
    state,
    ms: Math.round(performance.now() - started),
    ...extra,
  });
  try {
    const existing = await client.search(`studies/${ref.study}/instances`, { SOPInstanceUID: derivedSop });
    if (existing.some((d) => readJsonValue(d, TAG.SOPInstanceUID) === derivedSop)) return outcome('exists');
    if (options.dryRun) return outcome('dry-run');
    const bytes = await client.retrieveInstance(ref.study, ref.series, ref.sop);
    const result = await colorizeBytes(bytes, options.method, {
      ...options.colorize,
      name: `instance ${ref.sop}`,
      format: 'dcm',
      raster: sharpRasterCodec,
      provenance: { method: options.label, model: options.model ?? null, sopInstanceUid: derivedSop, seriesInstanceUid: derivedSeries },
    });
    const stored = await client.store(ref.study, [result.outputs[0].bytes]);
    if (stored.failed.length > 0 || !stored.stored.includes(derivedSop)) {
      throw new MedcolorError('ERR_PACS_STORE', `the PACS did not store ${derivedSop} (failure reason ${stored.failed[0]?.reason ?? 'none given'})`);
    }
    return outcome('stored');
  } catch (e) {
    return outcome('failed', { code: isMedcolorError(e) ? e.code : 'ERR_INTERNAL', error: e instanceof Error ? e.message : String(e) });
  }
}

/**
 * Colorizes a selection in a PACS, one instance at a time; `onInstance` hears each outcome. A
 * failed instance is reported and the others go on.
 *
 * @example
 * const s = await colorizePacs({ url: 'http://pacs/dicom-web' }, { study: '1.2.3' }, { method, label: 'lut' });
 * s.failed; // 0
 */
export async function colorizePacs(
  source: DicomWebSource,
  selection: PacsSelection,
  options: PacsColorizeOptions,
  onInstance?: (outcome: InstanceOutcome, index: number, total: number) => void,
): Promise<PacsSummary> {
  const client = createDicomWebClient(source);
  const refs = await findPacsInstances(client, selection);
  const summary: PacsSummary = { total: refs.length, stored: 0, exists: 0, failed: 0, dryRun: 0, series: {} };
  for (const [i, ref] of refs.entries()) {
    const o = await colorizePacsInstance(client, ref, options);
    if (o.state === 'stored') summary.stored++;
    else if (o.state === 'exists') summary.exists++;
    else if (o.state === 'failed') summary.failed++;
    else summary.dryRun++;
    summary.series[ref.series] = o.derivedSeries;
    onInstance?.(o, i, refs.length);
  }
  return summary;
}
