// Draws Imagedrop's app icon (a drive with an upload arrow on a blue tile) from signed distance
// functions, and writes it as PNG with node:zlib only: build/icon.png (1024, for the dmg and NSIS
// targets; electron-builder makes the icns and ico) and build/icons/<n>x<n>.png for Linux.
//   node scripts/make-icons.ts           write the files
//   node scripts/make-icons.ts --check   exit 1 if a committed file differs from what it draws
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];
type Vec = readonly [number, number];

const BUILD = path.join(import.meta.dirname, '..', 'build');
const APP_ICON_SIZE = 1024;
const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const;
/** Samples per pixel edge; an edge pixel's coverage also comes from the distance (below). */
const SUPERSAMPLE = 2;

const TILE_TOP: Rgb = [0x3b, 0x82, 0xf6];
const TILE_BOTTOM: Rgb = [0x1d, 0x4e, 0xd8];
const WHITE: Rgb = [0xf8, 0xfa, 0xfc];
const SLOT: Rgb = [0x94, 0xa3, 0xb8];
const LED: Rgb = [0x22, 0xc5, 0x5e];

// ── Signed distances (negative inside), in units of the icon's width ─────────────────────────

function roundBox(p: Vec, center: Vec, half: Vec, radius: number): number {
  const qx = Math.abs(p[0] - center[0]) - half[0] + radius;
  const qy = Math.abs(p[1] - center[1]) - half[1] + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function circle(p: Vec, center: Vec, radius: number): number {
  return Math.hypot(p[0] - center[0], p[1] - center[1]) - radius;
}

/** Exact distance to a triangle (Inigo Quilez's sdTriangle). */
function triangle(p: Vec, a: Vec, b: Vec, c: Vec): number {
  const edges: [Vec, Vec][] = [
    [a, b],
    [b, c],
    [c, a],
  ];
  let d = Infinity;
  let s = 0;
  const orientation = Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
  for (const [u, v] of edges) {
    const ex = v[0] - u[0];
    const ey = v[1] - u[1];
    const wx = p[0] - u[0];
    const wy = p[1] - u[1];
    const t = Math.min(1, Math.max(0, (wx * ex + wy * ey) / (ex * ex + ey * ey)));
    d = Math.min(d, Math.hypot(wx - ex * t, wy - ey * t));
    if (orientation * (ex * wy - ey * wx) < 0) s += 1;
  }
  return s > 0 ? d : -d;
}

// ── The picture: layers painted back to front ────────────────────────────────────────────────

interface Layer {
  distance(p: Vec): number;
  color(p: Vec): Rgb;
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

const LAYERS: readonly Layer[] = [
  // The tile, inset like macOS's icon grid (824 of 1024).
  {
    distance: (p) => roundBox(p, [0.5, 0.5], [0.402, 0.402], 0.09),
    color: (p) => mix(TILE_TOP, TILE_BOTTOM, Math.min(1, Math.max(0, (p[1] - 0.1) / 0.8))),
  },
  // The drive, its slot and its activity light.
  { distance: (p) => roundBox(p, [0.5, 0.71], [0.27, 0.085], 0.035), color: () => WHITE },
  { distance: (p) => roundBox(p, [0.42, 0.71], [0.13, 0.014], 0.014), color: () => SLOT },
  { distance: (p) => circle(p, [0.68, 0.71], 0.026), color: () => LED },
  // The upload arrow: a shaft and a head, slightly rounded.
  { distance: (p) => roundBox(p, [0.5, 0.44], [0.05, 0.12], 0.02), color: () => WHITE },
  { distance: (p) => triangle(p, [0.5, 0.17], [0.33, 0.35], [0.67, 0.35]) - 0.012, color: () => WHITE },
];

/** RGBA pixels of the icon at `size`×`size`, straight (not premultiplied) alpha. */
export function drawIcon(size: number): Buffer {
  const out = Buffer.alloc(size * size * 4);
  const pixel = 1 / size;
  const sub = pixel / SUPERSAMPLE;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const p: Vec = [(x + (sx + 0.5) / SUPERSAMPLE) * pixel, (y + (sy + 0.5) / SUPERSAMPLE) * pixel];
          // Premultiplied "over", layer by layer; coverage from the distance across one sample.
          let cr = 0;
          let cg = 0;
          let cb = 0;
          let ca = 0;
          for (const layer of LAYERS) {
            const coverage = Math.min(1, Math.max(0, 0.5 - layer.distance(p) / sub));
            if (coverage === 0) continue;
            const [lr, lg, lb] = layer.color(p);
            cr = lr * coverage + cr * (1 - coverage);
            cg = lg * coverage + cg * (1 - coverage);
            cb = lb * coverage + cb * (1 - coverage);
            ca = coverage + ca * (1 - coverage);
          }
          r += cr;
          g += cg;
          b += cb;
          a += ca;
        }
      }
      const n = SUPERSAMPLE * SUPERSAMPLE;
      const i = (y * size + x) * 4;
      const alpha = a / n;
      out[i] = alpha > 0 ? Math.round(r / n / alpha) : 0;
      out[i + 1] = alpha > 0 ? Math.round(g / n / alpha) : 0;
      out[i + 2] = alpha > 0 ? Math.round(b / n / alpha) : 0;
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

// ── PNG (RGBA, 8 bits, no interlace) ─────────────────────────────────────────────────────────

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export function encodePng(size: number, rgba: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  const stride = size * 4;
  const raw = Buffer.alloc((stride + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Every file this script owns, relative to build/, with its bytes. */
export function iconFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  files.set('icon.png', encodePng(APP_ICON_SIZE, drawIcon(APP_ICON_SIZE)));
  for (const size of LINUX_SIZES) files.set(path.join('icons', `${size}x${size}.png`), encodePng(size, drawIcon(size)));
  return files;
}

function readOrNull(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
}

function main(): void {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const [rel, bytes] of iconFiles()) {
    const file = path.join(BUILD, rel);
    if (check) {
      if (!readOrNull(file)?.equals(bytes)) stale.push(rel);
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    console.log(`wrote build/${rel} (${bytes.length} bytes)`);
  }
  if (stale.length > 0) {
    console.error(`icons out of date: ${stale.join(', ')}; run node scripts/make-icons.ts`);
    process.exit(1);
  }
  if (check) console.log('icons: up to date');
}

if (import.meta.main) main();
