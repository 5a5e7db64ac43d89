/**
 * Writes examples/blood-smear.png: a synthetic, grayscale image of a stained peripheral blood
 * smear (red cells with central pallor, one white cell with a lobed nucleus, platelets) drawn
 * procedurally by this script, so that the README's example needs no third-party image.
 * Usage: npx tsx scripts/make-blood-example.ts
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { Rng } from '../src/nn/params.js';

const W = 640, H = 480;
const rng = new Rng(2024);
const img = new Float32Array(W * H).fill(0);

// Background: bright with a slow illumination gradient.
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img[y * W + x] = 206 - 10 * ((x - W / 2) ** 2 + (y - H / 2) ** 2) / (W * W / 4);

/** Blends value v into the image with weight a (0..1). */
const put = (x: number, y: number, v: number, a: number) => {
  if (x < 0 || y < 0 || x >= W || y >= H || a <= 0) return;
  const i = y * W + x;
  img[i] = img[i] * (1 - a) + v * a;
};
const smooth = (d: number) => 1 / (1 + Math.exp(d * 6)); // soft edge, d in pixels (negative inside)

interface Cell { x: number; y: number; r: number }
const placed: Cell[] = [];
const free = (x: number, y: number, r: number) => placed.every((c) => Math.hypot(c.x - x, c.y - y) > (c.r + r) * 0.92);

// One white cell (neutrophil-like): pale cytoplasm, dark three-lobed nucleus.
const wbc = { x: 190, y: 300, r: 68 };
placed.push(wbc);
// Red cells.
for (let tries = 0; tries < 4000 && placed.length < 34; tries++) {
  const r = 34 + rng.next() * 10;
  const x = rng.next() * (W + 40) - 20, y = rng.next() * (H + 40) - 20;
  if (!free(x, y, r)) continue;
  placed.push({ x, y, r });
  const e = 0.85 + rng.next() * 0.15, th = rng.next() * Math.PI;
  const c = Math.cos(th), s = Math.sin(th);
  for (let yy = Math.floor(y - r - 3); yy <= y + r + 3; yy++) for (let xx = Math.floor(x - r - 3); xx <= x + r + 3; xx++) {
    const u = ((xx - x) * c + (yy - y) * s), v = (-(xx - x) * s + (yy - y) * c) / e;
    const d = Math.hypot(u, v);
    const rr = d / r;
    // Body darker than background, rim darkest, central pallor lighter.
    let val = 168 + 12 * Math.exp(-((rr / 0.42) ** 2)) - 8 * Math.exp(-(((rr - 0.9) / 0.08) ** 2));
    val += (rng.next() - 0.5) * 3;
    put(xx, yy, val, smooth(d - r));
  }
}
// The white cell, drawn last (on top).
for (let yy = wbc.y - wbc.r - 3; yy <= wbc.y + wbc.r + 3; yy++) for (let xx = wbc.x - wbc.r - 3; xx <= wbc.x + wbc.r + 3; xx++) {
  const d = Math.hypot(xx - wbc.x, yy - wbc.y);
  put(xx, yy, 150 + (rng.next() - 0.5) * 6, smooth(d - wbc.r));
}
const lobes = [[-22, -12, 26], [14, -20, 24], [18, 18, 27], [-14, 22, 20]];
for (let yy = wbc.y - wbc.r; yy <= wbc.y + wbc.r; yy++) for (let xx = wbc.x - wbc.r; xx <= wbc.x + wbc.r; xx++) {
  let inside = -Infinity;
  for (const [dx, dy, r] of lobes) inside = Math.max(inside, r - Math.hypot(xx - wbc.x - dx, yy - wbc.y - dy));
  put(xx, yy, 88 + (rng.next() - 0.5) * 14, smooth(-inside));
}
// Platelets: small dark granular blobs.
for (let k = 0; k < 5; k++) {
  const x = rng.next() * W, y = rng.next() * H, r = 5 + rng.next() * 4;
  if (!free(x, y, r)) continue;
  for (let yy = Math.floor(y - r - 2); yy <= y + r + 2; yy++) for (let xx = Math.floor(x - r - 2); xx <= x + r + 2; xx++) {
    put(xx, yy, 125 + (rng.next() - 0.5) * 20, smooth(Math.hypot(xx - x, yy - y) - r));
  }
}
const out = Buffer.alloc(W * H);
for (let i = 0; i < W * H; i++) out[i] = Math.max(0, Math.min(255, Math.round(img[i] + (rng.next() - 0.5) * 4)));
const dir = resolve(import.meta.dirname, '..', 'examples');
mkdirSync(dir, { recursive: true });
await sharp(out, { raw: { width: W, height: H, channels: 1 } }).blur(1.1).png().toFile(join(dir, 'blood-smear.png'));
console.log('wrote examples/blood-smear.png');
