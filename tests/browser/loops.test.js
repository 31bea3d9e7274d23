// The loop planner tab in a real browser (see harness.js): plot a loop by clicking the map and
// picking attractions, optimise it (the order and total are the API's), see it drawn with
// numbered stops, save it under a name full of HTML characters (shown literally), reload and
// find it in the list and on the map layer, open, rename (PUT), meet a stale ETag (412),
// export GPX and GeoJSON, delete it. Screenshots go to test-output/browser/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { OUTPUT, launchBrowser, openMap, startServer, waitIdle, waitReady } from './harness.js';

let server;
let browser;
let features;
const record = { requests: [], errors: [] };
const NAME = '<img src=x onerror=alert(1)> 红色 & "精品" 环线';

const call = async (pathAndQuery, init = {}) => {
  const r = await fetch(`${server.origin}${pathAndQuery}`, {
    ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  return { status: r.status, etag: r.headers.get('etag'), headers: r.headers, body: r.status === 204 ? null : await r.json() };
};
const shot = (page, name) => page.screenshot({ path: path.join(OUTPUT, `${name}.png`) });
const stopKey = (s) => s.id ?? s.position.map((x) => x.toFixed(6)).join(',');

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  features = (await call('/api/features?limit=10000')).body.features;
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (server) writeFileSync(path.join(OUTPUT, 'server-loops.log'), server.log());
});

/** Pixel (page coordinates) of [lon, lat] after centring the map there at `zoom`. */
async function pixelOf(page, at, zoom, offset = [0, 0]) {
  return page.evaluate(async ({ at, zoom, offset }) => {
    const { map } = window.yuqian;
    map.jumpTo({ center: at, zoom });
    await new Promise((r) => { map.once('idle', r); map.triggerRepaint(); });
    const p = map.project(at);
    const box = map.getCanvas().getBoundingClientRect();
    return { x: box.left + p.x + offset[0], y: box.top + p.y + offset[1] };
  }, { at, zoom, offset });
}

const waitPlanned = (page) => page.waitForFunction(() => {
  const l = window.yuqian.loops;
  return l.plan && !l.pending && l.plan.properties.order.length === l.stops.length;
});

const shown = (page) => page.evaluate(() => {
  const { loops, map } = window.yuqian;
  return {
    stops: loops.stops.map((s) => ({ id: s.id, position: s.position })),
    listed: [...document.querySelectorAll('#loop-stops li.loop-stop')].map((li) => ({
      id: li.dataset.id || null, number: li.querySelector('.stop-number').textContent,
    })),
    length_m: Number(document.querySelector('#loop-length')?.dataset.m),
    lengthText: document.querySelector('#loop-length')?.textContent,
    plan: loops.plan?.properties,
    legs: map.queryRenderedFeatures({ layers: ['loop:legs:network', 'loop:legs:straight'] }).length,
    numbers: [...new Set(map.queryRenderedFeatures({ layers: ['loop:stops:number'] }).map((f) => f.properties.number))].sort((a, b) => a - b),
  };
});

