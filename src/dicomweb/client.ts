/**
 * A DICOMweb client (PS3.18): QIDO-RS search, WADO-RS retrieve of whole instances as stored,
 * STOW-RS store; basic or bearer authentication. Uses the platform's fetch. Credentials never
 * appear in error messages.
 */
import { MedcolorError } from '../errors.js';
import { buildMultipartRelated, parseMultipart } from './multipart.js';

/** Where a PACS is and how to log in. */
export interface DicomWebSource {
  /** DICOMweb root, e.g. http://127.0.0.1:8042/dicom-web */
  url: string;
  user?: string;
  password?: string;
  bearer?: string;
}

/** A DICOM JSON dataset (PS3.18 F.2): tag "GGGGEEEE" -> {vr, Value}. */
export type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

/** STOW-RS outcome. */
export interface StoreResult {
  /** SOP Instance UIDs the PACS stored (ReferencedSOPSequence). */
  stored: string[];
  /** SOP Instance UIDs it refused, with the failure reason code (FailedSOPSequence). */
  failed: Array<{ sopInstanceUid: string; reason: number }>;
}

/** Tags used by medcolor. */
export const TAG = {
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
  SOPClassUID: '00080016',
  Modality: '00080060',
  NumberOfFrames: '00280008',
  ReferencedSOPSequence: '00081199',
  FailedSOPSequence: '00081198',
  ReferencedSOPInstanceUID: '00081155',
  FailureReason: '00081197',
} as const;

/**
 * The first value of a tag in a DICOM JSON dataset, as a string ('' when absent).
 *
 * @example
 * readJsonValue(instance, TAG.SOPInstanceUID); // '1.2.840...'
 */
export function readJsonValue(ds: DicomJson, tag: string): string {
  const v = ds[tag]?.Value?.[0];
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && 'Alphabetic' in (v as object)) return String((v as { Alphabetic: string }).Alphabetic);
  return String(v);
}

/** See the file comment. */
export interface DicomWebClient {
  readonly url: string;
  /** QIDO-RS: GET {root}/{path}?{query} -> DICOM JSON datasets (an empty list for 204). */
  search(path: string, query?: Record<string, string> | URLSearchParams): Promise<DicomJson[]>;
  /** WADO-RS: one instance as stored (its own transfer syntax). */
  retrieveInstance(study: string, series: string, instance: string): Promise<Uint8Array>;
  /** STOW-RS: stores Part-10 files into a study. */
  store(study: string, files: Uint8Array[]): Promise<StoreResult>;
}

function authHeader(source: DicomWebSource): Record<string, string> {
  if (source.bearer) return { authorization: `Bearer ${source.bearer}` };
  if (source.user !== undefined) return { authorization: `Basic ${Buffer.from(`${source.user}:${source.password ?? ''}`).toString('base64')}` };
  return {};
}

/**
 * Creates a client for a DICOMweb root.
 *
 * @example
 * const pacs = createDicomWebClient({ url: 'http://127.0.0.1:8042/dicom-web', user: 'u', password: 'p' });
 * const studies = await pacs.search('studies', { PatientID: '123' });
 */
export function createDicomWebClient(source: DicomWebSource): DicomWebClient {
  let root: URL;
  try {
    root = new URL(source.url.replace(/\/+$/, '') + '/');
  } catch {
    throw new MedcolorError('ERR_USAGE', `the DICOMweb URL "${source.url}" is not a URL; expected e.g. http://pacs:8042/dicom-web`);
  }
  if (root.username || root.password) {
    throw new MedcolorError('ERR_USAGE', 'put the PACS credentials in --user/--password or --bearer, not in the URL');
  }
  const shown = root.origin + root.pathname.replace(/\/$/, '');
  const headers = authHeader(source);

  async function request(method: string, path: string, init: { query?: URLSearchParams; accept: string; body?: Uint8Array; contentType?: string }): Promise<Response> {
    const u = new URL(path.replace(/^\/+/, ''), root);
    if (init.query) u.search = init.query.toString();
    let res: Response;
    try {
      res = await fetch(u, {
        method,
        headers: { ...headers, accept: init.accept, ...(init.contentType ? { 'content-type': init.contentType } : {}) },
        body: init.body as BodyInit | undefined,
      });
    } catch (e) {
      throw new MedcolorError('ERR_DICOMWEB_UNREACHABLE', `${method} ${shown}/${path}: the PACS did not answer (${(e as Error).cause ?? (e as Error).message})`, { cause: e });
    }
    if (res.status === 401 || res.status === 403) {
      throw new MedcolorError('ERR_DICOMWEB_AUTH', `${method} ${shown}/${path}: the PACS refused the credentials (HTTP ${res.status}); give --user/--password or --bearer`);
    }
    if (!res.ok && res.status !== 204) {
      const text = (await res.text().catch(() => '')).slice(0, 300);
      throw new MedcolorError('ERR_DICOMWEB_STATUS', `${method} ${shown}/${path}: expected a 2xx answer; the PACS answered HTTP ${res.status}${text ? `: ${text}` : ''}`);
    }
    return res;
  }

  return {
    url: shown,
    async search(path, query) {
      const q = query instanceof URLSearchParams ? query : new URLSearchParams(query ?? {});
      const res = await request('GET', path, { query: q, accept: 'application/dicom+json' });
      if (res.status === 204) return [];
      const text = await res.text();
      if (!text.trim()) return [];
      try {
        return JSON.parse(text) as DicomJson[];
      } catch {
        throw new MedcolorError('ERR_DICOMWEB_STATUS', `GET ${shown}/${path}: expected DICOM JSON; found ${text.slice(0, 80)}`);
      }
    },
    async retrieveInstance(study, series, instance) {
      const path = `studies/${study}/series/${series}/instances/${instance}`;
      const res = await request('GET', path, { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' });
      const body = new Uint8Array(await res.arrayBuffer());
      const parts = parseMultipart(body, res.headers.get('content-type') ?? '');
      if (parts.length !== 1) {
        throw new MedcolorError('ERR_DICOMWEB_STATUS', `GET ${shown}/${path}: expected one instance; the PACS sent ${parts.length} parts`);
      }
      return parts[0].body;
    },
    async store(study, files) {
      const { body, contentType } = buildMultipartRelated(files, 'application/dicom');
      const res = await request('POST', `studies/${study}`, { accept: 'application/dicom+json', body, contentType });
      const text = await res.text();
      const ds = (text.trim() ? JSON.parse(text) : {}) as DicomJson;
      const seq = (tag: string) => (ds[tag]?.Value ?? []) as DicomJson[];
      return {
        stored: seq(TAG.ReferencedSOPSequence).map((r) => readJsonValue(r, TAG.ReferencedSOPInstanceUID)),
        failed: seq(TAG.FailedSOPSequence).map((r) => ({ sopInstanceUid: readJsonValue(r, TAG.ReferencedSOPInstanceUID), reason: Number(readJsonValue(r, TAG.FailureReason)) })),
      };
    },
  };
}
