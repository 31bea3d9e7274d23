// Corridor maps for planners: along a line feature or a line drawn on the map, a band of the
// chosen width each side (built geodesically in the browser, see geodesy.js) and every
// feature /api/corridor finds in it, listed by layer and status with offset and chainage.

import * as api from './api.js';
import { h, chipGroup } from './ui.js';
import {
  t, layerTitle, statusLabel, featureName, formatDistance, STATUSES,
} from './i18n.js';
import { lineParts, geometryBounds } from './geodesy.js';
import { layerSwatch, statusBadge } from './layerpanel.js';
import { layerColour } from './mapstyle.js';
import { featuresCsv, downloadText } from './csv.js';

const EMPTY = { type: 'FeatureCollection', features: [] };
/** Largest line layer listed in the picker. */
const PICKER_MAX = 2000;

export class CorridorTool {
  constructor(ctx) {
    this.ctx = ctx;
    /** {kind: 'feature', id} or {kind: 'line', coordinates}; null when none. */
    this.axis = null;
    this.mode = null; // 'pick' | 'draw' | null
    this.drawn = [];
    this.last = null;
    this.seq = 0;
    this.filters = { layers: [], status: [] };
    this.select = document.getElementById('corridor-feature');
    this.width = document.getElementById('corridor-width');
    this.modeNote = document.getElementById('corridor-mode');
    this.summary = document.getElementById('corridor-summary');
    this.results = document.getElementById('corridor-results');
    this.select.addEventListener('change', () => {
      if (this.select.value) this.setAxis({ kind: 'feature', id: this.select.value });
    });
    this.width.addEventListener('change', () => {
      if (this.width_m() !== this.last?.width_m) this.run();
    });
    document.getElementById('corridor-pick').addEventListener('click', () => this.setMode(this.mode === 'pick' ? null : 'pick'));
    // While drawing, the same button finishes the line (phones have no Enter key).
    document.getElementById('corridor-draw').addEventListener('click', () => {
      if (this.mode === 'draw') this.finishDrawing(); else this.setMode('draw');
    });
    document.getElementById('corridor-clear').addEventListener('click', () => this.clear());
    window.addEventListener('keydown', (e) => {
      if (!this.mode) return;
      if (e.key === 'Escape') this.setMode(null);
      if (e.key === 'Enter' && this.mode === 'draw') this.finishDrawing();
    });
  }

  /** Line layers of the picker: those small enough to list (others: pick on the map). */
  pickerLayers() {
    return this.ctx.catalogue.filter((l) => !l.boundary && l.geometry.includes('line') && l.feature_count);
  }

  /**
   * Fetches the line features of the picker's layers once (when the tab first opens: the map
   * itself is drawn from tiles and never needs them). A layer of more than PICKER_MAX
   * features is not listed; its lines are picked on the map or found by search.
   */
  loadChoices() {
    if (!this.choicesLoading) {
      const small = this.pickerLayers().filter((l) => l.feature_count <= PICKER_MAX).map((l) => l.id);
      this.choicesLoading = (small.length ? api.featuresOf(small, PICKER_MAX) : Promise.resolve({ features: [] }))
        .then((fc) => {
          this.ctx.features.put(fc);
          this.choices = new Map();
          for (const f of fc.features) {
            if (!lineParts(f.geometry).length) continue;
            const list = this.choices.get(f.properties.layer) ?? [];
            list.push([featureName(f.properties), f.properties.id]);
            this.choices.set(f.properties.layer, list);
          }
          this.renderControls();
        })
        .catch((e) => { this.choicesLoading = null; this.summary.textContent = t('error.query', { msg: e.message }); });
    }
    return this.choicesLoading;
  }

  /** Line features, by layer, for the picker. */
  renderControls() {
    const current = this.axis?.kind === 'feature' ? this.axis.id : '';
    const listed = this.pickerLayers().filter((l) => this.choices?.has(l.id));
    this.select.replaceChildren(...[
      h('option', { value: '' }, t(this.choices ? 'corridor.choose' : 'corridor.loading')),
      listed.map((l) => h('optgroup', { label: layerTitle(l) },
        this.choices.get(l.id)
          .slice()
          .sort((a, b) => a[0].localeCompare(b[0], 'zh'))
          .map(([name, id]) => h('option', { value: id }, name)))),
    ].flat());
    // The current axis stays selectable even when its layer is not listed.
    if (current && !this.select.querySelector(`option[value="${CSS.escape(current)}"]`)) {
      this.select.append(h('option', { value: current }, this.axisName()));
    }
    this.select.value = current;
    const thematic = this.ctx.catalogue.filter((l) => !l.boundary && l.feature_count);
    chipGroup(document.getElementById('corridor-filter-layers'), t('filter.layers'),
      thematic.map((l) => ({ value: l.id, label: layerTitle(l), colour: layerColour(l.id) })),
      (v) => { this.filters.layers = v; this.run(); }, this.filters.layers);
    chipGroup(document.getElementById('corridor-filter-status'), t('filter.status'),
      STATUSES.map((s) => ({ value: s, label: statusLabel(s) })),
      (v) => { this.filters.status = v; this.run(); }, this.filters.status);
    this.renderMode();
    this.renderResults();
  }

