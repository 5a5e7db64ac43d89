/**
 * Writes docs/example.png for the README: the bundled gray example beside its colorization by a
 * shipped model, through the same pipeline as `medcolor colorize`.
 * Usage: npx tsx scripts/make-readme-figure.ts [MODEL=blood] [INPUT=examples/blood-smear.png]
 */
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { loadModel } from '../src/io/model-loader.js';
import { readGrayInput } from '../src/io/read-any.js';
import { createModelMethod } from '../src/methods/model.js';
import { colorizeImage } from '../src/pipeline/colorize.js';
import { grayToL } from '../src/image/window.js';
import { lAbToSrgb8 } from '../src/color/lab.js';

const root = resolve(import.meta.dirname, '..');
const [modelName = 'blood', input = join(root, 'examples', 'blood-smear.png')] = process.argv.slice(2);
const [gray] = (await readGrayInput(input)).frames;
const { rgb } = await colorizeImage(gray, createModelMethod(await loadModel(modelName)));
// The gray input as displayed (its own L*, no chroma).
const L = grayToL(gray);
const shown = lAbToSrgb8(L, new Float32Array(2 * L.length));
const w = rgb.width, h = rgb.height, gap = 8;
const canvas = Buffer.alloc((2 * w + gap) * h * 3, 255);
for (let y = 0; y < h; y++) {
  canvas.set(shown.subarray(y * w * 3, (y + 1) * w * 3), y * (2 * w + gap) * 3);
  canvas.set(rgb.data.subarray(y * w * 3, (y + 1) * w * 3), (y * (2 * w + gap) + w + gap) * 3);
}
await sharp(canvas, { raw: { width: 2 * w + gap, height: h, channels: 3 } }).png().toFile(join(root, 'docs', 'example.png'));
console.log(`wrote docs/example.png (${modelName} on ${input})`);
