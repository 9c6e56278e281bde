// Electron main process: starts the core (engine, store, API) in-process, then the windows, tray, global
// hotkeys and IPC. Thin by design: speech happens in the core, the UI talks to it over the public local
// API, and this file only wires OS integration to the two.
import { app, BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { z } from 'zod';
import { userDataDir } from '../core/paths.js';
import { HOTKEY_ACTIONS, type HotkeyMap } from './accelerator.js';
import { isAutoStartEnabled, setAutoStart } from './auto-start.js';
import { onStopSignals } from '../stop-signals.js';
import { quitApp } from './app-quit.js';
import { startCore, type CoreHandle } from './core-host.js';
import { dictate } from './dictation-output.js';
import { HotkeyRegistry } from './hotkeys.js';
import { IPC, type BridgeConfig, type HotkeyEvent, type ShellResult, type SystemAudioStart } from './ipc-contract.js';
import { installLoopbackAudioHandler, loopbackSupported } from './loopback-audio.js';
import { createMainWindow } from './main-window.js';
import { OverlayWindow } from './overlay-window.js';
import { loadShellSettings, saveShellSettings, type ShellSettings } from './shell-settings.js';
import { LinuxSystemAudioCapture, SystemAudioCaptions } from '../core/sessions/index.js';
import { AppTray } from './tray.js';
import { hardenWebContents } from './window-security.js';

// Built layout (electron-vite): out/main/index.js, out/preload/index.cjs; resources/ beside out/ in development
// and in process.resourcesPath when packaged (electron-builder extraResources).
const PRELOAD = join(import.meta.dirname, '../preload/index.cjs');
const RESOURCES = app.isPackaged ? join(process.resourcesPath, 'resources') : join(import.meta.dirname, '../../resources');
const SETTINGS_FILE = join(userDataDir(), 'shell-settings.json');

let quitting = false;
let core: CoreHandle | null = null;
let mainWindow: BrowserWindow | null = null;
let overlay: OverlayWindow | null = null;
let tray: AppTray | null = null;
let hotkeys: HotkeyRegistry | null = null;
let systemAudio: SystemAudioCaptions | null = null;
let settings: ShellSettings = loadShellSettings(SETTINGS_FILE);

function persist(patch: Partial<ShellSettings>): void {
  settings = { ...settings, ...patch };
  try {
    saveShellSettings(SETTINGS_FILE, settings);
  } catch (err) {
    console.error(`earshot: cannot save ${SETTINGS_FILE}: ${(err as Error).message}`);
  }
}

/** Sends to every window (main and overlay both show captions). */
function broadcast(channel: string, payload: unknown): void {
  for (const w of BrowserWindow.getAllWindows()) if (!w.isDestroyed()) w.webContents.send(channel, payload);
}

function showMain(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

// ---- IPC: every payload from the renderer is validated; every handler answers { ok, value | error } ----

function handle<S extends z.ZodType, T>(channel: string, schema: S, fn: (arg: z.infer<S>, e: IpcMainInvokeEvent) => T | Promise<T>): void {
  ipcMain.handle(channel, async (e, raw: unknown): Promise<ShellResult<Awaited<T>> | Awaited<T>> => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return { ok: false, error: `bad argument for ${channel}: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
    try {
      return { ok: true, value: await fn(parsed.data, e) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  });
}

async function startSystemAudio(session: string | undefined): Promise<SystemAudioStart> {
  if (loopbackSupported()) return { mode: 'renderer-loopback' };
  if (process.platform !== 'linux') throw new Error(`system audio capture is not supported on ${process.platform}`);
  if (!core) throw new Error('the engine is not running');
  if (systemAudio?.running) await systemAudio.stop();
  const capture = new LinuxSystemAudioCapture();
  systemAudio = new SystemAudioCaptions({
    engine: core.engine,
    store: core.store,
    source: capture,
    session: session ?? 'new',
    onMessage: (msg) => broadcast(IPC.systemTranscript, msg),
  });
  const ready = await systemAudio.start();
  return { mode: 'main', sessionId: ready.session_id, device: capture.device };
}

function registerIpc(): void {
  ipcMain.on(IPC.config, (e) => {
    const view: BridgeConfig['view'] = e.sender.getURL().includes('#/overlay') ? 'overlay' : 'main';
    const config: BridgeConfig = { apiBase: core!.apiBase, token: core!.token, platform: process.platform, view };
    e.returnValue = config;
  });
  handle(IPC.setOverlay, z.boolean(), (visible) => {
    if (visible) overlay?.show();
    else overlay?.hide();
    tray?.update({ overlayVisible: visible });
  });
  handle(IPC.setClickThrough, z.boolean(), (on) => {
    overlay?.setClickThrough(on);
    persist({ clickThrough: on });
  });
  handle(IPC.setAlwaysOnTop, z.boolean(), (on) => {
    overlay?.setAlwaysOnTop(on);
    persist({ alwaysOnTop: on });
  });
  const hotkeyMap = z.object(Object.fromEntries(HOTKEY_ACTIONS.map((a) => [a, z.string().max(100).optional()]))).strict();
  handle(IPC.registerHotkeys, hotkeyMap, (map) => {
    const plan = hotkeys!.apply(map as HotkeyMap);
    persist({ hotkeys: map as HotkeyMap });
    return plan;
  });
  // dictate() reports its own failures in its result, so it is not wrapped in { ok, value }.
  ipcMain.handle(IPC.dictate, (_e, text: unknown) => dictate(typeof text === 'string' ? text : ''));
  handle(IPC.startSystemAudio, z.object({ session: z.string().min(1).max(100).optional() }).strict(), ({ session }) =>
    startSystemAudio(session),
  );
  handle(IPC.stopSystemAudio, z.undefined(), async () => {
    await systemAudio?.stop();
  });
  handle(IPC.setAutoStart, z.boolean(), (on) => {
    setAutoStart(on, app, process.execPath, app.isPackaged ? [] : [app.getAppPath()]);
    tray?.update({ autoStart: on });
  });
}

function onHotkey(e: HotkeyEvent): void {
  if (e.action === 'toggleOverlay') {
    const visible = overlay?.toggle() ?? false;
    tray?.update({ overlayVisible: visible });
    return;
  }
  // Captions and dictation use the microphone, which the renderer owns: it hears the hotkey and acts.
  broadcast(IPC.hotkey, e);
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => showMain());
  await app.whenReady();

  core = await startCore();
  const ui = core.apiBase.replace(/\/$/, '');
  hardenWebContents(core.apiBase);
  installLoopbackAudioHandler(new URL(core.apiBase).origin);
  registerIpc();

  mainWindow = createMainWindow({
    url: `${ui}/`,
    preload: PRELOAD,
    resourcesDir: RESOURCES,
    show: !process.argv.includes('--hidden'),
    isQuitting: () => quitting,
  });
  overlay = new OverlayWindow({
    url: `${ui}/#/overlay`,
    preload: PRELOAD,
    state: settings.overlay,
    clickThrough: settings.clickThrough,
    alwaysOnTop: settings.alwaysOnTop,
    onStateChange: (state) => persist({ overlay: state }),
  });
  hotkeys = new HotkeyRegistry(onHotkey);
  const plan = hotkeys.apply(settings.hotkeys);
  for (const p of plan.problems) console.warn(`earshot: hotkey ${p.action}: ${p.message}`);

  let captionsRunning = false;
  let dictating = false;
  tray = new AppTray(
    RESOURCES,
    {
      toggleCaptions: () => {
        captionsRunning = !captionsRunning;
        broadcast(IPC.captionsCommand, captionsRunning ? 'start' : 'stop');
        tray?.update({ captionsRunning });
      },
      toggleOverlay: () => onHotkey({ action: 'toggleOverlay', phase: 'press' }),
      toggleDictation: () => {
        dictating = !dictating;
        broadcast(IPC.hotkey, { action: 'toggleDictation', phase: 'press' } satisfies HotkeyEvent);
        tray?.update({ dictating });
      },
      setAutoStart: (on) => setAutoStart(on, app, process.execPath, app.isPackaged ? [] : [app.getAppPath()]),
      showMain,
      quit: () => app.quit(),
    },
    { captionsRunning, overlayVisible: false, dictating, autoStart: isAutoStartEnabled(app) },
  );

  // macOS: clicking the dock icon brings the window back.
  app.on('activate', () => showMain());
}

app.on('before-quit', () => {
  quitting = true;
});
// The tray keeps the app alive with every window closed; only Quit ends it.
app.on('window-all-closed', () => {});
app.on('will-quit', (event) => {
  if (!core) return;
  // Finish in order (app-quit.ts): hotkeys off, system audio flushed (its last final stored), then the core.
  event.preventDefault();
  const c = core;
  core = null;
  void quitApp({
    teardown: [() => hotkeys?.clear(), () => overlay?.destroy(), () => tray?.destroy()],
    systemAudio,
    core: c,
  }).finally(() => app.exit(0));
});

// Ctrl-C / SIGTERM / SIGHUP quit the way the tray's Quit does (will-quit above: everything flushed and stored);
// copies of one signal (process group + bin/start.mjs forwarding) are one quit, a later one exits at once.
onStopSignals({
  stop: () => app.quit(),
  exitNow: () => app.exit(1),
});

main().catch((err: unknown) => {
  console.error(`earshot: cannot start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  app.exit(1);
});
