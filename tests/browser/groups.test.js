// The counties coloured by their 一区两群 group, in Debian's Chromium: the layer list has a toggle
// and a legend of the three groups (from the style description's `fill_by`), the toggle shows
// and hides the fill, the fill under a county's seat is its group's colour, the URL keeps it, the
// legend follows the language, and a district pair's popup names the group of each side.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { OUTPUT, launchBrowser, openMap, startServer, waitIdle } from './harness.js';

const FILL = 'L:counties:fill-by';
// Points inside a county of each group (the district seats of 綦江, 万州 and 黔江).
const SEATS = [
  { name: '綦江区', at: [106.65, 29.03], group: 'metro' },
  { name: '万州区', at: [108.40, 30.80], group: 'northeast' },
  { name: '黔江区', at: [108.77, 29.53], group: 'southeast' },
];

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
  // The small fixture has two counties only (綦江 and 桐梓).
  shipped = layers.find((l) => l.id === 'counties').feature_count > 10;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** What the page shows of the fill: its visibility, the toggle, the legend, and the groups under the seats. */
const fillState = (page, seats) => page.evaluate(({ FILL, seats }) => {
  const { map } = window.yuqian;
  const block = document.querySelector('.fill-by[data-fill-by="counties"]');
  const under = {};
  for (const s of seats) {
    const [f] = map.queryRenderedFeatures(map.project(s.at), { layers: [FILL] });
    under[s.name] = f ? f.properties.group_id : null;
  }
  return {
    visibility: map.getLayoutProperty(FILL, 'visibility'),
    checked: block?.querySelector('input').checked ?? null,
    title: block?.querySelector('.fill-by-toggle span').textContent ?? null,
    legend: [...(block?.querySelectorAll('.fill-by-legend li') ?? [])].map((li) => ({
      value: li.dataset.value, text: li.textContent, colour: li.querySelector('rect').getAttribute('fill'),
    })),
    under,
    hash: window.location.hash,
  };
}, { FILL, seats });

test('the layer list toggles the counties’ 一区两群 colours, with a legend of the three groups', { timeout: 120_000 }, async () => {
  const fill = style.resolved_layers.counties.fill_by;
  assert.equal(fill.field, 'group_id');
  const seats = shipped ? SEATS : SEATS.slice(0, 1);
  const { page, context } = await openMap(browser, server.origin, { record, hash: '#map=6.6/29.7/107.6' });

  // Off by default: the legend is there, the fill is not drawn.
  let s = await fillState(page, seats);
  assert.equal(s.checked, false);
  assert.equal(s.visibility, 'none');
  assert.equal(s.title, fill.title_zh);
  assert.deepEqual(s.legend, fill.values.map((v) => ({ value: v.value, text: v.name_zh, colour: v.colour })));
  assert.deepEqual(s.legend.map((l) => l.text), ['主城都市区', '渝东北三峡库区城镇群', '渝东南武陵山区城镇群']);
  for (const seat of seats) assert.equal(s.under[seat.name], null, `${seat.name} is filled while the toggle is off`);

  // On: each seat lies on its group's fill.
  await page.click('.fill-by[data-fill-by="counties"] input');
  await waitIdle(page);
  s = await fillState(page, seats);
  assert.equal(s.checked, true);
  assert.equal(s.visibility, 'visible');
  for (const seat of seats) assert.equal(s.under[seat.name], seat.group, seat.name);
  assert.match(s.hash, /[#&]fill=counties(&|$)/);
  await shot(page, 'groups-on');

  // The URL restores it; the legend follows the language.
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  await waitIdle(page);
  s = await fillState(page, seats);
  assert.equal(s.checked, true);
  assert.equal(s.visibility, 'visible');
  await page.click('#lang-toggle');
  s = await fillState(page, seats);
  assert.equal(s.title, fill.title_en);
  assert.deepEqual(s.legend.map((l) => l.text), fill.values.map((v) => v.name_en));

  // Hiding the counties hides their fill too; showing them brings it back with the toggle still on.
  await page.click('.layer-row[data-layer="counties"] input');
  s = await fillState(page, []);
  assert.equal(s.visibility, 'none');
  await page.click('.layer-row[data-layer="counties"] input');
  s = await fillState(page, []);
  assert.equal(s.visibility, 'visible');

  // Off again.
  await page.click('.fill-by[data-fill-by="counties"] input');
  await waitIdle(page);
  s = await fillState(page, seats);
  assert.equal(s.checked, false);
  assert.equal(s.visibility, 'none');
  assert.match(s.hash, /[#&]fill=(&|$)/);
  await context.close();
});

test('a district pair’s popup names the 一区两群 group of both sides', { timeout: 120_000 }, async (t) => {
  if (!shipped) return t.skip('the small fixture has no district pairs');
  const { page, context } = await openMap(browser, server.origin, { record, hash: '#map=7/30.2/107.5' });
  await page.evaluate(() => window.yuqian.ctx.selectFeature('pair-liangjiang-wanzhou'));
  await page.waitForSelector('.feature-popup .pp-sides li');
  const sides = await page.$$eval('.feature-popup .pp-sides li', (lis) => lis.map((li) => ({
    group: li.dataset.group, text: li.textContent,
  })));
  assert.deepEqual(sides.map((s) => s.group), ['metro', 'northeast']);
  assert.match(sides[0].text, /两江新区.*新区\/开发区,非区县.*主城都市区/);
  assert.match(sides[1].text, /万州区.*渝东北三峡库区城镇群/);
  await shot(page, 'groups-pair-popup');

  // A 2012 friendship pair: the Guizhou side has no group, and says so.
  await page.evaluate(() => window.yuqian.ctx.selectFeature('pair-yq-qijiang-tongzi'));
  await page.waitForFunction(() => document.querySelector('.feature-popup .pp-sides')?.textContent.includes('桐梓'));
  const other = await page.$$eval('.feature-popup .pp-sides li', (lis) => lis.map((li) => li.textContent));
  assert.match(other[0], /綦江区.*主城都市区/);
  assert.match(other[1], /桐梓县.*不属“一区两群”/);
  await context.close();
});

test('groups: no request left the machine and the console stayed clean', () => {
  assert.deepEqual(record.errors, []);
  const foreign = record.requests.filter((u) => !u.startsWith(server.origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
});
