// Wyoming zeroconf: with --wyoming on an address other devices can reach, Earshot advertises `_wyoming._tcp`
// over mDNS, and a browser on this host (the same `bonjour-service` library Home Assistant's discovery speaks the
// protocol of) finds it with the listener's port; the opt-out and a loopback-only listener advertise nothing.
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { test } from 'node:test';
import { Bonjour, type Service } from 'bonjour-service';
import { startTestServer } from './ws-harness.js';

/** A non-loopback IPv4 address of this host (mDNS records point at it), or 0.0.0.0. */
function lanAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '0.0.0.0';
}

/** The `_wyoming._tcp` services seen within `ms` whose port is `port`. */
async function browse(port: number, ms: number): Promise<Service[]> {
  const bonjour = new Bonjour();
  const found: Service[] = [];
  const browser = bonjour.find({ type: 'wyoming', protocol: 'tcp' }, (s) => {
    if (s.port === port) found.push(s);
  });
  const deadline = Date.now() + ms;
  while (!found.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  browser.stop();
  bonjour.destroy();
  return found;
}

test('--wyoming on a reachable address is advertised as _wyoming._tcp with its port', async () => {
  const srv = await startTestServer({ asr: [], tts: [{ backend: 'espeak' }] }, { wyoming: { port: 0, host: lanAddress() } });
  try {
    const port = srv.server.wyomingPort!;
    const [svc] = await browse(port, 8000);
    assert.ok(svc, `no _wyoming._tcp service with port ${port} was found over mDNS`);
    assert.match(svc.name, /^Earshot on /);
    assert.equal(svc.protocol, 'tcp');
    assert.equal(svc.txt?.app, 'earshot');
  } finally {
    await srv.close();
  }
});

test('--no-wyoming-zeroconf and a loopback-only listener advertise nothing', async () => {
  for (const wyoming of [
    { port: 0, host: lanAddress(), zeroconf: false },
    { port: 0, host: '127.0.0.1' },
  ]) {
    const srv = await startTestServer({ asr: [], tts: [{ backend: 'espeak' }] }, { wyoming });
    try {
      assert.deepEqual(await browse(srv.server.wyomingPort!, 3000), [], JSON.stringify(wyoming));
    } finally {
      await srv.close();
    }
  }
});
