// In test/slow (the complete gate, not test:quick): two `earshot serve` processes, each starting the pocketsphinx engine before it finds its port taken, about 8 CPU-seconds.
// Errors a person can act on (issue 9), the rest of test/integration/cli-errors.test.ts: a port in use (another
// Earshot running) prints ONE line naming the problem and the flag that moves it, never Node's raw EADDRINUSE.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliWithOwnDataDir, errorLine, occupy } from '../helpers/earshot-cli.js';

const { earshot } = cliWithOwnDataDir('earshot-cli-errors-serve-');

test('a port in use: asks whether Earshot is already running and names the flag that moves it', async () => {
  const busy = await occupy();
  try {
    const http = errorLine(
      await earshot(['serve', '--engine', 'pocketsphinx', '--port-asr', String(busy.port), '--port-tts', '0', '--no-grpc', '--no-store']),
    );
    assert.equal(
      http,
      `earshot: port ${busy.port} is in use — is Earshot already running? Stop it, or pick another port (\`earshot serve --port-asr N\`; 0 picks a free one)`,
    );
    const grpc = errorLine(
      await earshot([
        'serve',
        '--engine',
        'pocketsphinx',
        '--port-asr',
        '0',
        '--port-tts',
        '0',
        '--grpc-asr',
        String(busy.port),
        '--grpc-tts',
        '0',
        '--no-store',
      ]),
    );
    assert.match(grpc, new RegExp(`port ${busy.port} is in use — is Earshot already running\\? .*\`earshot serve --grpc-asr N\``));
  } finally {
    busy.server.close();
  }
});
