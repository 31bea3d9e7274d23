// Yuqian Map, the web page: loads the layer catalogue, the style description and the
// annotations (border line, boundary labels, route stops) from our own server, draws every
// layer from its vector tiles (/tiles/…, or a PMTiles archive named in the URL) with MapLibre GL
// JS over a base map made of our own boundaries, rivers and towns, and wires the layer list,
// search, popups, the corridor and nearby tools, the URL state and PNG export. Whole features
// are fetched one by one when a popup, a corridor or a loop needs them (js/features.js).
// Nothing is fetched from anywhere but this origin.
//
// Modules: js/api.js (HTTP), js/features.js (features by id), js/i18n.js (strings),
// js/mapstyle.js (the style description compiled for MapLibre), js/derive.js (anchors),
// js/geodesy.js (WGS84 geodesics, corridor band), js/layerpanel.js, js/popup.js, js/search.js,
// js/nearby.js, js/corridor.js, js/loops.js, js/exportpng.js.

import * as maplibregl from './node_modules/maplibre-gl/dist/maplibre-gl.mjs';
import { FileSource, PMTiles, Protocol as PmtilesProtocol } from './node_modules/pmtiles/dist/esm/index.js';
import * as api from './js/api.js';
import { FeatureCache } from './js/features.js';
import { t, setLang, getLang, onLangChange, applyStatic } from './js/i18n.js';
import {
  BACKGROUND, BORDER_COLOUR, FONT_BOLD, ROUTE_COLOURS,
  borderLayers, dashExpression, fillByLayerId, labelField, layerColour, layerStyle, offByDefault, styleLayersFor, useStyle,
} from './js/mapstyle.js';
import { anchorOf } from './js/derive.js';
import { geometryBounds } from './js/geodesy.js';
import { LayerPanel } from './js/layerpanel.js';
import { popupContent, stackContent } from './js/popup.js';
import { SearchBox } from './js/search.js';
import { NearbyTool } from './js/nearby.js';
import { CorridorTool } from './js/corridor.js';
import { LoopTool } from './js/loops.js';
import { saveMapPng } from './js/exportpng.js';
import { toast, h } from './js/ui.js';

const EMPTY = { type: 'FeatureCollection', features: [] };
const LOOP_COLOUR = '#d9480f';
const SAVED_LOOP_COLOUR = '#7b3fa0';
const fc = (features) => ({ type: 'FeatureCollection', features });
const TABS = ['layers', 'corridor', 'nearby', 'loops'];
/** Not a data layer: the saved route loops, toggled like one. */
const SAVED_LOOPS = 'saved_loops';
/** The vector tile source every data layer is drawn from. */
const TILES = 'tiles';
/** `pmtiles://` URLs: an archive on this origin, or a local file opened on the page. */
const pmtilesProtocol = new PmtilesProtocol();
maplibregl.addProtocol('pmtiles', pmtilesProtocol.tile);

// ---------------------------------------------------------------------------------------------
// URL state: #map=zoom/lat/lon&layers=a,b&fill=counties&lang=en&tab=corridor&corridor=f:ID&w=5&near=lon,lat&r=20
// (`fill`: the layers whose polygons are filled by their style's `fill_by`, e.g. counties by group)

function readUrl() {
  const out = {};
  for (const part of window.location.hash.replace(/^#/, '').split('&')) {
    const i = part.indexOf('=');
    if (i > 0) out[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1));
  }
  const view = (out.map ?? '').split('/').map(Number);
  return {
    view: view.length === 3 && view.every(Number.isFinite) ? { zoom: view[0], center: [view[2], view[1]] } : null,
    layers: out.layers !== undefined ? out.layers.split(',').filter(Boolean) : null,
    fill: out.fill !== undefined ? out.fill.split(',').filter(Boolean) : null,
    lang: out.lang === 'en' ? 'en' : out.lang === 'zh' ? 'zh' : null,
    tab: TABS.includes(out.tab) ? out.tab : null,
    corridor: CorridorTool.parseUrl(out.corridor),
    width_km: Number(out.w) || null,
    near: (out.near ?? '').split(',').map(Number),
    radius_km: Number(out.r) || null,
    loop: LoopTool.parseUrl({ saved: out.saved, loop: out.loop, lopt: out.lopt }),
    // A PMTiles archive (e.g. from `yuqian tiles export`) to draw instead of /tiles.
    pmtiles: out.pmtiles || null,
  };
}

