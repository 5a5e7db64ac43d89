/**
 * `medcolor web`: serves the built browser app (web/dist) and the shipped models on loopback,
 * with the headers that make the page cross-origin isolated (so onnxruntime-web may use threads)
 * and the right MIME types. Static files only: the page never uploads anything.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { MedcolorError } from '../errors.js';
import { getDefaultModelName, getModelsDir, getPackageRoot, listShippedModels } from '../io/model-loader.js';
import { readOnnxMetadata } from '../methods/model.js';
import { addListenOptions, parsePortOption } from './common.js';

/** MIME types of what the app and models folder hold. */
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** Headers on every response: cross-origin isolation, no sniffing, nothing embeddable elsewhere. */
const SECURITY_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Options of {@link startWebServer}. */
export interface WebServerOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1 (this machine only). */
  host?: string;
  /** Folder of the built app. Default `<package root>/web/dist`. */
  appDir?: string;
  /** Folder of the models served under /models/. Default the shipped models folder. */
  modelsDir?: string;
}

/** A running web server. */
export interface WebServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The models index the app reads: names, the default, and what their metadata says. */
function modelsIndex(modelsDir: string): string {
  const models = listShippedModels(modelsDir).map((name) => {
    let meta: Record<string, string> = {};
    try {
      meta = readOnnxMetadata(new Uint8Array(readFileSync(join(modelsDir, `${name}.onnx`))));
    } catch {
      /* an unreadable model still shows; loading it reports the error */
    }
    return {
      name,
      trainedOn: meta['medcolor.trained_on'],
      inputSize: Number(meta['medcolor.input_size']) || undefined,
      // Hint-taking models (inputs hint_ab + hint_mask): painting in the app gives them point hints.
      hints: meta['medcolor.hints'] === 'ab+mask',
    };
  });
  return JSON.stringify({ default: getDefaultModelName(modelsDir) ?? null, models });
}

/** Resolves a URL path inside `dir`; undefined when it escapes it or is not a file. */
function fileIn(dir: string, urlPath: string): string | undefined {
  const rel = normalize(urlPath).replace(/^([/\\])+/, '');
  const full = resolve(dir, rel);
  if (full !== dir && !full.startsWith(dir + sep)) return undefined;
  if (!existsSync(full) || !statSync(full).isFile()) return undefined;
  return full;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** File types worth compressing (the ONNX weights barely shrink: sent as they are). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.md', '.txt']);
/** gzip bodies made once per file version (the app's files never change while it runs). */
const gzipCache = new Map<string, { mtimeMs: number; body: Buffer }>();

function gzipped(file: string, mtimeMs: number): Buffer {
  const hit = gzipCache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.body;
  const body = gzipSync(readFileSync(file), { level: 6 });
  gzipCache.set(file, { mtimeMs, body });
  return body;
}

function serveFile(req: IncomingMessage, res: ServerResponse, file: string, cache: string): void {
  const st = statSync(file);
  const ext = extname(file).toLowerCase();
  const headers: Record<string, string | number> = {
    ...SECURITY_HEADERS,
    'Content-Type': MIME[ext] ?? 'application/octet-stream',
    'Cache-Control': cache,
    Vary: 'Accept-Encoding',
  };
  const gzip = COMPRESSIBLE.has(ext) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) {
    const body = gzipped(file, st.mtimeMs);
    res.writeHead(200, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': st.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

/**
 * Starts the static server of the browser app.
 *
 * @example
 * const web = await startWebServer({ port: 0 });
 * console.log(web.url); // http://127.0.0.1:41234/
 * await web.close();
 */
export async function startWebServer(options: WebServerOptions = {}): Promise<WebServer> {
  const appDir = resolve(options.appDir ?? join(getPackageRoot(), 'web', 'dist'));
  const modelsDir = resolve(options.modelsDir ?? getModelsDir());
  if (!existsSync(join(appDir, 'index.html'))) {
    throw new MedcolorError('ERR_WEB_NOT_BUILT', `the browser app is not built: expected ${join(appDir, 'index.html')}; run npm run build`);
  }
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'only GET and HEAD\n');
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      send(res, 400, 'bad URL\n');
      return;
    }
    if (path === '/models/index.json') {
      send(res, 200, modelsIndex(modelsDir), MIME['.json']);
      return;
    }
    if (path.startsWith('/models/')) {
      const name = path.slice('/models/'.length);
      const file = /^[A-Za-z0-9._-]+\.onnx$/.test(name) ? fileIn(modelsDir, name) : undefined;
      if (file) serveFile(req, res, file, 'no-cache');
      else send(res, 404, 'no such model\n');
      return;
    }
    const file = fileIn(appDir, path === '/' ? 'index.html' : path);
    if (!file) {
      send(res, 404, 'not found\n');
      return;
    }
    // Vite's hashed assets never change under their name; the page itself is revalidated.
    serveFile(req, res, file, path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
  const port = options.port ?? 8080;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(new MedcolorError('ERR_USAGE', `cannot listen on ${host}:${port} (${e.code ?? e.message})`, { cause: e })),
    );
    server.listen(port, host, () => ok());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}/`,
    server,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** Registers `medcolor web`. */
export function registerWeb(program: Command): void {
  addListenOptions(
    program.command('web').description('serve the browser app (nothing is uploaded: files are colorized inside the page) and the shipped models'),
  )
    .action(async (opts: { port: string; host: string }) => {
      const web = await startWebServer({ port: parsePortOption(opts.port), host: opts.host });
      process.stdout.write(`medcolor web: open ${web.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((done) => {
        const stop = () => void web.close().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
