// The web map on vector tiles, in Debian's Chromium: every layer comes from /tiles (or from a
// PMTiles archive opened on the page), nothing on the page needs every feature, hover works by
// MVT id, a layer imported from OpenStreetMap gets its own style, and with 200,000 road lines
// added the first view downloads at most 3 MB.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OUTPUT, ROOT, dataDir, launchBrowser, openMap, startServer, waitIdle } from './harness.js';
import { ROADS_LAYER, writeRoadsData } from './roads.js';

/** The first view's download budget with the 200,000-line layer (issue 11). */
const FIRST_VIEW_BYTES = 3_000_000;
const BIN = process.env.YUQIAN_BIN ? path.resolve(process.env.YUQIAN_BIN) : path.join(ROOT, 'target', 'debug', 'yuqian');

let server;
let browser;
let scratch;
const record = { requests: [], errors: [] };
const shot = (page, name) => page.screenshot({ path: path.join(OUTPUT, `${name}.png`) });

before(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'yuqian-tiles-browser-'));
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const tileRequests = (urls) => urls.filter((u) => /\/tiles\/[^/]+\/\d+\/\d+\/\d+\.mvt$/.test(u));

test('every layer is drawn from vector tiles and the page fetches no whole layer', { timeout: 120_000 }, async () => {
  const catalogue = (await (await fetch(`${server.origin}/api/layers`)).json()).layers;
  const own = { requests: [], errors: [] };
  const { page, context } = await openMap(browser, server.origin, { record: own });
  const paths = own.requests.map((u) => new URL(u).pathname + new URL(u).search);
  assert.ok(tileRequests(own.requests).length > 0, 'no tile was requested');
  assert.ok(paths.includes('/api/style') && paths.includes('/api/annotations'), paths.join('\n'));
  // No listing of features at start: the map needs none (popups fetch one by id).
  assert.deepEqual(paths.filter((p) => p.startsWith('/api/features')), []);
  const sources = await page.evaluate(() => {
    const { map } = window.yuqian;
    const style = map.getStyle();
    const out = {};
    for (const l of style.layers) {
      const m = /^L:([^:]+):/.exec(l.id);
      if (!m) continue;
      (out[m[1]] ??= []).push({ id: l.id, source: l.source, sourceLayer: l['source-layer'], type: l.type });
    }
    return { byLayer: out, tiles: style.sources.tiles };
  });
  assert.equal(sources.tiles.type, 'vector');
  for (const layer of catalogue.filter((l) => l.feature_count)) {
    const drawn = (sources.byLayer[layer.id] ?? []).filter((l) => l.source === 'tiles');
    assert.ok(drawn.length > 0, `${layer.id} is not drawn from the tiles`);
    assert.ok(drawn.every((l) => l.sourceLayer === layer.id), `${layer.id}: ${JSON.stringify(drawn)}`);
  }
  // Nothing else draws a data layer from GeoJSON but the annotations and the query answers.
  for (const [id, list] of Object.entries(sources.byLayer)) {
    for (const l of list.filter((x) => x.source !== 'tiles')) {
      assert.ok(['annotations:labels', 'route-stops', 'loops:saved'].includes(l.source), `${id}: ${l.id} from ${l.source}`);
    }
  }
  await shot(page, 'tiles-overview');
  await context.close();
  record.errors.push(...own.errors);
});

