/**
 * The README's picture of the browser app (docs/web-app.png): the app in headless chromium
 * after colorizing a bundled example. Run after `npm run build`:
 *
 *   npx tsx scripts/make-web-screenshot.ts [--input examples/blood-smear.png] [--method model] [--model blood] [--out docs/web-app.png]
 */
import { join } from 'node:path';
import { act, browserUnavailable, openApp } from '../test/web/browser.js';

const args = process.argv.slice(2);
const arg = (k: string, d: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const root = join(import.meta.dirname, '..');
const input = join(root, arg('--input', 'examples/blood-smear.png'));
const method = arg('--method', 'model');
const model = arg('--model', method === 'model' ? 'blood' : '');
const out = join(root, arg('--out', 'docs/web-app.png'));

const why = browserUnavailable();
if (why) throw new Error(why);
const app = await openApp(`?method=${method}${model ? `&model=${model}` : ''}`);
try {
  const { page } = app;
  await page.getByTestId('backend').filter({ hasText: 'wasm' }).waitFor();
  const st = await act(page, () => page.getByTestId('file-input').setInputFiles(input), 180_000);
  if (st.state !== 'done') throw new Error(st.text);
  if (args.includes('--slider')) {
    await page.getByTestId('view-slider').click();
    await page.getByTestId('split').fill('45');
  }
  await page.waitForTimeout(300);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await app.close();
}
