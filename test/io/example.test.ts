/** The bundled example examples/ct-phantom.dcm holds the tissues it promises, in HU. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDicom } from '../../src/io/dicom/read.js';
import { grayToL } from '../../src/image/window.js';
import { makeCtPhantom } from '../../scripts/make-example.js';

const file = path.resolve(import.meta.dirname, '../../examples/ct-phantom.dcm');

function meanAround(img: { width: number; data: Float32Array }, x: number, y: number, r = 3): number {
  let s = 0, n = 0;
  for (let j = -r; j <= r; j++) {
    for (let i = -r; i <= r; i++) {
      s += img.data[(y + j) * img.width + x + i];
      n++;
    }
  }
  return s / n;
}

describe('examples/ct-phantom.dcm', () => {
  it('is a 512x512 CT in HU with window 40/400 first', async () => {
    const [ct] = await readDicom(file);
    expect([ct.width, ct.height, ct.meta.modality, ct.meta.units]).toEqual([512, 512, 'CT', 'HU']);
    expect(ct.meta.windows?.[0]).toMatchObject({ center: 40, width: 400 });
    expect(ct.meta.pixelSpacing).toEqual([0.7, 0.7]);
    expect(ct.meta.extra?.dicom).toMatchObject({ PatientName: 'PHANTOM^CT', Modality: 'CT' });
    const tissues: [string, number, number, number, number][] = [
      ['air', 10, 10, -1000, 1],
      ['fat rim', 256, 262 - 153, -100, 10],
      ['soft tissue', 256, 180, 40, 10],
      ['left lung', 172, 238, -850, 10],
      ['right lung', 340, 238, -850, 10],
      ['aorta', 292, 318, 200, 10],
      ['vertebra', 256, 352, 700, 10],
      ['vertebral cortex', 256, 352 - 24, 1000, 40],
    ];
    for (const [name, x, y, hu, tol] of tissues) expect(Math.abs(meanAround(ct, x, y, name === 'vertebral cortex' ? 0 : 3) - hu), name).toBeLessThanOrEqual(tol);
  });
  it('matches what scripts/make-example.ts generates', async () => {
    const [ct] = await readDicom(file);
    const want = makeCtPhantom().data;
    let mismatches = 0;
    for (let i = 0; i < want.length; i++) if (ct.data[i] !== want[i]) mismatches++;
    expect(mismatches).toBe(0);
  });
  it('shows soft tissue mid-gray and lungs black in its default window', async () => {
    const [ct] = await readDicom(file);
    const L = grayToL(ct);
    expect(L[180 * 512 + 256]).toBeGreaterThan(50);
    expect(L[180 * 512 + 256]).toBeLessThan(57);
    expect(L[238 * 512 + 172]).toBe(0);
  });
});
