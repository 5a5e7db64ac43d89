/**
 * Reading a whole input file into memory, with the errors every reader reports the same way
 * (not found, a folder, unreadable). Node only.
 */
import { readFile } from 'node:fs/promises';
import { MedcolorError } from '../errors.js';

/**
 * The bytes of a file, or a MedcolorError: ERR_FILE_NOT_FOUND, ERR_UNSUPPORTED_FORMAT for a
 * folder, ERR_READ for anything else.
 *
 * @example
 * const bytes = await readFileBytes('scan.dcm');
 */
export async function readFileBytes(file: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(file);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw toFileReadError(file, e);
  }
}

/**
 * The MedcolorError for a failed read of an input file: ERR_FILE_NOT_FOUND (ENOENT),
 * ERR_UNSUPPORTED_FORMAT for a folder (EISDIR), ERR_READ for anything else.
 */
export function toFileReadError(file: string, e: unknown): MedcolorError {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EISDIR') return new MedcolorError('ERR_UNSUPPORTED_FORMAT', 'is a folder, not an image file', { file, cause: e });
  return new MedcolorError(err.code === 'ENOENT' ? 'ERR_FILE_NOT_FOUND' : 'ERR_READ', `cannot read the file (${err.code ?? err.message})`, {
    file,
    cause: e,
  });
}
