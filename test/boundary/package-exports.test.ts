/**
 * The package's two entries, as an installed package sees them: `medcolor` (Node) and
 * `medcolor/browser`. The library is built (tsconfig.build.json) into a temporary project's
 * node_modules/medcolor with the real package.json, and imported there by package name from a
 * separate Node process and from a type-checked TypeScript file.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDicom } from '../../src/io/dicom/decode.js';
import { daikonFile, ROOT } from '../fixtures.js';

const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');

describe('package exports: medcolor and medcolor/browser', () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(path.join(tmpdir(), 'medcolor-exports-'));
    const pkg = path.join(project, 'node_modules/medcolor');
    mkdirSync(pkg, { recursive: true });
    const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', path.join(pkg, 'dist'), '--sourceMap', 'false'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(build.stdout + build.stderr).toBe('');
    cpSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
    // the package's own dependencies, as npm would have installed them
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  }, 120_000);
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  function runNode(code: string): { status: number | null; stdout: string; stderr: string } {
    const file = path.join(project, `probe-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(file, code);
    const r = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('emits both entries with their types', () => {
    const dist = path.join(project, 'node_modules/medcolor/dist');
    for (const f of ['index.js', 'index.d.ts', 'browser.js', 'browser.d.ts']) {
      expect(readFileSync(path.join(dist, f), 'utf8').length, f).toBeGreaterThan(100);
    }
  });

  it('resolves medcolor/browser (bytes API, no file readers) and medcolor (all of it plus Node I/O)', () => {
    const r = runNode(`
      const browser = await import('medcolor/browser');
      const node = await import('medcolor');
      const b = Object.keys(browser), n = new Set(Object.keys(node));
      console.log(JSON.stringify({
        browser: ['decodeDicom', 'colorizeImage', 'createModelMethod', 'readOnnxMetadata', 'getMethod', 'nn'].filter((k) => k in browser),
        browserLacks: ['readDicom', 'loadModel', 'writePng', 'readRaster', 'trainColorizer'].filter((k) => !(k in browser)),
        notInNode: b.filter((k) => !n.has(k) || node[k] !== browser[k]),
        node: ['readDicom', 'loadModel', 'writePng', 'trainColorizer'].filter((k) => n.has(k)),
        count: b.length,
      }));
    `);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.browser).toEqual(['decodeDicom', 'colorizeImage', 'createModelMethod', 'readOnnxMetadata', 'getMethod', 'nn']);
    expect(out.browserLacks).toEqual(['readDicom', 'loadModel', 'writePng', 'readRaster', 'trainColorizer']);
    expect(out.notInNode).toEqual([]);
    expect(out.node).toEqual(['readDicom', 'loadModel', 'writePng', 'trainColorizer']);
    expect(out.count).toBeGreaterThan(50);
  });

  it('decodes and colorizes a real DICOM from bytes through medcolor/browser', async () => {
    const file = daikonFile('rle.dcm');
    const [expected] = await decodeDicom(new Uint8Array(readFileSync(file)));
    const r = runNode(`
      import { readFileSync } from 'node:fs';
      import { decodeDicom, colorizeImage, getMethod } from 'medcolor/browser';
      const [img] = await decodeDicom(new Uint8Array(readFileSync(${JSON.stringify(file)})), { source: 'rle.dcm' });
      const { rgb } = await colorizeImage(img, getMethod('lut'), { methodOptions: { palette: 'hot' } });
      let sum = 0; for (const v of img.data) sum += v;
      let r = 0, b = 0; for (let i = 0; i < rgb.data.length; i += 3) { r += rgb.data[i]; b += rgb.data[i + 2]; }
      console.log(JSON.stringify({ w: img.width, h: img.height, sum, modality: img.meta.modality, rgb: [rgb.width, rgb.height], redOverBlue: r / Math.max(1, b) }));
    `);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect([out.w, out.h]).toEqual([expected.width, expected.height]);
    expect(out.sum).toBe(Array.from(expected.data).reduce((a, v) => a + v, 0));
    expect(out.modality).toBe(expected.meta.modality);
    expect(out.rgb).toEqual([expected.width, expected.height]);
    expect(out.redOverBlue).toBeGreaterThan(1.5); // the hot palette: red before blue
  });

  it('type-checks a consumer of both entries with their declarations', () => {
    writeFileSync(
      path.join(project, 'consumer.ts'),
      `import { decodeDicom, type GrayImage } from 'medcolor/browser';
       import { readDicom } from 'medcolor';
       export async function a(bytes: Uint8Array): Promise<GrayImage[]> { return decodeDicom(bytes); }
       export const b: (file: string) => Promise<GrayImage[]> = readDicom;
       // @ts-expect-error the browser entry has no file readers
       export { readDicom as c } from 'medcolor/browser';
      `,
    );
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')] },
        files: ['consumer.ts'],
      }),
    );
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