function writeUrl(ctx) {
  const { map } = ctx;
  const c = map.getCenter();
  const z = map.getZoom();
  const digits = Math.max(2, Math.ceil(Math.log10(2 ** z)) + 1);
  const parts = [
    ['map', `${z.toFixed(2)}/${c.lat.toFixed(digits)}/${c.lng.toFixed(digits)}`],
    ['layers', [...ctx.catalogue.filter((l) => ctx.visible.has(l.id)).map((l) => l.id), ...(ctx.visible.has(SAVED_LOOPS) ? [SAVED_LOOPS] : [])].join(',')],
  ];
  // Written whenever some layer can be filled, so that switching a default off is kept too.
  if (ctx.catalogue.some((l) => layerStyle(l.id).fill_by)) {
    parts.push(['fill', ctx.catalogue.filter((l) => ctx.fillBy.has(l.id)).map((l) => l.id).join(',')]);
  }
  parts.push(['lang', getLang()]);
  if (ctx.tab !== 'layers') parts.push(['tab', ctx.tab]);
  const corridor = ctx.corridor.toUrl();
  if (corridor) parts.push(['corridor', corridor], ['w', String(ctx.corridor.width_m() / 1000)]);
  if (ctx.nearby.at) parts.push(['near', ctx.nearby.at.join(',')], ['r', String(ctx.nearby.radius_m() / 1000)]);
  const loop = ctx.loops.toUrl();
  if (loop) parts.push(...Object.entries(loop));
  if (ctx.pmtiles) parts.push(['pmtiles', ctx.pmtiles]);
  const keep = /[^A-Za-z0-9_.~\-,;:/]/g;
  const hash = parts.map(([k, v]) => `${k}=${v.replace(keep, encodeURIComponent)}`).join('&');
  window.history.replaceState(null, '', `#${hash}`);
}

// ---------------------------------------------------------------------------------------------
// Style

