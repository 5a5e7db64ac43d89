/**
 * `medcolor pacs colorize` as a process against a real Orthanc with its DICOMweb plugin: real
 * single-frame and multi-frame DICOM files are STOWed, colorized and stored back; the new series
 * is found by QIDO-RS and retrieved by WADO-RS; its pixels keep the source's display L* and its
 * attributes say what it is; a second run stores nothing new.
 */
import { readFileSync } from 'node:fs';
import dicomParser from 'dicom-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { srgb8ToAb, srgb8ToL } from '../../src/color/lab.js';
import { createDicomWebClient, readJsonValue, TAG, type DicomWebClient } from '../../src/dicomweb/client.js';
import { deriveInstanceUid, deriveSeriesUid } from '../../src/dicomweb/colorize-pacs.js';
import { decodeDicom, decodeDicomRgb } from '../../src/io/dicom/index.js';
import { grayToL } from '../../src/image/window.js';
import { runMedcolor } from '../run-cli.js';
import { startTestServer } from './harness.js';
import { daikonFile } from '../fixtures.js';
import { hasOrthanc, startOrthanc, type OrthancHandle } from './services.js';

const SOURCES = ['implicit_little.dcm', 'explicit_little.dcm']; // MR 256x256 16-bit, 1 frame; MR 256x256 8-bit, 16 frames

function uidsOf(bytes: Uint8Array) {
  const ds = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
  return { study: ds.string('x0020000d')!, series: ds.string('x0020000e')!, sop: ds.string('x00080018')!, patientId: ds.string('x00100020') ?? '' };
}

