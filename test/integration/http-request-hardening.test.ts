// HTTP-level hardening from issue 10 (P2), on a real server over real sockets: a malformed multipart upload is a
// logged 400 (not an unlogged 500), an incomplete request (headers or body) is answered 408 and dropped at the
// request deadline instead of being held open, while an upgraded WebSocket outlives that deadline; and request
// logs never contain the value of a `?token=` parameter.
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { redactTokens } from '../../src-main/core/api/log-redaction.js';
import { connect, startTestServer, TOKEN, wsUrl } from './ws-harness.js';

const logLines: string[] = [];
let h: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  // Request lines are logged at debug level (the default info level logs none): see every one here.
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  h = await startTestServer(
    { asr: [{ backend: 'sherpa', model: 'tone-alphabet' }], tts: [] },
    { logger, limits: { requestTimeoutMs: 1000, headersTimeoutMs: 1000, idleTimeoutMs: 60_000 } },
  );
});
after(async () => {
  await h?.close();
});

function multipart(body: string, contentType: string): Promise<Response> {
  return fetch(`${h.server.asrUrl}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

test('malformed multipart bodies are 400 bad_config naming the problem, and logged', async () => {
  const cases: [string, string][] = [
    ['--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF', 'multipart/form-data; boundary=XyZ'], // cut short
    ['--XyZ\r\nContent-Disposition: form-data; name="file"\r\n\r\n', 'multipart/form-data'], // no boundary parameter
    ['garbage without any boundary', 'multipart/form-data; boundary=XyZ'],
  ];
  for (const [body, type] of cases) {
    const before = logLines.length;
    const res = await multipart(body, type);
    const json = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${JSON.stringify(json)}`);
    assert.equal(json.error.code, 'bad_config');
    const logged = logLines
      .slice(before)
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'transcription request refused');
    assert.ok(logged, `the refusal is logged: ${logLines.slice(before).join('')}`);
    assert.equal(logged.level, 40, 'at warn level');
  }
  const cut = await multipart(cases[0]![0], cases[0]![1]);
  assert.match(((await cut.json()) as { error: { message: string } }).error.message, /malformed multipart\/form-data body/);
});

/** Sends `raw` on a TCP connection and resolves with everything received until the server closes it. */
function rawExchange(raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect(h.server.asrPort, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('close', () => resolve(got));
    s.on('error', reject);
    s.write(raw);
  });
}

test('a request whose body never completes is answered 408 and closed at the request deadline', async () => {
  const got = await rawExchange(
    `POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1:${h.server.asrPort}\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000\r\n\r\n--XyZ\r\n`,
  );
  assert.match(got, /^HTTP\/1\.1 408 /, got);
});

test('a request whose headers never complete is answered 408 and closed', async () => {
  const got = await rawExchange(`GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1:${h.server.asrPort}\r\nX-Slow: `);
  assert.match(got, /^HTTP\/1\.1 408 /, got);
});

test('an upgraded WebSocket stream outlives the HTTP request deadline', async () => {
  const c = connect(wsUrl(h.server, 'asr', '/v1/audio/stream', { model: 'tone-alphabet' }));
  await c.waitFor((m) => m.type === 'ready');
  await new Promise((r) => setTimeout(r, 2500)); // past the 1 s deadline and several connection checks
  c.send({ type: 'flush' });
  assert.equal((await c.waitFor((m) => m.type === 'flushed')).segment, null);
  c.send({ type: 'end' });
  assert.equal((await c.closed).code, 1000);
});

test('request logs never contain ?token= values', async () => {
  const before = logLines.length;
  assert.equal((await fetch(`${h.server.asrUrl}/v1/models?token=${TOKEN}&x=1`)).status, 200);
  assert.equal((await fetch(`${h.server.asrUrl}/v1/models?access_token=${TOKEN}`)).status, 200);
  const lines = logLines.slice(before).join('');
  assert.match(lines, /"url":"\/v1\/models\?token=\[redacted\]&x=1"/, lines);
  assert.match(lines, /access_token=\[redacted\]/);
  assert.ok(!lines.includes(TOKEN), 'the token value is not logged');
  assert.equal(redactTokens('/a?x=1&token=abc;b&TOKEN=def#frag'), '/a?x=1&token=[redacted];b&TOKEN=[redacted]#frag');
});