test('plot, optimise, save, reload, open, rename, stale edit, export and delete a loop', { timeout: 240_000 }, async () => {
  const attractions = features.filter((f) => f.properties.layer === 'attractions' && f.geometry.type === 'Point');
  const want = ['ta-loushanguan', 'ta-zunyi-conference', 'ta-sidu-chishui'];
  const [a, b, c] = want.every((id) => attractions.some((f) => f.properties.id === id))
    ? want.map((id) => attractions.find((f) => f.properties.id === id))
    : attractions.slice(0, 3);
  assert.ok(c, 'the data has fewer than three attractions');

  const { page, context } = await openMap(browser, server.origin, { record });
  page.on('dialog', (d) => {
    if (d.type() === 'confirm') d.accept(); else { record.errors.push(`dialog: ${d.type()} ${d.message()}`); d.dismiss(); }
  });
  await page.click('.tabs [data-tab="loops"]');

  // Two attractions from the searchable list.
  for (const f of [a, b]) {
    await page.fill('#loop-pick', f.properties.name_zh.slice(0, 4));
    await page.click(`#loop-pick-results li[data-id="${f.properties.id}"] button`);
  }
  // A click on an empty spot of the map adds a position; a click on an attraction adds it by id.
  const mid = [(a.geometry.coordinates[0] + c.geometry.coordinates[0]) / 2 + 0.3, (a.geometry.coordinates[1] + c.geometry.coordinates[1]) / 2 + 0.5];
  const empty = await pixelOf(page, mid, 9);
  const under = await page.evaluate(({ x, y }) => {
    const { ctx, map } = window.yuqian;
    const box = map.getCanvas().getBoundingClientRect();
    return ctx.featuresAt({ x: x - box.left, y: y - box.top }).map((f) => f.properties.layer);
  }, empty);
  assert.ok(!under.includes('attractions') && !under.includes('towns'), `the empty spot has ${under}`);
  const clicked = await page.evaluate(({ x, y }) => {
    const { map } = window.yuqian;
    const box = map.getCanvas().getBoundingClientRect();
    return map.unproject([x - box.left, y - box.top]).toArray();
  }, empty);
  await page.mouse.click(empty.x, empty.y);
  const onC = await pixelOf(page, c.geometry.coordinates, 11);
  await page.mouse.click(onC.x, onC.y);
  await page.waitForFunction(() => window.yuqian.loops.stops.length === 4);
  await waitPlanned(page);
  const plotted = await shown(page);
  assert.deepEqual(plotted.stops.map((s) => s.id), [a.properties.id, b.properties.id, null, c.properties.id]);
  assert.ok(Math.abs(plotted.stops[2].position[0] - clicked[0]) < 1e-5 && Math.abs(plotted.stops[2].position[1] - clicked[1]) < 1e-5,
    'the position stop is not the clicked point');
  // In the order given: the plan is the API's with optimise false.
  const asGiven = await call('/api/loops/plan', {
    method: 'POST',
    body: JSON.stringify({ stops: plotted.stops.map((s) => s.id ?? s.position), roundtrip: true, fixed_first: true, fixed_last: false, paths: 'network', suggest_within_m: 10000, optimise: false }),
  });
  assert.equal(asGiven.status, 200);
  assert.equal(plotted.length_m, asGiven.body.properties.distance_m);

  // Reorder with the keyboard-friendly buttons, then optimise.
  await page.click('#loop-stops li.loop-stop:nth-child(2) button.down');
  await page.waitForFunction(() => window.yuqian.loops.stops[2].id !== null);
  await waitPlanned(page);
  assert.equal((await shown(page)).stops[1].id, null, 'moving down did not reorder the stops');
  // Drag and drop: the last stop onto the second place.
  await page.dragAndDrop('#loop-stops li.loop-stop:nth-child(4)', '#loop-stops li.loop-stop:nth-child(2)');
  await page.waitForFunction((id) => window.yuqian.loops.stops[1].id === id, c.properties.id);
  await waitPlanned(page);
  const before = (await shown(page)).stops;
  assert.deepEqual(before.map((s) => s.id), [a.properties.id, c.properties.id, null, b.properties.id], 'dragging did not reorder the stops');
  await page.click('#loop-optimise');
  await page.waitForFunction(() => window.yuqian.loops.lastOptimised);
  await waitPlanned(page);
  await page.evaluate(() => window.yuqian.ctx.fitBounds(window.yuqian.loops.plan.geometry.coordinates.reduce(
    (b, p) => [[Math.min(b[0][0], p[0]), Math.min(b[0][1], p[1])], [Math.max(b[1][0], p[0]), Math.max(b[1][1], p[1])]],
    [[180, 90], [-180, -90]])));
  await page.waitForTimeout(800);
  await waitIdle(page);
  const optimised = await shown(page);
  const direct = await call('/api/loops/plan', {
    method: 'POST',
    body: JSON.stringify({ stops: before.map((s) => s.id ?? s.position), roundtrip: true, fixed_first: true, fixed_last: false, paths: 'network', suggest_within_m: 10000, optimise: true }),
  });
  assert.equal(direct.status, 200);
  const d = direct.body.properties;
  assert.deepEqual(optimised.stops.map(stopKey), d.order.map((o) => stopKey(before[o.index])), 'the shown order is not the API’s');
  assert.deepEqual(optimised.listed.map((x) => x.number), d.order.map((_, i) => String(i + 1)));
  assert.equal(optimised.length_m, d.distance_m, 'the shown length is not the API’s');
  assert.equal(optimised.lengthText, `${(d.distance_m / 1000).toFixed(1)} km`);
  assert.equal(optimised.plan.duration_s, d.duration_s);
  assert.equal(optimised.plan.border_crossings, d.border_crossings);
  assert.ok(optimised.legs > 0, 'the loop line is not drawn');
  assert.deepEqual(optimised.numbers, [1, 2, 3, 4], 'the stops are not drawn numbered 1–4');
  const panelText = await page.textContent('#loop-summary');
  for (const p of d.provinces.filter((x) => x.province && x.length_m > 0)) assert.ok(panelText.includes(`${(p.length_m / 1000).toFixed(1)} km`));
  for (const cty of d.counties) assert.ok(panelText.includes(cty.name_zh), `county ${cty.name_zh} not listed`);
  console.log(`optimised: ${optimised.stops.map(stopKey).join(' → ')}, ${optimised.lengthText}, ${d.border_crossings} border crossings`);
  await shot(page, 'loops-planned-1280x800');

  // A suggestion adds a stop; remove it again.
  const suggestion = await page.$('#loop-suggestions li[data-id] button');
  if (suggestion) {
    const sid = await page.getAttribute('#loop-suggestions li[data-id]', 'data-id');
    await suggestion.click();
    await page.waitForFunction((id) => window.yuqian.loops.stops.at(-1).id === id, sid);
    await waitPlanned(page);
    await page.click('#loop-stops li.loop-stop:last-child button.remove');
    await page.waitForFunction(() => window.yuqian.loops.stops.length === 4);
    await waitPlanned(page);
  }
  assert.equal((await shown(page)).length_m, d.distance_m);

  // Save under a name with HTML in it: shown literally, never parsed.
  await page.fill('#loop-name', NAME);
  await page.fill('#loop-notes', '<b>not bold</b>');
  await page.click('#loop-save');
  await page.waitForSelector('#loop-saved li[data-id]');
  const saved = await page.evaluate(() => ({ ...window.yuqian.loops.saved }));
  assert.equal(saved.etag, '"v1"');
  const listedName = await page.textContent(`#loop-saved li[data-id="${saved.id}"] .saved-name`);
  assert.equal(listedName, NAME);
  assert.equal(await page.locator('#panel img').count(), 0, 'the name was parsed as HTML');
  assert.equal((await call(`/api/loops/${saved.id}`)).body.name, NAME);
  await page.waitForFunction((id) => window.location.hash.includes(`saved=${id}`), saved.id);

  // Reload: the loop is open again, in the saved list and on the saved-loops layer.
  await page.reload();
  await waitReady(page);
  await page.waitForFunction((id) => window.yuqian.loops.saved?.id === id && window.yuqian.loops.plan, saved.id);
  await waitIdle(page);
  const reloaded = await page.evaluate(() => {
    const { map, loops } = window.yuqian;
    return {
      tab: window.yuqian.ctx.tab,
      name: document.querySelector('#loop-name').value,
      listed: [...document.querySelectorAll('#loop-saved li[data-id]')].map((li) => [li.dataset.id, li.querySelector('.saved-name').textContent]),
      onMap: [...new Set(map.queryRenderedFeatures({ layers: ['L:saved_loops:path'] }).map((f) => f.properties.loop))],
      stops: loops.stops.map((s) => s.id ?? s.position.map((x) => x.toFixed(6)).join(',')),
      length_m: Number(document.querySelector('#loop-length').dataset.m),
    };
  });
  assert.equal(reloaded.tab, 'loops');
  assert.equal(reloaded.name, NAME);
  assert.deepEqual(reloaded.listed, [[String(saved.id), NAME]]);
  assert.ok(reloaded.onMap.includes(saved.id), 'the saved loop is not on the saved-loops layer');
  assert.deepEqual(reloaded.stops, optimised.stops.map(stopKey));
  assert.equal(reloaded.length_m, d.distance_m);
  // The layer toggles like the others.
  await page.click('#loop-show-saved');
  assert.equal(await page.evaluate(() => window.yuqian.map.getLayoutProperty('L:saved_loops:path', 'visibility')), 'none');
  await page.click('#loop-show-saved');
  assert.equal(await page.evaluate(() => window.yuqian.map.getLayoutProperty('L:saved_loops:path', 'visibility')), 'visible');
  await shot(page, 'loops-reloaded');

  // On another tab, a click on the saved loop's line opens it. The loop follows the roads, so
  // its line lies on drawn features: the click lists them with the loop, and the loop's entry
  // opens it.
  await page.click('#loop-clear');
  await page.click('.tabs [data-tab="layers"]');
  await waitIdle(page);
  const onLine = await page.evaluate((id) => {
    const { map, ctx } = window.yuqian;
    const box = map.getCanvas().getBoundingClientRect();
    const line = map.queryRenderedFeatures({ layers: ['L:saved_loops:path'] }).find((f) => f.properties.loop === id);
    const coords = line.geometry.type === 'LineString' ? line.geometry.coordinates : line.geometry.coordinates.flat();
    for (let i = 1; i < coords.length; i += 1) {
      for (let t = 0.05; t < 1; t += 0.1) {
        const p = map.project([coords[i - 1][0] + (coords[i][0] - coords[i - 1][0]) * t, coords[i - 1][1] + (coords[i][1] - coords[i - 1][1]) * t]);
        if (p.x < 10 || p.y < 10 || p.x > box.width - 10 || p.y > box.height - 10) continue;
        // Not under the panel, a popup or a control: the click must reach the map.
        if (document.elementFromPoint(box.left + p.x, box.top + p.y) !== map.getCanvas()) continue;
        // A spot well under one line feature (not a point: several points open their own list),
        // not at the edge of its hit box, so the click's rounded pixel finds it too.
        const ids = [[0, 0], [2, 0], [-2, 0], [0, 2], [0, -2]].map(([dx, dy]) => {
          const under = ctx.featuresAt({ x: p.x + dx, y: p.y + dy });
          return under.length === 1 && /LineString/.test(under[0].geometry.type) ? under[0].properties.id : null;
        });
        if (ids[0] && ids.every((id) => id === ids[0])) return { x: box.left + p.x, y: box.top + p.y, feature: ids[0] };
      }
    }
    return null;
  }, saved.id);
  assert.ok(onLine, 'no spot on the saved loop line over exactly one line feature');
  await page.mouse.click(onLine.x, onLine.y);
  await page.waitForSelector('.stack-popup .pp-saved-loop button', { timeout: 10000 }).catch(async (e) => {
    const seen = await page.evaluate(() => ({ popups: [...document.querySelectorAll('.maplibregl-popup')].map((p) => p.className + ': ' + p.textContent.slice(0, 80)), tab: window.yuqian.ctx.tab }));
    throw new Error(`${e.message}; clicked ${JSON.stringify(onLine)}; page: ${JSON.stringify(seen)}`);
  });
  const listed = await page.$$eval('.stack-popup .pp-stack-list li', (lis) => lis.map((li) => li.className));
  assert.deepEqual(listed, [listed[0], 'pp-saved-loop'], `the list under the loop line: ${listed}`);
  assert.notEqual(listed[0], 'pp-saved-loop');
  assert.ok((await page.textContent('.stack-popup .pp-saved-loop')).includes(NAME), 'the list names the saved loop');
  await page.click('.stack-popup .pp-saved-loop button');
  await page.waitForFunction((id) => window.yuqian.ctx.tab === 'loops' && window.yuqian.loops.saved?.id === id, saved.id);

  // Open from the list (after clearing), rename and save: a PUT with the ETag read.
  await page.click('#loop-clear');
  assert.equal(await page.evaluate(() => window.yuqian.loops.saved), null);
  await page.click(`#loop-saved li[data-id="${saved.id}"] button`);
  await page.waitForFunction((id) => window.yuqian.loops.saved?.id === id, saved.id);
  const renamed = `${NAME} (冬季)`;
  await page.fill('#loop-name', renamed);
  await page.click('#loop-save');
  await page.waitForFunction(() => window.yuqian.loops.saved?.etag === '"v2"');
  const afterPut = await call(`/api/loops/${saved.id}`);
  assert.equal(afterPut.body.name, renamed);
  assert.equal(afterPut.etag, '"v2"');
  assert.equal(await page.textContent(`#loop-saved li[data-id="${saved.id}"] .saved-name`), renamed);

  // An unsaved edit of a saved loop lives in the URL too: a reload keeps it (and the loop's id).
  await page.click('#loop-stops li.loop-stop:nth-child(3) button.up');
  await waitPlanned(page);
  const edited = (await shown(page)).stops.map(stopKey);
  assert.notDeepEqual(edited, optimised.stops.map(stopKey));
  await page.waitForFunction((id) => window.location.hash.includes(`saved=${id}`) && window.location.hash.includes('loop='), saved.id);
  await page.reload();
  await waitReady(page);
  await waitPlanned(page);
  assert.deepEqual((await shown(page)).stops.map(stopKey), edited);
  assert.equal(await page.evaluate(() => window.yuqian.loops.saved?.etag), '"v2"');
  assert.match(await page.textContent('#loop-current'), /未保存/);

  // Someone else changes it: the page's ETag is stale, so saving gets 412 and offers a reload.
  const other = await call(`/api/loops/${saved.id}`, {
    method: 'PUT', headers: { 'if-match': '"v2"' },
    body: JSON.stringify({ ...afterPut.body.request, name: 'changed elsewhere', notes: '' }),
  });
  assert.equal(other.status, 200);
  await page.fill('#loop-name', 'my edit');
  await page.click('#loop-save');
  await page.waitForSelector('#loop-stale');
  assert.equal((await call(`/api/loops/${saved.id}`)).body.name, 'changed elsewhere', 'the stale edit overwrote the other one');
  await shot(page, 'loops-stale');
  await page.click('#loop-message-action');
  await page.waitForFunction(() => window.yuqian.loops.saved?.etag === '"v3"');
  assert.equal(await page.inputValue('#loop-name'), 'changed elsewhere');

  // Exports: the links fetch GPX (with every stop) and GeoJSON.
  const links = await page.evaluate(() => ({ gpx: document.querySelector('#loop-gpx').href, geojson: document.querySelector('#loop-geojson').href }));
  const gpx = await fetch(links.gpx);
  assert.equal(gpx.status, 200);
  assert.match(gpx.headers.get('content-type'), /application\/gpx\+xml/);
  const gpxText = await gpx.text();
  assert.match(gpxText, /<gpx[\s>]/);
  assert.equal((gpxText.match(/<wpt /g) ?? []).length, 4, 'the GPX does not hold the four stops');
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  for (const o of d.order.filter((x) => x.id)) assert.ok(gpxText.includes(esc(o.name_zh)) || gpxText.includes(esc(o.name_en)), `GPX lacks ${o.id}`);
  const wpts = [...gpxText.matchAll(/<wpt lat="([-\d.]+)" lon="([-\d.]+)">/g)].map((m) => [Number(m[2]), Number(m[1])]);
  assert.equal(wpts.length, optimised.stops.length);
  optimised.stops.forEach((st, i) => {
    assert.ok(Math.abs(wpts[i][0] - st.position[0]) < 1e-6 && Math.abs(wpts[i][1] - st.position[1]) < 1e-6,
      `GPX waypoint ${i + 1} ${wpts[i]} is not stop ${st.position}`);
  });
  writeFileSync(path.join(OUTPUT, 'loop.gpx'), gpxText);
  const gj = await fetch(links.geojson);
  assert.equal(gj.status, 200);
  assert.match(gj.headers.get('content-type'), /application\/geo\+json/);
  const collection = await gj.json();
  assert.equal(collection.type, 'FeatureCollection');
  assert.ok(collection.features.some((f) => f.geometry.type === 'LineString'));
  assert.equal(collection.features.filter((f) => f.geometry.type === 'Point').length, 4);

  // English: the panel follows the toggle.
  await page.click('#lang-toggle');
  assert.equal(await page.textContent('.tabs [data-tab="loops"]'), 'Loops');
  assert.equal(await page.textContent('#loop-optimise'), 'Optimise order');
  await shot(page, 'loops-en');
  await page.click('#lang-toggle');

  // Delete (after the confirm): gone from the API, the list and the map layer.
  await page.click('#loop-delete');
  await page.waitForFunction(() => window.yuqian.loops.saved === null);
  assert.equal((await call(`/api/loops/${saved.id}`)).status, 404);
  await page.waitForSelector('#loop-saved li.empty');
  await waitIdle(page);
  assert.equal(await page.evaluate(() => window.yuqian.map.queryRenderedFeatures({ layers: ['L:saved_loops:path'] }).length), 0);
  await context.close();
});

