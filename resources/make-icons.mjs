#!/usr/bin/env node
// Draws Earshot's icon (a teal disc with three white level bars) into PNGs with no image library:
// the pixels are computed here and zlib-compressed into a minimal PNG. Run: node resources/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** RGBA of pixel (x, y) for an icon of `size`, with 4x4 supersampling for smooth edges. */
function pixel(x, y, size, mono) {
  let inDisc = 0;
  let inBar = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const u = (x + (sx + 0.5) / 4) / size;
      const v = (y + (sy + 0.5) / 4) / size;
      const d = Math.hypot(u - 0.5, v - 0.5);
      if (d > 0.47) continue;
      inDisc++;
      // three vertical bars, heights 0.30 / 0.50 / 0.22 of the icon, centred
      const bars = [
        [0.3, 0.3],
        [0.5, 0.5],
        [0.7, 0.22],
      ];
      for (const [cx, h] of bars) if (Math.abs(u - cx) < 0.055 && Math.abs(v - 0.5) < h / 2) inBar++;
    }
  }
  const a = inDisc / 16;
  const w = inBar / Math.max(1, inDisc);
  if (mono) return [0, 0, 0, Math.round(255 * (inBar / 16))]; // template icon: bars only
  const teal = [0x0f, 0x76, 0x6e];
  return [...teal.map((c) => Math.round(c * (1 - w) + 255 * w)), Math.round(255 * a)];
}

function png(size, mono = false) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel(x, y, size, mono), y * (size * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const dir = import.meta.dirname;
writeFileSync(join(dir, 'icon.png'), png(512));
writeFileSync(join(dir, 'tray.png'), png(32));
writeFileSync(join(dir, 'tray@2x.png'), png(64));
// macOS menu-bar "template" image: black + alpha, the OS tints it for light/dark bars.
writeFileSync(join(dir, 'trayTemplate.png'), png(22, true));
writeFileSync(join(dir, 'trayTemplate@2x.png'), png(44, true));

/** An .ico holding PNG images (every browser and Windows since Vista read PNG entries): the web UI's favicon. */
function ico(sizes) {
  const images = sizes.map((s) => png(s));
  const header = Buffer.alloc(6 + 16 * sizes.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(sizes.length, 4);
  let offset = header.length;
  sizes.forEach((s, i) => {
    const e = 6 + 16 * i;
    header[e] = s >= 256 ? 0 : s;
    header[e + 1] = s >= 256 ? 0 : s;
    header.writeUInt16LE(1, e + 4); // colour planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(images[i].length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += images[i].length;
  });
  return Buffer.concat([header, ...images]);
}
writeFileSync(join(dir, 'favicon.ico'), ico([16, 32, 48]));
