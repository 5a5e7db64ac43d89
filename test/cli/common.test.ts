import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MedcolorError } from '../../src/errors.js';
import { exitCodeFor, parseWindowOption, EXIT } from '../../src/cli/common.js';
import { expandInputs } from '../../src/io/expand-inputs.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-common-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
for (const f of ['a.dcm', 'b.png', 'c.txt', '.hidden.dcm', 'sub/d.dcm', 'sub/e.PNG', 'sub/deep/f.dcm', 'sub/deep/g.nii.gz']) {
  mkdirSync(join(tmp, f, '..'), { recursive: true });
  writeFileSync(join(tmp, f), 'x');
}
const rel = (items: { file: string; missing?: boolean }[]) => items.map((i) => (i.missing ? `!${i.file}` : i.file.slice(tmp.length + 1)));

describe('expandInputs', () => {
  it('walks folders recursively, sorted, without dot-files, filtered by accept', () => {
    expect(rel([...expandInputs([tmp])])).toEqual(['a.dcm', 'b.png', 'c.txt', 'sub/d.dcm', 'sub/deep/f.dcm', 'sub/deep/g.nii.gz', 'sub/e.PNG']);
    expect(rel([...expandInputs([tmp], { accept: (f) => f.endsWith('.dcm') })])).toEqual(['a.dcm', 'sub/d.dcm', 'sub/deep/f.dcm']);
  });

  it('matches globs: *, **, {a,b}, ?, and reports what matches nothing', () => {
    expect(rel([...expandInputs([join(tmp, '*.dcm')])])).toEqual(['a.dcm']);
    expect(rel([...expandInputs([join(tmp, '**/*.dcm')])])).toEqual(['a.dcm', 'sub/d.dcm', 'sub/deep/f.dcm']);
    expect(rel([...expandInputs([join(tmp, 'sub/**/*.{PNG,gz}')])])).toEqual(['sub/deep/g.nii.gz', 'sub/e.PNG']);
    expect(rel([...expandInputs([join(tmp, 'sub/?.dcm')])])).toEqual(['sub/d.dcm']);
    const none = join(tmp, '*.jpg');
    expect(rel([...expandInputs([none, join(tmp, 'nope.dcm')])])).toEqual([`!${none}`, `!${join(tmp, 'nope.dcm')}`]);
  });

  it('is lazy: the first file comes before the walk ends', () => {
    const it = expandInputs([tmp]);
    expect(it.next().value?.file).toBe(join(tmp, 'a.dcm'));
  });
});

describe('options and exit codes', () => {
  it('parses --window C,W and rejects bad values', () => {
    expect(parseWindowOption('40,400')).toEqual({ center: 40, width: 400 });
    expect(parseWindowOption(' -600 , 1500 ')).toEqual({ center: -600, width: 1500 });
    expect(() => parseWindowOption('40')).toThrow(/CENTER,WIDTH/);
    expect(() => parseWindowOption('40,-1')).toThrow(/WIDTH > 0/);
  });

  it('maps error codes to exit codes', () => {
    expect(exitCodeFor(new MedcolorError('ERR_USAGE', 'x'))).toBe(EXIT.USAGE);
    expect(exitCodeFor(new MedcolorError('ERR_MODEL_NOT_FOUND', 'x'))).toBe(EXIT.UNAVAILABLE);
    expect(exitCodeFor(new MedcolorError('ERR_UNKNOWN_METHOD', 'x'))).toBe(EXIT.UNAVAILABLE);
    expect(exitCodeFor(new MedcolorError('ERR_OUTPUT', 'x'))).toBe(EXIT.OUTPUT);
    expect(exitCodeFor(new TypeError('bug'))).toBe(EXIT.INTERNAL);
  });
});
