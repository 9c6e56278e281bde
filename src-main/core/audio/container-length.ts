// Truncation checks for whole audio files. Decoders happily return the part of a cut-off file they could
// read (an MP3 cut at 0.5 s decodes to 0.5 s of audio), and a transcript of half a file is silently wrong.
// So before decoding, each container's own declared length is compared with the bytes actually present.
// Only lengths are read here — never samples: decoding is audio-decode's job (decode-file.ts).
// Each check returns a problem description, or null when the file is whole (or declares no length,
// e.g. a streamed WAV with 0xFFFFFFFF sizes or a live WebM with an unknown segment size).

type Check = (buf: Uint8Array) => string | null;

const ascii = (buf: Uint8Array, at: number, n: number) => String.fromCharCode(...buf.subarray(at, at + n));
const view = (buf: Uint8Array) => new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
const cut = (what: string, declared: number, present: number) =>
  `the file is truncated: its ${what} declares ${declared} bytes but only ${present} are present`;

/** RIFF/WAVE: the data chunk's declared size against the bytes after it (0 and 0xFFFFFFFF mean "streamed"). */
const wav: Check = (buf) => {
  const v = view(buf);
  let o = 12;
  while (o + 8 <= buf.byteLength) {
    const size = v.getUint32(o + 4, true);
    if (ascii(buf, o, 4) === 'data') {
      const present = buf.byteLength - (o + 8);
      if (size === 0 || size === 0xffffffff || size <= present) return null;
      return cut('data chunk', size, present);
    }
    o += 8 + size + (size % 2);
  }
  return null; // no data chunk: the decoder says so
};

/** FLAC: frames are self-delimiting, but STREAMINFO states the total sample count; checked after decoding. */
export function flacDeclaredSamples(buf: Uint8Array): number | null {
  let o = 0;
  if (ascii(buf, 0, 3) === 'ID3')
    o = 10 + (((buf[6]! & 0x7f) << 21) | ((buf[7]! & 0x7f) << 14) | ((buf[8]! & 0x7f) << 7) | (buf[9]! & 0x7f));
  if (ascii(buf, o, 4) !== 'fLaC' || buf.byteLength < o + 26) return null;
  const body = o + 8;
  const total = (buf[body + 13]! & 0x0f) * 2 ** 32 + view(buf).getUint32(body + 14, false);
  return total > 0 ? total : null; // 0 = unknown (allowed by the format)
}

/** Ogg: every page must be complete, and the last page must carry the end-of-stream flag. */
const ogg: Check = (buf) => {
  let o = 0;
  let lastFlags = 0;
  while (o < buf.byteLength) {
    if (o + 27 > buf.byteLength || ascii(buf, o, 4) !== 'OggS') {
      return `the file is truncated or corrupt: no complete Ogg page at byte ${o} of ${buf.byteLength}`;
    }
    const segments = buf[o + 26]!;
    if (o + 27 + segments > buf.byteLength) return `the file is truncated: the Ogg page at byte ${o} is cut off`;
    let body = 0;
    for (let i = 0; i < segments; i++) body += buf[o + 27 + i]!;
    const end = o + 27 + segments + body;
    if (end > buf.byteLength) return cut(`Ogg page at byte ${o}`, end - o, buf.byteLength - o);
    lastFlags = buf[o + 5]!;
    o = end;
  }
  return lastFlags & 0x04 ? null : 'the file is truncated: its last Ogg page is not marked end-of-stream';
};

/** MP4/M4A: every top-level box must fit in the file (a cut file loses the end of `mdat` or its `moov`). */
const mp4: Check = (buf) => {
  const v = view(buf);
  let o = 0;
  while (o + 8 <= buf.byteLength) {
    let size = v.getUint32(o, false);
    if (size === 1) {
      if (o + 16 > buf.byteLength) return 'the file is truncated inside an MP4 box header';
      size = Number(v.getBigUint64(o + 8, false));
    } else if (size === 0) {
      return null; // "to the end of the file"
    }
    if (size < 8) return `corrupt MP4: box "${ascii(buf, o + 4, 4)}" at byte ${o} has size ${size}`;
    if (o + size > buf.byteLength) return cut(`MP4 box "${ascii(buf, o + 4, 4)}"`, size, buf.byteLength - o);
    o += size;
  }
  return o === buf.byteLength ? null : 'the file is truncated inside an MP4 box header';
};