function buildStyle(ctx, lang) {
  const sources = { [TILES]: ctx.tileSource };
  const groups = { fills: [], boundaries: [], baseLines: [], lines: [], points: [], labels: [] };
  const routeIds = ctx.annotations.routes;
  for (const layer of ctx.catalogue) {
    const g = styleLayersFor(layer, lang, { source: TILES, routeIds });
    for (const key of Object.keys(groups)) groups[key].push(...g[key]);
  }
  // Province outlines over county outlines.
  groups.boundaries.sort((a, b) => (a.id.includes('provinces') ? 1 : 0) - (b.id.includes('provinces') ? 1 : 0));

  sources.border = { type: 'geojson', data: ctx.annotations.border ?? EMPTY };
  sources['annotations:labels'] = { type: 'geojson', data: ctx.annotations.labels };
  sources['route-stops'] = { type: 'geojson', data: ctx.annotations.route_stops };
  sources.veil = {
    type: 'geojson',
    data: { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]]] } },
  };
  for (const id of ['loop:legs', 'loop:stops', 'loop:suggest', 'loops:saved', 'tool:band', 'tool:axis', 'tool:draw', 'tool:near-circle', 'tool:near-centre', 'tool:near-link', 'hl:corridor', 'hl:nearby', 'hl:selected']) {
    sources[id] = { type: 'geojson', data: EMPTY };
  }

  const layerColourExpr = ['match', ['get', 'layer'], ...ctx.catalogue.flatMap((l) => [l.id, layerColour(l.id)]), '#555'];
  const routeColourExpr = routeIds.length
    ? ['match', ['get', 'route'], ...routeIds.flatMap((r, i) => [r, ROUTE_COLOURS[i % ROUTE_COLOURS.length]]), ROUTE_COLOURS[0]]
    : ROUTE_COLOURS[0];
  const isLine = ['==', ['geometry-type'], 'LineString'];
  const isPoint = ['==', ['geometry-type'], 'Point'];
  const isPolygon = ['==', ['geometry-type'], 'Polygon'];
  const halo = (src, colour) => [
    { id: `${src}:fill`, type: 'fill', source: src, filter: isPolygon, paint: { 'fill-color': colour, 'fill-opacity': 0.3 } },
    {
      id: `${src}:line`, type: 'line', source: src, filter: ['any', isLine, isPolygon],
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': colour, 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 5, 12, 9], 'line-opacity': 0.5 },
    },
    {
      id: `${src}:point`, type: 'circle', source: src, filter: isPoint,
      paint: {
        'circle-color': colour, 'circle-opacity': 0.45,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 8, 12, 13],
        'circle-stroke-color': colour, 'circle-stroke-width': 1.5,
      },
    },
  ];
  // A highlighted feature is drawn with its layer's colour too, so it shows even when its
  // layer is switched off.
  const core = (src) => [
    {
      id: `${src}:core-line`, type: 'line', source: src, filter: ['any', isLine, isPolygon],
      layout: { 'line-join': 'round' },
      paint: { 'line-color': layerColourExpr, 'line-width': 2.2, 'line-dasharray': dashExpression() },
    },
    {
      id: `${src}:core-point`, type: 'circle', source: src, filter: isPoint,
      paint: { 'circle-color': layerColourExpr, 'circle-radius': 4, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 },
    },
  ];

  const layers = [
    { id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } },
    ...groups.fills,
    ...groups.boundaries,
    ...borderLayers(),
    ...groups.baseLines,
    ...groups.lines,
    ...groups.points,
    {
      id: `L:${SAVED_LOOPS}:path`, type: 'line', source: 'loops:saved',
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': SAVED_LOOP_COLOUR, 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 2.5, 12, 5], 'line-opacity': 0.75 },
    },
    {
      id: 'L:tourist_routes:stops', type: 'circle', source: 'route-stops', minzoom: 6.5,
      paint: {
        'circle-color': routeColourExpr, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 6.5, 6, 11, 9],
      },
    },
    // While a corridor or nearby answer is shown, a veil washes out everything else and the
    // answer is drawn above it.
    {
      id: 'veil', type: 'fill', source: 'veil', layout: { visibility: 'none' },
      paint: { 'fill-color': '#ffffff', 'fill-opacity': 0.6 },
    },
    { id: 'tool:band:fill', type: 'fill', source: 'tool:band', paint: { 'fill-color': '#f2a900', 'fill-opacity': 0.14 } },
    {
      id: 'tool:band:line', type: 'line', source: 'tool:band',
      paint: { 'line-color': '#c98600', 'line-width': 1.6, 'line-dasharray': [3, 2] },
    },
    { id: 'tool:near-circle:fill', type: 'fill', source: 'tool:near-circle', paint: { 'fill-color': '#0a84c6', 'fill-opacity': 0.07 } },
    {
      id: 'tool:near-circle:line', type: 'line', source: 'tool:near-circle',
      paint: { 'line-color': '#0a84c6', 'line-width': 1.6, 'line-dasharray': [3, 2] },
    },
    ...halo('hl:corridor', '#ffc21a'),
    ...halo('hl:nearby', '#2ab0f0'),
    ...core('hl:corridor'),
    ...core('hl:nearby'),
    {
      id: 'tool:axis:casing', type: 'line', source: 'tool:axis',
      layout: { 'line-join': 'round', 'line-cap': 'round' }, paint: { 'line-color': '#ffffff', 'line-width': 7, 'line-opacity': 0.9 },
    },
    {
      id: 'tool:axis:line', type: 'line', source: 'tool:axis',
      layout: { 'line-join': 'round', 'line-cap': 'round' }, paint: { 'line-color': '#8a4b00', 'line-width': 4 },
    },
    {
      id: 'tool:draw:line', type: 'line', source: 'tool:draw', filter: isLine,
      paint: { 'line-color': '#8a4b00', 'line-width': 2.5, 'line-dasharray': [2, 1] },
    },
    {
      id: 'hl:selected:line', type: 'line', source: 'hl:selected', filter: ['any', isLine, isPolygon],
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': '#e8361c', 'line-width': 3, 'line-opacity': 0.9, 'line-gap-width': 3 },
    },
    {
      id: 'hl:selected:point', type: 'circle', source: 'hl:selected', filter: isPoint,
      paint: { 'circle-color': 'rgba(0,0,0,0)', 'circle-radius': 11, 'circle-stroke-color': '#e8361c', 'circle-stroke-width': 3 },
    },
    {
      id: 'tool:draw:point', type: 'circle', source: 'tool:draw', filter: isPoint,
      paint: { 'circle-color': '#ffffff', 'circle-radius': 4.5, 'circle-stroke-color': '#8a4b00', 'circle-stroke-width': 2 },
    },
    {
      id: 'tool:near-link', type: 'line', source: 'tool:near-link',
      paint: { 'line-color': '#0a5f8f', 'line-width': 2, 'line-dasharray': [2, 1.5] },
    },
    {
      id: 'tool:near-centre', type: 'circle', source: 'tool:near-centre',
      paint: { 'circle-color': '#0a84c6', 'circle-radius': 6, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2.5 },
    },
    // The loop being planned: network legs solid, straight legs dashed, numbered stops.
    {
      id: 'loop:legs:casing', type: 'line', source: 'loop:legs',
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 6, 12, 10], 'line-opacity': 0.85 },
    },
    {
      id: 'loop:legs:network', type: 'line', source: 'loop:legs', filter: ['==', ['get', 'network'], true],
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': LOOP_COLOUR, 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 3, 12, 6] },
    },
    {
      id: 'loop:legs:straight', type: 'line', source: 'loop:legs', filter: ['!=', ['get', 'network'], true],
      layout: { 'line-join': 'round' },
      paint: { 'line-color': LOOP_COLOUR, 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 3, 12, 6], 'line-dasharray': [1.6, 1.4] },
    },
    {
      id: 'loop:suggest', type: 'circle', source: 'loop:suggest',
      paint: { 'circle-color': '#ffffff', 'circle-radius': 5, 'circle-stroke-color': '#2b8a3e', 'circle-stroke-width': 2.5 },
    },
    {
      id: 'border:label', type: 'symbol', source: 'border',
      layout: {
        'symbol-placement': 'line', 'text-field': t('legend.border'), 'text-font': FONT_BOLD,
        'text-size': 12.5, 'symbol-spacing': 420, 'text-letter-spacing': 0.15, 'text-offset': [0, -1.1],
        'text-max-angle': 30,
      },
      paint: { 'text-color': BORDER_COLOUR, 'text-halo-color': 'rgba(255,255,255,0.9)', 'text-halo-width': 1.5 },
    },
    ...groups.labels.filter((l) => l.id.startsWith('L:provinces:')),
    ...groups.labels.filter((l) => !l.id.startsWith('L:provinces:') && !l.id.startsWith('L:towns:')),
    ...groups.labels.filter((l) => l.id.startsWith('L:towns:')),
    {
      id: 'L:tourist_routes:stop-number', type: 'symbol', source: 'route-stops', minzoom: 6.5,
      layout: {
        'text-field': ['to-string', ['get', 'number']], 'text-font': FONT_BOLD,
        'text-size': ['interpolate', ['linear'], ['zoom'], 6.5, 9, 11, 12],
        'text-allow-overlap': true, 'text-ignore-placement': true,
      },
      paint: { 'text-color': '#ffffff' },
    },
    {
      id: 'loop:stops:circle', type: 'circle', source: 'loop:stops',
      paint: { 'circle-color': LOOP_COLOUR, 'circle-radius': 10.5, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
    },
    {
      id: 'loop:stops:number', type: 'symbol', source: 'loop:stops',
      layout: {
        'text-field': ['to-string', ['get', 'number']], 'text-font': FONT_BOLD, 'text-size': 12,
        'text-allow-overlap': true, 'text-ignore-placement': true,
      },
      paint: { 'text-color': '#ffffff' },
    },
  ];
  // Layers whose visibility follows a data layer's toggle (and a fill by field, its own too).
  for (const l of layers) {
    const m = /^L:([^:]+):/.exec(l.id);
    if (m) {
      l.layout = { ...(l.layout ?? {}), visibility: ctx.isShown(m[1], l.id) ? 'visible' : 'none' };
      if (!ctx.styleIdsByLayer.has(m[1])) ctx.styleIdsByLayer.set(m[1], []);
      ctx.styleIdsByLayer.get(m[1]).push(l.id);
    }
  }
  for (const id of ['border:halo', 'border:line', 'border:label']) {
    const l = layers.find((x) => x.id === id);
    l.layout = { ...(l.layout ?? {}), visibility: ctx.visible.has('provinces') ? 'visible' : 'none' };
    ctx.styleIdsByLayer.get('provinces')?.push(id);
  }
  ctx.labelLayerIds = layers.filter((l) => l.type === 'symbol' && l.layout?.['text-field']?.[0] === 'get').map((l) => l.id);
  ctx.tileLayerIds = layers.filter((l) => l.source === TILES).map((l) => l.id);
  return { version: 8, name: 'Yuqian Map', sources, layers };
}

