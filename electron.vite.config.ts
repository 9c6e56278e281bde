// electron-vite: builds the desktop app into out/ — main (src-main/shell/main.ts → out/main/index.js, ESM,
// dependencies left external so native addons load from node_modules / app.asar.unpacked), preload
// (src-preload → out/preload/index.cjs: sandboxed preloads must be CommonJS), and the renderer with the
// renderer's own Vite config (→ out/renderer, which the API server also serves to browsers).
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './src-renderer/vite.config.js';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: true,
      rollupOptions: { input: { index: resolve(root, 'src-main/shell/main.ts') } },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Bundle everything: a sandboxed preload can require only 'electron' and a few built-ins.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'src-preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...rendererConfig,
    build: {
      ...rendererConfig.build,
      rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
