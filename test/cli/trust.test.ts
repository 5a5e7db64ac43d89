import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import dicomParser from 'dicom-parser';
import sharp from 'sharp';
import { srgb8ToL } from '../../src/color/lab.js';
import { readDicom } from '../../src/io/dicom/index.js';
import { grayToL } from '../../src/image/window.js';
import { daikonFile } from '../fixtures.js';
import { runMedcolor } from '../run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-strict-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[]) => runMedcolor(args);

describe('medcolor colorize: confidence maps and out-of-domain inputs (spawned)', () => {
  it('warns WARN_OUT_OF_DOMAIN for a CT through the blood model and still colorizes; --strict refuses it (exit 5)', async () => {
    const ct = daikonFile('rle.dcm');
    const r = await run(['colorize', ct, '-o', join(tmp, 'out'), '--model', 'blood', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [file] = JSON.parse(r.stdout).files;
    expect(file.ok).toBe(true);
    expect(file.outputs).toHaveLength(1);
    const w = file.warnings.find((x: string) => x.startsWith('WARN_OUT_OF_DOMAIN'));
    expect(w).toMatch(/^WARN_OUT_OF_DOMAIN: the input is outside the domain of model blood \(trained on stained blood-smear microscopy \(BCCD\)\): distance \d+\.\d\d > threshold 0\.\d+/);
    const plain = await run(['colorize', ct, '-o', join(tmp, 'out2'), '--model', 'blood', '-q']);
    expect(plain.stderr).toMatch(/rle\.dcm: warning: WARN_OUT_OF_DOMAIN/);

    const s = await run(['colorize', ct, '-o', join(tmp, 'strict'), '--model', 'blood', '--strict', '--json']);
    expect(s.code).toBe(5);
    const [refused] = JSON.parse(s.stdout).files;
    expect(refused).toMatchObject({ ok: false, code: 'ERR_OUT_OF_DOMAIN' });
    expect(refused.error).toContain('rle.dcm');
    expect(readdirSync(join(tmp, 'strict'))).toEqual([]);
  });
});

describe('medcolor colorize --confidence, --min-confidence (spawned)', () => {
  it('writes NAME.confidence.png (8-bit gray, output size) and, for DICOM, a grayscale SC in a series of its own referencing the source', async () => {
    const mr = daikonFile('implicit_little.dcm');
    const out = join(tmp, 'conf');
    const r = await run(['colorize', mr, '-o', out, '--model', 'endoscopy', '--confidence', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [entry] = JSON.parse(r.stdout).files;
    expect(entry.outputs.map((p: string) => p.slice(out.length + 1))).toEqual(['implicit_little.png', 'implicit_little.confidence.png']);
    expect(entry.meanConfidence).toBeGreaterThan(0);
    expect(entry.meanConfidence).toBeLessThan(1);
    const meta = await sharp(join(out, 'implicit_little.confidence.png')).metadata();
    const color = await sharp(join(out, 'implicit_little.png')).metadata();
    expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([color.width, color.height, 1, 'uchar']);
    const data = await sharp(join(out, 'implicit_little.confidence.png')).extractChannel(0).raw().toBuffer();
    expect(data).toHaveLength(color.width! * color.height!);
    expect(Math.abs(data.reduce((s, v) => s + v, 0) / data.length / 255 - entry.meanConfidence)).toBeLessThan(0.01);

    const dcm = join(tmp, 'conf-dcm');
    const d = await run(['colorize', mr, '-o', dcm, '--model', 'endoscopy', '--confidence', '--format', 'dcm', '-q']);
    expect(d.code, d.stderr).toBe(0);
    expect(readdirSync(dcm).sort()).toEqual(['implicit_little.confidence.dcm', 'implicit_little.dcm']);
    const parse = (f: string) => dicomParser.parseDicom(new Uint8Array(readFileSync(join(dcm, f))));
    const conf = parse('implicit_little.confidence.dcm'), col = parse('implicit_little.dcm'), src = dicomParser.parseDicom(new Uint8Array(readFileSync(mr)));
    expect(conf.string('x00280004')).toBe('MONOCHROME2');
    expect(conf.uint16('x00280002')).toBe(1);
    expect(conf.uint16('x00280100')).toBe(8);
    expect(conf.string('x0020000e')).not.toBe(col.string('x0020000e'));
    expect(conf.string('x0020000d')).toBe(src.string('x0020000d')); // same study
    const ref = conf.elements.x00082112?.items?.[0]?.dataSet;
    expect(ref?.string('x00081155')).toBe(src.string('x00080018'));
    expect(conf.string('x00082111')).toMatch(/confidence.*255 = sure/);
    const [frame] = await readDicom(join(dcm, 'implicit_little.confidence.dcm'));
    expect([frame.width, frame.height]).toEqual([color.width, color.height]);
  });

  it('--min-confidence fades chroma where the model is unsure and keeps L*', async () => {
    const mr = daikonFile('implicit_little.dcm');
    const a = join(tmp, 'fade0'), b = join(tmp, 'fade1');
    expect((await run(['colorize', mr, '-o', a, '--model', 'endoscopy', '--confidence', '-q'])).code).toBe(0);
    expect((await run(['colorize', mr, '-o', b, '--model', 'endoscopy', '--min-confidence', '0.8', '-q'])).code).toBe(0);
    const [src] = await readDicom(mr);
    const Lsrc = grayToL(src);
    const read = async (f: string) => new Uint8Array(await sharp(f).raw().toBuffer());
    const plain = await read(join(a, 'implicit_little.png')), faded = await read(join(b, 'implicit_little.png'));
    const conf = new Uint8Array(await sharp(join(a, 'implicit_little.confidence.png')).extractChannel(0).raw().toBuffer());
    expect(conf).toHaveLength(Lsrc.length);
    const Lf = srgb8ToL(faded);
    let maxDL = 0;
    for (let i = 0; i < Lf.length; i++) maxDL = Math.max(maxDL, Math.abs(Lf[i] - Lsrc[i]));
    expect(maxDL).toBeLessThan(1);
    let unsure = 0, grayWhereUnsure = 0, same = 0, sure = 0;
    for (let i = 0; i < conf.length; i++) {
      const [r, g, bb] = [faded[3 * i], faded[3 * i + 1], faded[3 * i + 2]];
      if (conf[i] <= 0.38 * 255) {
        unsure++;
        if (Math.max(r, g, bb) - Math.min(r, g, bb) <= 2) grayWhereUnsure++;
      } else if (conf[i] >= 0.82 * 255) {
        sure++;
        if (r === plain[3 * i] && g === plain[3 * i + 1] && bb === plain[3 * i + 2]) same++;
      }
    }
    expect(unsure).toBeGreaterThan(0);
    expect(grayWhereUnsure / unsure).toBeGreaterThan(0.95);
    expect(sure).toBeGreaterThan(0);
    expect(same / sure).toBeGreaterThan(0.95);
    expect((await run(['colorize', mr, '-o', b, '--min-confidence', '1.5'])).code).toBe(2);
  });
});

describe('medcolor models (spawned)', () => {
  it('says which shipped models give a confidence map and warn out of domain', async () => {
    const r = await run(['models']);
    expect(r.code, r.stderr).toBe(0);
    for (const name of ['blood', 'endoscopy', 'fundus', 'natural']) {
      expect(r.stdout).toMatch(new RegExp(`^${name}( \\(default\\))?: .*confidence map \\(--confidence\\), warns out of domain, trained on`, 'm'));
    }
  });
});

describe('medcolor batch carries the trust options to every item (spawned)', () => {
  it('reports each item\'s WARN_OUT_OF_DOMAIN, writes confidence maps with --confidence, refuses with --strict, checks --min-confidence', async () => {
    const ct = daikonFile('rle.dcm');
    const out = join(tmp, 'batch');
    const r = await run(['batch', ct, '-o', out, '--model', 'blood', '--confidence', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout) as { state: string; items: Array<{ state: string; outputs: string[]; warnings?: string[]; code?: string }> };
    expect(status.state).toBe('done');
    expect(status.items[0].warnings?.join(' ')).toMatch(/WARN_OUT_OF_DOMAIN: the input is outside the domain of model blood/);
    expect(readdirSync(out).sort()).toEqual(['rle.confidence.png', 'rle.png']);
    const meta = await sharp(join(out, 'rle.confidence.png')).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([512, 512, 1]);
    const map = await sharp(join(out, 'rle.confidence.png')).extractChannel(0).raw().toBuffer();
    expect(map.reduce((m, v) => Math.max(m, v), 0)).toBeGreaterThan(map.reduce((m, v) => Math.min(m, v), 255));
    const plain = await run(['batch', ct, '-o', join(tmp, 'batch-plain'), '--model', 'blood']);
    expect(plain.stderr).toMatch(/rle\.dcm: warning: WARN_OUT_OF_DOMAIN/);

    const s = await run(['batch', ct, '-o', join(tmp, 'batch-strict'), '--model', 'blood', '--strict', '--json']);
    expect(s.code).toBe(5);
    expect((JSON.parse(s.stdout) as typeof status).items[0]).toMatchObject({ state: 'failed', code: 'ERR_OUT_OF_DOMAIN' });

    const bad = await run(['batch', ct, '-o', join(tmp, 'batch-bad'), '--model', 'blood', '--min-confidence', '1.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--min-confidence expects a number 0\.\.1; found "1\.5"/);
  });
});