// ---------------------------------------------------------------------------------------------
// Tiles

/**
 * The vector source of every catalogue layer: /tiles/{layers}/{z}/{x}/{y}.mvt with the zooms and
 * bounds of its TileJSON, or the PMTiles archive at `pmtiles` (a URL on this origin). Tile URLs
 * are built on this page's origin (the TileJSON's absolute URLs name the server's public URL,
 * which a page opened by another name of the same host would see as cross-origin). MapLibre
 * draws vector tiles 512 pixels wide, the size whose pixel the server's dropping uses.
 */
async function tileSource(catalogue, pmtiles) {
  if (pmtiles) {
    const abs = new URL(pmtiles, window.location.href);
    if (abs.origin !== window.location.origin) throw new Error(`the PMTiles archive must be on this server: ${pmtiles}`);
    return { type: 'vector', url: `pmtiles://${abs.href}` };
  }
  const ids = catalogue.map((l) => l.id).join(',');
  const tj = await api.getJson(`/tiles/${ids}.json`);
  return {
    type: 'vector',
    tiles: [`${window.location.origin}/tiles/${ids}/{z}/{x}/{y}.mvt`],
    minzoom: tj.minzoom,
    maxzoom: tj.maxzoom,
    bounds: tj.bounds,
  };
}

// ---------------------------------------------------------------------------------------------
// Start-up

