// The map's look, compiled from the style description the server serves at /api/style (our own
// schema, src/style/map.json: the server's static renderer reads the same file) into MapLibre
// style layers for whatever layers /api/layers lists, drawn from the vector tile source.
// No glyph server: `glyphs` is omitted, so MapLibre draws labels with local fonts (GL JS ≥ 5.11).
//
// `useStyle(description)` must run first; the exported `let`s are live bindings that it fills.

import { STATUSES, ACCURACIES } from './i18n.js';

let S = null;

export let FONT = ['sans-serif'];
export let FONT_BOLD = ['sans-serif'];
export let BACKGROUND = '#e3e8ea';
export let BORDER_COLOUR = '#b3245a';
export let PROVINCE_FILL = {};
/** Colours of individual tourist routes, in the order they are served. */
export let ROUTE_COLOURS = ['#e07b22'];
/** Layers that make the base map: drawn plainly, listed apart in the layer list. */
export let BASE_LAYERS = new Set();
/** Dash pattern per status, in line widths (shared with the legend); null for solid. */
export let STATUS_DASH = {};
/** How a line of unknown course (`course_known` false) is drawn: width factor, dash, opacity, legend. */
export let COURSE_UNKNOWN = null;

/** Takes the style description (GET /api/style). */
export function useStyle(description) {
  S = description;
  FONT = S.fonts.regular;
  FONT_BOLD = S.fonts.bold;
  BACKGROUND = S.background;
  BORDER_COLOUR = S.border.colour;
  PROVINCE_FILL = S.province_fill;
  ROUTE_COLOURS = S.route_colours;
  BASE_LAYERS = new Set(Object.entries(S.layers).filter(([, l]) => l.base).map(([id]) => id));
  STATUS_DASH = Object.fromEntries(STATUSES.map((s) => [s, S.statuses[s]?.dash ?? null]));
  COURSE_UNKNOWN = S.course_unknown;
}

/** How a point whose site is not known is drawn (`unlocated` of the style description). */
export const unlocatedStyle = () => S.unlocated;

/** A line whose course is not known: only its ends (geodata/FORMAT.md, Courses). */
export const courseUnknown = ['==', ['get', 'course_known'], false];

/** `known` for lines that follow their course, the `course_unknown` variant for the others. */
const byCourse = (known, unknown) => ['case', courseUnknown, unknown, known];

/**
 * A layer's style with the defaults filled in: the server's resolution (`resolved_layers` of
 * /api/style, by `MapStyle::layer`), for every layer of the catalogue.
 */
export function layerStyle(id) {
  const l = S.resolved_layers[id];
  if (!l) throw new Error(`the style has no resolved entry for layer ${id}`);
  return l;
}

export const layerColour = (id) => layerStyle(id).colour;

/** The style layer that fills a layer's polygons by a field (`fill_by`), toggled on its own. */
export const fillByLayerId = (id) => `L:${id}:fill-by`;

/** The fill of `fill_by`: one colour per listed value; other values are not drawn. */
function fillByLayer(ls, id, src) {
  const f = ls.fill_by;
  const colour = ['match', ['to-string', ['get', f.field]], ...f.values.flatMap((v) => [v.value, v.colour]), 'rgba(0,0,0,0)'];
  return {
    id: fillByLayerId(id), type: 'fill', ...src,
    filter: ['all', isPolygon, ['in', ['to-string', ['get', f.field]], ['literal', f.values.map((v) => v.value)]]],
    paint: { 'fill-color': colour, 'fill-opacity': f.opacity },
  };
}
export const offByDefault = (id) => layerStyle(id).off_by_default;

export function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** A colour of the schema (`#rrggbb`, `layer`, `layer/A`) against a layer's colour. */
export function resolveColour(c, layer) {
  if (c === 'layer') return layer;
  if (c.startsWith('layer/')) return withAlpha(layer, Number(c.slice(6)));
  return c;
}

