// `earshot token [--regenerate]`: print the per-install API token (created on first use, mode 0600).
import type { Command } from 'commander';
import { loadOrCreateToken, tokenPath } from '../../core/api/index.js';

export function registerToken(program: Command): void {
  program
    .command('token')
    .description('print the local API token (Authorization: Bearer <token>, or ?token= on WebSocket URLs)')
    .option('--regenerate', 'replace the token with a new one (clients holding the old one stop working)')
    .option('--path', 'print where the token is stored instead')
    .action((opts: { regenerate?: boolean; path?: boolean }) => {
      const token = loadOrCreateToken({ regenerate: opts.regenerate });
      process.stdout.write((opts.path ? tokenPath() : token) + '\n');
    });
}
