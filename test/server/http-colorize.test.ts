/**
 * POST /v1/colorize on a real server on loopback, real HTTP: results (PNG, ZIP of PNG frames,
 * DICOM SC) keep the input's L*; every error status of the API (400, 413, 415, 422, 429, 503,
 * 504) with its library code; the server survives all of them; and the log lines of a request
 * with a DICOM that names a patient carry neither the name nor the ID.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import dicomParser from 'dicom-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { srgb8ToL, srgb8ToLab } from '../../src/color/lab.js';
import { decodeDicom, decodeDicomRgb } from '../../src/io/dicom/index.js';
import { writeDicomGray } from '../../src/io/dicom/write-sc.js';
import { grayToL } from '../../src/image/window.js';
import { daikonFile, ROOT, sharedData } from '../fixtures.js';
import { getFreePort } from './services.js';
import { startTestServer, type TestServer } from './harness.js';

const phantom = new Uint8Array(readFileSync(join(ROOT, 'examples/ct-phantom.dcm')));
const multiframe = new Uint8Array(readFileSync(daikonFile('explicit_little.dcm')));
const smear = new Uint8Array(readFileSync(join(ROOT, 'examples/blood-smear.png')));

/** A color reference: a red-to-blue gradient with a green band. */
async function makeColorReference(): Promise<Uint8Array> {
  const w = 128, h = 128, px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const o = (y * w + x) * 3;
    px[o] = Math.round((255 * x) / w);
    px[o + 1] = y > 50 && y < 70 ? 200 : 40;
    px[o + 2] = 255 - px[o];
  }
  return new Uint8Array(await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer());
}

const post = (url: string, body: Uint8Array | string, type = 'application/octet-stream', headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body: body as BodyInit, headers: { 'content-type': type, ...headers } });

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

