/** `medcolor info` registered on a fresh commander program (exitOverride), on real files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerInfo } from '../../src/cli/info.js';
import { daikonFile } from '../fixtures.js';


async function run(args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  let out = '', err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  process.exitCode = undefined;
  try {
    const program = new Command('medcolor').exitOverride();
    registerInfo(program);
    for (const c of program.commands) c.exitOverride();
    await program.parseAsync(['node', 'medcolor', 'info', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { out, err, code };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('medcolor info', () => {
  it('prints modality, size, bits, frames, photometric, transfer syntax, window and rescale', async () => {
    const { out, code } = await run([daikonFile('jpeg_lossless_sel1.dcm'), daikonFile('jpeg_baseline_8bit.dcm')]);
    expect(code).toBeUndefined();
    expect(out).toMatch(/modality\s+CT/);
    expect(out).toMatch(/size\s+400 x 512|size\s+512 x 400/);
    expect(out).toMatch(/bits\s+16 allocated, 16 stored, signed/);
    expect(out).toMatch(/transfer\s+JPEG Lossless, Non-Hierarchical, First-Order Prediction/);
    expect(out).toMatch(/rescale\s+slope 1, intercept 0 \(HU\)/);
    expect(out).toMatch(/window\s+40\/400/);
    expect(out).toMatch(/frames\s+96/);
    expect(out).toMatch(/photometric MONOCHROME2/);
  });

  it('reports a bad file, still prints the others, and exits non-zero', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'medcolor-info-'));
    const bad = path.join(dir, 'bad.dcm');
    writeFileSync(bad, 'definitely not DICOM');
    const { out, err, code } = await run([bad, daikonFile('rle.dcm')]);
    expect(err).toContain('bad.dcm');
    expect(err).toMatch(/ERR_(DICOM_PARSE|UNSUPPORTED_FORMAT|DICOM_TRUNCATED)/);
    expect(out).toMatch(/transfer\s+RLE Lossless/);
    expect(code).toBe(1);
    const all = await run([bad]);
    expect(all.code).toBe(5);
  });

  it('--json gives one entry per file', async () => {
    const { out, code } = await run(['--json', daikonFile('explicit_big.dcm'), '/no/such/file.dcm']);
    const infos = JSON.parse(out) as Record<string, any>[];
    expect(infos.length).toBe(2);
    expect(infos[0]).toMatchObject({ ok: true, format: 'dicom', transferSyntaxUid: '1.2.840.10008.1.2.2', rows: 256, columns: 256, bitsAllocated: 16 });
    expect(infos[1]).toMatchObject({ ok: false, error: { code: 'ERR_FILE_NOT_FOUND' } });
    expect(code).toBe(1);
  });
});
