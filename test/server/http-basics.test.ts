/**
 * The HTTP API's front matter on a real server on loopback: probes, listings, token (401),
 * unknown routes, CORS off by default, Prometheus text, and the OpenAPI document checked against
 * the routes fastify actually registered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuthorized } from '../../src/server/auth.js';
import { parseByteSize } from '../../src/server/options.js';
import { listShippedModels } from '../../src/io/model-loader.js';
import { startTestServer, type TestServer } from './harness.js';

describe('token check', () => {
  it('accepts exactly "Bearer <token>" and compares tokens of any length without throwing', () => {
    expect(isAuthorized('Bearer s3cret', 's3cret')).toBe(true);
    expect(isAuthorized('bearer   s3cret', 's3cret')).toBe(true);
    expect(isAuthorized('Bearer s3cre', 's3cret')).toBe(false);
    expect(isAuthorized('Bearer s3cretX', 's3cret')).toBe(false);
    expect(isAuthorized('Bearer ' + 'x'.repeat(10_000), 's3cret')).toBe(false);
    expect(isAuthorized('s3cret', 's3cret')).toBe(false);
    expect(isAuthorized('Basic s3cret', 's3cret')).toBe(false);
    expect(isAuthorized(undefined, 's3cret')).toBe(false);
  });
  it('parses sizes', () => {
    expect(parseByteSize('256MB')).toBe(256 * 1024 * 1024);
    expect(parseByteSize('64kb')).toBe(65536);
    expect(parseByteSize('1000')).toBe(1000);
    expect(() => parseByteSize('lots')).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
  });
});

describe('HTTP API basics', () => {
  let open: TestServer, locked: TestServer;
  beforeAll(async () => {
    open = await startTestServer();
    locked = await startTestServer({ token: 'tok-123', cors: 'https://viewer.example' });
  });
  afterAll(async () => {
    await open?.close();
    await locked?.close();
  });

  it('answers the probes', async () => {
    expect(await (await fetch(`${open.url}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${open.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, running: 0, waiting: 0, concurrency: 1, queue: 16 });
  });

  it('lists the shipped models with their card fields and the methods', async () => {
    const models = (await (await fetch(`${open.url}/v1/models`)).json()) as { default: string; models: Array<{ name: string; metadata: Record<string, string>; card: { fields: Record<string, string> } | null }> };
    expect(models.models.map((m) => m.name)).toEqual(listShippedModels());
    const blood = models.models.find((m) => m.name === 'blood');
    if (blood) {
      expect(blood.card?.fields['data license']).toMatch(/MIT/);
      expect(blood.metadata['medcolor.input_size']).toBeDefined();
    }
    const methods = (await (await fetch(`${open.url}/v1/methods`)).json()) as { methods: Array<{ name: string; needsReference: boolean }> };
    expect(methods.methods.map((m) => m.name)).toEqual(expect.arrayContaining(['model', 'gray', 'lut', 'ct-tissue', 'transfer', 'scribble']));
    expect(methods.methods.find((m) => m.name === 'transfer')?.needsReference).toBe(true);
  });

  it('401 without the token or with a wrong one; open probes and docs stay open', async () => {
    const none = await fetch(`${locked.url}/v1/models`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toMatchObject({ code: 'ERR_UNAUTHORIZED' });
    const wrong = await fetch(`${locked.url}/metrics`, { headers: { authorization: 'Bearer tok-124' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${locked.url}/v1/models`, { headers: { authorization: 'Bearer tok-123' } });
    expect(right.status).toBe(200);
    for (const p of ['/healthz', '/readyz', '/openapi.json', '/docs']) expect((await fetch(`${locked.url}${p}`)).status).toBe(200);
  });

  it('404 as JSON for an unknown route', async () => {
    const r = await fetch(`${open.url}/v2/nothing?PatientName=DOE`);
    expect(r.status).toBe(404);
    const body = (await r.json()) as { code: string; message: string };
    expect(body.code).toBe('ERR_NOT_FOUND');
    expect(body.message).not.toContain('DOE');
  });

  it('CORS is off unless an origin is given', async () => {
    const a = await fetch(`${open.url}/healthz`, { headers: { origin: 'https://viewer.example' } });
    expect(a.headers.get('access-control-allow-origin')).toBeNull();
    const b = await fetch(`${locked.url}/healthz`, { headers: { origin: 'https://viewer.example' } });
    expect(b.headers.get('access-control-allow-origin')).toBe('https://viewer.example');
  });

  it('serves Prometheus text with request counters and the queue depth', async () => {
    await fetch(`${open.url}/healthz`);
    await fetch(`${open.url}/nope`);
    const text = await (await fetch(`${open.url}/metrics`)).text();
    expect(text).toMatch(/medcolor_http_requests_total\{route="\/healthz",method="GET",status="200"\} [1-9]/);
    expect(text).toMatch(/medcolor_http_request_duration_seconds_bucket\{le="0.005",route="\/healthz"\}/);
    expect(text).toMatch(/^medcolor_queue_depth 0$/m);
    expect(text).toMatch(/^medcolor_errors_total\{code="ERR_NOT_FOUND"\} [1-9]/m);
    expect(text).toMatch(/medcolor_process_resident_memory_bytes \d+/);
  });

  it('OpenAPI 3.1 lists exactly the registered routes, and /docs renders each of them', async () => {
    const doc = (await (await fetch(`${open.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`)).sort();
    const registered = (open.app as unknown as { medcolorRoutes: string[] }).medcolorRoutes.slice().sort();
    expect(documented).toEqual(registered);
    const html = await (await fetch(`${open.url}/docs`)).text();
    for (const p of Object.keys(doc.paths)) expect(html).toContain(p);
  });
});
