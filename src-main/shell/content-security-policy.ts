// The renderer's Content-Security-Policy. The UI is our own bundle: scripts only from itself, no eval,
// no plugins, no framing, and network access only to the local engine API (HTTP and its WebSocket).
// Pure, so the exact policy is unit-tested; the shell sets it as a response header on the UI's pages.

/** CSP for a renderer served from (or talking to) the local API at `apiBase` (http://127.0.0.1:<port>). */
export function contentSecurityPolicy(apiBase: string): string {
  const url = new URL(apiBase);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`API base must be http(s), got ${apiBase}`);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (!loopback) throw new Error(`the desktop UI only talks to a loopback API, got ${url.hostname}`);
  const http = url.origin;
  const ws = `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Svelte sets style attributes at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // Audio the UI plays (TTS) and records (mic) goes through blob: and AudioWorklet modules from self.
    "media-src 'self' blob:",
    "worker-src 'self' blob:",
    `connect-src ${http} ${ws}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