async function main() {
  const url = readUrl();
  if (url.lang) setLang(url.lang);
  applyStatic();
  const langButton = document.getElementById('lang-toggle');
  langButton.textContent = t('action.lang');

  let catalogue;
  let annotations;
  try {
    let style;
    [catalogue, style, annotations] = await Promise.all([api.layers(), api.style(), api.annotations()]);
    useStyle(style);
  } catch (e) {
    document.getElementById('layer-list').replaceChildren(h('p', { class: 'error' }, t('error.load', { msg: e.message })));
    throw e;
  }

  const ctx = {
    catalogue,
    layerById: new Map(catalogue.map((l) => [l.id, l])),
    features: new FeatureCache(),
    annotations,
    /** Names of route stops by feature id (popups list them before fetching anything). */
    stopInfo: new Map(annotations.route_stops.features.map((f) => [f.properties.stop, f.properties])),
    styleIdsByLayer: new Map(),
    visible: new Set(),
    /** Layers whose polygons are filled by their style's `fill_by` (e.g. counties by group). */
    fillBy: new Set(),
    tab: 'layers',
    pmtiles: url.pmtiles,
  };
  const defaults = catalogue.filter((l) => l.feature_count && !offByDefault(l.id)).map((l) => l.id);
  for (const id of url.layers ?? [...defaults, SAVED_LOOPS]) if (ctx.layerById.has(id) || id === SAVED_LOOPS) ctx.visible.add(id);
  const fillDefaults = catalogue.filter((l) => layerStyle(l.id).fill_by && !layerStyle(l.id).fill_by.off_by_default).map((l) => l.id);
  for (const id of url.fill ?? (url.layers ? [] : fillDefaults)) if (ctx.layerById.has(id) && layerStyle(id).fill_by) ctx.fillBy.add(id);
  /** Whether style layer `styleId` of data layer `id` is drawn: a fill by field needs its own switch too. */
  ctx.isShown = (id, styleId) => ctx.visible.has(id) && (styleId !== fillByLayerId(id) || ctx.fillBy.has(id));
  ctx.isBoundary = (f) => Boolean(ctx.layerById.get(f.properties.layer)?.boundary);

  // Every data layer comes from one vector tile source: our /tiles, or a PMTiles archive.
  try {
    ctx.tileSource = await tileSource(catalogue, url.pmtiles);
  } catch (e) {
    document.getElementById('layer-list').replaceChildren(h('p', { class: 'error' }, t('error.load', { msg: e.message })));
    throw e;
  }

  // The first view: the county layer's extent (the border region), else the provinces', else
  // everything.
  const firstOf = (kind) => catalogue.filter((l) => l.bbox && l.boundary === kind).map((l) => l.bbox);
  const all = [firstOf('county'), firstOf('province'), catalogue.filter((l) => l.bbox).map((l) => l.bbox)]
    .find((boxes) => boxes.length) ?? [];
  const extent = all.length
    ? [[Math.min(...all.map((b) => b[0])), Math.min(...all.map((b) => b[1]))], [Math.max(...all.map((b) => b[2])), Math.max(...all.map((b) => b[3]))]]
    : [[105, 27], [110, 32]];

  const phone = window.matchMedia('(max-width: 700px)');
  const panelEl = document.getElementById('panel');
  const attributions = [...new Set(catalogue.map((l) => l.attribution).filter(Boolean))];
  const map = new maplibregl.Map({
    container: 'map',
    style: buildStyle(ctx, getLang()),
    ...(url.view ? { center: url.view.center, zoom: url.view.zoom } : { bounds: extent, fitBoundsOptions: { padding: 30 } }),
    minZoom: 4,
    maxZoom: 17,
    // No coarser tiles fetched ahead as placeholders (MapLibre's default is 4 zooms up): over
    // dense data a tile four zooms up holds 256 times the area, megabytes nobody asked to see.
    prefetchZoomDelta: 0,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    localIdeographFontFamily: '"Noto Sans CJK SC", "Noto Sans SC", sans-serif',
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-left');
  map.addControl(new maplibregl.AttributionControl({
    compact: phone.matches,
    customAttribution: [...attributions, 'MapLibre GL JS'],
  }), 'bottom-right');
  ctx.map = map;
  // On a phone the attribution starts folded to its (i) button.
  map.once('load', () => {
    document.querySelector('.maplibregl-ctrl-attrib.maplibregl-compact')?.classList.remove('maplibregl-compact-show');
  });

  let urlTimer = null;
  let started = false;
  ctx.saveUrl = () => {
    if (!started) return;
    clearTimeout(urlTimer);
    urlTimer = setTimeout(() => writeUrl(ctx), 120);
  };
  const highlighted = { 'hl:corridor': false, 'hl:nearby': false, 'loop:legs': false };
  ctx.setData = (id, data) => {
    map.getSource(id)?.setData(data);
    if (id in highlighted) {
      highlighted[id] = Boolean(data.features?.length);
      map.setLayoutProperty('veil', 'visibility', Object.values(highlighted).some(Boolean) ? 'visible' : 'none');
    }
  };
  ctx.fitBounds = (bounds) => map.fitBounds(bounds, { padding: 40, maxZoom: 12, duration: 600 });
  // What nearby and corridor ask about when no layer is chosen: the layers on the map, less the
  // boundary and relation layers, which the API too leaves out unless they are named (README).
  ctx.visibleThematic = () => catalogue
    .filter((l) => !l.boundary && l.role !== 'relation' && l.feature_count && ctx.visible.has(l.id))
    .map((l) => l.id);
  let rerunTimer = null;
  ctx.setLayerVisible = (id, on) => {
    if (on) ctx.visible.add(id); else ctx.visible.delete(id);
    for (const sid of ctx.styleIdsByLayer.get(id) ?? []) map.setLayoutProperty(sid, 'visibility', ctx.isShown(id, sid) ? 'visible' : 'none');
    panel.syncChecks();
    document.getElementById('loop-show-saved').checked = ctx.visible.has(SAVED_LOOPS);
    ctx.saveUrl();
    // Answers that follow the layers on the map are asked again.
    clearTimeout(rerunTimer);
    rerunTimer = setTimeout(() => {
      if (nearby.at && !nearby.filters.layers.length) nearby.run(nearby.at);
      if (corridor.axis && !corridor.filters.layers.length) corridor.run();
    }, 150);
  };

  /** Fills a layer's polygons by its `fill_by` field, or stops; switching it on shows the layer. */
  ctx.setFillBy = (id, on) => {
    if (on) ctx.fillBy.add(id); else ctx.fillBy.delete(id);
    if (on && !ctx.visible.has(id)) ctx.setLayerVisible(id, true);
    else map.setLayoutProperty(fillByLayerId(id), 'visibility', ctx.isShown(id, fillByLayerId(id)) ? 'visible' : 'none');
    panel.syncChecks();
    ctx.saveUrl();
  };

  // Style layers that answer a click: the features of non-boundary layers and route stops.
  const clickable = [...ctx.styleIdsByLayer.entries()]
    .filter(([layerId]) => !ctx.layerById.get(layerId)?.boundary)
    .flatMap(([, ids]) => ids.filter((id) => /^L:[^:]+:(point|line|fill|outline|stops)$/.test(id)));
  // What a click or the pointer is over: one entry per feature, from the tiles, with the
  // properties the tiles carry (status, accuracy, the layer's styling fields; `id` and names
  // from the zoom the layer is labelled) and `layer`, its MVT id `mvt`, and `tile`, the tile
  // feature (for feature-state). The whole feature comes from ctx.features.resolve(hit).
  ctx.featuresAt = (point) => {
    const r = 5;
    const hits = map.queryRenderedFeatures([[point.x - r, point.y - r], [point.x + r, point.y + r]], { layers: clickable });
    const seen = new Set();
    const out = [];
    for (const hit of hits) {
      const stop = hit.layer.id === 'L:tourist_routes:stops';
      const p = hit.properties;
      const id = stop ? p.stop : p.id;
      const key = id ?? `mvt:${hit.sourceLayer}:${hit.id}`;
      if ((!id && hit.id === undefined) || seen.has(key)) continue;
      seen.add(key);
      out.push({
        type: 'Feature',
        properties: stop ? { id, layer: p.layer, name_zh: p.name_zh, name_en: p.name_en } : { ...p, layer: hit.sourceLayer },
        geometry: hit.geometry,
        mvt: stop ? null : hit.id,
        tile: stop ? null : hit,
      });
    }
    return out;
  };

  // The tile features under the pointer are drawn wider (MapLibre feature-state by MVT id).
  let hovered = [];
  const setHover = (hits) => {
    for (const f of hovered) map.setFeatureState(f, { hover: false });
    hovered = hits.filter((f) => f.tile && f.tile.id !== undefined)
      .map((f) => ({ source: TILES, sourceLayer: f.tile.sourceLayer, id: f.tile.id }));
    for (const f of hovered) map.setFeatureState(f, { hover: true });
  };

  // Popup of one feature.
  let popup = null;
  let popupFeature = null;
  const actions = {
    nearby: (f) => { setTab('nearby'); nearby.run(popup ? popup.getLngLat().toArray() : anchorOf(f.geometry)); },
    corridor: (f) => { setTab('corridor'); corridor.setAxis({ kind: 'feature', id: f.properties.id }); popup?.remove(); },
    select: (id) => ctx.selectFeature(id, { fly: true }),
  };
  const showPopup = (f, lngLat) => {
    popup?.remove();
    // On a phone the panel folds down so the map has room for the popup.
    if (phone.matches) panelEl.classList.add('collapsed');
    popupFeature = f;
    ctx.setData('hl:selected', f);
    popup = new maplibregl.Popup({ maxWidth: '340px', focusAfterOpen: false, className: 'feature-popup' })
      .setLngLat(lngLat)
      .setDOMContent(popupContent(ctx, f, actions))
      .addTo(map);
    popup.on('close', () => {
      if (popupFeature === f) { popupFeature = null; ctx.setData('hl:selected', EMPTY); }
    });
  };
  let selectSeq = 0;
  ctx.selectFeature = async (id, { fly = false, feature = null } = {}) => {
    const seq = ++selectSeq;
    const f = feature?.geometry && !feature.tile ? feature : await ctx.features.get(id).catch((e) => { toast(e.message); return null; });
    if (!f || seq !== selectSeq) return;
    if (!ctx.visible.has(f.properties.layer)) ctx.setLayerVisible(f.properties.layer, true);
    const at = anchorOf(f.geometry);
    if (fly) {
      if (f.geometry.type === 'Point') map.flyTo({ center: at, zoom: Math.max(map.getZoom(), 10.5), duration: 800 });
      else {
        const [w, s, e, n] = geometryBounds(f.geometry);
        map.fitBounds([[w, s], [e, n]], { padding: 60, maxZoom: 11.5, duration: 800 });
      }
    }
    showPopup(f, at);
  };
  /** Opens the popup of a feature the pointer hit, at the click (at the point for points). */
  ctx.openHit = async (hit, lngLat) => {
    const seq = ++selectSeq;
    const f = await ctx.features.resolve(hit).catch((e) => { toast(e.message); return null; });
    if (!f || seq !== selectSeq) return;
    showPopup(f, f.geometry.type === 'Point' ? f.geometry.coordinates : lngLat);
  };

  /** Opens the list of the features at one position; each entry opens that feature's popup. */
  ctx.openStack = (hits, lngLat, pick = (hit) => ctx.openHit(hit, lngLat)) => {
    ++selectSeq;
    popup?.remove();
    popupFeature = null;
    popup = new maplibregl.Popup({ maxWidth: '340px', focusAfterOpen: false, className: 'feature-popup stack-popup' })
      .setLngLat(lngLat)
      .setDOMContent(stackContent(ctx, hits, pick))
      .addTo(map);
  };

  const panel = new LayerPanel(ctx);
  const nearby = new NearbyTool(ctx);
  const corridor = new CorridorTool(ctx);
  const loops = new LoopTool(ctx);
  ctx.nearby = nearby;
  ctx.corridor = corridor;
  ctx.loops = loops;
  panel.render();
  nearby.renderFilters();
  corridor.renderControls();
  loops.render();
  new SearchBox(ctx);

  // Tabs.
  const setTab = (tab) => {
    ctx.tab = tab;
    for (const b of document.querySelectorAll('.tabs [role=tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    for (const id of TABS) document.getElementById(`tab-${id}`).hidden = id !== tab;
    if (tab !== 'corridor') corridor.setMode(null);
    else corridor.loadChoices();
    map.getCanvas().style.cursor = tab === 'nearby' || tab === 'loops' ? 'crosshair' : '';
    panelEl.classList.remove('collapsed');
    ctx.saveUrl();
  };
  for (const b of document.querySelectorAll('.tabs [role=tab]')) b.addEventListener('click', () => setTab(b.dataset.tab));
  document.getElementById('panel-handle').addEventListener('click', () => panelEl.classList.toggle('collapsed'));

  map.on('click', (e) => {
    if (corridor.handleClick(e)) return;
    if (ctx.tab === 'nearby') {
      popup?.remove();
      panelEl.classList.remove('collapsed');
      nearby.run([e.lngLat.lng, e.lngLat.lat]);
      return;
    }
    if (ctx.tab === 'loops') {
      popup?.remove();
      panelEl.classList.remove('collapsed');
      loops.handleClick(e);
      return;
    }
    const hits = ctx.featuresAt(e.point);
    // A saved loop's line opens that loop in the loop tab. Loops follow the roads, so their
    // line mostly lies on drawn features: then the loops join the list of what is here.
    const savedHits = savedLoopsAt(e.point).map((l) => ({
      type: 'Feature', geometry: null, properties: { layer: SAVED_LOOPS, loop: l.loop, name_zh: l.name, name_en: l.name },
      open: () => { popup?.remove(); setTab('loops'); loops.open(l.loop); },
    }));
    // Several points at one position (items shown at the town or seat they belong to) open a
    // list of them rather than the one drawn on top.
    const points = hits.filter((f) => f.geometry?.type === 'Point' && f.properties.layer !== 'tourist_routes');
    const [hit] = hits;
    const pick = (h) => (h.open ? h.open() : ctx.openHit(h, e.lngLat.toArray()));
    if (points.length > 1) ctx.openStack([...points, ...savedHits], points[0].geometry.coordinates, pick);
    else if (hit && savedHits.length) ctx.openStack([hit, ...savedHits], e.lngLat.toArray(), pick);
    else if (hit) ctx.openHit(hit, e.lngLat.toArray());
    else {
      selectSeq += 1;
      popup?.remove();
      if (savedHits.length === 1) savedHits[0].open();
      else if (savedHits.length) ctx.openStack(savedHits, e.lngLat.toArray(), pick);
    }
  });
  /** The saved loops whose line passes under `point` ({loop, name}, each once). */
  const savedLoopsAt = (point) => {
    if (!ctx.visible.has(SAVED_LOOPS)) return [];
    const r = 4;
    const found = new Map();
    for (const f of map.queryRenderedFeatures([[point.x - r, point.y - r], [point.x + r, point.y + r]], { layers: [`L:${SAVED_LOOPS}:path`] })) {
      if (!found.has(f.properties.loop)) found.set(f.properties.loop, { loop: f.properties.loop, name: f.properties.name });
    }
    return [...found.values()];
  };
  map.on('dblclick', () => corridor.handleDoubleClick());
  map.getCanvas().addEventListener('mouseleave', () => setHover([]));
  map.on('mousemove', (e) => {
    corridor.handleMove(e);
    if (corridor.mode || ctx.tab === 'nearby') { setHover([]); return; }
    const hits = ctx.featuresAt(e.point);
    setHover(hits);
    if (ctx.tab === 'loops') {
      map.getCanvas().style.cursor = hits.length ? 'copy' : 'crosshair';
      return;
    }
    map.getCanvas().style.cursor = hits.length || savedLoopsAt(e.point).length ? 'pointer' : '';
  });
  map.on('moveend', () => ctx.saveUrl());

  // Language.
  langButton.addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
  onLangChange((lang) => {
    langButton.textContent = t('action.lang');
    for (const id of ctx.labelLayerIds) map.setLayoutProperty(id, 'text-field', labelField(lang));
    map.setLayoutProperty('border:label', 'text-field', t('legend.border'));
    panel.render();
    nearby.renderFilters();
    nearby.renderList();
    corridor.renderControls();
    loops.render();
    if (popup && popupFeature) popup.setDOMContent(popupContent(ctx, popupFeature, actions));
    ctx.saveUrl();
  });

  // A PMTiles archive opened from the disk (offline use in the field): the same tile layers,
  // drawn from the file instead of /tiles.
  const pmtilesFile = document.getElementById('pmtiles-file');
  const pmtilesStatus = document.getElementById('pmtiles-status');
  const backToServer = document.getElementById('pmtiles-server');
  const usingArchive = (name) => {
    pmtilesStatus.textContent = t('offline.using', { name });
    backToServer.hidden = false;
  };
  if (url.pmtiles) usingArchive(url.pmtiles);
  pmtilesFile.addEventListener('change', () => {
    const file = pmtilesFile.files[0];
    if (!file) return;
    pmtilesProtocol.add(new PMTiles(new FileSource(file)));
    // A new source (its zooms come from the archive's header), swapped in by a style diff:
    // the tile layers are re-added on it, the GeoJSON sources keep their data.
    const style = map.getStyle();
    style.sources[TILES] = { type: 'vector', url: `pmtiles://${file.name}` };
    map.setStyle(style);
    usingArchive(file.name);
  });
  backToServer.addEventListener('click', () => {
    ctx.pmtiles = null;
    writeUrl(ctx);
    window.location.reload();
  });

  // Share and PNG.
  document.getElementById('share').addEventListener('click', async () => {
    writeUrl(ctx);
    try {
      await navigator.clipboard.writeText(window.location.href);
      toast(t('action.share.done'));
    } catch {
      toast(t('action.share.shown'));
    }
  });
  document.getElementById('save-png').addEventListener('click', () => {
    const legend = catalogue.filter((l) => !l.boundary && l.feature_count && ctx.visible.has(l.id)).map((l) => ({
      title: getLang() === 'zh' ? l.title_zh : l.title_en,
      colour: layerColour(l.id),
      kind: l.geometry.includes('point') ? 'point' : 'line',
    }));
    saveMapPng(map, attributions, legend).catch((e) => toast(e.message));
  });

  // Restore the rest of the view from the URL once the style is in.
  await new Promise((resolve) => (map.loaded() ? resolve() : map.once('load', resolve)));
  if (url.width_km) corridor.width.value = String(url.width_km);
  if (url.radius_km) nearby.radius.value = String(url.radius_km);
  const pending = [];
  if (url.corridor) pending.push(corridor.setAxis(url.corridor, { fit: !url.view }));
  if (url.near.length === 2 && url.near.every(Number.isFinite)) pending.push(nearby.run(url.near));
  pending.push(loops.loadPresets(), loops.refreshSaved().then(() => loops.restore(url.loop, { fit: !url.view })));
  setTab(url.tab ?? 'layers');
  await Promise.all(pending);
  started = true;
  ctx.saveUrl();

  window.yuqian = {
    map, ctx, nearby, corridor, loops, setLang, getLang,
    /** Style layer ids drawn for a data layer. */
    styleLayerIds: (id) => ctx.styleIdsByLayer.get(id) ?? [],
    setTab,
  };
  document.documentElement.dataset.ready = 'true';
  window.dispatchEvent(new Event('yuqian:ready'));
}

main().catch((e) => {
  // The error is shown on the page; also log it for whoever opens the console.
  console.error(e);
});
