// Preload: the renderer's only door to the desktop. Context-isolated and sandboxed — it exposes plain
// functions over IPC (never ipcRenderer itself), and the page reaches the engine through the public
// HTTP/WS API at apiBase with the token, exactly like any other client.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC, type BridgeConfig, type EarshotBridge, type HotkeyEvent } from '../src-main/shell/ipc-contract.js';
import type { AsrServerMessage } from '../proto/ws-messages.js';

const config = ipcRenderer.sendSync(IPC.config) as BridgeConfig;

/** Subscribes to a main → renderer channel; returns the unsubscribe function. */
function subscribe<T>(channel: string, listener: (payload: T) => void): () => void {
  const handler = (_e: IpcRendererEvent, payload: T) => listener(payload);
  ipcRenderer.on(channel, handler);
  return () => void ipcRenderer.removeListener(channel, handler);
}

const bridge: EarshotBridge = {
  apiBase: config.apiBase,
  token: config.token,
  platform: config.platform,
  view: config.view,
  shell: {
    setOverlay: (visible) => ipcRenderer.invoke(IPC.setOverlay, visible),
    setClickThrough: (enabled) => ipcRenderer.invoke(IPC.setClickThrough, enabled),
    setAlwaysOnTop: (enabled) => ipcRenderer.invoke(IPC.setAlwaysOnTop, enabled),
    registerHotkeys: (map) => ipcRenderer.invoke(IPC.registerHotkeys, map),
    dictate: (text) => ipcRenderer.invoke(IPC.dictate, text),
    startSystemAudio: (opts) => ipcRenderer.invoke(IPC.startSystemAudio, opts ?? {}),
    stopSystemAudio: () => ipcRenderer.invoke(IPC.stopSystemAudio),
    setAutoStart: (enabled) => ipcRenderer.invoke(IPC.setAutoStart, enabled),
    onHotkey: (listener) => subscribe<HotkeyEvent>(IPC.hotkey, listener),
    onSystemTranscript: (listener) => subscribe<AsrServerMessage>(IPC.systemTranscript, listener),
    onCaptionsCommand: (listener) => subscribe<'start' | 'stop'>(IPC.captionsCommand, listener),
  },
};

contextBridge.exposeInMainWorld('earshot', bridge);
