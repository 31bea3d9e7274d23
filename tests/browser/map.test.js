// The web map in a real browser: Debian's Chromium, headless, WebGL through SwiftShader,
// against the already built server and the shipped data (see harness.js). Screenshots go to
// test-output/browser/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import geographiclib from 'geographiclib-geodesic';
import { OUTPUT, dataDir, launchBrowser, openMap, startServer, waitIdle, waitReady } from './harness.js';

const { Geodesic } = geographiclib;
const WGS84 = Geodesic.WGS84;

/** Geodesic metres from p to the geodesic a–b ([lon, lat]), by GeographicLib (independent of the page). */
function distanceToSegment_m(p, a, b) {
  const line = WGS84.InverseLine(a[1], a[0], b[1], b[0]);
  const at = (s) => {
    const q = line.Position(s, Geodesic.STANDARD | Geodesic.LONG_UNROLL);
    return WGS84.Inverse(p[1], p[0], q.lat2, q.lon2).s12;
  };
  const n = 24;
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i <= n; i += 1) {
    const d = at((line.s13 * i) / n);
    if (d < bestD) { bestD = d; best = i; }
  }
  let lo = (line.s13 * Math.max(0, best - 1)) / n;
  let hi = (line.s13 * Math.min(n, best + 1)) / n;
  for (let k = 0; k < 50; k += 1) {
    const m1 = lo + (hi - lo) / 3;
    const m2 = hi - (hi - lo) / 3;
    if (at(m1) < at(m2)) hi = m2; else lo = m1;
  }
  return Math.min(bestD, at((lo + hi) / 2));
}

/** Rows of a CSV text (RFC 4180 quoting). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else if (c !== '\r') field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function distanceToLine_m(p, parts) {
  const segments = parts.flatMap((part) => part.slice(1).map((b, i) => [part[i], b]));
  // Refine only the few segments nearest by a rough measure.
  const rough = (a, b) => Math.min(
    WGS84.Inverse(p[1], p[0], a[1], a[0]).s12, WGS84.Inverse(p[1], p[0], b[1], b[0]).s12,
    WGS84.Inverse(p[1], p[0], (a[1] + b[1]) / 2, (a[0] + b[0]) / 2).s12,
  ) - WGS84.Inverse(a[1], a[0], b[1], b[0]).s12;
  const nearest = segments.map((seg) => [rough(...seg), seg]).sort((x, y) => x[0] - y[0]).slice(0, 4);
  return Math.min(...nearest.map(([, seg]) => distanceToSegment_m(p, ...seg)));
}

let server;
let browser;
let catalogue;
let features;
const record = { requests: [], errors: [] };

const api = async (pathAndQuery, init) => {
  const r = await fetch(`${server.origin}${pathAndQuery}`, init);
  assert.equal(r.status, 200, `${pathAndQuery} answered ${r.status}`);
  return r.json();
};
const shot = (page, name) => page.screenshot({ path: path.join(OUTPUT, `${name}.png`) });

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  catalogue = (await api('/api/layers')).layers;
  features = (await api('/api/features?limit=10000')).features;
  console.log(`data: ${dataDir()} (${catalogue.length} layers, ${features.length} features); server ${server.origin}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (server) writeFileSync(path.join(OUTPUT, 'server.log'), server.log());
});

test('the page, its favicon and every layer draw, at desktop and phone sizes', { timeout: 180_000 }, async () => {
  for (const file of ['/', '/favicon.ico', '/favicon.svg']) {
    const r = await fetch(`${server.origin}${file}`);
    assert.equal(r.status, 200, `${file} answered ${r.status}`);
  }
  // The page runs under a Content-Security-Policy of its own origin only (a violation would
  // be a console error, which the last test refuses).
  const csp = (await fetch(`${server.origin}/`)).headers.get('content-security-policy');
  assert.match(csp, /^default-src 'self'; script-src 'self' 'sha256-[A-Za-z0-9+/=]+';/);
  assert.doesNotMatch(csp, /unsafe-eval|\*/);
  const { page, context } = await openMap(browser, server.origin, { record });
  await shot(page, 'overview-1280x800');
  assert.ok(await page.evaluate(() => Boolean(window.yuqian.map.painter.context.gl)), 'no WebGL context');

  // Every layer on, then each non-empty layer framed alone: it must have drawn features.
  await page.evaluate((ids) => ids.forEach((id) => window.yuqian.ctx.setLayerVisible(id, true)), catalogue.map((l) => l.id));
  for (const layer of catalogue.filter((l) => l.feature_count > 0)) {
    const drawn = await page.evaluate(async ({ id, bbox }) => {
      const { map, styleLayerIds } = window.yuqian;
      map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { animate: false, padding: 40, maxZoom: 11 });
      await new Promise((r) => { map.once('idle', r); map.triggerRepaint(); });
      const layers = styleLayerIds(id).filter((s) => map.getLayer(s));
      const found = map.queryRenderedFeatures({ layers });
      return {
        styleLayers: layers.length,
        // Low-zoom tiles carry the MVT id only.
        ids: [...new Set(found.map((f) => f.properties.id ?? f.properties.stop ?? (f.id === undefined ? null : `mvt:${f.id}`)).filter(Boolean))],
      };
    }, { id: layer.id, bbox: layer.bbox });
    assert.ok(drawn.styleLayers > 0, `layer ${layer.id} has no style layer`);
    assert.ok(drawn.ids.length > 0, `layer ${layer.id} (${layer.feature_count} features) drew nothing`);
  }
  await context.close();

  const phone = await openMap(browser, server.origin, { record, viewport: { width: 390, height: 844 } });
  await shot(phone.page, 'overview-390x844');
  const layout = await phone.page.evaluate(() => {
    const r = (sel) => document.querySelector(sel).getBoundingClientRect();
    return { scrollWidth: document.documentElement.scrollWidth, map: r('#map'), panel: r('#panel'), search: r('#search-input') };
  });
  assert.ok(layout.scrollWidth <= 390, `the phone page scrolls sideways (${layout.scrollWidth} px)`);
  assert.ok(layout.map.height >= 300, `the map is only ${layout.map.height} px high on a phone`);
  assert.ok(layout.panel.top >= layout.map.bottom - 1, 'the panel overlaps the map on a phone');
  assert.ok(layout.search.width >= 300, 'the search box is cramped on a phone');
  await phone.context.close();
});

