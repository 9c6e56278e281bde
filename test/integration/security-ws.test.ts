// Auth and origin rules of docs/PROTOCOL.md over real sockets: a web page's Origin is refused even with the
// token, a forged Host is refused (DNS rebinding), --require-token makes the token mandatory, the app's own
// origin with the token works, /healthz is open.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { connect, startTestServer, TOKEN, wsUrl } from './ws-harness.js';

let open: Awaited<ReturnType<typeof startTestServer>>;
let strict: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  open = await startTestServer({ asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [] });
  strict = await startTestServer({ asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [] }, { requireToken: true });
});
after(async () => {
  await open?.close();
  await strict?.close();
});

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const q = { model: 'tone-alphabet' };

test('a WebSocket handshake from https://evil.example is refused with 4403, even with the token', async () => {
  const c = connect(wsUrl(open.server, 'asr', '/v1/audio/stream', { ...q, token: TOKEN }), { Origin: 'https://evil.example' });
  const close = await c.closed;
  assert.equal(close.code, 4403);
  assert.match(close.reason, /Origin/);
  assert.deepEqual(c.messages, [], 'nothing but the close');
  const t = connect(wsUrl(open.server, 'tts', '/v1/audio/stream'), { Origin: 'https://evil.example', Authorization: `Bearer ${TOKEN}` });
  assert.equal((await t.closed).code, 4403);
});

test("the app's own origin needs the token: without it 4401, with it the stream works", async () => {
  const origin = `http://127.0.0.1:${open.server.asrPort}`;
  const noToken = connect(wsUrl(open.server, 'asr', '/v1/audio/stream', q), { Origin: origin });
  assert.equal((await noToken.closed).code, 4401);
  const ok = connect(wsUrl(open.server, 'asr', '/v1/audio/stream', { ...q, token: TOKEN }), { Origin: origin });
  assert.equal((await ok.waitFor((m) => m.type === 'ready')).model, 'tone-alphabet');
  ok.ws.close();
  const wrong = connect(wsUrl(open.server, 'asr', '/v1/audio/stream', { ...q, token: 'not-the-token' }), { Origin: origin });
  assert.equal((await wrong.closed).code, 4401);
});

test('a forged Host is refused (WebSocket 4403, HTTP 403)', async () => {
  const c = connect(wsUrl(open.server, 'asr', '/v1/audio/stream', { ...q, token: TOKEN }), { Host: `evil.example:${open.server.asrPort}` });
  assert.equal((await c.closed).code, 4403);
  const r = await get(open.server.asrPort, '/v1/models', { Host: 'rebind.attacker.example' });
  assert.equal(r.status, 403);
  assert.match(r.body, /Host/);
});

test('native loopback clients may omit the token by default, or send any key (as OpenAI SDKs must)', async () => {
  const c = connect(wsUrl(open.server, 'asr', '/v1/audio/stream', q));
  assert.equal((await c.waitFor((m) => m.type === 'ready')).type, 'ready');
  c.ws.close();
  assert.equal((await get(open.server.asrPort, '/v1/models')).status, 200);
  assert.equal((await get(open.server.asrPort, '/v1/models', { Authorization: 'Bearer sk-any-key' })).status, 200);
  assert.equal(
    (await get(open.server.ttsPort, '/v1/models', { Origin: 'https://evil.example', Authorization: `Bearer ${TOKEN}` })).status,
    403,
  );
});

test('with --require-token: no token is 401 / 4401; the token (header or ?token=) works; /healthz stays open', async () => {
  const c = connect(wsUrl(strict.server, 'asr', '/v1/audio/stream', q));
  const close = await c.closed;
  assert.equal(close.code, 4401);
  assert.match(close.reason, /token/);
  assert.equal((await get(strict.server.asrPort, '/v1/models')).status, 401);
  assert.equal((await get(strict.server.asrPort, '/metrics')).status, 401);
  assert.equal((await get(strict.server.asrPort, '/v1/models', { Authorization: `Bearer ${TOKEN}` })).status, 200);
  const byQuery = connect(wsUrl(strict.server, 'asr', '/v1/audio/stream', { ...q, token: TOKEN }));
  await byQuery.waitFor((m) => m.type === 'ready');
  byQuery.ws.close();
  const byHeader = connect(wsUrl(strict.server, 'tts', '/v1/asr/stream', q), { Authorization: `Bearer ${TOKEN}` });
  await byHeader.waitFor((m) => m.type === 'ready');
  byHeader.ws.close();
  assert.equal((await get(strict.server.asrPort, '/healthz')).status, 200);
});

test('GET /metrics is Prometheus text with the stream and latency metrics', async () => {
  const r = await get(open.server.asrPort, '/metrics');
  assert.equal(r.status, 200);
  for (const name of [
    'earshot_asr_final_latency_seconds',
    'earshot_asr_first_result_latency_seconds',
    'earshot_tts_time_to_first_audio_seconds',
    'earshot_active_streams',
    'earshot_errors_total',
    'earshot_realtime_factor',
  ]) {
    assert.match(r.body, new RegExp(`# TYPE ${name} `), name);
  }
  assert.match(r.body, /earshot_errors_total\{code="forbidden"\} [1-9]/, 'refused handshakes are counted');
});
