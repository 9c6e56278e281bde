// Renderer entry: resolve the API (Electron bridge or `#token=` URL), build the shared state, mount the app.
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { resolveApiConfig } from './lib/api-config.js';
import { LiveCaptions } from './lib/live-controller.svelte.js';
import { RestClient } from './lib/rest-client.js';
import { trackPushToTalk } from './lib/push-to-talk.js';

const cfg = resolveApiConfig();
// The Electron overlay window loads this same page and says so through the bridge.
if (cfg.view === 'overlay' && !location.hash.startsWith('#/overlay')) history.replaceState(null, '', '#/overlay');
const live = new LiveCaptions(cfg);
const app = mount(App, {
  target: document.getElementById('app')!,
  props: { cfg, rest: new RestClient(cfg), live },
});

// Tray and global hotkeys (desktop app only). The overlay window has no microphone of its own.
if (cfg.view !== 'overlay') {
  cfg.shell?.onCaptionsCommand?.((cmd) => void (cmd === 'start' ? live.start() : live.stop()));
  cfg.shell?.onHotkey?.((e) => {
    if (e.phase !== 'press') return;
    if (e.action === 'toggleCaptions') void live.toggle();
    else if (e.action === 'toggleDictation') location.hash = '#/dictation';
  });
  // Push-to-talk is handled by the Dictation view (it starts on mount when the key is already held).
  trackPushToTalk(cfg.shell, () => {
    if (!location.hash.startsWith('#/dictation')) location.hash = '#/dictation';
  });
}

// Closing the window ends the stream cleanly (the engine flushes and stores the last utterance).
window.addEventListener('pagehide', () => void live.dispose());

export default app;