test('a click lists the nearby features with the API’s geodesic distances; a result flies to its feature', { timeout: 120_000 }, async () => {
  const { page, context } = await openMap(browser, server.origin, { record });
  await page.click('.tabs [data-tab="nearby"]');
  // Click 40 px off a thematic point so the nearest distance is not zero.
  const target = features.find((f) => f.geometry.type === 'Point' && !catalogue.find((l) => l.id === f.properties.layer).boundary);
  const pixel = await page.evaluate(async (at) => {
    const { map } = window.yuqian;
    map.jumpTo({ center: at, zoom: 9.5 });
    await new Promise((r) => { map.once('idle', r); map.triggerRepaint(); });
    const p = map.project(at);
    const box = map.getCanvas().getBoundingClientRect();
    return { x: box.left + p.x + 40, y: box.top + p.y + 20 };
  }, target.geometry.coordinates);
  await page.mouse.click(pixel.x, pixel.y);
  await page.waitForSelector('#nearby-results li[data-id]');
  await waitIdle(page);
  const shown = await page.evaluate(() => ({
    params: window.yuqian.nearby.last.params,
    items: [...document.querySelectorAll('#nearby-results li[data-id]')].map((li) => ({ id: li.dataset.id, distance_m: Number(li.dataset.distanceM) })),
    circle: window.yuqian.map.queryRenderedFeatures({ layers: ['tool:near-circle:line'] }).length,
  }));
  const clicked = await page.evaluate(({ x, y }) => {
    const { map } = window.yuqian;
    const box = map.getCanvas().getBoundingClientRect();
    return map.unproject([x - box.left, y - box.top]).toArray();
  }, pixel);
  assert.ok(Math.abs(clicked[0] - shown.params.lon) < 1e-5 && Math.abs(clicked[1] - shown.params.lat) < 1e-5,
    `the query point ${shown.params.lon},${shown.params.lat} is not the clicked point ${clicked}`);
  assert.ok(shown.circle > 0, 'the radius circle is not drawn');

  const q = new URLSearchParams({ lon: shown.params.lon, lat: shown.params.lat, k: shown.params.k, radius_m: shown.params.radius_m });
  if (shown.params.layers.length) q.set('layers', shown.params.layers.join(','));
  const answer = await api(`/api/nearby?${q}`);
  assert.ok(answer.features.length > 0, 'the API found nothing near a feature');
  assert.deepEqual(shown.items, answer.features.map((f) => ({ id: f.properties.id, distance_m: f.properties.distance_m })));
  assert.ok(shown.items[0].distance_m > 0);
  await shot(page, 'nearby');

  // The first result: the map flies there and opens its popup.
  const first = answer.features[0];
  await page.click(`#nearby-results li[data-id="${first.properties.id}"] button`);
  await page.waitForSelector('.feature-popup h3');
  await waitIdle(page);
  const after = await page.evaluate(() => ({
    title: document.querySelector('.feature-popup h3').textContent,
    bounds: window.yuqian.map.getBounds().toArray(),
  }));
  assert.equal(after.title, first.properties.name_zh);
  const [lon, lat] = first.properties.nearest;
  assert.ok(lon >= after.bounds[0][0] && lon <= after.bounds[1][0] && lat >= after.bounds[0][1] && lat <= after.bounds[1][1],
    'the map did not fly to the chosen result');
  await context.close();
});

