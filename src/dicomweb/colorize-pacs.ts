/**
 * Colorizing a study, a series or a query's results in a PACS over DICOMweb: QIDO-RS finds the
 * instances, WADO-RS retrieves each as stored, the library decodes and colorizes it
 * (`colorizeBytes`, format dcm: the DICOM Secondary Capture writer with its provenance
 * attributes) and STOW-RS stores the result into the same study. Derived UIDs are functions of
 * the source UID, the method and the model, so a second run finds its results already stored
 * and stores nothing new, and a retried job never duplicates a series. Trust goes along: the
 * out-of-domain warning of every instance is reported (`strict` refuses it instead), chroma can be
 * faded where the confidence is low, and the confidence map can be stored as a series of its own.
 * Node only.
 */
import { isMedcolorError, MedcolorError } from '../errors.js';
import { deriveUid, isDerivedUid } from '../io/dicom/derived-uid.js';
import { CONFIDENCE_INFIX } from '../io/encode-output.js';
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
  /**
   * Further pipeline options (window, working size, method options, and trust: `strict`,
   * `minConfidence`, `confidence` to store the confidence map as a series of its own).
   */
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
  /** With `confidence`: the SOP Instance UID of its confidence map (a series of its own). */
  confidenceSop?: string;
  confidenceSeries?: string;
  /** stored: sent by STOW-RS; exists: already in the PACS (nothing sent); dry-run: would be sent; failed. */
  state: 'stored' | 'exists' | 'dry-run' | 'failed';
  code?: string;
  error?: string;
  /** What the pipeline warned of (e.g. WARN_OUT_OF_DOMAIN), when the instance was colorized. */
  warnings?: string[];
  /** With `confidence`: the mean confidence (0..1) of the instance. */
  meanConfidence?: number;
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
  /** With `confidence`: source series -> the derived series of its confidence maps. */
  confidenceSeries: Record<string, string>;
}

/**
 * The derived Series Instance UID of a source series for a method and model; `kind` 'confidence'
 * for the series of its confidence maps, `variant` for options that change the pixels (e.g.
 * 'min-confidence=0.5'; empty: the plain colorization).
 */
export function deriveSeriesUid(sourceSeries: string, label: string, model?: string | null, kind: 'color' | 'confidence' = 'color', variant = ''): Promise<string> {
  return deriveUid([kind === 'color' ? 'medcolor-series' : 'medcolor-confidence-series', sourceSeries, label, model ?? '', ...(variant ? [variant] : [])]);
}

/** The derived SOP Instance UID of a source instance for a method and model (kind and variant as {@link deriveSeriesUid}). */
export function deriveInstanceUid(sourceSop: string, label: string, model?: string | null, kind: 'color' | 'confidence' = 'color', variant = ''): Promise<string> {
  return deriveUid([kind === 'color' ? 'medcolor-instance' : 'medcolor-confidence-instance', sourceSop, label, model ?? '', ...(variant ? [variant] : [])]);
}

/** The options that change a colorized instance's pixels, as part of its derived UIDs ('' for none). */
function pixelVariant(options: PacsColorizeOptions): string {
  const mc = options.colorize?.minConfidence;
  return mc !== undefined ? `min-confidence=${mc}` : '';
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
  const { label, model } = options;
  const variant = pixelVariant(options);
  const derivedSop = await deriveInstanceUid(ref.sop, label, model, 'color', variant);
  const derivedSeries = await deriveSeriesUid(ref.series, label, model, 'color', variant);
  const withMap = Boolean(options.colorize?.confidence);
  const confidence = withMap
    ? { confidenceSop: await deriveInstanceUid(ref.sop, label, model, 'confidence'), confidenceSeries: await deriveSeriesUid(ref.series, label, model, 'confidence') }
    : {};
  const outcome = (state: InstanceOutcome['state'], extra: Partial<InstanceOutcome> = {}): InstanceOutcome => ({
    source: ref,
    derivedSop,
    derivedSeries,
    ...confidence,
    state,
    ms: Math.round(performance.now() - started),
    ...extra,
  });
  try {
    const wanted = [derivedSop, ...(confidence.confidenceSop ? [confidence.confidenceSop] : [])];
    const present = new Set<string>();
    for (const sop of wanted) {
      const found = await client.search(`studies/${ref.study}/instances`, { SOPInstanceUID: sop });
      if (found.some((d) => readJsonValue(d, TAG.SOPInstanceUID) === sop)) present.add(sop);
    }
    if (present.size === wanted.length) return outcome('exists');
    if (options.dryRun) return outcome('dry-run');
    const bytes = await client.retrieveInstance(ref.study, ref.series, ref.sop);
    const result = await colorizeBytes(bytes, options.method, {
      ...options.colorize,
      name: `instance ${ref.sop}`,
      format: 'dcm',
      raster: sharpRasterCodec,
      provenance: {
        method: label, model: model ?? null, sopInstanceUid: derivedSop, seriesInstanceUid: derivedSeries,
        confidenceSopInstanceUid: confidence.confidenceSop, confidenceSeriesInstanceUid: confidence.confidenceSeries,
      },
    });
    // The colorized instance, and its confidence map when asked and the method gives one; only what the PACS lacks.
    const made = result.outputs.map((o) => ({ bytes: o.bytes, sop: o.suffix.startsWith(CONFIDENCE_INFIX) ? confidence.confidenceSop! : derivedSop }));
    const outputs = made.filter((o) => !present.has(o.sop));
    const found = {
      ...(withMap && made.every((o) => o.sop === derivedSop) ? { confidenceSop: undefined, confidenceSeries: undefined } : {}),
      ...(result.warnings.length ? { warnings: result.warnings } : {}),
      ...(result.meanConfidence !== undefined ? { meanConfidence: result.meanConfidence } : {}),
    };
    // A method without a confidence map: the colorized instance was there already.
    if (outputs.length === 0) return outcome('exists', found);
    const stored = await client.store(ref.study, outputs.map((o) => o.bytes));
    const missing = outputs.find((o) => !stored.stored.includes(o.sop));
    if (stored.failed.length > 0 || missing) {
      throw new MedcolorError('ERR_PACS_STORE', `the PACS did not store ${missing?.sop ?? stored.failed[0]?.sopInstanceUid} (failure reason ${stored.failed[0]?.reason ?? 'none given'})`);
    }
    return outcome('stored', found);
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
  const summary: PacsSummary = { total: refs.length, stored: 0, exists: 0, failed: 0, dryRun: 0, series: {}, confidenceSeries: {} };
  for (const [i, ref] of refs.entries()) {
    const o = await colorizePacsInstance(client, ref, options);
    if (o.state === 'stored') summary.stored++;
    else if (o.state === 'exists') summary.exists++;
    else if (o.state === 'failed') summary.failed++;
    else summary.dryRun++;
    summary.series[ref.series] = o.derivedSeries;
    if (o.confidenceSeries) summary.confidenceSeries[ref.series] = o.confidenceSeries;
    onInstance?.(o, i, refs.length);
  }
  return summary;
}
