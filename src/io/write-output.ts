/**
 * Output files of the "colorize files" job: where each input's outputs go (folder layout kept,
 * extension dropped, name clashes numbered) and writing encoded outputs atomically. Node only.
 */
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { MedcolorError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import type { EncodedOutput } from './encode-output.js';

/**
 * An input's name without its extension ('.nii.gz' and '.hdr.gz' count as one), relative to
 * the folder it was found in (or its base name when it was named directly).
 *
 * @example
 * outputStem('/scans/a/ct.dcm', '/scans'); // 'a/ct'
 */
export function outputStem(file: string, root: string | undefined): string {
  const rel = root ? relative(root, file) : basename(file);
  return rel.replace(/\.(nii|hdr|img)\.gz$/i, '').replace(/\.[^./\\]+$/, '');
}

/** Gives every input of one run its own output base name (`name`, `name-2`, ...). */
export class OutputNamer {
  private readonly used = new Set<string>();
  constructor(readonly outDir: string) {}

  /** The output base path (without suffix) for `file`, found under `root` (a folder input) or named directly. */
  baseFor(file: string, root: string | undefined): string {
    const stem0 = outputStem(file, root);
    let stem = stem0;
    for (let n = 2; this.used.has(stem); n++) stem = `${stem0}-${n}`;
    this.used.add(stem);
    return join(this.outDir, stem);
  }
}

/**
 * Creates a folder (and its parents), or throws ERR_OUTPUT saying why not.
 *
 * @example
 * await ensureFolder('out/sub');
 */
export async function ensureFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new MedcolorError('ERR_OUTPUT', `cannot create the output folder (${(e as Error).message})`, { file: dir, cause: e });
  }
}

/**
 * Writes encoded outputs as `base + suffix`, each atomically; returns the paths written.
 *
 * @example
 * await writeOutputs('out/ct', await encodeOutputs(frames, input, { format: 'dcm', provenance })); // ['out/ct.dcm']
 */
export async function writeOutputs(base: string, outputs: EncodedOutput[]): Promise<string[]> {
  await ensureFolder(dirname(base));
  const written: string[] = [];
  for (const o of outputs) {
    const f = base + o.suffix;
    await writeFileAtomic(f, o.bytes);
    written.push(f);
  }
  return written;
}
