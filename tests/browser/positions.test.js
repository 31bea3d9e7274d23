// Honest positions, in Debian's Chromium: a point whose site is not known (location_known =
// false) is drawn with its own symbol (a ring around a shrunk status symbol and a faint disc of
// its uncertainty_km, from the style description's `unlocated`), the legend explains it, and a
// click on a position that several features share opens a list of them; each entry opens its
// feature's popup, which says the site is not known and how far off it may be.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { OUTPUT, launchBrowser, openMap, startServer, waitIdle } from './harness.js';

// The 赶水 town point: some fifteen items of the plan stand at it, none with a known site.
const GANSHUI = [106.71111, 28.74222];

let server;
let browser;
let style;
let shipped;
const record = { requests: [], errors: [] };
const shot = (page, name) => page.screenshot({ path: path.join(OUTPUT, `${name}.png`) });

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  style = await (await fetch(`${server.origin}/api/style`)).json();
  const layers = (await (await fetch(`${server.origin}/api/layers`)).json()).layers;
  shipped = layers.find((l) => l.id === 'towns').feature_count > 50;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('unlocated points have their own symbol, explained in the legend', { timeout: 120_000 }, async (t) => {
  assert.ok(style.unlocated && style.unlocated.dot_scale > 0 && style.unlocated.dot_scale < 1);
  if (!shipped) return t.skip('the small fixture has no stacked items');
  const { page, context } = await openMap(browser, server.origin, { record, hash: `#map=11/${GANSHUI[1]}/${GANSHUI[0]}` });
  const s = await page.evaluate((at) => {
    const { map } = window.yuqian;
    const ids = map.getStyle().layers.map((l) => l.id);
    const rings = ids.filter((id) => /^L:[^:]+:ring$/.test(id));
    const discs = ids.filter((id) => /^L:[^:]+:uncertainty$/.test(id));
    const p = map.project(at);
    const box = [[p.x - 4, p.y - 4], [p.x + 4, p.y + 4]];
    const ringed = map.queryRenderedFeatures(box, { layers: rings }).map((f) => f.properties);
    const points = map.queryRenderedFeatures(box, { layers: ids.filter((id) => /^L:[^:]+:point$/.test(id) && !id.startsWith('L:towns')) })
      .map((f) => f.properties);
    const legend = document.querySelector('.legend-unlocated');
    return { rings: rings.length, discs: discs.length, ringed, points,
      legend: legend?.textContent ?? null, sample: !!legend?.querySelector('svg circle') };
  }, GANSHUI);
  assert.ok(s.rings > 5 && s.discs === s.rings, `ring layers ${s.rings}, disc layers ${s.discs}`);
  assert.ok(s.ringed.length >= 5, `rings at 赶水: ${s.ringed.length}`);
  assert.ok(s.ringed.every((p) => p.location_known === false && p.uncertainty_km > 0));
  // Every thematic point there is unlocated, so each one is ringed.
  assert.ok(s.points.length >= 5 && s.points.every((p) => p.location_known === false), JSON.stringify(s.points.slice(0, 3)));
  assert.ok(s.sample);
  assert.match(s.legend, /空心标记.*具体位置不明/);
  await shot(page, 'positions-ganshui');
  await context.close();
});

test('a position shared by several features opens a list of them', { timeout: 120_000 }, async (t) => {
  if (!shipped) return t.skip('the small fixture has no stacked items');
  const { page, context } = await openMap(browser, server.origin, { record, hash: `#map=11/${GANSHUI[1]}/${GANSHUI[0]}` });
  const at = await page.evaluate((lonlat) => {
    const { map } = window.yuqian;
    const box = map.getCanvas().getBoundingClientRect();
    const p = map.project(lonlat);
    return { x: box.left + p.x, y: box.top + p.y };
  }, GANSHUI);
  await page.mouse.click(at.x, at.y);
  await page.waitForSelector('.feature-popup .pp-stack-list li');
  const list = await page.$$eval('.feature-popup .pp-stack-list li', (lis) => lis.map((li) => ({ cls: li.className, text: li.textContent })));
  assert.ok(list.length >= 5, `${list.length} entries`);
  assert.ok(list.some((e) => e.cls === 'pp-unlocated'));
  assert.match(await page.textContent('.feature-popup .pp-stack h3'), /此处有 \d+ 个要素/);
  await shot(page, 'positions-stack-list');

  // An entry opens that feature's own popup, which says its site is not known.
  const entry = await page.$('.feature-popup .pp-stack-list li.pp-unlocated button');
  await entry.click();
  await page.waitForSelector('.feature-popup dd.pp-unlocated');
  assert.match(await page.textContent('.feature-popup dd.pp-unlocated'), /具体位置不明.*\d+ 公里/);
  await waitIdle(page);
  await context.close();
  assert.deepEqual(record.errors, []);
});
