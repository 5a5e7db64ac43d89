/**
 * Atomic file output: data is written to a temporary name in the target's directory, flushed,
 * then renamed over the target, so a reader never sees a half-written file and a crash leaves
 * the old file (or none) in place. Node only.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MedcolorError } from '../errors.js';

/**
 * Writes `data` to `path` atomically (temp file in the same directory, fsync, rename).
 *
 * @example
 * await writeFileAtomic('out/result.png', pngBytes);
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(tmp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (e) {
    if (handle) await handle.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    const err = e as NodeJS.ErrnoException;
    throw new MedcolorError('ERR_WRITE', `could not write the file (${err.code ?? 'error'}: ${err.message})`, {
      file: path,
      cause: e,
    });
  }
}
