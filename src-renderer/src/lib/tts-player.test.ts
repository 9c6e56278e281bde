import { describe, expect, it } from 'vitest';
import { PcmAssembler, nextStartTime } from './tts-player.js';
import { encodeWav } from './wav-encode.js';
import { DEFAULT_SETTINGS, parseSettings } from './settings.svelte.js';

describe('gapless scheduling', () => {
  it('starts each chunk where the previous ends, or just ahead of now after an underrun', () => {
    expect(nextStartTime(1.0, 1.5)).toBe(1.5);
    expect(nextStartTime(2.0, 1.5, 0.03)).toBeCloseTo(2.03);
    expect(nextStartTime(0, 0, 0.03)).toBeCloseTo(0.03);
  });
});

describe('PcmAssembler', () => {
  it('decodes s16le and carries an odd byte across chunks', () => {
    const a = new PcmAssembler();
    const bytes = new Uint8Array(new Int16Array([1, -2, 300]).buffer);
    expect([...a.push(bytes.subarray(0, 3))]).toEqual([1]);
    expect([...a.push(bytes.subarray(3))]).toEqual([-2, 300]);
  });
});

describe('encodeWav', () => {
  it('writes a 44-byte PCM header and the samples', () => {
    const wav = encodeWav([new Int16Array([1, 2]), new Int16Array([3])], 22050);
    const v = new DataView(wav.buffer);
    expect(new TextDecoder().decode(wav.subarray(0, 4))).toBe('RIFF');
    expect(v.getUint32(24, true)).toBe(22050);
    expect(v.getUint32(40, true)).toBe(6);
    expect([v.getInt16(44, true), v.getInt16(46, true), v.getInt16(48, true)]).toEqual([1, 2, 3]);
  });
});

describe('parseSettings', () => {
  it('falls back to defaults on corrupt input and clamps ranges', () => {
    expect(parseSettings('{nope')).toEqual(DEFAULT_SETTINGS);
    const s = parseSettings(JSON.stringify({ overlayFontPx: 500, overlayBgOpacity: -1, theme: 42, endpointingMs: 800 }));
    expect(s.overlayFontPx).toBe(96);
    expect(s.overlayBgOpacity).toBe(0);
    expect(s.theme).toBe('system');
    expect(s.endpointingMs).toBe(800);
  });
});