test('a corridor along a line feature, and along a drawn line, highlights exactly what the API returns', { timeout: 120_000 }, async () => {
  const { page, context } = await openMap(browser, server.origin, { record });
  await page.click('.tabs [data-tab="corridor"]');
  const lineLayers = ['railways', 'highways', ...catalogue.filter((l) => !l.boundary && l.geometry.includes('line')).map((l) => l.id)];
  const axis = lineLayers.map((id) => features.find((f) => f.properties.layer === id && /LineString/.test(f.geometry.type))).find(Boolean);
  assert.ok(axis, 'no line feature in the data');
  await page.fill('#corridor-width', '8');
  await page.selectOption('#corridor-feature', axis.properties.id);
  await page.waitForFunction((id) => window.yuqian.corridor.last?.axis.id === id, axis.properties.id);
  await waitIdle(page);

  const check = async (label, fetchAnswer) => {
    const shown = await page.evaluate(() => {
      const { map, corridor } = window.yuqian;
      const hl = map.getStyle().layers.filter((l) => l.id.startsWith('hl:corridor:')).map((l) => l.id);
      return {
        filter: corridor.last.filter,
        width_m: corridor.last.width_m,
        axis: corridor.last.axis,
        listed: [...document.querySelectorAll('#corridor-results li[data-id]')].map((li) => ({
          id: li.dataset.id, distance_m: Number(li.dataset.distanceM), chainage_m: Number(li.dataset.chainageM),
        })),
        highlighted: [...new Set(map.queryRenderedFeatures({ layers: hl }).map((f) => f.properties.id))].sort(),
        band: map.queryRenderedFeatures({ layers: ['tool:band:fill'] }).length,
      };
    });
    const answer = await fetchAnswer(shown);
    const ids = answer.features.map((f) => f.properties.id);
    assert.ok(ids.length > 0, `${label}: the API found nothing in the corridor`);
    assert.deepEqual(shown.highlighted, [...ids].sort(), `${label}: the highlighted features are not the API's`);
    const byId = new Map(answer.features.map((f) => [f.properties.id, f.properties]));
    assert.equal(shown.listed.length, ids.length, `${label}: the list does not hold every feature`);
    for (const item of shown.listed) {
      assert.equal(item.distance_m, byId.get(item.id).distance_m);
      assert.equal(item.chainage_m, byId.get(item.id).chainage_m);
    }
    assert.ok(shown.band > 0, `${label}: no corridor band drawn`);
    return shown;
  };

  const byFeature = await check('feature', (s) => {
    assert.equal(s.width_m, 8000);
    const q = new URLSearchParams({ feature: axis.properties.id, width_m: s.width_m });
    if (s.filter.layers.length) q.set('layers', s.filter.layers.join(','));
    return api(`/api/corridor?${q}`);
  });
  await shot(page, 'corridor-feature');

  // The list as CSV: one row per feature, with the API's chainage and offset.
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#corridor-csv')]);
  const csvFile = path.join(OUTPUT, 'corridor.csv');
  await csvDownload.saveAs(csvFile);
  const csvRows = parseCsv(readFileSync(csvFile, 'utf8').replace(/^\ufeff/, ''));
  assert.deepEqual(csvRows[0].slice(0, 3), ['id', 'name_zh', 'name_en']);
  const column = (name) => csvRows[0].indexOf(name);
  const fromCsv = csvRows.slice(1).map((r) => [r[0], Number(r[column('chainage_m')]), Number(r[column('distance_m')])]);
  const listed = byFeature.listed.map((item) => [item.id, item.chainage_m, item.distance_m]);
  const byIdOrder = (a, b) => (a[0] < b[0] ? -1 : 1);
  assert.deepEqual([...fromCsv].sort(byIdOrder), [...listed].sort(byIdOrder));

  // The band is geodesic: every vertex of its outline lies at the width from the axis, measured
  // by GeographicLib (a band buffered in degrees would be off by ~12 % east–west here).
  const { band, parts } = await page.evaluate(() => ({
    band: window.yuqian.corridor.last.band,
    parts: ((g) => (g.type === 'LineString' ? [g.coordinates] : g.coordinates))(window.yuqian.corridor.last.axisGeometry),
  }));
  const vertices = band.coordinates.flat(2);
  const step = Math.max(1, Math.floor(vertices.length / 120));
  let worst = 0;
  for (let i = 0; i < vertices.length; i += step) {
    const d = distanceToLine_m(vertices[i], parts);
    worst = Math.max(worst, Math.abs(d - 8000));
  }
  console.log(`corridor band: ${vertices.length} vertices, the farthest checked is ${worst.toFixed(2)} m off 8 km`);
  assert.ok(worst < 8000 * 0.005, `a band vertex lies ${worst.toFixed(1)} m off the 8 km width`);

  // Draw a line with three clicks and Enter.
  await page.click('#corridor-draw');
  const box = await page.locator('#map canvas').boundingBox();
  for (const [fx, fy] of [[0.3, 0.35], [0.5, 0.55], [0.72, 0.5]]) {
    await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
    await page.waitForTimeout(350); // not a double click
  }
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.yuqian.corridor.last?.axis.kind === 'line');
  await waitIdle(page);
  const drawn = await check('drawn line', (s) => {
    assert.equal(s.axis.coordinates.length, 3);
    const body = { line: { type: 'LineString', coordinates: s.axis.coordinates }, width_m: s.width_m };
    if (s.filter.layers.length) body.layers = s.filter.layers;
    return api('/api/corridor', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  });
  assert.ok(drawn.listed.length >= 1);
  assert.ok(byFeature.listed.length >= 1);
  await shot(page, 'corridor-drawn');

  // Pick a line on the map: click the middle of the first segment of the feature's line.
  await page.click('#corridor-pick');
  const [a, b] = (axis.geometry.type === 'LineString' ? axis.geometry.coordinates : axis.geometry.coordinates[0]).slice(0, 2);
  const mid = await page.evaluate(async ([p, q]) => {
    const { map } = window.yuqian;
    map.jumpTo({ center: [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2], zoom: 11 });
    await new Promise((r) => { map.once('idle', r); map.triggerRepaint(); });
    const px = map.project([(p[0] + q[0]) / 2, (p[1] + q[1]) / 2]);
    const box = map.getCanvas().getBoundingClientRect();
    return { x: box.left + px.x, y: box.top + px.y };
  }, [a, b]);
  const under = await page.evaluate(({ x, y }) => {
    const { ctx, map } = window.yuqian;
    const box = map.getCanvas().getBoundingClientRect();
    return ctx.featuresAt({ x: x - box.left, y: y - box.top }).map((f) => f.properties.id);
  }, mid);
  await page.mouse.click(mid.x, mid.y);
  await page.waitForFunction(() => window.yuqian.corridor.last?.axis.kind === 'feature');
  const picked = await page.evaluate(() => window.yuqian.corridor.last.axis.id);
  assert.ok(under.includes(picked), `picked ${picked}, which is not under the click (${under})`);
  await context.close();
});