  width_m() {
    const km = Math.min(100, Math.max(0.1, Number(this.width.value) || 5));
    return Math.round(km * 1000);
  }

  setMode(mode) {
    this.mode = mode;
    this.drawn = [];
    this.ctx.setData('tool:draw', EMPTY);
    const map = this.ctx.map;
    if (mode === 'draw') map.doubleClickZoom.disable(); else map.doubleClickZoom.enable();
    map.getCanvas().style.cursor = mode ? 'crosshair' : '';
    this.renderMode();
  }

  renderMode() {
    this.modeNote.hidden = !this.mode;
    if (this.mode) this.modeNote.textContent = t(`corridor.mode.${this.mode}`);
    document.getElementById('corridor-pick').setAttribute('aria-pressed', String(this.mode === 'pick'));
    const draw = document.getElementById('corridor-draw');
    draw.setAttribute('aria-pressed', String(this.mode === 'draw'));
    draw.textContent = t(this.mode === 'draw' ? 'corridor.finish' : 'corridor.draw');
  }

  /** Map click while a mode is on; returns true if the click was used. */
  handleClick(e) {
    if (this.mode === 'pick') {
      const hit = this.ctx.featuresAt(e.point).find((f) => /LineString/.test(f.geometry.type) && !this.ctx.isBoundary(f));
      if (hit) {
        this.setMode(null);
        this.ctx.features.resolve(hit).then((f) => { if (f) this.setAxis({ kind: 'feature', id: f.properties.id }); })
          .catch((err) => { this.summary.textContent = t('error.query', { msg: err.message }); });
      }
      return true;
    }
    if (this.mode === 'draw') {
      const p = [+e.lngLat.lng.toFixed(6), +e.lngLat.lat.toFixed(6)];
      const last = this.drawn[this.drawn.length - 1];
      if (!last || last[0] !== p[0] || last[1] !== p[1]) this.drawn.push(p);
      this.showDrawing();
      return true;
    }
    return false;
  }

  handleDoubleClick() {
    if (this.mode === 'draw') this.finishDrawing();
  }

  /** Mouse move while drawing: the line follows the pointer from the last point. */
  handleMove(e) {
    if (this.mode !== 'draw' || !this.drawn.length) return;
    this.showDrawing([e.lngLat.lng, e.lngLat.lat]);
  }