/** Point symbol per status: fill, ring colour and ring width (shared with the legend). */
export function pointStatusStyle(status, colour) {
  const p = (S.statuses[status] ?? S.statuses.unknown).point;
  return { fill: resolveColour(p.fill, colour), stroke: resolveColour(p.stroke, colour), strokeWidth: p.stroke_width };
}

const byStatus = (value, fallback) => {
  const expr = ['match', ['get', 'status']];
  for (const s of STATUSES) expr.push(s, value(s));
  expr.push(fallback);
  return expr;
};

const byAccuracy = (value) => {
  const expr = ['match', ['get', 'accuracy']];
  for (const a of ACCURACIES) expr.push(a, value(a));
  expr.push(1);
  return expr;
};

export function dashExpression() {
  const expr = ['match', ['get', 'status']];
  for (const s of STATUSES) if (STATUS_DASH[s]) expr.push(s, ['literal', STATUS_DASH[s]]);
  expr.push(['literal', [1, 0]]);
  return expr;
}

const lineOpacity = () => ['*',
  byStatus((s) => S.statuses[s].opacity, 1),
  byAccuracy((a) => S.accuracy[a].opacity)];

const hover = ['boolean', ['feature-state', 'hover'], false];

/** A width at zoom 8 (a number or an expression) scaled by `width_by_zoom`, wider on hover. */
function byZoom(w, { hoverable = false } = {}) {
  const out = ['interpolate', ['linear'], ['zoom']];
  for (const [z, f] of S.width_by_zoom) {
    const v = typeof w === 'number' ? w * f : ['*', f, w];
    out.push(z, hoverable ? ['case', hover, ['*', 1.7, v], v] : v);
  }
  return out;
}

const zoomStops = (pairs) => ['interpolate', ['linear'], ['zoom'], ...pairs.flat()];

/** The width expression of a layer's lines: by a field's value, or one number. */
function widthOf(ls) {
  if (!ls.width_by) return ls.line_width;
  const m = ['match', ['to-string', ['get', ls.width_by.field]]];
  for (const [k, v] of Object.entries(ls.width_by.values)) m.push(k, v);
  m.push(ls.width_by.default);
  return m;
}

export const labelField = (lang) => ['get', lang === 'zh' ? 'name_zh' : 'name_en'];

const kind = (...types) => ['in', ['geometry-type'], ['literal', types]];
const isPolygon = kind('Polygon', 'MultiPolygon');
const isLine = kind('LineString', 'MultiLineString');
const isPoint = kind('Point', 'MultiPoint');

/** Where a data layer's features come from: a tile layer of the vector source. */
const from = (source, id) => ({ source, 'source-layer': id });

/**
 * The style layers of one data layer, by drawing group. Every style layer id starts with
 * `L:<layer id>:` so the layer list, the tests and queryRenderedFeatures find them. `source`
 * is the vector tile source; boundary labels come from the `annotations:labels` source.
 */
