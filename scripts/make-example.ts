/**
 * Writes examples/ct-phantom.dcm: a synthetic 512x512 chest CT slice in Hounsfield units
 * (air outside; a body ellipse of soft tissue ~40 HU with a fat rim ~-100 HU; two lungs ~-850 HU;
 * a vertebra and ribs, bone ~700..1000 HU; a contrast-filled aorta ~200 HU; smooth noise),
 * with windows soft tissue 40/400, lung -600/1500, bone 400/1800. Deterministic.
 *
 * Run: npx tsx scripts/make-example.ts [out.dcm]
 */
import path from 'node:path';
import { writeDicomGray } from '../src/io/dicom/write-sc.js';
import type { GrayImage } from '../src/image/types.js';
import { createRng } from '../src/random.js';

const SIZE = 512;

/** Hounsfield value of the phantom at a point (x, y in pixels, continuous). */
function phantomHu(x: number, y: number): number {
  const inEllipse = (cx: number, cy: number, rx: number, ry: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
  const cx = 256, cy = 262;
  if (!inEllipse(cx, cy, 215, 160)) return -1000; // air (table-free)
  // Ribs: small bony ellipses just inside the fat rim, 7 per side.
  for (let k = 0; k < 7; k++) {
    const a = (-62 + k * 22) * (Math.PI / 180);
    for (const side of [-1, 1]) {
      const rx = cx + side * 188 * Math.cos(a), ry = cy + 138 * Math.sin(a);
      if (inEllipse(rx, ry, 9, 6)) return 900;
    }
  }
  if (!inEllipse(cx, cy, 200, 146)) return -100; // subcutaneous fat rim
  // Vertebral body: cortical rim 1000 HU around cancellous bone 700 HU, spinous process behind.
  if (inEllipse(256, 352, 30, 26)) return inEllipse(256, 352, 24, 20) ? 700 : 1000;
  if (inEllipse(256, 392, 8, 16)) return 950;
  // Contrast-filled descending aorta, left-anterior of the spine.
  if (inEllipse(292, 318, 16, 16)) return 200;
  // Lungs.
  if (inEllipse(172, 238, 74, 98) || inEllipse(340, 238, 70, 96)) return -850;
  return 40; // soft tissue (mediastinum, muscle)
}


/**
 * Builds the phantom (HU, 2x2 supersampled edges, smooth noise of about 6 HU standard deviation).
 *
 * @example
 * const ct = makeCtPhantom(); // GrayImage 512x512, meta.units 'HU'
 */
export function makeCtPhantom(): GrayImage {
  const data = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      let s = 0;
      for (const dy of [0.25, 0.75]) for (const dx of [0.25, 0.75]) s += phantomHu(x + dx, y + dy);
      data[y * SIZE + x] = s / 4;
    }
  }
  // Smooth noise: white Gaussian noise (sigma 30 HU), box-blurred 5x5 (sigma / 5 = 6 HU).
  const rand = createRng(20240611);
  const white = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < white.length; i += 2) {
    const u = Math.max(1e-12, rand()), v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    white[i] = 30 * r * Math.cos(2 * Math.PI * v);
    if (i + 1 < white.length) white[i + 1] = 30 * r * Math.sin(2 * Math.PI * v);
  }
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      if (data[y * SIZE + x] <= -1000) continue; // keep air clean
      let s = 0, n = 0;
      for (let j = -2; j <= 2; j++) {
        for (let i = -2; i <= 2; i++) {
          const xx = x + i, yy = y + j;
          if (xx < 0 || yy < 0 || xx >= SIZE || yy >= SIZE) continue;
          s += white[yy * SIZE + xx];
          n++;
        }
      }
      data[y * SIZE + x] = Math.round(data[y * SIZE + x] + s / n) + 0; // + 0 turns -0 into 0
    }
  }
  return {
    width: SIZE,
    height: SIZE,
    data,
    meta: {
      modality: 'CT',
      photometric: 'MONOCHROME2',
      units: 'HU',
      rescaleSlope: 1,
      rescaleIntercept: -1024,
      pixelSpacing: [0.7, 0.7],
      windows: [
        { center: 40, width: 400, explanation: 'soft tissue' },
        { center: -600, width: 1500, explanation: 'lung' },
        { center: 400, width: 1800, explanation: 'bone' },
      ],
    },
  };
}

async function main(): Promise<void> {
  const out = process.argv[2] ?? path.resolve(import.meta.dirname, '../examples/ct-phantom.dcm');
  await writeDicomGray(out, makeCtPhantom(), {
    modality: 'CT',
    attributes: {
      PatientName: 'PHANTOM^CT',
      PatientID: 'MEDCOLOR-PHANTOM-1',
      StudyDescription: 'Synthetic chest CT phantom (medcolor example)',
      SeriesDescription: 'Phantom 512x512, HU, window 40/400',
      BodyPartExamined: 'CHEST',
      SliceThickness: '1',
    },
  });
  process.stdout.write(`wrote ${out}\n`);
}

if (process.argv[1] && /make-example\.ts$/.test(process.argv[1])) await main();
