// System audio on Windows and macOS: Chromium can capture what the machine plays ("loopback") as the
// audio track of a display-media request. We answer the renderer's getDisplayMedia() ourselves — no picker,
// the primary screen as the (unused) video track, loopback as audio — so the renderer gets a system-audio
// track it streams to the WS API with source=system. Linux has no loopback there; it uses parec instead.
import { desktopCapturer, session } from 'electron';

export function loopbackSupported(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'win32' || platform === 'darwin';
}

/** Installs the display-media handler on the default session. Only our own UI origin is granted. */
export function installLoopbackAudioHandler(uiOrigin: string): void {
  session.defaultSession.setDisplayMediaRequestHandler(
    (request, callback) => {
      if (!loopbackSupported() || new URL(request.securityOrigin || 'null:').origin !== uiOrigin) {
        callback({});
        return;
      }
      desktopCapturer
        .getSources({ types: ['screen'] })
        .then((sources) => callback(sources[0] ? { video: sources[0], audio: 'loopback' } : {}))
        .catch(() => callback({}));
    },
    // macOS 15+: the system picker can be used instead; we keep our handler so no picker appears.
    { useSystemPicker: false },
  );
}