test('reloading the URL restores position, zoom, layers, language and corridor', { timeout: 120_000 }, async () => {
  const { page, context } = await openMap(browser, server.origin, { record });
  const axis = features.find((f) => f.properties.layer === 'railways' && /LineString/.test(f.geometry.type))
    ?? features.find((f) => /LineString/.test(f.geometry.type) && !catalogue.find((l) => l.id === f.properties.layer).boundary);
  const hidden = catalogue.find((l) => !l.boundary && l.feature_count && l.id !== axis.properties.layer);
  await page.click(`.layer-row[data-layer="${hidden.id}"] input`);
  await page.click('.tabs [data-tab="corridor"]');
  await page.fill('#corridor-width', '3');
  await page.selectOption('#corridor-feature', axis.properties.id);
  await page.waitForFunction((id) => window.yuqian.corridor.last?.axis.id === id, axis.properties.id);
  await page.evaluate(async () => {
    const { map } = window.yuqian;
    map.jumpTo({ center: [106.912345, 28.456789], zoom: 8.37 });
    await new Promise((r) => { map.once('idle', r); map.triggerRepaint(); });
  });
  await page.waitForFunction(() => window.location.hash.includes('map=8.37/'));
  const state = (p = page) => p.evaluate(() => {
    const { map, ctx, corridor } = window.yuqian;
    return {
      center: map.getCenter().toArray(),
      zoom: map.getZoom(),
      visible: [...ctx.visible].sort(),
      tab: ctx.tab,
      corridor: corridor.toUrl(),
      width_m: corridor.width_m(),
      results: corridor.last?.response.features.map((f) => f.properties.id) ?? [],
    };
  });
  const before = await state();
  assert.ok(!before.visible.includes(hidden.id));
  const url = page.url();
  await page.reload();
  await waitReady(page);
  await page.waitForFunction(() => window.yuqian.corridor.last);
  const restored = await state();
  assert.equal(page.url(), url);
  assert.ok(Math.abs(restored.center[0] - before.center[0]) < 1e-4 && Math.abs(restored.center[1] - before.center[1]) < 1e-4,
    `centre ${restored.center} is not ${before.center}`);
  assert.ok(Math.abs(restored.zoom - before.zoom) < 0.01, `zoom ${restored.zoom} is not ${before.zoom}`);
  assert.deepEqual(restored.visible, before.visible);
  assert.equal(restored.tab, 'corridor');
  assert.equal(restored.corridor, `f:${axis.properties.id}`);
  assert.equal(restored.width_m, 3000);
  assert.deepEqual(restored.results, before.results);
  await shot(page, 'restored-from-url');

  // A fresh page at the same URL (as a shared link) shows the same.
  const shared = await openMap(browser, server.origin, { record, hash: new URL(url).hash });
  await shared.page.waitForFunction(() => window.yuqian.corridor.last);
  const fresh = await state(shared.page);
  assert.deepEqual(fresh.visible, before.visible);
  assert.equal(fresh.corridor, before.corridor);
  assert.ok(Math.abs(fresh.zoom - before.zoom) < 0.01);
  await shared.context.close();
  await context.close();
});