test('hover lights a tile feature by its MVT id, and a click where tiles carry no string id opens its popup', { timeout: 120_000 }, async () => {
  const own = { requests: [], errors: [] };
  const { page, context } = await openMap(browser, server.origin, { record: own, hash: '#map=6.6/28.6/106.7' });
  const target = await page.evaluate(async () => {
    const { map } = window.yuqian;
    await new Promise((r) => { map.once('idle', r); map.triggerRepaint(); });
    const box = map.getCanvas().getBoundingClientRect();
    // A railway drawn at this zoom: its tile feature has an MVT id and no `id` property.
    for (const f of map.queryRenderedFeatures({ layers: ['L:railways:line'] })) {
      const line = f.geometry.type === 'LineString' ? f.geometry.coordinates : f.geometry.coordinates[0];
      const at = line[Math.floor(line.length / 2)];
      const p = map.project(at);
      if (p.x < 40 || p.y < 40 || p.x > box.width - 40 || p.y > box.height - 40) continue;
      const here = window.yuqian.ctx.featuresAt(p);
      if (here.length !== 1) continue;
      return { x: box.left + p.x, y: box.top + p.y, mvt: f.id, props: f.properties, sourceLayer: f.sourceLayer };
    }
    return null;
  });
  assert.ok(target, 'no railway alone under a point of the view');
  assert.equal(target.props.id, undefined, 'low-zoom tiles carry no string id');
  assert.equal(target.sourceLayer, 'railways');
  await page.mouse.move(target.x, target.y);
  await page.waitForFunction((mvt) => window.yuqian.map.getFeatureState({ source: 'tiles', sourceLayer: 'railways', id: mvt }).hover === true, target.mvt);
  await page.mouse.click(target.x, target.y);
  await page.waitForSelector('.feature-popup h3');
  const title = await page.textContent('.feature-popup h3');
  const byMvt = own.requests.find((u) => u.includes(`/api/features/mvt/${target.mvt}`));
  assert.ok(byMvt, 'the popup did not look the feature up by its MVT id');
  const feature = await (await fetch(byMvt)).json();
  assert.equal(feature.properties.layer, 'railways');
  assert.equal(title, feature.properties.name_zh);
  // The pointer leaves: the hover state goes.
  await page.mouse.move(2, 2);
  await page.waitForFunction((mvt) => !window.yuqian.map.getFeatureState({ source: 'tiles', sourceLayer: 'railways', id: mvt }).hover, target.mvt);
  await context.close();
  record.errors.push(...own.errors);
});

test('a PMTiles archive from `yuqian tiles export` opened on the page draws the map', { timeout: 180_000 }, async () => {
  const archive = path.join(scratch, 'yuqian.pmtiles');
  execFileSync(BIN, ['tiles', 'export', '--pmtiles', archive, '--maxzoom', '8', '--data', dataDir()], { stdio: 'pipe' });
  const own = { requests: [], errors: [] };
  const { page, context } = await openMap(browser, server.origin, { record: own, hash: '#map=7.5/28.7/106.7' });
  await page.setInputFiles('#pmtiles-file', archive);
  await page.waitForFunction(() => window.yuqian.map.getSource('tiles').url?.startsWith('pmtiles://'));
  await waitIdle(page);
  const before = tileRequests(own.requests).length;
  const drawn = await page.evaluate(async () => {
    const { map } = window.yuqian;
    map.jumpTo({ center: [106.9, 28.9], zoom: 8.2 });
    await new Promise((r) => { map.once('idle', r); map.triggerRepaint(); });
    const ids = (layer) => map.queryRenderedFeatures({ layers: [layer] }).length;
    return { railways: ids('L:railways:line'), counties: ids('L:counties:outline'), url: map.getSource('tiles').url };
  });
  assert.equal(tileRequests(own.requests).length, before, 'tiles still came from /tiles after opening the archive');
  assert.ok(drawn.railways > 0 && drawn.counties > 0, JSON.stringify(drawn));
  assert.match(await page.textContent('#pmtiles-status'), /yuqian\.pmtiles/);
  await shot(page, 'tiles-pmtiles');
  await context.close();
  record.errors.push(...own.errors);
});

/** Shipped data + 200,000 road lines + the OSM importer's layers from the test extract. */
async function bigData() {
  const dir = path.join(scratch, 'big');
  await writeRoadsData(dir, 200_000);
  const pbf = path.join(scratch, 'qijiang.osm.pbf');
  execFileSync('osmium', ['cat', path.join(ROOT, 'tests', 'fixtures', 'osm', 'qijiang.osm'), '-o', pbf, '--overwrite'], { stdio: 'pipe' });
  const osm = path.join(scratch, 'osm');
  execFileSync(BIN, ['import', 'osm', pbf, '--out', osm, '--boundaries', path.join(ROOT, 'geodata')], { stdio: 'pipe' });
  for (const f of readdirSync(osm).filter((f) => f.endsWith('.geojson'))) copyFileSync(path.join(osm, f), path.join(dir, f));
  writeFileSync(path.join(dir, 'layers.toml'), `${readFileSync(path.join(dir, 'layers.toml'), 'utf8')}\n${readFileSync(path.join(osm, 'layers.toml'), 'utf8')}`);
  return dir;
}

