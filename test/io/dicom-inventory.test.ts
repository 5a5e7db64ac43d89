/**
 * Every DICOM file of <repo>/../shared/data/dicom/INVENTORY.txt either decodes to the pixels an
 * independent decoder (pydicom / imagecodecs) produced, or throws a typed MedcolorError.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMedcolorError } from '../../src/errors.js';
import { decodeDicom, decodeDicomRgb } from '../../src/io/dicom/decode.js';
import { decodeDicomInfo } from '../../src/io/dicom/info.js';
import { DICOM_REFERENCE } from './dicom-reference.js';
import { hasSharedData, sharedData } from '../fixtures.js';

const dataDir = sharedData('dicom');
const haveData = hasSharedData('dicom/INVENTORY.txt');

function inventory(): string[] {
  return readFileSync(path.join(dataDir, 'INVENTORY.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.includes(' TS='))
    .map((l) => l.trim().split(/\s+/).pop()!);
}

const files = haveData ? inventory() : [];

describe.skipIf(!haveData)('DICOM inventory (shared data)', () => {
  it('has a reference entry for every inventory file', () => {
    expect(files.length).toBeGreaterThan(170);
    for (const f of files) expect(DICOM_REFERENCE[f], f).toBeDefined();
  });

  it.each(files)('%s', async (f) => {
    const ref = DICOM_REFERENCE[f];
    const bytes = new Uint8Array(readFileSync(path.join(dataDir, f)));
    if (ref.expect === 'error') {
      const err = await decodeDicom(bytes, { source: f }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isMedcolorError(err), String(err)).toBe(true);
      expect((err as { code: string }).code).toBe(ref.code);
      return;
    }
    const info = await decodeDicomInfo(bytes, { source: f });
    expect(info.frameCount).toBe(ref.frameCount);
    for (const rf of ref.frames) {
      if (ref.color) {
        const [img] = await decodeDicomRgb(bytes, { source: f, frame: rf.frame });
        const tol = ref.tol ?? 1;
        for (const [y, x, v] of rf.pts) {
          const px = Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
          const want = (v as number[]).map((c) => Math.round(c * ref.scale!));
          for (let c = 0; c < 3; c++) expect(Math.abs(px[c] - want[c]), `${f} frame ${rf.frame} (${y},${x}) ${px} vs ${want}`).toBeLessThanOrEqual(tol);
        }
      } else {
        const [img] = await decodeDicom(bytes, { source: f, frame: rf.frame });
        expect(img.meta.frameIndex).toBe(rf.frame);
        const close = (a: number, b: number) => Math.abs(a - b) <= 1e-3 + 1e-5 * Math.abs(b);
        for (const [y, x, v] of rf.pts) {
          const got = img.data[y * img.width + x];
          expect(close(got, v as number), `${f} frame ${rf.frame} (${y},${x}): ${got} vs ${v}`).toBe(true);
        }
        let lo = Infinity, hi = -Infinity, sum = 0;
        for (const v of img.data) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
          sum += v;
        }
        expect(close(lo, rf.min!), `min ${lo} vs ${rf.min}`).toBe(true);
        expect(close(hi, rf.max!), `max ${hi} vs ${rf.max}`).toBe(true);
        expect(Math.abs(sum / img.data.length - rf.mean!)).toBeLessThan(1e-3 + 1e-5 * Math.abs(rf.mean!));
      }
    }
  });
});