export function styleLayersFor(layer, lang, { source, routeIds = [] }) {
  const id = layer.id;
  const ls = layerStyle(id);
  const colour = ls.colour;
  const kinds = new Set(layer.geometry);
  const groups = { fills: [], boundaries: [], baseLines: [], lines: [], points: [], labels: [] };
  const L = (suffix) => `L:${id}:${suffix}`;
  const text = labelField(lang);
  const src = from(source, id);
  const zooms = (min, max) => ({ ...(min !== undefined ? { minzoom: min } : {}), ...(max !== undefined ? { maxzoom: max } : {}) });
  const boundaryLabels = (extra) => ({
    id: L('label'), type: 'symbol', source: 'annotations:labels',
    filter: ['==', ['get', 'layer'], id], ...zooms(ls.label.minzoom, ls.label.maxzoom), ...extra,
  });

  if (ls.draw === 'province' || layer.boundary === 'province') {
    const fill = ['match', ['get', 'provinces']];
    for (const [p, c] of Object.entries(PROVINCE_FILL)) if (p !== 'other') fill.push(p, c);
    fill.push(PROVINCE_FILL.other);
    groups.fills.push({ id: L('fill'), type: 'fill', ...src, paint: { 'fill-color': fill } });
    groups.boundaries.push({
      id: L('outline'), type: 'line', ...src,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': colour, 'line-width': byZoom(1.3), 'line-dasharray': [5, 1.5, 1, 1.5] },
    });
    groups.labels.push(boundaryLabels({
      layout: {
        'text-field': text, 'text-font': FONT_BOLD,
        'text-size': ['interpolate', ['linear'], ['zoom'], 5, 16, 8, 24],
        'text-letter-spacing': 0.6, 'text-max-width': 8,
      },
      paint: { 'text-color': 'rgba(120, 104, 80, 0.55)', 'text-halo-color': 'rgba(255,255,255,0.7)', 'text-halo-width': 1.5 },
    }));
    return groups;
  }

  if (ls.draw === 'county' || layer.boundary === 'county') {
    if (ls.fill_by) groups.fills.push(fillByLayer(ls, id, src));
    groups.boundaries.push({
      id: L('outline'), type: 'line', ...src,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': colour, 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.5, 10, 1.2], 'line-opacity': 0.8 },
    });
    groups.labels.push(boundaryLabels({
      layout: {
        'text-field': text, 'text-font': FONT,
        'text-size': ['interpolate', ['linear'], ['zoom'], 7, 11, 11, 14],
        'text-max-width': 6, 'text-padding': 4,
      },
      paint: { 'text-color': '#8f8676', 'text-halo-color': 'rgba(255,255,255,0.8)', 'text-halo-width': 1.2 },
    }));
    return groups;
  }

  const dash = ls.status_styles ? dashExpression() : ['literal', [1, 0]];
  const opacity = ls.status_styles ? lineOpacity() : byAccuracy((a) => S.accuracy[a].opacity);

  if (kinds.has('polygon')) {
    groups.fills.push({
      id: L('fill'), type: 'fill', ...src, filter: isPolygon,
      paint: {
        'fill-color': colour,
        'fill-opacity': ls.status_styles ? byStatus((s) => S.statuses[s].fill_opacity, 0.15) : 0.35,
      },
    });
    if (ls.fill_by) groups.fills.push(fillByLayer(ls, id, src));
    groups.lines.push({
      id: L('outline'), type: 'line', ...src, filter: isPolygon,
      paint: { 'line-color': colour, 'line-width': byZoom(1.4, { hoverable: true }), 'line-dasharray': dash, 'line-opacity': opacity },
    });
  }

  if (kinds.has('line')) {
    const w = widthOf(ls);
    const lineColour = ls.colour_by_route && routeIds.length
      ? ['match', ['get', 'id'], ...routeIds.flatMap((r, i) => [r, ROUTE_COLOURS[i % ROUTE_COLOURS.length]]), colour]
      : colour;
    if (ls.draw === 'river') {
      groups.baseLines.push({
        id: L('line'), type: 'line', ...src, filter: isLine,
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': colour, 'line-width': byZoom(w), 'line-opacity': 0.85 },
      });
    } else {
      // A line of unknown course (only its ends known) is thinner and dotted, and has no casing.
      const c = COURSE_UNKNOWN;
      const width = c ? byCourse(w, ['*', c.width, w]) : w;
      // Lines sharing a corridor side by side, by the offset slot the build assigned.
      const o = S.line_offset;
      const offset = o ? { 'line-offset': byZoom(['*', o.step, ['to-number', ['coalesce', ['get', o.field], 0]]]) } : {};
      if (ls.casing) {
        groups.lines.push({
          id: L('casing'), type: 'line', ...src, filter: c ? ['all', isLine, ['!', courseUnknown]] : isLine,
          layout: { 'line-join': 'round' },
          paint: { 'line-color': '#ffffff', 'line-width': byZoom(typeof w === 'number' ? w + 2.2 : ['+', 2.2, w], { hoverable: true }), 'line-opacity': 0.75, ...offset },
        });
      }
      groups.lines.push({
        id: L('line'), type: 'line', ...src, filter: isLine,
        layout: { 'line-join': 'round' },
        paint: {
          'line-color': lineColour, 'line-width': byZoom(width, { hoverable: true }),
          'line-dasharray': c ? byCourse(dash, ['literal', c.dash]) : dash,
          'line-opacity': c ? ['*', opacity, byCourse(1, c.opacity)] : opacity,
          ...offset,
        },
      });
    }
    groups.labels.push({
      id: L('line-label'), type: 'symbol', ...src, filter: isLine,
      ...zooms(ls.label.line_minzoom),
      layout: {
        'symbol-placement': 'line', 'text-field': text, 'text-font': FONT,
        'text-size': ['interpolate', ['linear'], ['zoom'], 8, 11, 12, 13],
        'symbol-spacing': 320, 'text-max-angle': 35, 'text-padding': 6,
      },
      paint: { 'text-color': ls.draw === 'river' ? '#2f6fae' : '#3d3d3d', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 },
    });
  }

  if (kinds.has('point')) {
    if (ls.draw === 'towns') {
      groups.points.push({
        id: L('point'), type: 'circle', ...src, filter: isPoint,
        paint: {
          'circle-radius': ['interpolate', ['linear'], ['zoom'],
            6, ['match', ['get', 'kind'], 'county_seat', 3, 2],
            11, ['match', ['get', 'kind'], 'county_seat', 5.5, 4]],
          'circle-color': ['match', ['get', 'kind'], 'county_seat', '#ffffff', '#5a5a5a'],
          'circle-stroke-color': colour,
          'circle-stroke-width': ['match', ['get', 'kind'], 'county_seat', 1.6, 0.8],
        },
      });
      // Towns without a kind count as major places.
      const seat = ['any', ['==', ['get', 'kind'], 'county_seat'], ['!', ['has', 'kind']]];
      const townLabel = (suffix, filter, extra) => ({
        id: L(suffix), type: 'symbol', ...src, filter: ['all', isPoint, filter], ...extra,
        layout: {
          'text-field': text, 'text-font': FONT,
          'text-size': ['interpolate', ['linear'], ['zoom'], 6, suffix === 'label' ? 12 : 10.5, 11, suffix === 'label' ? 14 : 12.5],
          'text-variable-anchor': ['top', 'bottom', 'left', 'right'],
          'text-radial-offset': 0.6, 'text-justify': 'auto', 'text-padding': 3,
        },
        paint: { 'text-color': suffix === 'label' ? '#262626' : '#4a4a4a', 'text-halo-color': '#ffffff', 'text-halo-width': 1.4 },
      });
      // County seats are labelled from the start; other towns from the layer's label zoom.
      groups.labels.push(townLabel('label', seat, {}));
      groups.labels.push(townLabel('label-minor', ['!', seat], zooms(ls.label.minzoom)));
    } else {
      const r = ls.point_radius;
      const part = (key) => byStatus((s) => pointStatusStyle(s, colour)[key], pointStatusStyle('unknown', colour)[key]);
      const U = S.unlocated;
      // A point whose site is not known stands at the town or seat it belongs to
      // (location_known = false): a faint disc of its uncertainty_km on the ground, then a ring
      // around a shrunk status symbol, so it never looks like a located one.
      const unlocated = ['==', ['get', 'location_known'], false];
      groups.points.push({
        id: L('uncertainty'), type: 'circle', ...src, filter: ['all', isPoint, unlocated, ['has', 'uncertainty_km']],
        paint: {
          'circle-radius': uncertaintyRadius(),
          'circle-color': resolveColour(U.uncertainty_fill, colour),
          'circle-stroke-color': resolveColour(U.uncertainty_stroke, colour),
          'circle-stroke-width': U.uncertainty_stroke_width,
          'circle-pitch-alignment': 'map',
        },
      });
      // An approximate place whose site is known gets a soft disc around its symbol (accuracy in the style).
      const halos = ACCURACIES.filter((a) => S.accuracy[a].halo);
      if (halos.length) {
        const radius = ['match', ['get', 'accuracy'], ...halos.flatMap((a) => [a, S.accuracy[a].halo.radius]), 0];
        const fill = ['match', ['get', 'accuracy'], ...halos.flatMap((a) => [a, resolveColour(S.accuracy[a].halo.colour, colour)]), 'rgba(0,0,0,0)'];
        groups.points.push({
          id: L('halo'), type: 'circle', ...src, filter: ['all', isPoint, ['!', unlocated], ['in', ['get', 'accuracy'], ['literal', halos]]],
          paint: { 'circle-radius': byZoom(radius), 'circle-color': fill, 'circle-pitch-alignment': 'map' },
        });
      }
      groups.points.push({
        id: L('ring'), type: 'circle', ...src, filter: ['all', isPoint, unlocated],
        paint: {
          'circle-radius': byZoom(U.ring.radius),
          'circle-color': 'rgba(0,0,0,0)',
          'circle-stroke-color': resolveColour(U.ring.colour, colour),
          'circle-stroke-width': U.ring.width,
          'circle-pitch-alignment': 'map',
        },
      });
      const size = (v) => ['case', unlocated, v * U.dot_scale, v];
      groups.points.push({
        id: L('point'), type: 'circle', ...src, filter: isPoint,
        paint: {
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, ['case', hover, r * 1.3, size(r * 0.75)], 10, ['case', hover, r * 1.7, size(r * 1.25)], 14, ['case', hover, r * 2.2, size(r * 1.8)]],
          'circle-color': ls.status_styles ? part('fill') : colour,
          'circle-stroke-color': ls.status_styles ? part('stroke') : '#ffffff',
          'circle-stroke-width': ls.status_styles ? part('strokeWidth') : 1,
          'circle-opacity': byAccuracy((a) => S.accuracy[a].opacity),
          'circle-stroke-opacity': byAccuracy((a) => S.accuracy[a].opacity),
          'circle-pitch-alignment': 'map',
        },
      });
      groups.labels.push({
        id: L('label'), type: 'symbol', ...src, filter: isPoint, ...zooms(ls.label.minzoom),
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

/** Pixels of a feature's `uncertainty_km` on the ground: Web Mercator shows 2^z × 256 px per
 * 2π × 6378137 m at the equator, cos(lat) more per metre at the latitude (29.5°N, the middle of
 * the region). Doubling per zoom, so exact at every zoom. */
function uncertaintyRadius() {
  const pxPerKmAtZ0 = (256 * 1000) / (2 * Math.PI * 6378137 * Math.cos((29.5 * Math.PI) / 180));
  const km = ['to-number', ['get', 'uncertainty_km'], 0];
  return ['interpolate', ['exponential', 2], ['zoom'], 0, ['*', km, pxPerKmAtZ0], 22, ['*', km, pxPerKmAtZ0 * 2 ** 22]];
}

/** The border's style layers, from the `border` source. */
export function borderLayers() {
  return [
    {
      id: 'border:halo', type: 'line', source: 'border',
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': BORDER_COLOUR, 'line-opacity': S.border.halo_opacity, 'line-width': zoomStops(S.border.halo_width) },
    },
    {
      id: 'border:line', type: 'line', source: 'border',
      layout: { 'line-join': 'round' },
      paint: { 'line-color': BORDER_COLOUR, 'line-width': zoomStops(S.border.width), 'line-dasharray': S.border.dash },
    },
  ];
}

function darken(hex) {
  const n = parseInt(hex.slice(1), 16);
  const f = (v) => Math.round(v * 0.7).toString(16).padStart(2, '0');
  return `#${f((n >> 16) & 255)}${f((n >> 8) & 255)}${f(n & 255)}`;
}
