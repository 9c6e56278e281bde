#!/usr/bin/env node
// The `earshot` command. Runs the TypeScript sources through tsx's loader (workers re-register it).
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/main.ts');
