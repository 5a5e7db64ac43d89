import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { daikonFile } from '../fixtures.js';
import { runMedcolor } from '../run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-strict-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[]) => runMedcolor(args);

describe('medcolor colorize: out-of-domain inputs (spawned)', () => {
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
