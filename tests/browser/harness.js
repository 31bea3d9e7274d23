// What the browser tests stand on: the already built server binary started on a free port,
// and Debian's Chromium driven headless by playwright-core, with WebGL through SwiftShader and
// every outside host made unresolvable.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUTPUT = path.join(ROOT, 'test-output', 'browser');

/** The shipped data if it is there, else the small test fixture (or YUQIAN_TEST_DATA). */
export function dataDir() {
  if (process.env.YUQIAN_TEST_DATA) return path.resolve(process.env.YUQIAN_TEST_DATA);
  const shipped = path.join(ROOT, 'geodata');
  return existsSync(path.join(shipped, 'layers.toml')) ? shipped : path.join(ROOT, 'tests', 'fixtures', 'small');
}

/**
 * Starts `yuqian serve` on 127.0.0.1 port 0 and resolves with {origin, stop()} once it listens.
 * `env` adds to (or overrides) the server's environment, e.g. YUQIAN_WRITE_TOKEN; `data` is
 * the data folder (default: dataDir()); `timeout_ms` how long it may take to become ready.
 */
export function startServer({ env = {}, data = dataDir(), timeout_ms = 30_000 } = {}) {
  const bin = process.env.YUQIAN_BIN ? path.resolve(process.env.YUQIAN_BIN) : path.join(ROOT, 'target', 'debug', 'yuqian');
  if (!existsSync(bin)) throw new Error(`no server binary at ${bin}: run \`cargo build\` first (or set YUQIAN_BIN)`);
  const web = path.join(ROOT, 'web');
  if (!existsSync(path.join(web, 'node_modules', 'maplibre-gl', 'dist', 'maplibre-gl.mjs'))) {
    throw new Error('web/node_modules is missing: run `web/setup.sh` first');
  }
  // Anything the server keeps (its database of saved loops) goes to a scratch folder.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'yuqian-browser-'));
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--data', data, '--web', web], {
    cwd: scratch,
    env: { ...process.env, NO_COLOR: '1', RUST_LOG: 'info', YUQIAN_DB: path.join(scratch, 'yuqian.sqlite'), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let log = '';
    let listening = false;
    const timer = setTimeout(() => { child.kill(); reject(new Error(`the server did not start:\n${log}`)); }, timeout_ms);
    child.stderr.on('data', (chunk) => {
      log += chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m && !listening) {
        listening = true;
        // The server listens while its data loads: wait until it is ready.
        serverReady(m[1]).then(() => {
        clearTimeout(timer);
        resolve({
          origin: m[1],
          log: () => log,
          stop: () => new Promise((done) => {
            const finish = () => { rmSync(scratch, { recursive: true, force: true }); done(); };
            if (child.exitCode !== null || child.signalCode !== null) finish();
            else { child.once('exit', finish); child.kill('SIGTERM'); }
          }),
        });
        }, reject);
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the server exited (${code}):\n${log}`)); });
  });
}

/** Polls /health/ready until it answers 200 (the first snapshot is in). */
async function serverReady(origin, timeout_ms = 120_000) {
  for (let i = 0; i < timeout_ms / 50; i++) {
    try {
      if ((await fetch(`${origin}/health/ready`)).status === 200) return;
    } catch { /* not answering yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${origin} never became ready`);
}

export const CHROMIUM_ARGS = [
  '--no-sandbox', // runs as root here
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-features=Translate,OptimizationHints,MediaRouter',
  // WebGL without a GPU.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  // Belt and braces: no host but loopback resolves.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export function launchBrowser() {
  mkdirSync(OUTPUT, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/**
 * A page that records every request it makes and every console error, opened at `hash` and
 * waited for until the map is idle.
 */
export async function openMap(browser, origin, { hash = '', viewport = { width: 1280, height: 800 }, record } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('request', (r) => record.requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') record.errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => record.errors.push(`page: ${e.message}`));
  page.on('requestfailed', (r) => {
    // MapLibre cancels the tile requests of a view it has left: that is no failure.
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && /\/tiles\/.+\.mvt$/.test(r.url())) return;
    record.errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  await page.goto(`${origin}/${hash}`);
  await waitReady(page);
  return { page, context };
}

export async function waitReady(page) {
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 60_000 });
  await waitIdle(page);
}

/** Resolves when the map has drawn everything it was asked to draw. */
export function waitIdle(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const { map } = window.yuqian;
    map.once('idle', () => resolve());
    map.triggerRepaint();
  }));
}