  showDrawing(pointer = null) {
    const features = this.drawn.map((c) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: c } }));
    const line = pointer ? [...this.drawn, pointer] : this.drawn;
    if (line.length >= 2) {
      features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: line } });
    }
    this.ctx.setData('tool:draw', { type: 'FeatureCollection', features });
  }

  finishDrawing() {
    const coords = this.drawn.slice();
    this.setMode(null);
    if (coords.length >= 2) this.setAxis({ kind: 'line', coordinates: coords });
  }

  setAxis(axis, { fit = true } = {}) {
    this.axis = axis;
    this.select.value = axis?.kind === 'feature' ? axis.id : '';
    return this.run({ fit });
  }

  /** The axis as a geometry (a feature axis is fetched when not known yet). */
  async axisGeometry() {
    if (!this.axis) return null;
    if (this.axis.kind === 'line') return { type: 'LineString', coordinates: this.axis.coordinates };
    return (await this.ctx.features.get(this.axis.id))?.geometry ?? null;
  }

  axisName() {
    if (this.axis?.kind === 'feature') {
      const f = this.ctx.features.peek(this.axis.id);
      return f ? featureName(f.properties) : this.axis.id;
    }
    return t('corridor.drawn');
  }

  async run({ fit = false } = {}) {
    const seq = ++this.seq;
    let geometry;
    try {
      geometry = await this.axisGeometry();
    } catch (e) {
      this.summary.textContent = t('error.query', { msg: e.message });
      return;
    }
    if (!geometry || seq !== this.seq) return;
    const width_m = this.width_m();
    this.ctx.setData('tool:band', EMPTY);
    this.ctx.setData('tool:axis', { type: 'Feature', properties: {}, geometry });
    if (fit && lineParts(geometry).length) {
      // The axis now; the band once the server has answered with it.
      const [w, s, e, n] = geometryBounds(geometry);
      this.ctx.fitBounds([[w, s], [e, n]]);
    }
    this.summary.classList.add('loading');
    // No layer chosen: the layers on the map.
    const filter = {
      layers: this.filters.layers.length ? this.filters.layers : this.ctx.visibleThematic(),
      status: this.filters.status,
    };
    try {
      const response = this.axis.kind === 'feature'
        ? await api.corridorOfFeature(this.axis.id, width_m, filter)
        : await api.corridorOfLine(this.axis.coordinates, width_m, filter);
      if (seq !== this.seq) return;
      // The band as the server computed it (the same one its static maps draw).
      const band = response.band;
      this.ctx.setData('tool:band', { type: 'Feature', properties: {}, geometry: band });
      if (fit && band?.coordinates?.length) {
        const [w, s, e, n] = geometryBounds(band);
        this.ctx.fitBounds([[w, s], [e, n]]);
      }
      this.last = { axis: this.axis, width_m, filter, response, band, axisGeometry: geometry };
      this.ctx.setData('hl:corridor', response);
      this.renderResults();
    } catch (e) {
      if (seq !== this.seq) return;
      this.summary.textContent = t('error.query', { msg: e.message });
    }
    this.summary.classList.remove('loading');
    this.ctx.saveUrl();
  }

  renderResults() {
    if (!this.last) return;
    const { response, width_m } = this.last;
    const features = response.features;
    this.summary.replaceChildren(
      t('corridor.summary', {
        name: this.axisName(), length: formatDistance(response.line_length_m), width: formatDistance(width_m), n: features.length,
      }),
      features.length ? h('button', {
        type: 'button', class: 'btn small csv', id: 'corridor-csv',
        onclick: () => downloadText(`corridor-${this.axis.kind === 'feature' ? this.axis.id : 'drawn'}-${width_m}m.csv`,
          featuresCsv(this.ctx, features, ['chainage_m', 'distance_m'])),
      }, 'CSV') : null,
    );
    if (!features.length) {
      this.results.replaceChildren(h('p', { class: 'empty' }, t('corridor.empty')));
      return;
    }
    // Grouped by layer (catalogue order), then status (legend order); chainage order within.
    const groups = [];
    for (const layer of this.ctx.catalogue) {
      const inLayer = features.filter((f) => f.properties.layer === layer.id);
      if (!inLayer.length) continue;
      groups.push(h('section', { class: 'result-group', dataset: { layer: layer.id } },
        h('h4', {}, layerSwatch(layer), layerTitle(layer), h('span', { class: 'count' }, String(inLayer.length))),
        STATUSES.filter((s) => inLayer.some((f) => f.properties.status === s)).map((s) => [
          h('h5', {}, statusBadge(s)),
          h('ul', {}, inLayer.filter((f) => f.properties.status === s).map((f) => {
            const p = f.properties;
            return h('li', { dataset: { id: p.id, distanceM: String(p.distance_m), chainageM: String(p.chainage_m) } },
              h('button', { type: 'button', class: 'result', onclick: () => this.ctx.selectFeature(p.id, { fly: true }) },
                h('span', { class: 'name' }, featureName(p)),
                h('span', { class: 'metrics' },
                  h('span', {}, `${t('corridor.chainage')} ${formatDistance(p.chainage_m)}`),
                  h('span', {}, `${t('corridor.distance')} ${formatDistance(p.distance_m)}`))));
          })),
        ])));
    }
    this.results.replaceChildren(...groups);
  }

  clear() {
    this.seq += 1;
    this.axis = null;
    this.last = null;
    this.setMode(null);
    this.select.value = '';
    for (const id of ['tool:band', 'tool:axis', 'hl:corridor']) this.ctx.setData(id, EMPTY);
    this.summary.textContent = '';
    this.results.replaceChildren();
    this.ctx.saveUrl();
  }

  /** The URL form of the corridor: `f:<id>` or `l:lon,lat;lon,lat…`. */
  toUrl() {
    if (!this.axis) return null;
    if (this.axis.kind === 'feature') return `f:${this.axis.id}`;
    return `l:${this.axis.coordinates.map((c) => `${c[0]},${c[1]}`).join(';')}`;
  }

  static parseUrl(value) {
    if (!value) return null;
    if (value.startsWith('f:')) return { kind: 'feature', id: value.slice(2) };
    if (value.startsWith('l:')) {
      const coordinates = value.slice(2).split(';').map((p) => p.split(',').map(Number));
      if (coordinates.length >= 2 && coordinates.every((c) => c.length === 2 && c.every(Number.isFinite))) {
        return { kind: 'line', coordinates };
      }
    }
    return null;
  }
}
