/**
 * Real services for the server tests, each started in the foreground on free loopback ports with
 * its own temporary storage, and stopped by the returned `stop()`: Orthanc with its DICOMweb
 * plugin (Debian packages orthanc, orthanc-dicomweb) and redis-server. A test that needs one
 * skips when the binary is absent (`hasOrthanc`, `hasRedis`); CI installs both (.ci/run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ORTHANC = '/usr/sbin/Orthanc';
export const ORTHANC_DICOMWEB = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
export const REDIS = ['/usr/bin/redis-server', '/usr/sbin/redis-server'].find((p) => existsSync(p)) ?? 'redis-server';

export const hasOrthanc = existsSync(ORTHANC) && existsSync(ORTHANC_DICOMWEB);
export const hasRedis = existsSync(REDIS);

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, ok: () => Promise<boolean>, proc: ChildProcess, log: () => string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}:\n${log()}`);
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer within ${ms} ms:\n${log()}`);
}

function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/** A running Orthanc. */
export interface OrthancHandle {
  /** The DICOMweb root, e.g. http://127.0.0.1:PORT/dicom-web */
  dicomweb: string;
  /** Orthanc's own REST root. */
  rest: string;
  user: string;
  password: string;
  stop(): Promise<void>;
}

/** Starts Orthanc with the DICOMweb plugin and HTTP basic authentication (user medcolor). */
export async function startOrthanc(): Promise<OrthancHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'medcolor-orthanc-'));
  const [httpPort, dicomPort] = [await getFreePort(), await getFreePort()];
  const user = 'medcolor', password = 'test-password';
  const config = {
    Name: 'medcolor-test',
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'index'),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [user]: password },
    Plugins: [ORTHANC_DICOMWEB],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
    // Keep every transfer syntax as received.
    StorageCompression: false,
  };
  const configFile = join(dir, 'orthanc.json');
  writeFileSync(configFile, JSON.stringify(config));
  let log = '';
  const proc = spawn(ORTHANC, [configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  const rest = `http://127.0.0.1:${httpPort}`;
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  await waitFor('Orthanc', async () => (await fetch(`${rest}/system`, { headers: { authorization: auth } })).ok, proc, () => log);
  return {
    dicomweb: `${rest}/dicom-web`,
    rest,
    user,
    password,
    async stop() {
      await stopProcess(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A running redis-server. */
export interface RedisHandle {
  url: string;
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port without persistence. */
export async function startRedis(): Promise<RedisHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'medcolor-redis-'));
  const port = await getFreePort();
  let log = '';
  const proc = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  const ping = () =>
    new Promise<boolean>((resolve) => {
      import('node:net').then(({ connect }) => {
        const s = connect(port, '127.0.0.1');
        s.once('error', () => resolve(false));
        s.once('connect', () => s.write('PING\r\n'));
        s.once('data', (d) => {
          s.destroy();
          resolve(String(d).startsWith('+PONG'));
        });
      });
    });
  await waitFor('redis-server', ping, proc, () => log);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await stopProcess(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
