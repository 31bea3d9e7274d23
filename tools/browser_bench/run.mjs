// The browser benchmark of the web map (BENCHMARKS.md, "Web map on tiles"): time to idle at the
// first view, bytes downloaded and the JavaScript heap, for the page before the tiles (the last
// commit that paged through /api/features, `BEFORE`, default 0e4c67d) and the page now, on the
// shipped data and on the shipped data plus 200,000 road lines (tests/browser/roads.js), in
// Debian's Chromium headless with SwiftShader, against the release server.
//
//   cargo build --release && node tools/browser_bench/run.mjs [RUNS]      (ONLY=now|before: one page)
//
// Each case: a fresh server (so the first run meets a cold tile cache), then RUNS page loads,
// each in a fresh browser context (empty HTTP cache). "Idle": the page's ready flag, the map
// loaded and every tile in view loaded. Bytes: response bodies as transferred (compressed) plus
// headers, from Chromium's network accounting. The heap is `performance.memory.usedJSHeapSize`.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '../../tests/browser/node_modules/playwright-core/index.mjs';
import { CHROMIUM_ARGS } from '../../tests/browser/harness.js';
import { writeRoadsData } from '../../tests/browser/roads.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = Number(process.argv[2] ?? 5);
const BEFORE = process.env.BEFORE ?? '0e4c67d';
const BIN = process.env.YUQIAN_BIN ?? path.join(ROOT, 'target', 'release', 'yuqian');
if (!existsSync(BIN)) throw new Error(`no release server at ${BIN}: cargo build --release`);

const scratch = mkdtempSync(path.join(os.tmpdir(), 'yuqian-browser-bench-'));
// The page before the tiles, with today's node_modules (the same MapLibre GL JS 6.17.0).
const oldWeb = path.join(scratch, 'before');
mkdirSync(oldWeb);
execFileSync('bash', ['-c', `git -C "${ROOT}" archive ${BEFORE} web | tar -x -C "${oldWeb}"`]);
symlinkSync(path.join(ROOT, 'web', 'node_modules'), path.join(oldWeb, 'web', 'node_modules'));
const roads = path.join(scratch, 'roads');
await writeRoadsData(roads, 200_000);

function serve(data, web) {
  const child = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--data', data, '--web', web, '--db', path.join(scratch, `loops-${Date.now()}.sqlite`)], {
    env: { ...process.env, NO_COLOR: '1', RUST_LOG: 'info' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr.on('data', async (c) => {
      log += c.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m && !child.origin) {
        child.origin = m[1];
        for (;;) {
          try { if ((await fetch(`${m[1]}/health/ready`)).status === 200) break; } catch { /* not yet */ }
          await new Promise((r) => setTimeout(r, 100));
        }
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${log}`)));
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function measure(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const sizes = [];
  page.on('requestfinished', async (r) => {
    const s = await r.sizes().catch(() => null);
    if (s) sizes.push(s.responseBodySize + s.responseHeadersSize);
  });
  const t0 = Date.now();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 600_000, polling: 50 });
  await page.waitForFunction(() => window.yuqian.map.loaded() && window.yuqian.map.areTilesLoaded(), null, { timeout: 600_000, polling: 50 });
  const ms = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 300));
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);
  await context.close();
  return { ms, bytes: sizes.reduce((a, b) => a + b, 0), requests: sizes.length, heap };
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
console.log(`# ${new Date().toISOString()} · ${os.cpus().length} cores · load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} · ${RUNS} runs per case`);
console.log('| page | data | first load (cold tile cache) ms | median of the rest ms | MB downloaded | requests | JS heap MB |');
console.log('|---|---|---|---|---|---|---|');
const pages = [['before (paging /api/features)', path.join(oldWeb, 'web')], ['now (vector tiles)', path.join(ROOT, 'web')]];
// ONLY=now or ONLY=before runs one page.
for (const [pageName, web] of pages.filter(([name]) => !process.env.ONLY || name.startsWith(process.env.ONLY))) {
  for (const [dataName, data] of [['shipped', path.join(ROOT, 'geodata')], ['shipped + 200k roads', roads]]) {
    const server = await serve(data, web);
    const runs = [];
    for (let i = 0; i < RUNS; i += 1) runs.push(await measure(browser, server.origin));
    server.kill('SIGTERM');
    const rest = runs.slice(1);
    console.log(`| ${pageName} | ${dataName} | ${runs[0].ms} | ${rest.length ? median(rest.map((r) => r.ms)) : '–'} | ${(median(runs.map((r) => r.bytes)) / 1e6).toFixed(2)} | ${median(runs.map((r) => r.requests))} | ${(median(runs.map((r) => r.heap)) / 1e6).toFixed(0)} |`);
  }
}
await browser.close();
rmSync(scratch, { recursive: true, force: true });
