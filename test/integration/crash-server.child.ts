// Child process for crash-*.test.ts: the real API server (startServer) with the pocketsphinx engine and the
// transcript store at argv[2], on free loopback ports. Prints one line `READY <asr http url>` when serving.
// The parent SIGKILLs it; nothing here cleans up on purpose.
import { startServer } from '../../src-main/core/api/server.js';
import { createEngine } from '../../src-main/core/engine/index.js';
import { openStore } from '../../src-main/core/store/index.js';

const dbPath = process.argv[2];
if (!dbPath) throw new Error('usage: crash-server.child.ts <db path>');
const store = openStore({ path: dbPath });
const engine = await createEngine({ asr: [{ backend: 'pocketsphinx' }], tts: [], vad: false });
await engine.ready;
const server = await startServer({ engine, store, token: 'crash-test-token-0123456789abcdef', asrPort: 0, ttsPort: 0, grpc: false });
process.stdout.write(`READY ${server.asrUrl}\n`);
