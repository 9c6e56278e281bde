// The main window (captions, sessions, dictation, voices, settings). Closing it hides it to the tray;
// only Quit ends the app, so captions, hotkeys and dictation keep working in the background.
import { BrowserWindow } from 'electron';
import { join } from 'node:path';

export interface MainWindowOptions {
  url: string;
  preload: string;
  resourcesDir: string;
  show: boolean;
  /** Consulted on close: true while the app is quitting (then the window really closes). */
  isQuitting: () => boolean;
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'Earshot',
    icon: join(opts.resourcesDir, 'icon.png'),
    autoHideMenuBar: true,
    webPreferences: { preload: opts.preload, contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
  win.once('ready-to-show', () => {
    if (opts.show) win.show();
  });
  win.on('close', (event) => {
    if (!opts.isQuitting()) {
      event.preventDefault();
      win.hide();
    }
  });
  void win.loadURL(opts.url);
  return win;
}
