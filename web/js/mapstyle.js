// The map's look: a colour per layer, status drawn by dash pattern (lines and outlines) and by
// fill (points), and the MapLibre style layers built for whatever layers /api/layers lists.
// No glyph server: `glyphs` is omitted, so MapLibre draws labels with local fonts (GL JS ≥ 5.11).

import { STATUSES } from './i18n.js';

export const FONT = ['Noto Sans CJK SC', 'sans-serif'];
export const FONT_BOLD = ['Noto Sans CJK SC Bold', 'Noto Sans CJK SC', 'sans-serif'];

/** Designed colours for the layers we know; others get one from PALETTE by name. */
const LAYER_COLOURS = {
  provinces: '#8a7b66',
  counties: '#a89f90',
  rivers: '#5b9bd5',
  reservoirs: '#2f78c4',
  water_works: '#1692a8',
  district_pairs: '#9a86c9',
  town_partnerships: '#5f7f99',
  tourist_routes: '#e07b22',
  highways: '#d4542b',
  railways: '#33334d',
  ports_waterways: '#1f4e8c',
  energy: '#d9a200',
  industrial_parks: '#b0427a',
  logistics: '#8c5a2b',
  digital_infrastructure: '#0c9d8f',
  agriculture: '#5d9c3a',
  commerce: '#e0605c',
  public_services: '#4f7fd9',
  transport_hubs: '#6c4fb0',
  railway_stations: '#33334d',
  attractions: '#2e8b57',
  towns: '#3a3a3a',
};
const PALETTE = ['#c0392b', '#8e44ad', '#16a085', '#d35400', '#2c3e50', '#27ae60', '#7f8c8d', '#b7950b'];
/** Colours of individual tourist routes, in the order they are served. */
export const ROUTE_COLOURS = ['#e07b22', '#c2185b', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457', '#5d4037', '#283593', '#9e9d24'];

/** Layers that make the base map: drawn plainly, listed apart in the layer list. */
export const BASE_LAYERS = new Set(['provinces', 'counties', 'rivers', 'towns']);
/** Layers off until switched on (busy or of interest to few). */
export const OFF_BY_DEFAULT = new Set(['district_pairs', 'town_partnerships']);

export const BACKGROUND = '#e3e8ea';
export const PROVINCE_FILL = { chongqing: '#fbf8f1', guizhou: '#f3f6ec' };
export const BORDER_COLOUR = '#b3245a';

export function layerColour(id) {
  if (LAYER_COLOURS[id]) return LAYER_COLOURS[id];
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** Dash pattern per status, in line widths (shared with the legend). */
export const STATUS_DASH = {
  existing: null,
  under_construction: [4, 1.4],
  planned: [2, 1.6],
  preparatory: [3.2, 1.2, 0.8, 1.2],
  under_study: [0.7, 1.5],
  unknown: null,
};
/** Opacity per status of lines and outlines. */
export const STATUS_OPACITY = {
  existing: 1, under_construction: 1, planned: 0.95, preparatory: 0.95, under_study: 0.85, unknown: 0.7,
};

export function dashExpression() {
  const expr = ['match', ['get', 'status']];
  for (const s of STATUSES) if (STATUS_DASH[s]) expr.push(s, ['literal', STATUS_DASH[s]]);
  expr.push(['literal', [1, 0]]);
  return expr;
}

function opacityExpression() {
  const expr = ['match', ['get', 'status']];
  for (const s of STATUSES) expr.push(s, STATUS_OPACITY[s]);
  expr.push(1);
  return expr;
}

/** Point symbol per status: fill, ring colour and ring width (shared with the legend). */
export function pointStatusStyle(status, colour) {
  switch (status) {
    case 'existing': return { fill: colour, stroke: '#ffffff', strokeWidth: 1.5, opacity: 1 };
    case 'under_construction': return { fill: colour, stroke: '#1d1d1d', strokeWidth: 2, opacity: 1 };
    case 'planned': return { fill: '#ffffff', stroke: colour, strokeWidth: 2.5, opacity: 1 };
    case 'preparatory': return { fill: withAlpha(colour, 0.4), stroke: colour, strokeWidth: 2.5, opacity: 1 };
    case 'under_study': return { fill: '#ffffff', stroke: withAlpha(colour, 0.75), strokeWidth: 1.5, opacity: 1 };
    default: return { fill: withAlpha(colour, 0.65), stroke: '#ffffff', strokeWidth: 1, opacity: 1 };
  }
}

export function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

function pointPaint(colour, radius) {
  const part = (key) => {
    const expr = ['match', ['get', 'status']];
    for (const s of STATUSES) expr.push(s, pointStatusStyle(s, colour)[key]);
    expr.push(pointStatusStyle('unknown', colour)[key]);
    return expr;
  };
  return {
    'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, radius * 0.75, 10, radius * 1.25, 14, radius * 1.8],
    'circle-color': part('fill'),
    'circle-stroke-color': part('stroke'),
    'circle-stroke-width': part('strokeWidth'),
    'circle-pitch-alignment': 'map',
  };
}

const widthByZoom = (w) => ['interpolate', ['linear'], ['zoom'], 5, w * 0.6, 8, w, 11, w * 1.5, 14, w * 2.2];

/** Base width (px at zoom 8) of a layer's lines. */
function lineWidth(id) {
  return { highways: 2.2, railways: 2.4, tourist_routes: 2.6, district_pairs: 1.4, town_partnerships: 1.4, rivers: 1.6 }[id] ?? 2;
}

export const labelField = (lang) => ['get', lang === 'zh' ? 'name_zh' : 'name_en'];

const isPolygon = ['==', ['geometry-type'], 'Polygon'];
const isLine = ['==', ['geometry-type'], 'LineString'];
const isPoint = ['==', ['geometry-type'], 'Point'];

export const sourceId = (layerId) => `src:${layerId}`;

/**
 * The style layers of one data layer, by drawing group. Every style layer id starts with
 * `L:<layer id>:` so the layer list, the tests and queryRenderedFeatures find them.
 */
export function styleLayersFor(layer, lang, routeIds = []) {
  const id = layer.id;
  const src = sourceId(id);
  const colour = layerColour(id);
  const kinds = new Set(layer.geometry);
  const groups = { fills: [], boundaries: [], baseLines: [], lines: [], points: [], labels: [] };
  const L = (suffix) => `L:${id}:${suffix}`;
  const text = labelField(lang);

  if (layer.boundary === 'province') {
    groups.fills.push({
      id: L('fill'), type: 'fill', source: src,
      paint: {
        // `_province`: the feature's first province, kept flat by app.js (arrays do not
        // survive MapLibre's tiling as arrays).
        'fill-color': ['match', ['get', '_province'],
          'chongqing', PROVINCE_FILL.chongqing, 'guizhou', PROVINCE_FILL.guizhou, '#f6f4ee'],
      },
    });
    groups.boundaries.push({
      id: L('outline'), type: 'line', source: src,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': colour, 'line-width': widthByZoom(1.3), 'line-dasharray': [5, 1.5, 1, 1.5] },
    });
    groups.labels.push({
      id: L('label'), type: 'symbol', source: `labels:${id}`, maxzoom: 8.5,
      layout: {
        'text-field': text, 'text-font': FONT_BOLD,
        'text-size': ['interpolate', ['linear'], ['zoom'], 5, 16, 8, 24],
        'text-letter-spacing': 0.6, 'text-max-width': 8,
      },
      paint: { 'text-color': 'rgba(120, 104, 80, 0.55)', 'text-halo-color': 'rgba(255,255,255,0.7)', 'text-halo-width': 1.5 },
    });
    return groups;
  }

  if (layer.boundary === 'county') {
    groups.boundaries.push({
      id: L('outline'), type: 'line', source: src,
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': colour,
        'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.5, 10, 1.2],
        'line-opacity': 0.8,
      },
    });
    groups.labels.push({
      id: L('label'), type: 'symbol', source: `labels:${id}`, minzoom: 7.2,
      layout: {
        'text-field': text, 'text-font': FONT,
        'text-size': ['interpolate', ['linear'], ['zoom'], 7, 11, 11, 14],
        'text-max-width': 6, 'text-padding': 4,
      },
      paint: { 'text-color': '#8f8676', 'text-halo-color': 'rgba(255,255,255,0.8)', 'text-halo-width': 1.2 },
    });
    return groups;
  }

  if (kinds.has('polygon')) {
    groups.fills.push({
      id: L('fill'), type: 'fill', source: src, filter: isPolygon,
      paint: {
        'fill-color': colour,
        'fill-opacity': ['match', ['get', 'status'], 'existing', 0.35, 'under_construction', 0.3, 0.15],
      },
    });
    groups.lines.push({
      id: L('outline'), type: 'line', source: src, filter: isPolygon,
      paint: {
        'line-color': colour, 'line-width': widthByZoom(1.4),
        'line-dasharray': dashExpression(), 'line-opacity': opacityExpression(),
      },
    });
  }

  if (kinds.has('line')) {
    const w = lineWidth(id);
    const lineColour = id === 'tourist_routes' && routeIds.length
      ? ['match', ['get', 'id'], ...routeIds.flatMap((r, i) => [r, ROUTE_COLOURS[i % ROUTE_COLOURS.length]]), colour]
      : colour;
    if (id === 'rivers') {
      groups.baseLines.push({
        id: L('line'), type: 'line', source: src, filter: isLine,
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': colour, 'line-width': widthByZoom(w), 'line-opacity': 0.85 },
      });
    } else {
      groups.lines.push({
        id: L('casing'), type: 'line', source: src, filter: isLine,
        layout: { 'line-join': 'round' },
        paint: { 'line-color': '#ffffff', 'line-width': widthByZoom(w + 2.2), 'line-opacity': 0.75 },
      });
      groups.lines.push({
        id: L('line'), type: 'line', source: src, filter: isLine,
        layout: { 'line-join': 'round' },
        paint: {
          'line-color': lineColour, 'line-width': widthByZoom(w),
          'line-dasharray': dashExpression(), 'line-opacity': opacityExpression(),
        },
      });
    }
    groups.labels.push({
      id: L('line-label'), type: 'symbol', source: src, filter: isLine,
      minzoom: id === 'rivers' ? 7 : 8.5,
      layout: {
        'symbol-placement': 'line', 'text-field': text, 'text-font': FONT,
        'text-size': ['interpolate', ['linear'], ['zoom'], 8, 11, 12, 13],
        'symbol-spacing': 320, 'text-max-angle': 35, 'text-padding': 6,
      },
      paint: {
        'text-color': id === 'rivers' ? '#2f6fae' : '#3d3d3d',
        'text-halo-color': '#ffffff', 'text-halo-width': 1.5,
      },
    });
  }

  if (kinds.has('point')) {
    if (id === 'towns') {
      groups.points.push({
        id: L('point'), type: 'circle', source: src, filter: isPoint,
        paint: {
          'circle-radius': ['interpolate', ['linear'], ['zoom'],
            6, ['match', ['get', 'kind'], 'county_seat', 3, 2],
            11, ['match', ['get', 'kind'], 'county_seat', 5.5, 4]],
          'circle-color': ['match', ['get', 'kind'], 'county_seat', '#ffffff', '#5a5a5a'],
          'circle-stroke-color': '#3a3a3a',
          'circle-stroke-width': ['match', ['get', 'kind'], 'county_seat', 1.6, 0.8],
        },
      });
      // Towns without a kind count as major places.
      const seat = ['any', ['==', ['get', 'kind'], 'county_seat'], ['!', ['has', 'kind']]];
      const townLabel = (suffix, filter, extra) => ({
        id: L(suffix), type: 'symbol', source: src, filter: ['all', isPoint, filter], ...extra,
        layout: {
          'text-field': text, 'text-font': FONT,
          'text-size': ['interpolate', ['linear'], ['zoom'], 6, suffix === 'label' ? 12 : 10.5, 11, suffix === 'label' ? 14 : 12.5],
          'text-variable-anchor': ['top', 'bottom', 'left', 'right'],
          'text-radial-offset': 0.6, 'text-justify': 'auto', 'text-padding': 3,
        },
        paint: {
          'text-color': suffix === 'label' ? '#262626' : '#4a4a4a',
          'text-halo-color': '#ffffff', 'text-halo-width': 1.4,
        },
      });
      // County seats are labelled from the start; other towns from zoom 8.5.
      groups.labels.push(townLabel('label', seat, {}));
      groups.labels.push(townLabel('label-minor', ['!', seat], { minzoom: 8.5 }));
    } else {
      groups.points.push({ id: L('point'), type: 'circle', source: src, filter: isPoint, paint: pointPaint(colour, 5) });
      groups.labels.push({
        id: L('label'), type: 'symbol', source: src, filter: isPoint, minzoom: 9,
        layout: {
          'text-field': text, 'text-font': FONT, 'text-size': 11.5,
          'text-variable-anchor': ['left', 'right', 'top', 'bottom'],
          'text-radial-offset': 0.8, 'text-justify': 'auto', 'text-max-width': 9, 'text-padding': 2,
        },
        paint: { 'text-color': darken(colour), 'text-halo-color': '#ffffff', 'text-halo-width': 1.4 },
      });
    }
  }
  return groups;
}

function darken(hex) {
  const n = parseInt(hex.slice(1), 16);
  const f = (v) => Math.round(v * 0.7).toString(16).padStart(2, '0');
  return `#${f((n >> 16) & 255)}${f((n >> 8) & 255)}${f(n & 255)}`;
}
