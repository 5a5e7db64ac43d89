/**
 * The one error class of medcolor. Every failure a user can cause carries a stable `code`,
 * the file it concerns (when there is one) and a message that says what was expected and
 * what was found.
 *
 * @example
 * throw new MedcolorError('ERR_DICOM_TRANSFER_SYNTAX', 'JPEG XL is not supported; supported: ...', { file });
 */
export class MedcolorError extends Error {
  readonly code: string;
  readonly file?: string;
  constructor(code: string, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(options.file ? `${options.file}: ${message}` : message, { cause: options.cause });
    this.name = 'MedcolorError';
    this.code = code;
    this.file = options.file;
  }
}

/** True when `e` is a MedcolorError (optionally with the given code). */
export function isMedcolorError(e: unknown, code?: string): e is MedcolorError {
  return e instanceof MedcolorError && (code === undefined || e.code === code);
}
