// A data folder for the tile browser test and the browser benchmark: the shipped data plus one
// layer of N synthetic road lines (default 200,000, the size of an OpenStreetMap import of the
// two provinces' main roads), drawn like the benchmark generator of benches/common/synth.rs:
// 60 % of the lines start uniformly in the Yuqian box (103.5–110.5°E, 24.5–32.5°N), the rest in
// China's box; 2–10 positions, steps of 0.2–2 km in a slowly turning direction. Deterministic
// (a seeded mulberry32), so every run and every peer reads the same features.
//
//   node tests/browser/roads.js OUT_DIR [N]

import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ROADS_LAYER = 'synthetic_roads';
const YUQIAN = [103.5, 24.5, 110.5, 32.5];
const CHINA = [73.0, 18.0, 135.0, 53.0];
const STATUSES = ['existing', 'under_construction', 'planned', 'preparatory', 'under_study', 'unknown'];

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round6 = (v) => Math.round(v * 1e6) / 1e6;

/** Writes the shipped geodata/ plus the road layer into `dir`; resolves with the layer's file. */
export async function writeRoadsData(dir, n = 200_000) {
  mkdirSync(dir, { recursive: true });
  const geodata = path.join(ROOT, 'geodata');
  for (const f of readdirSync(geodata)) copyFileSync(path.join(geodata, f), path.join(dir, f));
  writeFileSync(path.join(dir, 'layers.toml'), `${readFileSync(path.join(geodata, 'layers.toml'), 'utf8')}
[[layers]]
id = "${ROADS_LAYER}"
title_zh = "合成道路"
title_en = "Synthetic roads"
geometry = ["line"]
file = "${ROADS_LAYER}.geojson"
source = "tests/browser/roads.js (deterministic, seeded)"
licence = "CC0-1.0"
attribution = "Yuqian Map synthetic roads"
`);
  const file = path.join(dir, `${ROADS_LAYER}.geojson`);
  const out = createWriteStream(file);
  const write = (s) => (out.write(s) ? Promise.resolve() : new Promise((r) => out.once('drain', r)));
  const rnd = mulberry32(0x59514941);
  const range = (lo, hi) => lo + (hi - lo) * rnd();
  await write('{"type":"FeatureCollection","features":[\n');
  for (let i = 0; i < n; i += 1) {
    const box = rnd() < 0.6 ? YUQIAN : CHINA;
    let x = range(box[0], box[2]);
    let y = range(box[1], box[3]);
    const count = 2 + Math.floor(rnd() * 9);
    let heading = range(0, 2 * Math.PI);
    const coords = [[round6(x), round6(y)]];
    for (let j = 1; j < count; j += 1) {
      heading += range(-0.6, 0.6);
      const step = range(0.002, 0.02);
      x += (step * Math.cos(heading)) / Math.cos((y * Math.PI) / 180);
      y = Math.max(-89, Math.min(89, y + step * Math.sin(heading)));
      coords.push([round6(x), round6(y)]);
    }
    const id = `road-${String(i).padStart(7, '0')}`;
    const f = {
      type: 'Feature', id,
      geometry: { type: 'LineString', coordinates: coords },
      properties: {
        name_zh: `合成道路${i}`, name_en: `synthetic road ${i}`, status: STATUSES[i % 6],
        provinces: ['chongqing'], source: 'synthetic', accuracy: 'schematic',
      },
    };
    await write(`${i ? ',\n' : ''}${JSON.stringify(f)}`);
  }
  await write('\n]}\n');
  await new Promise((r) => out.end(r));
  return file;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, n] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node tests/browser/roads.js OUT_DIR [N]');
    process.exit(2);
  }
  const t = Date.now();
  await writeRoadsData(path.resolve(dir), n ? Number(n) : undefined);
  console.error(`wrote ${n ?? 200000} road lines and the shipped layers to ${dir} in ${Date.now() - t} ms`);
}
