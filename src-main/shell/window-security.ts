// Hardening every web contents the app creates: the UI is served by the local API, so it may navigate only
// within that origin; new windows never open inside the app (http(s) links go to the browser); only the
// microphone (and, for system audio, display capture) is granted, and only to our own origin; and every
// page from the API gets the strict CSP.
import { app, session, shell } from 'electron';
import { contentSecurityPolicy } from './content-security-policy.js';

export function hardenWebContents(apiBase: string): void {
  const uiOrigin = new URL(apiBase).origin;
  const csp = contentSecurityPolicy(apiBase);

  session.defaultSession.webRequest.onHeadersReceived({ urls: [`${uiOrigin}/*`] }, (details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });

  const allowed = new Set(['media', 'display-capture', 'clipboard-sanitized-write']);
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const origin = details.requestingUrl ? new URL(details.requestingUrl).origin : '';
    callback(origin === uiOrigin && allowed.has(permission));
  });
  session.defaultSession.setPermissionCheckHandler(
    (_wc, permission, requestingOrigin) => requestingOrigin === uiOrigin && allowed.has(permission),
  );

  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (new URL(url).origin !== uiOrigin) event.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) => {
      if (/^https?:\/\//.test(url) && new URL(url).origin !== uiOrigin) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}