test('with 200,000 road lines and OSM layers added: the OSM layers get their style, and the first view downloads at most 3 MB', { timeout: 600_000 }, async () => {
  assert.ok(existsSync(BIN), `no server binary at ${BIN}`);
  const big = await startServer({ data: await bigData(), timeout_ms: 300_000 });
  try {
    const catalogue = (await (await fetch(`${big.origin}/api/layers`)).json()).layers;
    const osmLayers = catalogue.filter((l) => l.id.startsWith('osm_') && l.feature_count);
    assert.ok(osmLayers.some((l) => l.id === 'osm_highways'), catalogue.map((l) => l.id).join(','));
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const sizes = [];
    const errors = [];
    page.on('requestfinished', async (r) => {
      const s = await r.sizes().catch(() => null);
      if (s) sizes.push({ url: r.url(), bytes: s.responseBodySize + s.responseHeadersSize });
    });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message} ${(e.stack || '').split('\n').slice(0, 4).join(' | ')}`));
    await page.goto(`${big.origin}/`);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 240_000 });
    await page.waitForFunction(() => window.yuqian.map.loaded() && window.yuqian.map.areTilesLoaded(), null, { timeout: 240_000, polling: 200 });
    await new Promise((r) => setTimeout(r, 500));
    const total = sizes.reduce((a, s) => a + s.bytes, 0);
    const tiles = sizes.filter((s) => /\.mvt$/.test(s.url));
    const tileList = tiles.map((s) => `${s.url.replace(/^.*\/(\d+\/\d+\/\d+)\.mvt$/, '$1')} ${s.bytes}`).join(', ');
    console.log(`first view with ${ROADS_LAYER}: ${total} bytes in ${sizes.length} requests (${tiles.length} tiles, ${tiles.reduce((a, s) => a + s.bytes, 0)} bytes: ${tileList})`);
    assert.ok(total <= FIRST_VIEW_BYTES, `the first view downloaded ${total} bytes (budget ${FIRST_VIEW_BYTES})`);
    await shot(page, 'tiles-200k-roads');

    // The OSM layers are listed with their titles and drawn with their own style: highways
    // wider by class (osm_highway), no status dashes.
    const osm = await page.evaluate(() => {
      const { map, styleLayerIds } = window.yuqian;
      const listed = [...document.querySelectorAll('#layer-list .layer-row')].map((r) => r.dataset.layer);
      const line = map.getStyle().layers.find((l) => l.id === 'L:osm_highways:line');
      map.jumpTo({ center: [106.66, 28.96], zoom: 11 });
      return new Promise((resolve) => {
        map.once('idle', () => resolve({
          listed,
          width: JSON.stringify(line.paint['line-width']),
          dash: JSON.stringify(line.paint['line-dasharray']),
          drawn: map.queryRenderedFeatures({ layers: styleLayerIds('osm_highways').filter((s) => map.getLayer(s)) }).length,
        }));
        map.triggerRepaint();
      });
    });
    for (const l of osmLayers) assert.ok(osm.listed.includes(l.id), `${l.id} is not in the layer list`);
    assert.match(osm.width, /osm_highway/);
    assert.match(osm.width, /motorway/);
    assert.doesNotMatch(osm.dash, /status/);
    assert.ok(osm.drawn > 0, 'no OSM highway drawn at the extract');
    await shot(page, 'tiles-osm');
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await big.stop();
  }
});

test('tiles: no request left the machine and the console stayed clean', () => {
  assert.deepEqual(record.errors, []);
});
