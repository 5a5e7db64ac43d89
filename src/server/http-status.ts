/**
 * The HTTP status for each library error code: the server answers every failure as JSON
 * `{code, message}` with the library's own code and the status that fits it. The sets are typed
 * by the error-code union, so a code that does not exist does not compile.
 */
import type { ErrorCode } from '../errors.js';

const set = (codes: ErrorCode[]): ReadonlySet<string> => new Set(codes);

/** "The request's parameters are wrong" (400). */
const BAD_REQUEST = set([
  'ERR_USAGE', 'ERR_BAD_OPTION', 'ERR_BAD_STROKES', 'ERR_BAD_REFERENCE', 'ERR_PALETTE_PARSE', 'ERR_UNKNOWN_PALETTE',
  'ERR_UNKNOWN_METHOD', 'ERR_MODEL_NOT_FOUND', 'ERR_REFERENCE_REQUIRED', 'ERR_STROKES_REQUIRED', 'ERR_WINDOW_INVALID',
  'ERR_WINDOW_INDEX', 'ERR_DICOM_FRAME', 'ERR_NIFTI_SLICE', 'ERR_NIFTI_AXIS', 'ERR_NIFTI_VOLUME', 'ERR_FORMAT_MISMATCH',
  'ERR_PACS_NOT_FOUND',
]);
const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_UNAUTHORIZED: 401,
  ERR_DICOMWEB_AUTH: 502,
  ERR_NOT_FOUND: 404,
  ERR_JOB_NOT_FOUND: 404,
  ERR_BODY_TOO_LARGE: 413,
  ERR_IMAGE_TOO_LARGE: 413,
  ERR_UNSUPPORTED_FORMAT: 415,
  ERR_QUEUE_FULL: 429,
  ERR_UNAVAILABLE: 503,
  ERR_TIMEOUT: 504,
  ERR_DICOMWEB_UNREACHABLE: 502,
  ERR_DICOMWEB_STATUS: 502,
  ERR_DICOMWEB_MULTIPART: 502,
  ERR_PACS_STORE: 502,
  ERR_INTERNAL: 500,
  ERR_OUTPUT: 500,
  ERR_MODEL_FORMAT: 500,
  ERR_MODEL_CONTRACT: 500,
  ERR_MODEL_RUN: 500,
};

/**
 * The status for a library error code. Decoding errors of a recognized format and method refusals
 * (`ERR_NO_HU_CALIBRATION`, ...) are 422: the file is an image, but not one this request can colorize.
 *
 * @example
 * statusForCode('ERR_NO_HU_CALIBRATION'); // 422
 */
export function statusForCode(code: string): number {
  if (BAD_REQUEST.has(code)) return 400;
  return STATUS[code as ErrorCode] ?? 422;
}