test('the English toggle changes the labels and the interface; search opens a popup', { timeout: 120_000 }, async () => {
  const town = features.find((f) => f.properties.layer === 'towns' && f.properties.kind === 'county_seat')
    ?? features.find((f) => f.properties.layer === 'towns');
  const hash = town ? `#map=9/${town.geometry.coordinates[1]}/${town.geometry.coordinates[0]}` : '';
  const { page, context } = await openMap(browser, server.origin, { record, hash });
  const labels = () => page.evaluate(() => {
    const { map, ctx } = window.yuqian;
    const placed = map.queryRenderedFeatures({ layers: ctx.labelLayerIds.filter((id) => map.getLayoutProperty(id, 'visibility') !== 'none') });
    return {
      fields: [...new Set(ctx.labelLayerIds.map((id) => JSON.stringify(map.getLayoutProperty(id, 'text-field'))))],
      placed: placed.length,
      title: document.querySelector('h1').textContent,
      firstLayer: document.querySelector('.layer-row .layer-title').textContent,
      lang: document.documentElement.lang,
    };
  });
  const zh = await labels();
  assert.deepEqual(zh.fields, [JSON.stringify(['get', 'name_zh'])]);
  assert.ok(zh.placed > 0, 'no label is drawn');
  assert.equal(zh.firstLayer, catalogue[0].title_zh);
  await shot(page, 'labels-zh');
  await page.click('#lang-toggle');
  await waitIdle(page);
  const en = await labels();
  assert.deepEqual(en.fields, [JSON.stringify(['get', 'name_en'])]);
  assert.ok(en.placed > 0);
  assert.notEqual(en.title, zh.title);
  assert.equal(en.firstLayer, catalogue[0].title_en);
  assert.equal(en.lang, 'en');
  assert.match(page.url(), /lang=en/);
  await shot(page, 'labels-en');

  // Search in English mode: a name typed in Chinese still finds it; choosing it opens its popup.
  const target = town ?? features[0];
  await page.fill('#search-input', target.properties.name_zh);
  await page.waitForSelector(`#search-results li[data-id="${target.properties.id}"]`);
  await page.dispatchEvent(`#search-results li[data-id="${target.properties.id}"]`, 'mousedown');
  await page.waitForSelector('.feature-popup h3');
  const popup = await page.evaluate(() => document.querySelector('.feature-popup').innerText);
  assert.match(popup, new RegExp(target.properties.name_en.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.match(popup, /Status/);
  assert.match(popup, /Source/);
  assert.match(popup, /Accuracy/);
  await waitIdle(page);
  await shot(page, 'popup-en');
  await context.close();
});

test('a popup quotes the words of the text a status rests on', { timeout: 60_000 }, async (t) => {
  const target = features.find((f) => f.properties.id === 'rail-ganshui-north' && f.properties.status_basis)
    ?? features.find((f) => f.properties.status_basis);
  if (!target) { t.skip('no feature of this data carries status_basis'); return; }
  const { page, context } = await openMap(browser, server.origin, { record });
  await page.fill('#search-input', target.properties.name_zh);
  await page.waitForSelector(`#search-results li[data-id="${target.properties.id}"]`);
  await page.dispatchEvent(`#search-results li[data-id="${target.properties.id}"]`, 'mousedown');
  await page.waitForSelector('.feature-popup .pp-basis');
  const shown = await page.evaluate(() => ({
    title: document.querySelector('.feature-popup h3').textContent,
    basis: document.querySelector('.feature-popup .pp-basis').textContent,
  }));
  assert.equal(shown.title, target.properties.name_zh);
  assert.equal(shown.basis, target.properties.status_basis);
  await waitIdle(page);
  await shot(page, 'popup-status-basis');
  await context.close();
});

test('the map saves as a PNG', { timeout: 60_000 }, async () => {
  const { page, context } = await openMap(browser, server.origin, { record });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-png')]);
  const file = path.join(OUTPUT, 'saved-map.png');
  await download.saveAs(file);
  const { readFileSync } = await import('node:fs');
  const png = readFileSync(file);
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.ok(png.length > 20_000, `the PNG is only ${png.length} bytes`);
  // Width and height from the IHDR chunk: the map canvas plus the title and sources bands.
  assert.equal(png.readUInt32BE(16), await page.evaluate(() => window.yuqian.map.getCanvas().width));
  await context.close();
});

test('no request left the machine and the console stayed clean', () => {
  writeFileSync(path.join(OUTPUT, 'requests.txt'), `${record.requests.join('\n')}\n`);
  const outside = record.requests.filter((u) => !u.startsWith(`${server.origin}/`) && !/^(data|blob):/.test(u));
  assert.deepEqual(outside, [], 'requests to other origins');
  assert.ok(record.requests.length > 10, 'too few requests recorded to mean anything');
  assert.deepEqual(record.errors, []);
});
