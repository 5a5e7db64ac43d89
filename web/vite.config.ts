/**
 * Vite build of the browser app. Everything the page loads comes from its own origin: the
 * WebAssembly of ONNX Runtime and of the DICOM codecs is emitted as hashed assets (no CDN), and
 * the dev server sends the cross-origin isolation headers that `medcolor web` sends.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, defaultClientConditions, type Plugin } from 'vite';

const here = import.meta.dirname;
const root = resolve(here, '..');
const modelsDir = join(root, 'models');

/** The library's dynamic imports of the codec factories are redirected to wrappers that say where the .wasm is. */
const CODEC_WRAPPERS: Record<string, string> = {
  '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs': join(here, 'src/codecs/libjpeg-turbo.ts'),
  '@cornerstonejs/codec-charls/decodewasmjs': join(here, 'src/codecs/charls.ts'),
  '@cornerstonejs/codec-openjpeg/decodewasmjs': join(here, 'src/codecs/openjpeg.ts'),
  '@cornerstonejs/codec-openjph': join(here, 'src/codecs/openjph.ts'),
  'dcmjs-codecs': join(here, 'src/codecs/dcmjs-codecs.ts'),
};

function codecWasm(): Plugin {
  return {
    name: 'medcolor-codec-wasm',
    enforce: 'pre',
    resolveId(id, importer) {
      const wrapper = CODEC_WRAPPERS[id];
      // The wrappers themselves import the real packages.
      if (wrapper && !importer?.startsWith(join(here, 'src/codecs'))) return wrapper;
      return null;
    },
  };
}

/** Dev server only: serves ../models and its index as `medcolor web` does (src/cli/web.ts). */
function devModels(): Plugin {
  return {
    name: 'medcolor-dev-models',
    configureServer(server) {
      server.middlewares.use('/models', (req, res, next) => {
        const name = decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\/+/, '');
        if (name === 'index.json') {
          const files = existsSync(modelsDir) ? readdirSync(modelsDir).filter((f) => f.endsWith('.onnx')).sort() : [];
          const names = files.map((f) => f.slice(0, -5));
          const pointer = join(modelsDir, 'DEFAULT');
          const dflt = existsSync(pointer) ? readFileSync(pointer, 'utf8').trim() : names[0];
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ default: names.includes(dflt) ? dflt : names[0] ?? null, models: names.map((n) => ({ name: n })) }));
          return;
        }
        if (/^[A-Za-z0-9._-]+\.onnx$/.test(name) && existsSync(join(modelsDir, name))) {
          res.setHeader('Content-Type', 'application/octet-stream');
          res.end(readFileSync(join(modelsDir, name)));
          return;
        }
        next();
      });
    },
  };
}

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: here,
  base: './',
  plugins: [codecWasm(), devModels()],
  resolve: {
    // onnxruntime-web's "extern wasm" build loads its .mjs glue and .wasm from the paths we give it
    // (both emitted as assets below), so its threads start from the same files.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  worker: { format: 'es', plugins: () => [codecWasm()] },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  server: { headers: isolation, fs: { allow: [root] } },
  preview: { headers: isolation },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    assetsInlineLimit: 0,
  },
});
