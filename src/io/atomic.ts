/**
 * Atomic file output, the one way medcolor writes files: data goes to a temporary name in the
 * target's directory, is flushed, then renamed over the target, so a reader never sees a
 * half-written file and a crash leaves the old file (or none) in place. Node only.
 *
 * Three shapes of the same rule: `writeFileAtomic` (async), `writeFileAtomicSync` (for code that
 * cannot await, e.g. a SIGINT handler) and `openAtomicFile` (a file written piece by piece, e.g.
 * a streamed HTML report, committed or abandoned at the end).
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MedcolorError } from '../errors.js';

/** A fresh temporary name beside `path` (a dot-file, so folder walks skip it). */
function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function outputError(path: string, e: unknown): MedcolorError {
  const err = e as NodeJS.ErrnoException;
  return new MedcolorError('ERR_OUTPUT', `could not write the file (${err.code ?? 'error'}: ${err.message})`, { file: path, cause: e });
}

/**
 * Writes `data` to `path` atomically (temp file in the same directory, fsync, rename).
 *
 * @example
 * await writeFileAtomic('out/result.png', pngBytes);
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempNameFor(path);
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
    throw outputError(path, e);
  }
}

/**
 * The synchronous twin of {@link writeFileAtomic}, for code that cannot await.
 *
 * @example
 * writeFileAtomicSync('run/summary.json', json);
 */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  const file = openAtomicFile(path);
  try {
    file.write(data);
  } catch (e) {
    file.abort();
    throw e;
  }
  file.commit();
}

/** A file being written atomically: nothing appears under its name until `commit`. */
export interface AtomicFile {
  /** Appends data to the temporary file. */
  write(data: Uint8Array | string): void;
  /** Flushes and renames the temporary file over the target. */
  commit(): void;
  /** Deletes the temporary file; the target is left as it was. Safe to call twice. */
  abort(): void;
}

/**
 * Opens a file to be written in pieces and renamed into place at the end (synchronous writes).
 *
 * @example
 * const f = openAtomicFile('report.html');
 * try { f.write('<html>'); ...; f.commit(); } catch (e) { f.abort(); throw e; }
 */
export function openAtomicFile(path: string): AtomicFile {
  const tmp = tempNameFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
  } catch (e) {
    throw outputError(path, e);
  }
  const close = () => {
    if (fd === undefined) return;
    const f = fd;
    fd = undefined;
    closeSync(f);
  };
  return {
    write(data) {
      if (fd === undefined) throw new MedcolorError('ERR_INTERNAL', 'write after commit or abort', { file: path });
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      try {
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      } catch (e) {
        throw outputError(path, e);
      }
    },
    commit() {
      try {
        if (fd !== undefined) fsyncSync(fd);
        close();
        renameSync(tmp, path);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw outputError(path, e);
      }
    },
    abort() {
      try {
        close();
      } catch {
        /* already closed */
      }
      rmSync(tmp, { force: true });
    },
  };
}
