// The "copy image link" button next to the PNG button, in Debian's Chromium: it copies the URL
// of the server-drawn picture of the current view (centre, zoom, size, layers shown, language,
// a corridor along a feature), the server answers that URL with a PNG of the map's size, and
// the corridor band the page draws is the one the server computed. A drawn line (which a URL
// cannot carry) gets the picture by POST instead.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { OUTPUT, launchBrowser, openMap, startServer, waitIdle } from './harness.js';

let server;
let browser;
const record = { requests: [], errors: [] };

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (buf) => ({ width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) });

test('copy image link gives the static map URL of the view and its corridor', async () => {
  const { page, context } = await openMap(browser, server.origin, { hash: '#map=8.5/28.9/106.7&lang=zh', record });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  const button = page.locator('#copy-image-link');
  assert.ok(await button.isVisible(), 'the button is shown next to the PNG button');
  assert.equal(await page.evaluate(() => document.getElementById('copy-image-link').previousElementSibling.id), 'save-png');

  await button.click();
  await page.waitForFunction(() => window.yuqian.ctx.lastImageLink);
  let link = new URL(await page.evaluate(() => window.yuqian.ctx.lastImageLink));
  assert.equal(link.pathname, '/api/static.png');
  const size = await page.evaluate(() => {
    const c = window.yuqian.map.getContainer();
    return { width: c.clientWidth, height: c.clientHeight };
  });
  assert.equal(link.searchParams.get('zoom'), '8.500');
  assert.equal(link.searchParams.get('width'), String(size.width));
  assert.equal(link.searchParams.get('lang'), 'zh');
  assert.ok(link.searchParams.get('layers').split(',').includes('railways'));
  const copied = await page.evaluate(() => navigator.clipboard.readText()).catch(() => null);
  if (copied !== null) assert.equal(copied, link.href, 'the clipboard holds the link');

  let resp = await fetch(link.href);
  assert.equal(resp.status, 200);
  assert.equal(resp.headers.get('content-type'), 'image/png');
  let png = Buffer.from(await resp.arrayBuffer());
  assert.deepEqual(pngSize(png), size, 'the picture has the map\'s size');

  // A corridor along a feature: in the link, and the page draws the server's band.
  await page.evaluate(() => window.yuqian.setTab('corridor'));
  await page.fill('#corridor-width', '5');
  await page.selectOption('#corridor-feature', 'rail-chuanqian');
  await page.waitForFunction(() => window.yuqian.corridor.last?.axis.id === 'rail-chuanqian');
  await waitIdle(page);
  const band = await page.evaluate(() => window.yuqian.corridor.last.band);
  const answer = await (await fetch(`${server.origin}/api/corridor?feature=rail-chuanqian&width_m=5000`)).json();
  assert.deepEqual(band, answer.band, 'the page draws the band the server computed');
  await page.evaluate(() => { window.yuqian.ctx.lastImageLink = null; });
  await button.click();
  await page.waitForFunction(() => window.yuqian.ctx.lastImageLink);
  link = new URL(await page.evaluate(() => window.yuqian.ctx.lastImageLink));
  assert.equal(link.searchParams.get('corridor'), 'rail-chuanqian');
  assert.equal(link.searchParams.get('width_m'), '5000');
  resp = await fetch(link.href);
  assert.equal(resp.status, 200);
  png = Buffer.from(await resp.arrayBuffer());
  await import('node:fs').then((fs) => fs.writeFileSync(path.join(OUTPUT, 'static-corridor.png'), png));

  // A drawn line cannot go into a URL: the picture comes by POST, as a download.
  await page.evaluate(() => window.yuqian.corridor.setAxis({ kind: 'line', coordinates: [[106.5, 29.2], [106.9, 28.4]] }, { fit: false }));
  await page.waitForFunction(() => window.yuqian.corridor.last?.axis.kind === 'line');
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const file = await download.path();
  const posted = await import('node:fs').then((fs) => fs.readFileSync(file));
  assert.deepEqual(pngSize(posted), size);
  assert.ok(record.requests.some((u) => u.endsWith('/api/static.png')), 'posted to /api/static.png');
  assert.deepEqual(record.errors, []);
  await context.close();
});
