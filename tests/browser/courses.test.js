// Lines whose course is not known (course_known = false: only their ends), in Debian's Chromium:
// the style description says how they are drawn, the railway lines are drawn thinner and dotted
// for them (MapLibre expressions on `course_known`), the tiles carry the property, and the
// status legend has a "direction only" entry that follows the language; lines sharing a corridor
// are shifted by their offset slot (line-offset).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { OUTPUT, launchBrowser, openMap, startServer, waitIdle } from './harness.js';

let server;
let browser;
let style;
let shipped;
const record = { requests: [], errors: [] };

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  style = await (await fetch(`${server.origin}/api/style`)).json();
  const layers = (await (await fetch(`${server.origin}/api/layers`)).json()).layers;
  shipped = (layers.find((l) => l.id === 'railways')?.feature_count ?? 0) > 10;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('lines known only by their ends are drawn thin and dotted, "direction only" in the legend', { timeout: 120_000 }, async () => {
  const c = style.course_unknown;
  assert.ok(c.width > 0 && c.width < 1);
  assert.equal(c.legend_en, 'direction only');
  const { page, context } = await openMap(browser, server.origin, { record, hash: '#map=5.2/28.5/107.5' });
  await waitIdle(page);
  const s = await page.evaluate(() => {
    const { map } = window.yuqian;
    const note = document.querySelector('#status-legend .course-unknown');
    const rendered = map.queryRenderedFeatures({ layers: ['L:railways:line'] });
    return {
      dash: JSON.stringify(map.getPaintProperty('L:railways:line', 'line-dasharray')),
      width: JSON.stringify(map.getPaintProperty('L:railways:line', 'line-width')),
      casingFilter: JSON.stringify(map.getFilter('L:railways:casing')),
      offset: JSON.stringify(map.getPaintProperty('L:railways:line', 'line-offset')),
      casingOffset: JSON.stringify(map.getPaintProperty('L:railways:casing', 'line-offset')),
      slots: [...new Set(rendered.map((f) => f.properties.offset_slot))].sort(),
      legend: note?.textContent ?? null,
      // At this zoom a tile feature carries its MVT id and the drawing fields, not its name.
      unknown: rendered.filter((f) => f.properties.course_known === false).length,
      known: rendered.some((f) => f.properties.course_known === true),
    };
  });
  assert.match(s.dash, /course_known/);
  assert.ok(s.dash.includes(JSON.stringify(c.dash)), s.dash);
  assert.match(s.width, /course_known/);
  assert.match(s.casingFilter, /course_known/);
  assert.equal(s.legend, c.legend_zh);
  // Lines sharing a corridor side by side: line and casing shifted by the build's offset slot.
  assert.match(s.offset, new RegExp(style.line_offset.field));
  assert.equal(s.casingOffset, s.offset);
  if (shipped) {
    assert.ok(s.unknown > 0, 'no railway of unknown course is drawn (渝桂高铁, 广涪柳铁路)');
    assert.ok(s.known);
    assert.ok(s.slots.length >= 3, JSON.stringify(s.slots));
  }
  await page.screenshot({ path: path.join(OUTPUT, 'courses-unknown.png') });
  await page.click('#lang-toggle');
  const en = await page.$eval('#status-legend .course-unknown', (n) => n.textContent);
  assert.equal(en, c.legend_en);
  await context.close();
});

test('courses: no request left the machine and the console stayed clean', () => {
  assert.deepEqual(record.errors, []);
  const foreign = record.requests.filter((u) => !u.startsWith(server.origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
});
