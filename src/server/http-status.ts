/**
 * The HTTP status for each library error code: the server answers every failure as JSON
 * `{code, message}` with the library's own code and the status that fits it.
 */

/** Codes that mean "the request's parameters are wrong" (400). */
const BAD_REQUEST = new Set([
  'ERR_USAGE',
  'ERR_BAD_OPTION',
  'ERR_USAGE',
  'ERR_BAD_STROKES',
  'ERR_BAD_REFERENCE',
  'ERR_PALETTE_PARSE',
  'ERR_UNKNOWN_PALETTE',
  'ERR_UNKNOWN_METHOD',
  'ERR_METHOD_NOT_FOUND',
  'ERR_MODEL_NOT_FOUND',
  'ERR_REFERENCE_REQUIRED',
  'ERR_STROKES_REQUIRED',
  'ERR_FRAME_RANGE',
  'ERR_DICOM_FRAME',
  'ERR_NIFTI_SLICE',
  'ERR_NIFTI_AXIS',
  'ERR_NIFTI_VOLUME',
  'ERR_FORMAT_MISMATCH',
  'ERR_USAGE',
]);

/** Codes that mean "the image is too large for this server" (413). */
const TOO_LARGE = new Set(['ERR_BODY_TOO_LARGE', 'ERR_IMAGE_TOO_LARGE', 'ERR_TOO_MANY_PIXELS']);

/** Codes that mean "this is not an image medcolor reads" (415). */
const UNSUPPORTED = new Set(['ERR_UNSUPPORTED_FORMAT', 'ERR_NOT_AN_IMAGE', 'ERR_UNSUPPORTED_FORMAT']);

/**
 * The status for a library error code. Decoding errors of a recognized format and method refusals
 * (`ERR_NO_HU_CALIBRATION`, ...) are 422: the file is an image, but not one this request can colorize.
 *
 * @example
 * statusForCode('ERR_NO_HU_CALIBRATION'); // 422
 */
export function statusForCode(code: string): number {
  if (code === 'ERR_UNAUTHORIZED') return 401;
  if (code === 'ERR_NOT_FOUND' || code === 'ERR_JOB_NOT_FOUND') return 404;
  if (BAD_REQUEST.has(code)) return 400;
  if (TOO_LARGE.has(code)) return 413;
  if (UNSUPPORTED.has(code)) return 415;
  if (code === 'ERR_QUEUE_FULL') return 429;
  if (code === 'ERR_UNAVAILABLE') return 503;
  if (code === 'ERR_TIMEOUT') return 504;
  if (code === 'ERR_INTERNAL' || code === 'ERR_MODEL_FORMAT' || code === 'ERR_MODEL_CONTRACT' || code === 'ERR_WRITE' || code === 'ERR_OUTPUT') return 500;
  if (code.startsWith('ERR_PACS') || code.startsWith('ERR_DICOMWEB')) return 502;
  // Everything else the library throws is about the input's content: a DICOM/NIfTI/raster that
  // is recognized but cannot be decoded, or that the method refuses.
  return 422;
}
