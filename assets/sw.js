// fink-vra service worker: keeps the app shell, the wasm and the sample data,
// so that a page loaded once reloads and works with the network off.
// Network first (always fresh when online), the cache when offline.
// Paths are relative to this script, so the app works under any sub-path.
const CACHE = "fink-vra-v3";
const APP_SHELL = [
  "./",
  "index.html",
  "boot.js",
  "fink-vra-app.js",
  "fink-vra-app_bg.wasm",
  "fink-vra-worker.js",
  "fink-vra-worker_bg.wasm",
  "fink-vra-worker_loader.js",
  "main.css",
  "sample/ztf_schema402_10alerts.parquet",
  "sample/20250602_100102_alerts_ztf_hostless_72alerts.parquet",
  "sample/20250603_110102_alerts_ztf_hostless_72alerts.parquet",
  "sample/20250604_120102_alerts_ztf_hostless_72alerts.parquet",
];
// The LSST sample files (5 MB) are not precached: they are cached the first
// time they are asked for, like every other same-origin response below.

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(APP_SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
        }
        return response;
      })
      .catch(() =>
        caches
          .match(request, { ignoreSearch: true })
          .then((cached) => cached || (request.mode === "navigate" ? caches.match("./") : undefined))
          .then((cached) => cached || Response.error()),
      ),
  );
});
