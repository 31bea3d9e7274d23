// A screenshot of the running map, for looking at it while working on it (not a test):
//   node tests/browser/shot.mjs 'http://127.0.0.1:8080/#map=9/28.6/106.8' out.png [width height]
// EVAL='js expression' is evaluated in the page (after the map is idle) and printed.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './harness.js';

const [url, out, width = '1280', height = '800'] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
page.on('console', (m) => console.log(`console ${m.type()}: ${m.text()}`));
page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
await page.goto(url);
await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 60_000 });
await page.evaluate(() => new Promise((r) => { window.yuqian.map.once('idle', r); window.yuqian.map.triggerRepaint(); }));
if (process.env.EVAL) console.log(await page.evaluate(process.env.EVAL));
await page.waitForTimeout(Number(process.env.WAIT ?? 300));
await page.screenshot({ path: out });
await browser.close();