describe('POST /v1/colorize', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ maxPixels: 4_000_000 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('warns WARN_OUT_OF_DOMAIN for a CT through the blood model in x-medcolor-warnings; strict=true answers 422 ERR_OUT_OF_DOMAIN', async () => {
    const r = await post(`${server.url}/v1/colorize?model=blood`, phantom, 'application/dicom');
    expect(r.status).toBe(200);
    const warnings = JSON.parse(decodeURIComponent(r.headers.get('x-medcolor-warnings') ?? '[]')) as string[];
    expect(warnings.some((w) => /^WARN_OUT_OF_DOMAIN: .*model blood \(trained on stained blood-smear microscopy/.test(w))).toBe(true);
    const bccd = sharedData('color/blood-bccd/val/BloodImage_00285.jpg');
    if (existsSync(bccd)) {
      // A real smear of the model's val split is inside its domain.
      const inDomain = await post(`${server.url}/v1/colorize?model=blood`, new Uint8Array(readFileSync(bccd)), 'image/jpeg');
      expect(inDomain.status).toBe(200);
      expect(decodeURIComponent(inDomain.headers.get('x-medcolor-warnings') ?? '[]')).not.toContain('WARN_OUT_OF_DOMAIN');
    }
    const s = await post(`${server.url}/v1/colorize?model=blood&strict=true`, phantom, 'application/dicom');
    expect(s.status).toBe(422);
    expect((await s.json()).code).toBe('ERR_OUT_OF_DOMAIN');
    expect((await post(`${server.url}/v1/colorize?model=blood&strict=maybe`, phantom, 'application/dicom')).status).toBe(400);
  });

  it('confidence=true adds the confidence map (ZIP of colorized.png + colorized.confidence.png, mean in a header); min-confidence fades', async () => {
    const r = await post(`${server.url}/v1/colorize?model=endoscopy&confidence=true`, phantom, 'application/dicom');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zip');
    const mean = Number(r.headers.get('x-medcolor-confidence'));
    expect(mean).toBeGreaterThan(0);
    expect(mean).toBeLessThan(1);
    const files = unzipSync(new Uint8Array(await r.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(['colorized.confidence.png', 'colorized.png']);
    const conf = await sharp(files['colorized.confidence.png']).metadata();
    const col = await sharp(files['colorized.png']).metadata();
    expect([conf.width, conf.height, conf.channels]).toEqual([col.width, col.height, 1]);
    const gray = await sharp(files['colorized.confidence.png']).extractChannel(0).raw().toBuffer();
    expect(Math.abs(gray.reduce((s, v) => s + v, 0) / gray.length / 255 - mean)).toBeLessThan(0.01);
    // Fading at 1 (everything below is faded, gray at 0.5 and below): less chroma than without.
    const chroma = async (png: Uint8Array) => {
      const lab = srgb8ToLab(new Uint8Array(await sharp(png).raw().toBuffer()));
      let c = 0;
      for (let i = 0; i < lab.length; i += 3) c += Math.hypot(lab[i + 1], lab[i + 2]);
      return c;
    };
    const faded = await post(`${server.url}/v1/colorize?model=endoscopy&min-confidence=1`, phantom, 'application/dicom');
    expect(faded.status).toBe(200);
    expect(await chroma(new Uint8Array(await faded.arrayBuffer()))).toBeLessThan(0.8 * (await chroma(files['colorized.png'])));
    expect((await post(`${server.url}/v1/colorize?model=endoscopy&min-confidence=2`, phantom, 'application/dicom')).status).toBe(400);
  });

  it('colorizes a CT DICOM to PNG whose L* is the input display L*', async () => {
    const r = await post(`${server.url}/v1/colorize?method=ct-tissue`, phantom, 'application/dicom');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect(r.headers.get('x-medcolor-method')).toBe('ct-tissue');
    const { data, info } = await sharp(Buffer.from(await r.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([512, 512, 3]);
    const [gray] = await decodeDicom(phantom);
    expect(meanAbsDiff(srgb8ToL(new Uint8Array(data)), grayToL(gray))).toBeLessThan(0.3);
  });

  it('gives a multi-frame input as a ZIP of PNG frames, or one frame with frame=N, or one DICOM SC', async () => {
    const zip = await post(`${server.url}/v1/colorize?method=lut&palette=hot-iron`, multiframe);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    expect(Object.keys(entries).sort()).toEqual(Array.from({ length: 16 }, (_, i) => `colorized_${String(i).padStart(4, '0')}.png`));
    const frames = await decodeDicom(multiframe);
    const f7 = await sharp(Buffer.from(entries['colorized_0007.png'])).raw().toBuffer();
    expect(meanAbsDiff(srgb8ToL(new Uint8Array(f7)), grayToL(frames[7]))).toBeLessThan(0.3);

    const one = await post(`${server.url}/v1/colorize?method=lut&frame=7`, multiframe);
    expect(one.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await one.arrayBuffer()).equals(Buffer.from(entries['colorized_0007.png']))).toBe(true);

    const dcm = await post(`${server.url}/v1/colorize?method=lut&format=dcm`, multiframe);
    expect(dcm.status).toBe(200);
    expect(dcm.headers.get('content-type')).toBe('application/dicom');
    const bytes = new Uint8Array(await dcm.arrayBuffer());
    expect(dicomParser.parseDicom(bytes).string('x00080008')).toBe('DERIVED\\SECONDARY');
    const rgb = await decodeDicomRgb(bytes);
    expect(rgb).toHaveLength(16);
    expect(meanAbsDiff(srgb8ToL(rgb[3].data), grayToL(frames[3]))).toBeLessThan(0.3);
  });

  it('takes a reference image as a multipart part (transfer)', async () => {
    const form = new FormData();
    form.append('file', new Blob([phantom as BlobPart]), 'ct.dcm');
    form.append('reference', new Blob([(await makeColorReference()) as BlobPart]), 'ref.png');
    const r = await fetch(`${server.url}/v1/colorize?method=transfer`, { method: 'POST', body: form });
    expect(r.status).toBe(200);
    const { data } = await sharp(Buffer.from(await r.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    let chroma = 0;
    for (let k = 0; k < data.length; k += 3) chroma += Math.abs(data[k] - data[k + 1]) + Math.abs(data[k + 1] - data[k + 2]);
    expect(chroma / (data.length / 3)).toBeGreaterThan(5);
    const noRef = await post(`${server.url}/v1/colorize?method=transfer`, phantom);
    expect(noRef.status).toBe(400);
  });

  it('takes scribble strokes as a text field: the stroke color spreads, L* stays', async () => {
    const mr = new Uint8Array(readFileSync(daikonFile('implicit_little.dcm'))); // 256x256
    const form = new FormData();
    form.append('file', new Blob([mr as BlobPart]), 'mr.dcm');
    form.append('scribbles', JSON.stringify([{ points: [[100, 128], [150, 130]], width: 7, color: '#d04030' }]));
    const r = await fetch(`${server.url}/v1/colorize?method=scribble`, { method: 'POST', body: form });
    expect(r.status).toBe(200);
    const { data } = await sharp(Buffer.from(await r.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    // Along the stroke, a* is positive (a red stroke); the gray method would give 0.
    const lab = srgb8ToLab(new Uint8Array(data));
    let a = 0;
    for (let y = 126; y <= 130; y++) for (let x = 105; x <= 145; x++) a += lab[(y * 256 + x) * 3 + 1];
    expect(a / (5 * 41)).toBeGreaterThan(4);
    const [gray] = await decodeDicom(mr);
    expect(meanAbsDiff(srgb8ToL(new Uint8Array(data)), grayToL(gray))).toBeLessThan(0.3);
    const none = await fetch(`${server.url}/v1/colorize?method=scribble`, { method: 'POST', body: mr as BodyInit });
    expect(none.status).toBe(400);
  });

  it('400 for bad parameters, 415 for what is not an image, 422 for what the method refuses', async () => {
    const cases: Array<[string, Uint8Array | string, number, string]> = [
      ['method=nope', phantom, 400, 'ERR_UNKNOWN_METHOD'],
      ['model=../../etc/passwd', phantom, 400, 'ERR_MODEL_NOT_FOUND'],
      ['window=40', phantom, 400, 'ERR_USAGE'],
      ['methd=lut', phantom, 400, 'ERR_USAGE'],
      ['format=jpg', phantom, 400, 'ERR_USAGE'],
      ['method=lut&frame=99', multiframe, 400, 'ERR_DICOM_FRAME'],
      ['method=lut', 'hello, I am not an image at all', 415, 'ERR_UNSUPPORTED_FORMAT'],
      ['method=lut', new Uint8Array(0), 415, 'ERR_UNSUPPORTED_FORMAT'],
      ['method=ct-tissue', smear, 422, 'ERR_NO_HU_CALIBRATION'],
      ['method=lut', phantom.subarray(0, 2000), 422, ''],
    ];
    for (const [q, body, status, code] of cases) {
      const r = await post(`${server.url}/v1/colorize?${q}`, body);
      const j = (await r.json()) as { code: string; message: string };
      expect([q, r.status]).toEqual([q, status]);
      if (code) expect(j.code).toBe(code);
      expect(j.message.length).toBeGreaterThan(10);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('413 over --max-body and over --max-pixels', async () => {
    const small = await startTestServer({ maxBodyBytes: 100_000, maxPixels: 10_000 });
    try {
      const big = await post(`${small.url}/v1/colorize?method=lut`, multiframe);
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({ code: 'ERR_BODY_TOO_LARGE' });
      const form = new FormData();
      form.append('file', new Blob([multiframe as BlobPart]), 'mf.dcm');
      const bigPart = await fetch(`${small.url}/v1/colorize?method=lut`, { method: 'POST', body: form });
      expect(bigPart.status).toBe(413);
      const pixels = await post(`${small.url}/v1/colorize?method=lut`, smear.length < 100_000 ? smear : phantom.subarray(0, 99_000));
      expect(pixels.status).toBe(413);
      expect(await pixels.json()).toMatchObject({ code: 'ERR_IMAGE_TOO_LARGE' });
      expect((await fetch(`${small.url}/healthz`)).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('429 when the queue is full, 504 past the timeout', async () => {
    const busy = await startTestServer({ concurrency: 1, queue: 0 });
    try {
      const replies = await Promise.all(Array.from({ length: 4 }, () => post(`${busy.url}/v1/colorize?method=lut&size=0`, phantom)));
      const statuses = replies.map((r) => r.status).sort();
      expect(statuses[0]).toBe(200);
      expect(statuses).toContain(429);
      const refused = replies.find((r) => r.status === 429)!;
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ code: 'ERR_QUEUE_FULL' });
      // The slots are given back: the next request goes through.
      expect((await post(`${busy.url}/v1/colorize?method=gray`, phantom)).status).toBe(200);
    } finally {
      await busy.close();
    }
    const slow = await startTestServer({ timeoutSeconds: 0.001 });
    try {
      const r = await post(`${slow.url}/v1/colorize?method=kmeans`, phantom);
      expect(r.status).toBe(504);
      expect(await r.json()).toMatchObject({ code: 'ERR_TIMEOUT' });
      expect((await fetch(`${slow.url}/healthz`)).status).toBe(200);
    } finally {
      await slow.close();
    }
  });

  it('503 from /readyz and POST /v1/jobs when the Redis queue is not reachable', async () => {
    const port = await getFreePort();
    const down = await startTestServer({ redis: `redis://127.0.0.1:${port}`, jobRoot: tmpdir() });
    try {
      const ready = await fetch(`${down.url}/readyz`);
      expect(ready.status).toBe(503);
      const job = await fetch(`${down.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: ['x'], output: 'y' }) });
      expect(job.status).toBe(503);
      expect(await job.json()).toMatchObject({ code: 'ERR_UNAVAILABLE' });
    } finally {
      await down.close();
    }
  });

  it('logs a request with ids, sizes, codes and timings only: never the patient name or ID', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medcolor-log-'));
    try {
      const [ct] = await decodeDicom(phantom);
      const file = join(dir, 'doe.dcm');
      await writeDicomGray(file, ct, { modality: 'CT', attributes: { PatientName: 'DOE^JANE^MARIA', PatientID: 'PID-4242-7788', PatientBirthDate: '19610203' } });
      const bytes = new Uint8Array(readFileSync(file));
      const before = server.logs.length;
      const ok = await post(`${server.url}/v1/colorize?method=ct-tissue&format=dcm`, bytes);
      expect(ok.status).toBe(200);
      // The result is the patient's own image: it keeps the identity (a DICOM for their record).
      expect(dicomParser.parseDicom(new Uint8Array(await ok.arrayBuffer())).string('x00100020')).toBe('PID-4242-7788');
      const bad = await post(`${server.url}/v1/colorize?method=lut&frame=3`, bytes);
      expect(bad.status).toBe(400);
      const lines = server.logs.slice(before);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      const text = lines.join('\n');
      for (const secret of ['DOE', 'JANE', 'MARIA', 'PID-4242', '4242', '19610203']) expect(text).not.toContain(secret);
      const entries = lines.map((l) => JSON.parse(l));
      expect(entries[0]).toMatchObject({ route: '/v1/colorize', method: 'POST', status: 200 });
      expect(entries[0].reqId).toMatch(/^[0-9a-f-]{36}$/);
      expect(entries[0].bytesIn).toBe(bytes.length);
      expect(entries[1]).toMatchObject({ status: 400, code: 'ERR_DICOM_FRAME' });
      expect(Object.keys(entries[0]).sort()).toEqual(['bytesIn', 'bytesOut', 'level', 'method', 'ms', 'msg', 'reqId', 'route', 'service', 'status', 'time'].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
