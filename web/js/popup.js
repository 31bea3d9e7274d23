// The popup of one feature: name in both languages, layer, status (with the words of the text it
// rests on, `status_basis`, or what else it rests on, `status_from`), provinces, accuracy, source
// section and provenance, a route's stops; buttons to start a nearby or corridor query.

import { h } from './ui.js';
import { t, getLang, layerTitle, provinceLabel, accuracyLabel, featureName, featureOtherName } from './i18n.js';
import { layerSwatch, statusBadge } from './layerpanel.js';

const SHOWN_ELSEWHERE = new Set([
  'id', 'layer', 'name_zh', 'name_en', 'status', 'status_basis', 'status_from', 'provinces', 'source',
  'accuracy', 'provenance', 'location_known', 'uncertainty_km',
  'stops', 'roundtrip', 'distance_m', 'nearest', 'chainage_m', 'waypoints', 'partner_towns', 'county',
  'sides', 'pairing',
]);

/**
 * The sides of a district pair, each with its 一区两群 group: "两江新区 (new area, not a county) —
 * 主城都市区".
 */
function sidesList(sides) {
  const zh = getLang() === 'zh';
  return h('ul', { class: 'pp-sides' }, sides.map((s) => {
    const note = s.kind === 'new_area' ? t('side.new_area') : s.kind === 'prefecture' ? t('side.prefecture') : null;
    const group = s.group_id ? (zh ? s.group_zh : s.group_en) : t('side.no_group');
    return h('li', { dataset: { group: s.group_id ?? '' } },
      h('strong', {}, featureName(s)), note ? h('span', { class: 'muted' }, ` (${note})`) : null,
      ' — ', h('span', { class: 'pp-group' }, group));
  }));
}

function value(v) {
  if (Array.isArray(v)) return v.map(value).join('、');
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * The popup body for several features at one position (a stack: items shown at the town or seat
 * they belong to): one button per feature, which opens its own popup. `hits` as
 * ctx.featuresAt gives them; `open(hit)` opens one.
 */
export function stackContent(ctx, hits, open) {
  const items = hits.map((hit) => {
    const p = hit.properties;
    if (p.loop !== undefined) {
      // A saved loop under the pointer (app.js): opens in the loop tab.
      return h('li', { class: 'pp-saved-loop' },
        h('button', { type: 'button', class: 'link', onclick: () => open(hit) },
          h('span', { class: 'swatch saved-loop-swatch' }), t('popup.savedLoop', { name: p.name_zh })));
    }
    const layer = ctx.layerById.get(p.layer);
    const label = h('span', {}, p.name_zh || p.name_en ? featureName(p) : '…');
    if (!p.name_zh && !p.name_en) {
      ctx.features.resolve(hit).then((f) => { if (f) label.textContent = featureName(f.properties); }).catch(() => {});
    }
    return h('li', { class: p.location_known === false ? 'pp-unlocated' : 'pp-located' },
      h('button', { type: 'button', class: 'link', onclick: () => open(hit) },
        layer ? layerSwatch(layer) : null, label));
  });
  return h('div', { class: 'pp pp-stack' },
    h('h3', {}, t('popup.stack', { n: hits.length })),
    h('ul', { class: 'pp-stack-list' }, items));
}

/**
 * The popup body for feature `f` (as served). `actions` holds callbacks:
 * {nearby(feature), corridor(feature), select(id)}.
 */
export function popupContent(ctx, f, actions) {
  const p = f.properties;
  const layer = ctx.layerById.get(p.layer);
  const rows = [];
  const row = (label, content, cls) => rows.push(h('dt', {}, label), h('dd', { class: cls }, content));
  row(t('popup.status'), [
    statusBadge(p.status),
    // The quote is the text's own words (Chinese in both interface languages).
    p.status_basis ? h('q', { class: 'pp-basis', lang: 'zh', title: t('popup.statusBasis') }, p.status_basis) : null,
    p.status_from ? h('span', { class: 'pp-status-from muted' }, p.status_from) : null,
  ]);
  row(t('popup.provinces'), (p.provinces ?? []).map(provinceLabel).join('、'));
  row(t('popup.accuracy'), [h('span', { class: `acc acc-${p.accuracy}` }, accuracyLabel(p.accuracy)),
    h('span', { class: 'muted' }, ` · ${t(`accuracy.${p.accuracy}.long`)}`)]);
  if (typeof p.location_known === 'boolean') {
    const km = p.uncertainty_km ?? '?';
    row(t('popup.location_known'), p.location_known ? t('popup.location_known_within', { km })
      : t('popup.location_unknown', { km }), p.location_known ? 'pp-located' : 'pp-unlocated');
  }
  if (p.kind) row(t('popup.kind'), value(p.kind));
  if (Array.isArray(p.sides) && p.sides.length) row(t('popup.sides'), sidesList(p.sides));
  for (const [k, v] of Object.entries(p)) {
    if (SHOWN_ELSEWHERE.has(k) || k === 'kind' || k === 'notes' || v === null || v === '' ||
      (Array.isArray(v) && !v.length)) continue;
    row(k.replace(/_/g, ' '), value(v), 'free');
  }
  if (Array.isArray(p.stops) && p.stops.length) {
    row(t('popup.stops'), h('ol', { class: 'stops' }, p.stops.map((id) => {
      const stop = ctx.features.peek(id)?.properties ?? ctx.stopInfo.get(id);
      return h('li', {}, stop
        ? h('button', { type: 'button', class: 'link', onclick: () => actions.select(id) }, featureName(stop))
        : id);
    })));
    row('', p.roundtrip ? t('popup.roundtrip') : t('popup.oneway'));
  }
  row(t('popup.source'), value(p.source), 'source');
  const isLine = /LineString/.test(f.geometry?.type ?? '');
  return h('div', { class: 'pp' },
    h('div', { class: 'pp-layer' }, layer ? layerSwatch(layer) : null, layer ? layerTitle(layer) : p.layer),
    h('h3', {}, featureName(p)),
    h('div', { class: 'pp-alt' }, featureOtherName(p)),
    h('dl', {}, rows),
    p.notes ? h('p', { class: 'pp-notes' }, value(p.notes)) : null,
    p.provenance ? h('details', { class: 'pp-prov' }, h('summary', {}, t('popup.provenance')), h('p', {}, value(p.provenance))) : null,
    h('div', { class: 'pp-actions' },
      h('button', { type: 'button', class: 'btn small', onclick: () => actions.nearby(f) }, t('popup.nearby')),
      isLine ? h('button', { type: 'button', class: 'btn small', onclick: () => actions.corridor(f) }, t('popup.corridor')) : null),
  );
}