/** Reads an EBML variable-length integer: its value (null when all ones = unknown size) and byte length. */
function ebmlVint(buf: Uint8Array, at: number, keepMarker: boolean): { value: number | null; length: number } | null {
  const first = buf[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23; // 1..8
  if (at + length > buf.byteLength) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + buf[at + i]!;
    if (buf[at + i] !== 0xff) allOnes = false;
  }
  return { value: !keepMarker && allOnes ? null : value, length };
}

/** WebM/Matroska: the EBML header and the Segment must fit in the file when the Segment's size is known. */
const webm: Check = (buf) => {
  let o = 0;
  while (o < buf.byteLength) {
    const id = ebmlVint(buf, o, true);
    const size = id && ebmlVint(buf, o + id.length, false);
    if (!id || !size) return 'the file is truncated inside a WebM element header';
    const body = o + id.length + size.length;
    if (size.value === null) return null; // live recording: unknown length, read to the end
    if (body + size.value > buf.byteLength) {
      const name = id.value === 0x18538067 ? 'WebM segment' : 'WebM element';
      return cut(name, size.value, buf.byteLength - body);
    }
    o = body + size.value;
  }
  return null;
};

/** MP3: the Xing/Info tag (written by LAME and ffmpeg) states the stream's byte count. */
const mp3: Check = (buf) => {
  let o = 0;
  if (ascii(buf, 0, 3) === 'ID3')
    o = 10 + (((buf[6]! & 0x7f) << 21) | ((buf[7]! & 0x7f) << 14) | ((buf[8]! & 0x7f) << 7) | (buf[9]! & 0x7f));
  if (o + 4 > buf.byteLength || buf[o] !== 0xff || (buf[o + 1]! & 0xe0) !== 0xe0) return null;
  const mpeg1 = (buf[o + 1]! & 0x18) === 0x18;
  const mono = (buf[o + 3]! & 0xc0) === 0xc0;
  const tag = o + 4 + (mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17);
  if (tag + 16 > buf.byteLength) return null;
  const name = ascii(buf, tag, 4);
  if (name !== 'Xing' && name !== 'Info') return null;
  const v = view(buf);
  const flags = v.getUint32(tag + 4, false);
  if (!(flags & 0x2)) return null;
  const bytesAt = tag + 8 + (flags & 0x1 ? 4 : 0);
  const declared = v.getUint32(bytesAt, false);
  const present = buf.byteLength - o;
  // A trailing ID3v1 tag may or may not be counted; a missing one is not truncation.
  return declared > present ? cut('MP3 Xing/Info header', declared, present) : null;
};

/** ADTS AAC: each frame header states its length; the last frame must be complete. */
const adts: Check = (buf) => {
  let o = 0;
  if (ascii(buf, 0, 3) === 'ID3')
    o = 10 + (((buf[6]! & 0x7f) << 21) | ((buf[7]! & 0x7f) << 14) | ((buf[8]! & 0x7f) << 7) | (buf[9]! & 0x7f));
  while (o + 7 <= buf.byteLength) {
    if (buf[o] !== 0xff || (buf[o + 1]! & 0xf6) !== 0xf0) return `corrupt AAC: no ADTS frame header at byte ${o}`;
    const length = ((buf[o + 3]! & 0x03) << 11) | (buf[o + 4]! << 3) | (buf[o + 5]! >> 5);
    if (length < 7) return `corrupt AAC: ADTS frame at byte ${o} has length ${length}`;
    if (o + length > buf.byteLength) return cut(`AAC frame at byte ${o}`, length, buf.byteLength - o);
    o += length;
  }
  return o === buf.byteLength ? null : 'the file is truncated inside an AAC frame header';
};

const CHECKS: Record<string, Check> = { wav, oga: ogg, opus: ogg, m4a: mp4, webm, mp3, aac: adts };

/** A description of how the file is cut short, or null when its declared lengths all fit. */
export function truncationProblem(format: string, buf: Uint8Array): string | null {
  return CHECKS[format]?.(buf) ?? null;
}