test('a loop in the URL is restored, and the tab fits a phone', { timeout: 120_000 }, async () => {
  const ids = features.filter((f) => f.properties.layer === 'attractions' && f.geometry.type === 'Point').slice(0, 3).map((f) => f.properties.id);
  const hash = `#tab=loops&loop=${ids.join(';')};106.700000,28.900000&lopt=open,first,straight`;
  const { page, context } = await openMap(browser, server.origin, { record, hash, viewport: { width: 390, height: 844 } });
  await waitPlanned(page);
  await waitIdle(page);
  const s = await shown(page);
  assert.deepEqual(s.stops.map(stopKey), [...ids, '106.700000,28.900000']);
  assert.equal(s.plan.roundtrip, false);
  assert.equal(s.plan.paths, 'straight');
  assert.ok(s.plan.legs.every((l) => !l.network));
  const direct = await call('/api/loops/plan', {
    method: 'POST',
    body: JSON.stringify({ stops: [...ids, [106.7, 28.9]], roundtrip: false, fixed_first: true, fixed_last: false, paths: 'straight', optimise: false }),
  });
  assert.equal(s.length_m, direct.body.properties.distance_m);
  assert.ok(await page.evaluate(() => window.yuqian.map.queryRenderedFeatures({ layers: ['loop:legs:straight'] }).length > 0), 'straight legs are not drawn dashed');
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    tabs: [...document.querySelectorAll('.tabs [role=tab]')].map((b) => b.getBoundingClientRect().right),
  }));
  assert.ok(layout.scrollWidth <= 390, `the phone page scrolls sideways (${layout.scrollWidth} px)`);
  assert.ok(Math.max(...layout.tabs) <= 390, 'the four tabs do not fit a phone');
  await shot(page, 'loops-390x844');
  await context.close();
});

