// Generates Beacon's tray template icons and app icon with node:zlib only (a tiny PNG encoder, no image
// libraries). Tray icons are macOS template images: black + alpha, named …Template.png (16×16) and
// …Template@2x.png (32×32), so the menu bar tints them for light and dark mode.
// Usage: node scripts/make-icons.mjs [outDir=assets]
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** RGBA pixels (Uint8Array, width*height*4) → PNG bytes (8-bit RGBA, no interlace). */
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Shapes are drawn in a 16-unit space as coverage functions (x, y) → 0..1, sampled 4×4 per pixel so
 * edges are anti-aliased at both scales.
 */
function render(size, coverage, colour = [0, 0, 0]) {
  const pixels = new Uint8Array(size * size * 4);
  const scale = 16 / size;
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let sum = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          sum += coverage((px + (sx + 0.5) / samples) * scale, (py + (sy + 0.5) / samples) * scale);
        }
      }
      const alpha = Math.round((sum / (samples * samples)) * 255);
      const i = (py * size + px) * 4;
      pixels[i] = colour[0];
      pixels[i + 1] = colour[1];
      pixels[i + 2] = colour[2];
      pixels[i + 3] = alpha;
    }
  }
  return pixels;
}

const dist = (x, y, cx, cy) => Math.hypot(x - cx, y - cy);
const disc = (cx, cy, r) => (x, y) => (dist(x, y, cx, cy) <= r ? 1 : 0);
const ring = (cx, cy, r, width) => (x, y) => (Math.abs(dist(x, y, cx, cy) - r) <= width / 2 ? 1 : 0);
const rect = (x0, y0, x1, y1) => (x, y) => (x >= x0 && x <= x1 && y >= y0 && y <= y1 ? 1 : 0);
const union = (...shapes) => (x, y) => (shapes.some((s) => s(x, y)) ? 1 : 0);
const minus = (shape, hole) => (x, y) => (shape(x, y) && !hole(x, y) ? 1 : 0);
/** An arc of a ring between two angles (degrees, 0 = right, clockwise because y grows downwards). */
const arc = (cx, cy, r, width, from, to) => (x, y) => {
  if (!ring(cx, cy, r, width)(x, y)) return 0;
  const angle = ((Math.atan2(y - cy, x - cx) * 180) / Math.PI + 360) % 360;
  return from <= to ? (angle >= from && angle <= to ? 1 : 0) : angle >= from || angle <= to ? 1 : 0;
};

// The beacon: a centre light with signal arcs on both sides.
const C = 8;
const light = disc(C, C, 2.2);
const innerArcs = union(arc(C, C, 4.6, 1.5, 315, 45), arc(C, C, 4.6, 1.5, 135, 225));
const outerArcs = union(arc(C, C, 7, 1.5, 320, 40), arc(C, C, 7, 1.5, 140, 220));
const beacon = union(light, innerArcs, outerArcs);

const SHAPES = {
  idleTemplate: beacon,
  // Running: the signal travels outwards over three frames.
  running1Template: light,
  running2Template: union(light, innerArcs),
  running3Template: beacon,
  // Paused: the light with two bars instead of arcs.
  pausedTemplate: union(light, rect(1.5, 3.5, 3.2, 12.5), rect(12.8, 3.5, 14.5, 12.5)),
  // Standby: a hollow light (another executor holds the lock).
  standbyTemplate: union(ring(C, C, 2.4, 1.2), innerArcs),
  // Disconnected: the light with its arcs broken by a slash.
  disconnectedTemplate: union(
    minus(beacon, (x, y) => (Math.abs(x - y) <= 1.6 ? 1 : 0)),
    (x, y) => (Math.abs(x - y) <= 0.6 && x > 1.5 && x < 14.5 ? 1 : 0),
  ),
  // Asking: a permission request waits for an answer: the beacon with a badge dot at the top right.
  askingTemplate: union(minus(beacon, disc(13, 3, 3.6)), disc(13, 3, 2.5)),
  // Error: the light replaced by an exclamation mark inside a ring.
  errorTemplate: union(ring(C, C, 6.6, 1.5), rect(7.1, 3.6, 8.9, 9.2), disc(C, 11.6, 1.1)),
};

const outDir = process.argv[2] ?? 'assets';
mkdirSync(outDir, { recursive: true });
for (const [name, shape] of Object.entries(SHAPES)) {
  writeFileSync(join(outDir, `${name}.png`), encodePng(16, 16, render(16, shape)));
  writeFileSync(join(outDir, `${name}@2x.png`), encodePng(32, 32, render(32, shape)));
}

// The app icon: a white beacon on a dark rounded square, 1024×1024.
const APP = 1024;
const appPixels = new Uint8Array(APP * APP * 4);
const unit = APP / 16;
const inRoundedSquare = (x, y) => {
  const r = 3.2;
  const m = 0.8;
  const cx = Math.min(Math.max(x, m + r), 16 - m - r);
  const cy = Math.min(Math.max(y, m + r), 16 - m - r);
  return dist(x, y, cx, cy) <= r;
};
const glyph = (x, y) => beacon(C + (x - C) / 0.7, C + (y - C) / 0.7);
for (let py = 0; py < APP; py++) {
  for (let px = 0; px < APP; px++) {
    const x = (px + 0.5) / unit;
    const y = (py + 0.5) / unit;
    const i = (py * APP + px) * 4;
    if (!inRoundedSquare(x, y)) continue;
    const lit = glyph(x, y);
    const shade = Math.round(28 + 20 * (y / 16));
    appPixels[i] = lit ? 255 : shade;
    appPixels[i + 1] = lit ? 196 : shade;
    appPixels[i + 2] = lit ? 64 : shade + 8;
    appPixels[i + 3] = 255;
  }
}
writeFileSync(join(outDir, 'icon.png'), encodePng(APP, APP, appPixels));
console.log(`wrote ${Object.keys(SHAPES).length * 2 + 1} icons to ${outDir}`);
