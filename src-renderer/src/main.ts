// Renderer entry: resolve the API (Electron bridge or `#token=` URL), build the shared state, mount the app.
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { resolveApiConfig } from './lib/api-config.js';
import { LiveCaptions } from './lib/live-controller.svelte.js';
import { RestClient } from './lib/rest-client.js';

const cfg = resolveApiConfig();
const app = mount(App, {
  target: document.getElementById('app')!,
  props: { cfg, rest: new RestClient(cfg), live: new LiveCaptions(cfg) },
});

export default app;