test('with a write token on the server, saving asks for it and then saves', { timeout: 120_000 }, async () => {
  const token = 'sesame-123';
  const locked = await startServer({ env: { YUQIAN_WRITE_TOKEN: token } });
  const own = { requests: [], errors: [] };
  try {
    const ids = features.filter((f) => f.properties.layer === 'attractions' && f.geometry.type === 'Point').slice(0, 2).map((f) => f.properties.id);
    const { page, context } = await openMap(browser, locked.origin, { record: own, hash: `#tab=loops&loop=${ids.join(';')}` });
    await waitPlanned(page);
    await page.fill('#loop-name', 'locked loop');
    await page.click('#loop-save');
    await page.waitForSelector('#loop-token');
    assert.match(await page.textContent('#loop-message'), /Authorization: Bearer/, 'the 401 detail is not shown');
    assert.equal((await (await fetch(`${locked.origin}/api/loops`)).json()).loops.length, 0);
    await page.fill('#loop-token', token);
    await page.click('#loop-message button');
    await page.waitForFunction(() => window.yuqian.loops.saved?.etag === '"v1"');
    const loops = (await (await fetch(`${locked.origin}/api/loops`)).json()).loops;
    assert.deepEqual(loops.map((l) => l.name), ['locked loop']);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('yuqian.writeToken')), token);
    await shot(page, 'loops-token');
    await context.close();
  } finally {
    await locked.stop();
  }
  const outside = own.requests.filter((u) => !u.startsWith(`${locked.origin}/`) && !/^(data|blob):/.test(u));
  assert.deepEqual(outside, []);
  // The one 401 is the save without the token.
  assert.deepEqual(own.errors.filter((e) => !/status of 401/.test(e)), []);
});

test('loops: no request left the machine and the console stayed clean', () => {
  const outside = record.requests.filter((u) => !u.startsWith(`${server.origin}/`) && !/^(data|blob):/.test(u));
  assert.deepEqual(outside, [], 'requests to other origins');
  assert.ok(record.requests.some((u) => u.includes('/api/loops/plan')));
  // Chromium logs every non-2xx response; the one 412 is the stale edit this test provokes.
  const provoked = /Failed to load resource: the server responded with a status of 412/;
  assert.equal(record.errors.filter((e) => provoked.test(e)).length, 1, 'the stale save did not get its 412');
  assert.deepEqual(record.errors.filter((e) => !provoked.test(e)), []);
});
