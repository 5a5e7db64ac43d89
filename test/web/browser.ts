/**
 * Real-browser helpers for the web app's tests and benchmark: Debian's chromium driven by
 * playwright-core (headless, fresh profile), the app served by `medcolor web`'s server, every
 * request the page makes recorded.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startWebServer, type WebServer } from '../../src/cli/web.js';

export const CHROMIUM = process.env.MEDCOLOR_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here (undefined when they can). */
export function browserUnavailable(): string | undefined {
  if (!existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (!existsSync(join(import.meta.dirname, '../../web/dist/index.html'))) return 'web/dist is not built (npm run build)';
  return undefined;
}

export interface AppSession {
  server: WebServer;
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested (documents, scripts, workers, wasm, models, fetches). */
  requests: string[];
  /** Console errors and page errors. */
  errors: string[];
  close(): Promise<void>;
}

/** Starts the server and a fresh headless chromium on the app. */
export async function openApp(query = ''): Promise<AppSession> {
  const server = await startWebServer({ port: 0 });
  const profile = mkdtempSync(join(tmpdir(), 'medcolor-chromium-'));
  // A fresh profile per session (playwright passes it as --user-data-dir).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport: { width: 1440, height: 860 },
    deviceScaleFactor: 1,
    acceptDownloads: true,
  });
  const requests: string[] = [];
  const errors: string[] = [];
  // Context-level events also see the workers' requests (wasm, models).
  context.on('request', (r) => requests.push(r.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(server.url + query);
  await page.waitForSelector('body[data-ready=true]');
  return {
    server,
    context,
    page,
    requests,
    errors,
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Number of operations the page finished so far (status data-seq). */
export async function statusSeq(page: Page): Promise<number> {
  return Number((await page.getByTestId('status').getAttribute('data-seq')) ?? 0);
}

/**
 * Runs `action` and waits until the page finished an operation after it (status `done` or
 * `error`); returns the status attributes.
 */
export async function act(
  page: Page,
  action: () => Promise<unknown>,
  timeout = 90_000,
): Promise<{ state: string; ms?: number; code?: string; text: string }> {
  // Let what earlier steps started (a colorization due on a timer, or running) finish first, so
  // its result is not taken for the result of this action.
  await page.waitForFunction(
    () => {
      const s = document.querySelector('[data-testid=status]') as HTMLElement;
      return s.dataset.state !== 'working' && s.dataset.scheduled !== 'true';
    },
    undefined,
    { timeout },
  );
  const before = await statusSeq(page);
  await action();
  // The attributes are read in the same evaluation that sees the operation finish (another
  // operation may start right after).
  const handle = await page.waitForFunction(
    (n) => {
      const s = document.querySelector('[data-testid=status]') as HTMLElement;
      if (!(Number(s.dataset.seq ?? 0) > n && (s.dataset.state === 'done' || s.dataset.state === 'error'))) return false;
      return { state: s.dataset.state, ms: s.dataset.ms, code: s.dataset.code, text: s.innerText.trim() };
    },
    before,
    { timeout },
  );
  const r = (await handle.jsonValue()) as { state: string; ms?: string; code?: string; text: string };
  return { state: r.state, ms: r.ms ? Number(r.ms) : undefined, code: r.code ?? undefined, text: r.text };
}

/** The output canvas's pixels as RGB. */
export async function readOutput(page: Page): Promise<{ width: number; height: number; rgb: Uint8Array }> {
  const r = await page.evaluate(() => {
    const c = document.querySelector('[data-testid=output]') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let s = '';
    for (let i = 0; i < d.length; i += 4) s += String.fromCharCode(d[i], d[i + 1], d[i + 2]);
    return { width: c.width, height: c.height, b64: btoa(s) };
  });
  return { width: r.width, height: r.height, rgb: new Uint8Array(Buffer.from(r.b64, 'base64')) };
}

/** Share of pixels whose three channels all lie within `tol` of the reference. */
export function shareWithin(a: Uint8Array, b: Uint8Array, tol: number): number {
  expect(a.length).toBe(b.length);
  let ok = 0;
  for (let i = 0; i < a.length; i += 3) {
    if (Math.abs(a[i] - b[i]) <= tol && Math.abs(a[i + 1] - b[i + 1]) <= tol && Math.abs(a[i + 2] - b[i + 2]) <= tol) ok++;
  }
  return ok / (a.length / 3);
}
