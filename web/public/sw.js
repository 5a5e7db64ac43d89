/*
 * medcolor's service worker: keeps a copy of every file of the app's own origin the page has
 * loaded (the page, its scripts, the WebAssembly, the models), so the app works offline once
 * loaded. Same-origin GET requests only; nothing is ever sent anywhere.
 * The page is fetched network-first (a new build shows when online); everything else cache-first
 * (Vite's assets have content hashes in their names; models are revalidated when online).
 */
const CACHE = 'medcolor-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  const networkFirst = req.mode === 'navigate' || url.pathname.startsWith('/models/');
  event.respondWith(networkFirst ? fromNetwork(req) : fromCache(req));
});

async function fromNetwork(req) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(req, res.clone());
    return res;
  } catch (e) {
    const hit = await cache.match(req, { ignoreSearch: req.mode === 'navigate' });
    if (hit) return hit;
    throw e;
  }
}

async function fromCache(req) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) await cache.put(req, res.clone());
  return res;
}
