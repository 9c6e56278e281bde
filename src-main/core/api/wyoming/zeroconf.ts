// Zeroconf for the Wyoming listener: Home Assistant discovers Wyoming services by browsing mDNS for
// `_wyoming._tcp` and offers to add them (Settings → Devices & services → Discovered). Advertised with npm
// `bonjour-service` (pure JS multicast DNS, no system daemon needed, runs in the packaged app on every OS).
// Only a listener other devices can reach is advertised: one bound to loopback (the default) is not, since the
// record would point Home Assistant at an address that refuses it.
import { hostname } from 'node:os';
import { Bonjour, type Service } from 'bonjour-service';

export const WYOMING_SERVICE_TYPE = 'wyoming';

export interface WyomingAdvert {
  /** The service instance name Home Assistant shows. */
  name: string;
  stop(): Promise<void>;
}

/** Whether `host` binds loopback only (then nothing is advertised). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The record Earshot advertises for a Wyoming listener on `port`. */
export function wyomingServiceRecord(port: number, name = `Earshot on ${hostname()}`) {
  return { name, type: WYOMING_SERVICE_TYPE, protocol: 'tcp' as const, port, txt: { app: 'earshot' } };
}

export function advertiseWyoming(port: number): WyomingAdvert {
  const bonjour = new Bonjour();
  const record = wyomingServiceRecord(port);
  const service: Service = bonjour.publish(record);
  return {
    name: record.name,
    stop: () =>
      new Promise<void>((resolve) => {
        service.stop?.(() => {
          bonjour.destroy();
          resolve();
        });
        // stop() sends goodbye packets; never let a stuck socket hold the server's stop.
        setTimeout(() => {
          bonjour.destroy();
          resolve();
        }, 1000).unref();
      }),
  };
}
