// Vite config of the renderer (Svelte 5). Used by `npm run build:renderer` (output: out/renderer, served by the
// API server at `/` and loaded by the Electron shell) and reused by electron.vite.config.ts for the shell build.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

export const rendererRoot = fileURLToPath(new URL('.', import.meta.url));
export const rendererOutDir = fileURLToPath(new URL('../out/renderer', import.meta.url));

export const rendererConfig: UserConfig = {
  root: rendererRoot,
  // Relative asset URLs: the same build works from http://127.0.0.1:<port>/ and from file:// in Electron.
  base: './',
  plugins: [svelte()],
  build: {
    outDir: rendererOutDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
};

export default defineConfig(rendererConfig);