describe.skipIf(!hasOrthanc && !process.env.CI)('medcolor pacs colorize against a real Orthanc', () => {
  let orthanc: OrthancHandle;
  let pacs: DicomWebClient;
  const files = SOURCES.map((f) => new Uint8Array(readFileSync(daikonFile(f))));
  const uids = files.map(uidsOf);
  const countInstances = async () =>
    ((await (await fetch(`${orthanc.rest}/statistics`, { headers: { authorization: `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}` } })).json()) as { CountInstances: number }).CountInstances;

  beforeAll(async () => {
    orthanc = await startOrthanc();
    pacs = createDicomWebClient({ url: orthanc.dicomweb, user: orthanc.user, password: orthanc.password });
    for (const [i, f] of files.entries()) expect((await pacs.store(uids[i].study, [f])).stored).toEqual([uids[i].sop]);
  });
  afterAll(async () => {
    await orthanc?.stop();
  });

  it('colorizes both studies, stores a derived series that keeps L*, and a second run stores nothing new', async () => {
    const args = ['pacs', 'colorize', '--url', orthanc.dicomweb, '--query', 'Modality=MR', '--method', 'lut', '--user', orthanc.user, '--password', orthanc.password, '--json'];
    const first = await runMedcolor(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.state).map((l) => l.state)).toEqual(['stored', 'stored']);
    expect(lines.at(-1).summary).toMatchObject({ total: 2, stored: 2, exists: 0, failed: 0 });
    expect(await countInstances()).toBe(4);

    for (const [i, src] of uids.entries()) {
      const derivedSeries = await deriveSeriesUid(src.series, 'lut', null);
      // QIDO finds the new series in the same study.
      const series = await pacs.search(`studies/${src.study}/series`);
      expect(series.map((s) => readJsonValue(s, TAG.SeriesInstanceUID)).sort()).toEqual([src.series, derivedSeries].sort());
      const instances = await pacs.search(`studies/${src.study}/series/${derivedSeries}/instances`);
      expect(instances).toHaveLength(1);
      const sop = readJsonValue(instances[0], TAG.SOPInstanceUID);
      expect(sop).not.toBe(src.sop);
      // WADO-RS gets it back; its attributes say what it is.
      const bytes = await pacs.retrieveInstance(src.study, derivedSeries, sop);
      const ds = dicomParser.parseDicom(bytes);
      expect(ds.string('x00080008')).toBe('DERIVED\\SECONDARY');
      expect(ds.string('x0020000d')).toBe(src.study);
      expect(ds.string('x0020000e')).toBe(derivedSeries);
      expect(ds.string('x00100020') ?? '').toBe(src.patientId);
      expect(ds.string('x00082111')).toMatch(/method 'lut'/);
      expect(ds.string('x00280004')).toBe('RGB');
      // Its pixels keep the source's display L* (to 8-bit rounding), frame by frame.
      const gray = await decodeDicom(files[i]);
      const rgb = await decodeDicomRgb(bytes);
      expect(rgb).toHaveLength(gray.length);
      expect(Number(ds.string('x00280008') ?? '1')).toBe(gray.length);
      for (const f of [0, gray.length - 1]) {
        const want = grayToL(gray[f]);
        const got = srgb8ToL(rgb[f].data);
        let maxDiff = 0, sum = 0;
        for (let k = 0; k < want.length; k++) {
          const d = Math.abs(want[k] - got[k]);
          maxDiff = Math.max(maxDiff, d);
          sum += d;
        }
        expect(sum / want.length).toBeLessThan(0.3);
        expect(maxDiff).toBeLessThan(1.5);
      }
      // And it has chroma: lut colors the image.
      const px = rgb[0].data;
      let chroma = 0;
      for (let k = 0; k < px.length; k += 3) chroma += Math.abs(px[k] - px[k + 1]) + Math.abs(px[k + 1] - px[k + 2]);
      expect(chroma / (px.length / 3)).toBeGreaterThan(5);
    }

    const second = await runMedcolor(args);
    expect(second.code).toBe(0);
    const again = second.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(again.filter((l) => l.state).map((l) => l.state)).toEqual(['exists', 'exists']);
    expect(again.at(-1).summary).toMatchObject({ total: 2, stored: 0, exists: 2, failed: 0 });
    expect(await countInstances()).toBe(4);
  });

  it('--study with --dry-run stores nothing; wrong credentials exit non-zero without echoing them', async () => {
    const before = await countInstances();
    const dry = await runMedcolor(['pacs', 'colorize', '--url', orthanc.dicomweb, '--study', uids[0].study, '--method', 'gray', '--user', orthanc.user, '--password', orthanc.password, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/1 instances: 0 stored, 0 already there, 0 failed, 1 would be stored \(dry run\)/);
    expect(await countInstances()).toBe(before);
    const bad = await runMedcolor(['pacs', 'colorize', '--url', orthanc.dicomweb, '--study', uids[0].study, '--method', 'lut', '--user', orthanc.user, '--password', 'nope-secret']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/ERR_DICOMWEB_AUTH/);
    expect(bad.stderr).not.toContain('nope-secret');
  });

  it('a server job (POST /v1/jobs with a DICOMweb source) stores the series; an instance that cannot be decoded fails alone', async () => {
    // A copy of the single-frame file without its pixel data, under another SOP Instance UID.
    const src = files[0];
    const ds = dicomParser.parseDicom(src);
    const pixel = ds.elements.x7fe00010;
    const broken = new Uint8Array(src.subarray(0, pixel.dataOffset - 8));
    const sop = ds.elements.x00080018;
    broken[sop.dataOffset + sop.length - 2] = broken[sop.dataOffset + sop.length - 2] === 0x39 ? 0x38 : 0x39;
    const brokenSop = dicomParser.parseDicom(broken).string('x00080018')!;
    expect(brokenSop).not.toBe(uids[0].sop);
    expect((await pacs.store(uids[0].study, [broken])).stored).toEqual([brokenSop]);

    const server = await startTestServer();
    try {
      const post = await fetch(`${server.url}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dicomweb: { url: orthanc.dicomweb, study: uids[0].study, user: orthanc.user, password: orthanc.password }, method: 'gray' }),
      });
      expect(post.status).toBe(202);
      let status = (await post.json()) as { id: string; state: string; total: number; done: number; failed: number; items: Array<{ input: string; state: string; code?: string; outputs?: string[] }> };
      expect(status.total).toBe(2); // the lut series of the first test is medcolor's own: left out
      for (let i = 0; i < 600 && (status.state === 'queued' || status.state === 'running'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await (await fetch(`${server.url}/v1/jobs/${status.id}`)).json()) as typeof status;
      }
      expect([status.state, status.done, status.failed]).toEqual(['failed', 1, 1]);
      const bad = status.items.find((i) => i.input === brokenSop)!;
      expect(bad.code).toBe('ERR_DICOM_NO_PIXEL_DATA');
      const good = status.items.find((i) => i.input === uids[0].sop)!;
      const derived = await deriveSeriesUid(uids[0].series, 'gray', null);
      const stored = await pacs.search(`studies/${uids[0].study}/series/${derived}/instances`);
      expect(stored.map((d) => readJsonValue(d, TAG.SOPInstanceUID))).toEqual(good.outputs);
    } finally {
      await server.close();
    }
    // The CLI says the same: exit 1 (one of two failed), the good one already there.
    const cli = await runMedcolor(['pacs', 'colorize', '--url', orthanc.dicomweb, '--study', uids[0].study, '--method', 'gray', '--user', orthanc.user, '--password', orthanc.password]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/2 instances: 0 stored, 1 already there, 1 failed/);
  });

  it('trust reaches the PACS: out-of-domain warnings per instance, --strict stores nothing, --confidence stores a map series, --min-confidence a faded series', async () => {
    // A JPEG-lossless CT of its own study, far outside the blood model's domain.
    const ct = new Uint8Array(readFileSync(daikonFile('jpeg_lossless_sel1.dcm')));
    const src = uidsOf(ct);
    expect((await pacs.store(src.study, [ct])).stored).toEqual([src.sop]);
    const pacsArgs = (...extra: string[]) => ['pacs', 'colorize', '--url', orthanc.dicomweb, '--series', src.series, '--model', 'blood', '--user', orthanc.user, '--password', orthanc.password, '--json', ...extra];
    const lines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l));
    const before = await countInstances();
    // --strict refuses it and stores nothing.
    const strict = await runMedcolor(pacsArgs('--strict'));
    expect(strict.code).toBe(5);
    expect(lines(strict.stdout)[0]).toMatchObject({ instance: src.sop, state: 'failed', code: 'ERR_OUT_OF_DOMAIN' });
    expect(await countInstances()).toBe(before);

    // Without --strict it is colorized with the warning, and its confidence map stored as a series of its own.
    const first = await runMedcolor(pacsArgs('--confidence'));
    expect(first.code).toBe(0);
    const [line] = lines(first.stdout);
    expect(line.state).toBe('stored');
    expect(line.warnings.join(' ')).toMatch(/WARN_OUT_OF_DOMAIN/);
    expect(line.meanConfidence).toBeGreaterThan(0);
    expect(line.meanConfidence).toBeLessThan(1);
    expect(line.derived).toBe(await deriveInstanceUid(src.sop, 'model', 'blood'));
    expect(line.confidence).toBe(await deriveInstanceUid(src.sop, 'model', 'blood', 'confidence'));
    const mapSeries = await deriveSeriesUid(src.series, 'model', 'blood', 'confidence');
    expect(line.confidenceSeries).toBe(mapSeries);
    expect(await countInstances()).toBe(before + 2);
    const mapBytes = await pacs.retrieveInstance(src.study, mapSeries, line.confidence);
    const map = dicomParser.parseDicom(mapBytes);
    expect(map.string('x00280004')).toBe('MONOCHROME2');
    expect(map.string('x0020000d')).toBe(src.study);
    expect([map.uint16('x00280010'), map.uint16('x00280011'), Number(map.string('x00280008') ?? '1')]).toEqual([400, 512, 1]);
    expect(map.elements.x00082112.items![0].dataSet!.string('x00081155')).toBe(src.sop);
    const mapPixels = new Uint8Array(mapBytes.buffer, mapBytes.byteOffset + map.elements.x7fe00010.dataOffset, map.elements.x7fe00010.length);
    const meanMap = mapPixels.reduce((a, v) => a + v, 0) / mapPixels.length / 255;
    expect(Math.abs(meanMap - line.meanConfidence)).toBeLessThan(0.01);
    // A second run finds both and stores nothing.
    const again = await runMedcolor(pacsArgs('--confidence'));
    expect(lines(again.stdout)[0].state).toBe('exists');
    expect(await countInstances()).toBe(before + 2);

    // --min-confidence changes the pixels, so it is a series of its own: less chroma, the same L*.
    const faded = await runMedcolor(pacsArgs('--min-confidence', '0.9'));
    expect(faded.code).toBe(0);
    const fadedLine = lines(faded.stdout)[0];
    expect(fadedLine.state).toBe('stored');
    expect(fadedLine.series).not.toBe(line.series);
    const chroma = (rgb: Uint8Array) => {
      const ab = srgb8ToAb(rgb);
      let c = 0;
      for (let i = 0; i < ab.length; i += 2) c += Math.hypot(ab[i], ab[i + 1]);
      return c / (ab.length / 2);
    };
    const plain = (await decodeDicomRgb(await pacs.retrieveInstance(src.study, line.series, line.derived)))[0];
    const less = (await decodeDicomRgb(await pacs.retrieveInstance(src.study, fadedLine.series, fadedLine.derived)))[0];
    expect(chroma(less.data)).toBeLessThan(0.9 * chroma(plain.data));
    const lp = srgb8ToL(plain.data), lf = srgb8ToL(less.data);
    let maxDiff = 0;
    for (let i = 0; i < lp.length; i++) maxDiff = Math.max(maxDiff, Math.abs(lp[i] - lf[i]));
    expect(maxDiff).toBeLessThan(1.5);
  });
});
