// Route loops for tourism staff: stops added by clicking the map or picking attractions,
// reordered by drag and drop (or the up/down buttons), planned by /api/loops/plan (optimise
// once on request, else in the order shown), drawn with numbered stops (network legs solid,
// straight legs dashed), saved, opened, renamed, deleted and exported through /api/loops.
// Names and notes are user text: they only ever reach the page as text nodes.

import * as api from './api.js';
import { h, toast } from './ui.js';
import { t, getLang, featureName, formatDistance, provinceLabel, layerTitle } from './i18n.js';
import { layerSwatch } from './layerpanel.js';

const EMPTY = { type: 'FeatureCollection', features: [] };
const fc = (features) => ({ type: 'FeatureCollection', features });
/** Layers whose features a click (or the picker) adds as a stop by id. */
export const STOP_LAYERS = ['attractions', 'towns'];
const TOKEN_KEY = 'yuqian.writeToken';
const DEFAULT_OPTIONS = { roundtrip: true, fixed_first: true, fixed_last: false, paths: 'network' };

/** "3 h 05 min" / "3 小时 05 分" from seconds. */
export function formatDuration(s) {
  const min = Math.round(s / 60);
  const hours = Math.floor(min / 60);
  const rest = min % 60;
  return hours ? t('loops.hmin', { h: hours, m: String(rest).padStart(2, '0') }) : t('loops.min', { m: rest });
}

const km = (m) => `${(m / 1000).toFixed(1)} km`;
const samePoint = (a, b) => Math.abs(a[0] - b[0]) < 1e-6 && Math.abs(a[1] - b[1]) < 1e-6;

/**
 * The loop's line cut at its stops (in visiting order) into one piece per leg, so that
 * network legs and straight legs can be drawn differently.
 */
export function splitLegs(plan) {
  const coords = plan.geometry.coordinates;
  const { order, legs } = plan.properties;
  const cuts = [];
  let from = 0;
  const stopsVisited = legs.length + 1;
  for (let k = 0; k < stopsVisited; k += 1) {
    const pos = order[k % order.length].position;
    let i = from;
    while (i < coords.length && !samePoint(coords[i], pos)) i += 1;
    if (i >= coords.length) return null;
    cuts.push(i);
    from = i;
  }
  return legs.map((leg, k) => ({
    type: 'Feature',
    properties: { leg: k, network: leg.network, straight: leg.straight ?? '' },
    geometry: { type: 'LineString', coordinates: coords.slice(cuts[k], cuts[k + 1] + 1).concat(cuts[k] === cuts[k + 1] ? [coords[cuts[k]]] : []) },
  }));
}

export class LoopTool {
  constructor(ctx) {
    this.ctx = ctx;
    this.stops = []; // {id|null, position, name_zh, name_en}
    this.options = { ...DEFAULT_OPTIONS };
    this.plan = null;
    this.saved = null; // {id, etag, name, notes}
    this.savedList = [];
    this.presets = [];
    this.seq = 0;
    this.timer = null;
    this.message = null;
    this.el = (id) => document.getElementById(id);
    this.picker = this.el('loop-pick');
    this.pickList = this.el('loop-pick-results');
    this.picker.addEventListener('input', () => this.renderPicker());
    this.picker.addEventListener('focus', () => this.renderPicker());
    this.picker.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.pickList.hidden = true;
      if (e.key === 'Enter') this.pickList.querySelector('button')?.click();
    });
    document.addEventListener('click', (e) => {
      if (!e.target.closest('.loop-picker')) this.pickList.hidden = true;
    });
    for (const key of ['roundtrip', 'fixed_first', 'fixed_last']) {
      this.el(`loop-${key.replace('_', '-')}`).addEventListener('change', (e) => {
        this.options[key] = e.target.checked;
        this.changed();
      });
    }
    this.el('loop-paths').addEventListener('change', (e) => { this.options.paths = e.target.value; this.changed(); });
    this.el('loop-optimise').addEventListener('click', () => this.optimise());
    this.el('loop-clear').addEventListener('click', () => this.reset());
    this.el('loop-preset').addEventListener('change', (e) => {
      const p = this.presets.find((x) => x.id === e.target.value);
      if (p) this.loadRequest(p.request, { name: getLang() === 'zh' ? p.name_zh : p.name_en });
    });
    this.el('loop-save').addEventListener('click', () => this.save());
    this.el('loop-save-new').addEventListener('click', () => this.save({ asNew: true }));
    this.el('loop-delete').addEventListener('click', () => this.remove());
    this.el('loop-show-saved').addEventListener('change', (e) => ctx.setLayerVisible('saved_loops', e.target.checked));
  }

  // ---- State --------------------------------------------------------------------------------

  stopFromFeature(f) {
    const p = f.properties;
    const pos = f.geometry.type === 'Point' ? f.geometry.coordinates : null;
    return { id: p.id, position: pos, name_zh: p.name_zh, name_en: p.name_en };
  }

  stopName(s, i) {
    if (s.id) return (getLang() === 'zh' ? s.name_zh : s.name_en) ?? s.id;
    return t('loops.point', { n: i + 1, at: `${s.position[1].toFixed(4)}°N ${s.position[0].toFixed(4)}°E` });
  }

  addStop(stop) {
    this.stops.push(stop);
    this.changed();
  }

  async addFeature(id) {
    const f = await this.ctx.features.get(id);
    if (f) this.addStop(this.stopFromFeature(f));
  }

  addPosition(lngLat) {
    this.addStop({ id: null, position: [+lngLat[0].toFixed(6), +lngLat[1].toFixed(6)] });
  }

  move(from, to) {
    if (to < 0 || to >= this.stops.length || from === to) return;
    const [s] = this.stops.splice(from, 1);
    this.stops.splice(to, 0, s);
    this.changed();
  }

  removeStop(i) {
    this.stops.splice(i, 1);
    this.changed();
  }

  reset() {
    this.stops = [];
    this.options = { ...DEFAULT_OPTIONS };
    this.saved = null;
    this.el('loop-name').value = '';
    this.el('loop-notes').value = '';
    this.el('loop-preset').value = '';
    this.setMessage(null);
    this.changed();
  }

  request(optimise) {
    return {
      stops: this.stops.map((s) => s.id ?? s.position),
      ...this.options,
      suggest_within_m: 10000,
      optimise,
    };
  }

  /** A map click while the tab is open: an attraction or town under it, else the position. */
  async handleClick(e) {
    const hit = this.ctx.featuresAt(e.point).find((f) => STOP_LAYERS.includes(f.properties.layer));
    const f = hit && (await this.ctx.features.resolve(hit).catch(() => null));
    if (f) this.addStop(this.stopFromFeature(f));
    else this.addPosition([e.lngLat.lng, e.lngLat.lat]);
    const n = this.stops.length;
    toast(t('loops.added', { n, name: this.stopName(this.stops[n - 1], n - 1) }), 1600);
  }

  /** After any change: plan again in the order shown. */
  changed() {
    this.dirty = Boolean(this.saved);
    this.plan = null;
    this.renderOptions();
    this.renderStops();
    this.renderSaveBox();
    this.draw();
    this.ctx.saveUrl();
    clearTimeout(this.timer);
    if (this.stops.length >= 2) this.timer = setTimeout(() => this.run(false), 120);
    else this.renderSummary();
  }

  async run(optimise) {
    const seq = ++this.seq;
    this.pending = true;
    const body = this.request(optimise);
    const stops = [...this.stops];
    this.el('loop-summary').classList.add('loading');
    try {
      const plan = await this.post('/api/loops/plan', body);
      if (seq !== this.seq) return null;
      if (optimise) {
        // Adopt the order found: the stops and the plan's indices follow the visiting order.
        const newIndex = new Map(plan.properties.order.map((o, k) => [o.index, k]));
        this.stops = plan.properties.order.map((o) => stops[o.index]);
        plan.properties.order = plan.properties.order.map((o, k) => ({ ...o, index: k }));
        plan.properties.legs = plan.properties.legs.map((l) => ({ ...l, from: newIndex.get(l.from), to: newIndex.get(l.to) }));
        this.lastOptimised = { request: body, plan };
      }
      this.plan = plan;
      // Names of position stops come from the plan only as placeholders; ids get theirs.
      plan.properties.order.forEach((o, k) => {
        const s = this.stops[k];
        if (s && s.id && !s.name_zh) Object.assign(s, { name_zh: o.name_zh, name_en: o.name_en });
        if (s && s.id) s.position = o.position;
      });
      this.setMessage(null);
    } catch (e) {
      if (seq !== this.seq) return null;
      this.plan = null;
      this.setMessage({ kind: 'error', text: t('loops.error.plan', { msg: e.message }) });
    } finally {
      if (seq === this.seq) {
        this.pending = false;
        this.el('loop-summary').classList.remove('loading');
      }
    }
    this.renderStops();
    this.renderSummary();
    this.draw();
    this.ctx.saveUrl();
    return this.plan;
  }

  async optimise() {
    if (this.stops.length < 2) return;
    clearTimeout(this.timer);
    await this.run(true);
  }

  async loadRequest(req, { name = '', keepSaved = false } = {}) {
    if (!keepSaved) this.saved = null;
    await this.ctx.features.getAll(req.stops.filter((s) => typeof s === 'string')).catch(() => null);
    this.stops = req.stops.map((s) => {
      if (typeof s === 'string') {
        const f = this.ctx.features.peek(s);
        return f ? this.stopFromFeature(f) : { id: s, position: null };
      }
      return { id: null, position: s };
    });
    this.options = {
      roundtrip: req.roundtrip ?? true, fixed_first: req.fixed_first ?? true,
      fixed_last: req.fixed_last ?? false, paths: req.paths === 'straight' ? 'straight' : 'network',
    };
    if (name) this.el('loop-name').value = name;
    if (!keepSaved) this.el('loop-notes').value = '';
    this.changed();
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  headers(extra = {}) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    return { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
  }

  async send(method, path, body, extra) {
    const r = await fetch(path, { method, headers: this.headers(extra), body: body === undefined ? undefined : JSON.stringify(body) });
    const data = r.status === 204 ? null : await r.json().catch(() => null);
    if (!r.ok) throw new api.ApiError(r.status, data);
    return { data, etag: r.headers.get('etag') };
  }

  async post(path, body) {
    return (await this.send('POST', path, body)).data;
  }

  async refreshSaved() {
    try {
      const { loops } = await api.getJson('/api/loops');
      this.savedList = loops;
    } catch (e) {
      this.savedList = [];
      this.setMessage({ kind: 'error', text: t('loops.error.list', { msg: e.message }) });
    }
    this.ctx.setData('loops:saved', fc(this.savedList.filter((l) => l.geometry).map((l) => ({
      type: 'Feature', geometry: l.geometry, properties: { loop: l.id, name: l.name },
    }))));
    this.renderSaved();
    const count = document.querySelector('.layer-row[data-layer="saved_loops"] .count');
    if (count) count.textContent = String(this.savedList.length);
  }

  async loadPresets() {
    try {
      this.presets = (await api.getJson('/api/loops/presets')).presets;
    } catch {
      this.presets = [];
    }
    this.renderPresets();
  }

  async open(id, { fit = true } = {}) {
    let got;
    try {
      got = await this.send('GET', `/api/loops/${id}`);
    } catch (e) {
      this.setMessage({ kind: 'error', text: t('loops.error.open', { msg: e.message }) });
      return;
    }
    const { data, etag } = got;
    clearTimeout(this.timer);
    this.seq += 1;
    const order = data.plan.properties.order;
    this.stops = data.request.stops.map((s, i) => {
      const o = order.find((x) => x.index === i);
      if (typeof s === 'string') {
        const f = this.ctx.features.peek(s);
        return f ? this.stopFromFeature(f) : { id: s, position: o?.position ?? null, name_zh: o?.name_zh, name_en: o?.name_en };
      }
      return { id: null, position: s };
    });
    // Shown in visiting order.
    const visiting = order.map((o) => this.stops[o.index]);
    const newIndex = new Map(order.map((o, k) => [o.index, k]));
    this.stops = visiting;
    const plan = data.plan;
    plan.properties.order = order.map((o, k) => ({ ...o, index: k }));
    plan.properties.legs = plan.properties.legs.map((l) => ({ ...l, from: newIndex.get(l.from), to: newIndex.get(l.to) }));
    this.options = {
      roundtrip: data.request.roundtrip ?? true, fixed_first: data.request.fixed_first ?? true,
      fixed_last: data.request.fixed_last ?? false, paths: data.request.paths === 'straight' ? 'straight' : 'network',
    };
    this.saved = { id: data.id, etag: etag ?? `"v${data.version}"`, name: data.name, notes: data.notes ?? '' };
    this.dirty = false;
    this.el('loop-name').value = data.name;
    this.el('loop-notes').value = data.notes ?? '';
    this.el('loop-preset').value = '';
    this.plan = plan;
    this.setMessage(null);
    this.renderOptions();
    this.renderStops();
    this.renderSummary();
    this.renderSaved();
    this.draw({ fit });
    this.ctx.saveUrl();
  }

  async save({ asNew = false } = {}) {
    const name = this.el('loop-name').value.trim();
    if (!name) {
      this.setMessage({ kind: 'error', text: t('loops.error.name') });
      this.el('loop-name').focus();
      return;
    }
    if (this.stops.length < 2) {
      this.setMessage({ kind: 'error', text: t('loops.error.stops') });
      return;
    }
    const body = { ...this.request(false), name, notes: this.el('loop-notes').value };
    try {
      const update = this.saved && !asNew;
      const { data, etag } = update
        ? await this.send('PUT', `/api/loops/${this.saved.id}`, body, { 'if-match': this.saved.etag })
        : await this.send('POST', '/api/loops', body);
      this.saved = { id: data.id, etag: etag ?? `"v${data.version}"`, name: data.name, notes: data.notes ?? '' };
      this.dirty = false;
      this.setMessage({ kind: 'ok', text: t(update ? 'loops.saved.updated' : 'loops.saved.created', { name: data.name }) });
      this.ctx.saveUrl();
    } catch (e) {
      this.writeFailed(e, () => this.save({ asNew }));
    }
    await this.refreshSaved();
    this.renderSaveBox();
  }

  async remove() {
    if (!this.saved) return;
    if (!window.confirm(t('loops.delete.confirm', { name: this.saved.name }))) return;
    try {
      await this.send('DELETE', `/api/loops/${this.saved.id}`, undefined, { 'if-match': this.saved.etag });
      const name = this.saved.name;
      this.saved = null;
      this.setMessage({ kind: 'ok', text: t('loops.deleted', { name }) });
      this.ctx.saveUrl();
    } catch (e) {
      this.writeFailed(e, () => this.remove());
    }
    await this.refreshSaved();
    this.renderSaveBox();
  }

  /** A refused write: stale ETag (offer to reload), missing token (ask for it), or the detail. */
  writeFailed(e, retry) {
    if (e.status === 412) {
      const id = this.saved.id;
      this.setMessage({ kind: 'error', id: 'loop-stale', text: t('loops.error.stale'), action: { label: t('loops.reload'), run: () => this.open(id) } });
    } else if (e.status === 404 && this.saved) {
      this.saved = null;
      this.setMessage({ kind: 'error', text: t('loops.error.gone') });
    } else if (e.status === 401) {
      this.setMessage({ kind: 'error', text: t('loops.error.token', { msg: e.message }), token: retry });
    } else {
      this.setMessage({ kind: 'error', text: t('loops.error.save', { msg: e.message }) });
    }
  }

  // ---- URL ----------------------------------------------------------------------------------

  /** `saved=ID` for a saved loop as saved; its stops and options too once edited (or alone). */
  toUrl() {
    if (this.saved && !this.dirty) return { saved: String(this.saved.id) };
    if (!this.stops.length) return null;
    const loop = this.stops.map((s) => s.id ?? s.position.map((x) => x.toFixed(6)).join(',')).join(';');
    const o = this.options;
    const opts = [o.roundtrip ? 'round' : 'open', o.fixed_first ? 'first' : null, o.fixed_last ? 'last' : null, o.paths].filter(Boolean).join(',');
    return { ...(this.saved ? { saved: String(this.saved.id) } : {}), loop, lopt: opts };
  }

  static parseUrl(raw) {
    const saved = raw.saved && /^\d+$/.test(raw.saved) ? Number(raw.saved) : null;
    if (!raw.loop) return saved ? { saved } : null;
    const stops = raw.loop.split(';').filter(Boolean).map((s) => {
      const m = /^(-?[\d.]+),(-?[\d.]+)$/.exec(s);
      return m ? [Number(m[1]), Number(m[2])] : s;
    });
    const o = (raw.lopt ?? 'round,first,network').split(',');
    return {
      saved,
      request: {
        stops, roundtrip: !o.includes('open'), fixed_first: o.includes('first'), fixed_last: o.includes('last'),
        paths: o.includes('straight') ? 'straight' : 'network',
      },
    };
  }

  /** The loop of the URL; the map frames it unless the URL has a view of its own. */
  async restore(state, { fit = true } = {}) {
    if (!state) return;
    if (state.saved) await this.open(state.saved, { fit: fit && !state.request });
    if (state.request) {
      // A saved loop with unsaved edits: its stops and options as edited.
      await this.loadRequest(state.request, { keepSaved: Boolean(this.saved) });
      await new Promise((r) => setTimeout(r, 150));
      await this.whenPlanned();
      if (fit && this.plan) this.draw({ fit: true });
    }
  }

  /** Resolves once no plan is pending. */
  async whenPlanned() {
    for (let i = 0; i < 300 && (this.pending || (this.stops.length >= 2 && !this.plan && !this.message)); i += 1) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // ---- Drawing ------------------------------------------------------------------------------

  draw({ fit = false } = {}) {
    const { ctx } = this;
    const plan = this.plan;
    const stops = this.stops.map((s, i) => ({
      type: 'Feature',
      properties: { number: i + 1, name: this.stopName(s, i) },
      geometry: { type: 'Point', coordinates: plan?.properties.order[i]?.position ?? s.position },
    })).filter((f) => f.geometry.coordinates);
    ctx.setData('loop:stops', fc(stops));
    if (!plan) {
      ctx.setData('loop:legs', EMPTY);
      ctx.setData('loop:suggest', EMPTY);
      return;
    }
    const legs = splitLegs(plan) ?? [{
      type: 'Feature', geometry: plan.geometry,
      properties: { leg: 0, network: plan.properties.legs.every((l) => l.network), straight: '' },
    }];
    ctx.setData('loop:legs', fc(legs));
    ctx.setData('loop:suggest', fc(plan.properties.suggestions.filter((s) => s.position).map((s) => ({
      type: 'Feature', properties: { id: s.id }, geometry: { type: 'Point', coordinates: s.position },
    }))));
    if (fit) {
      const c = plan.geometry.coordinates;
      const xs = c.map((p) => p[0]);
      const ys = c.map((p) => p[1]);
      // Room for the numbered markers, and for the scale bar and attribution at the bottom.
      ctx.map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], {
        padding: { top: 36, bottom: 64, left: 36, right: 56 }, maxZoom: 12, duration: 600,
      });
    }
  }

  // ---- Panel --------------------------------------------------------------------------------

  render() {
    this.renderPresets();
    this.renderOptions();
    this.renderStops();
    this.renderSummary();
    this.renderSaved();
    this.renderSaveBox();
    this.renderMessage();
    if (!this.pickList.hidden) this.renderPicker();
    // Before the style is in there is nothing to draw on (and nothing drawn yet).
    if (this.ctx.map.isStyleLoaded()) this.draw();
  }

  renderPresets() {
    const sel = this.el('loop-preset');
    const value = sel.value;
    sel.replaceChildren(
      h('option', { value: '' }, t('loops.preset.choose')),
      ...this.presets.map((p) => h('option', { value: p.id }, getLang() === 'zh' ? p.name_zh : p.name_en)),
    );
    sel.value = value;
  }

  renderOptions() {
    this.el('loop-roundtrip').checked = this.options.roundtrip;
    this.el('loop-fixed-first').checked = this.options.fixed_first;
    this.el('loop-fixed-last').checked = this.options.fixed_last;
    this.el('loop-fixed-last').disabled = this.options.roundtrip;
    this.el('loop-paths').value = this.options.paths;
    this.el('loop-optimise').disabled = this.stops.length < 2;
    this.el('loop-show-saved').checked = this.ctx.visible.has('saved_loops');
  }

  /** Point features of the stop layers whose names contain `q` (the first ones when empty). */
  async candidates(q) {
    const needle = q.trim();
    const answer = needle
      ? await api.getJson('/api/search', { q: needle, layers: STOP_LAYERS, limit: 40 })
      : await api.featuresOf(STOP_LAYERS, 40);
    const hits = answer.features.filter((f) => f.geometry.type === 'Point');
    this.ctx.features.put(hits);
    return hits;
  }

  async renderPicker() {
    const seq = (this.pickSeq = (this.pickSeq ?? 0) + 1);
    let hits;
    try {
      hits = await this.candidates(this.picker.value);
    } catch (e) {
      if (seq === this.pickSeq) this.pickList.replaceChildren(h('li', { class: 'empty' }, t('error.query', { msg: e.message })));
      return;
    }
    if (seq !== this.pickSeq) return;
    this.pickList.hidden = false;
    if (!hits.length) {
      this.pickList.replaceChildren(h('li', { class: 'empty' }, t('search.none')));
      return;
    }
    this.pickList.replaceChildren(...hits.map((f) => {
      const layer = this.ctx.layerById.get(f.properties.layer);
      return h('li', { dataset: { id: f.properties.id } },
        h('button', {
          type: 'button',
          onclick: () => { this.addFeature(f.properties.id); this.picker.value = ''; this.pickList.hidden = true; },
        }, layer ? layerSwatch(layer) : null, h('span', { class: 'name' }, featureName(f.properties)),
        h('small', {}, layer ? layerTitle(layer) : '')));
    }));
  }

  legAfter(i) {
    const legs = this.plan?.properties.legs ?? [];
    return legs.find((l) => l.from === i);
  }

  renderStops() {
    const list = this.el('loop-stops');
    if (!this.stops.length) {
      list.replaceChildren(h('li', { class: 'empty' }, t('loops.empty')));
      return;
    }
    let dragFrom = null;
    list.replaceChildren(...this.stops.map((s, i) => {
      const leg = this.legAfter(i);
      const li = h('li', {
        class: 'loop-stop', draggable: 'true', dataset: { index: String(i), id: s.id ?? '' },
        ondragstart: (e) => { dragFrom = i; e.dataTransfer.effectAllowed = 'move'; e.dataTransfer.setData('text/plain', String(i)); li.classList.add('dragging'); },
        ondragend: () => li.classList.remove('dragging'),
        ondragover: (e) => { e.preventDefault(); li.classList.add('drop'); },
        ondragleave: () => li.classList.remove('drop'),
        ondrop: (e) => {
          e.preventDefault();
          li.classList.remove('drop');
          const from = dragFrom ?? Number(e.dataTransfer.getData('text/plain'));
          if (Number.isInteger(from)) this.move(from, i);
        },
      },
      h('span', { class: 'stop-number', 'aria-hidden': 'true' }, String(i + 1)),
      h('span', { class: 'stop-body' },
        h('span', { class: 'stop-name' }, this.stopName(s, i)),
        leg ? h('span', { class: `stop-leg${leg.network ? '' : ' straight'}` },
          `→ ${km(leg.distance_m)} · ${formatDuration(leg.duration_s)}`,
          leg.network ? '' : ` · ${t(`loops.straight.${leg.straight ?? 'requested'}`)}`) : null),
      h('span', { class: 'stop-tools' },
        h('button', { type: 'button', class: 'icon up', title: t('loops.up'), 'aria-label': t('loops.up'), disabled: i === 0, onclick: () => this.move(i, i - 1) }, '↑'),
        h('button', { type: 'button', class: 'icon down', title: t('loops.down'), 'aria-label': t('loops.down'), disabled: i === this.stops.length - 1, onclick: () => this.move(i, i + 1) }, '↓'),
        h('button', { type: 'button', class: 'icon remove', title: t('loops.remove'), 'aria-label': t('loops.remove'), onclick: () => this.removeStop(i) }, '×')));
      return li;
    }));
  }

  renderSummary() {
    const box = this.el('loop-summary');
    const sugg = this.el('loop-suggestions');
    const p = this.plan?.properties;
    if (!p) {
      box.replaceChildren(this.stops.length < 2 ? h('p', { class: 'muted' }, t('loops.need2')) : '');
      sugg.replaceChildren();
      return;
    }
    const provinces = p.provinces.filter((x) => x.length_m > 0);
    box.replaceChildren(
      h('div', { class: 'loop-totals' },
        h('div', {}, h('span', { class: 'label' }, t('loops.length')), h('strong', { id: 'loop-length', dataset: { m: String(p.distance_m) } }, km(p.distance_m))),
        h('div', {}, h('span', { class: 'label' }, t('loops.time')), h('strong', { id: 'loop-time' }, formatDuration(p.duration_s))),
        h('div', {}, h('span', { class: 'label' }, t('loops.crossings')), h('strong', { id: 'loop-crossings' }, String(p.border_crossings)))),
      h('p', { class: 'loop-kind muted' },
        t(p.roundtrip ? 'loops.kind.round' : 'loops.kind.open'), ' · ',
        t(p.paths === 'straight' ? 'loops.paths.straight' : 'loops.paths.network'),
        p.legs.some((l) => !l.network) && p.paths !== 'straight' ? ` · ${t('loops.some.straight')}` : ''),
      h('h4', {}, t('loops.provinces')),
      h('ul', { class: 'loop-lengths', id: 'loop-provinces' }, provinces.map((x) => h('li', {},
        h('span', {}, x.province ? provinceLabel(x.province) : t('loops.outside')), h('span', { class: 'km' }, km(x.length_m))))),
      h('h4', {}, t('loops.counties')),
      h('ul', { class: 'loop-lengths', id: 'loop-counties' }, [
        ...p.counties.map((c) => h('li', { dataset: { id: c.id } },
          h('span', {}, getLang() === 'zh' ? c.name_zh : c.name_en), h('span', { class: 'km' }, km(c.length_m)))),
        p.outside_counties_m > 0 ? h('li', {}, h('span', {}, t('loops.outside.counties')), h('span', { class: 'km' }, km(p.outside_counties_m))) : null,
      ]),
    );
    const items = p.suggestions.slice(0, 15);
    sugg.replaceChildren(
      h('h4', {}, t('loops.suggestions', { km: 10 })),
      items.length
        ? h('ul', { class: 'results loop-suggest' }, items.map((s) => h('li', { dataset: { id: s.id } },
          h('button', {
            type: 'button', class: 'result', title: t('loops.suggest.add'),
            onclick: () => this.addFeature(s.id),
          },
          h('span', { class: 'result-main' }, h('span', { class: 'plus' }, '+'), h('span', { class: 'name' }, featureName(s))),
          h('span', { class: 'distance' }, formatDistance(s.distance_m))))))
        : h('p', { class: 'muted' }, t('loops.suggest.none')),
    );
  }

  renderSaveBox() {
    const saved = this.saved;
    this.el('loop-save').textContent = t(saved ? 'loops.save.update' : 'loops.save');
    this.el('loop-save-new').hidden = !saved;
    this.el('loop-delete').hidden = !saved;
    const exp = this.el('loop-exports');
    exp.hidden = !saved;
    if (saved) {
      this.el('loop-gpx').href = `/api/loops/${saved.id}.gpx`;
      this.el('loop-geojson').href = `/api/loops/${saved.id}.geojson`;
    }
    this.el('loop-current').textContent = saved
      ? `${t('loops.editing', { name: saved.name })}${this.dirty ? ` ${t('loops.unsaved')}` : ''}` : '';
  }

  renderSaved() {
    const list = this.el('loop-saved');
    if (!this.savedList.length) {
      list.replaceChildren(h('li', { class: 'empty' }, t('loops.saved.none')));
      return;
    }
    list.replaceChildren(...this.savedList.map((l) => h('li', {
      dataset: { id: String(l.id) }, class: this.saved?.id === l.id ? 'current' : null,
    },
    h('button', { type: 'button', class: 'result', onclick: () => this.open(l.id) },
      h('span', { class: 'result-main' }, h('span', { class: 'name saved-name' }, l.name)),
      h('span', { class: 'distance' }, l.distance_m != null ? km(l.distance_m) : ''),
      h('span', { class: 'result-sub' }, t('loops.saved.meta', { n: l.stops?.length ?? l.stops ?? 0, when: (l.updated_at ?? '').slice(0, 16).replace('T', ' ') }))))));
    this.renderSaveBox();
  }

  setMessage(m) {
    this.message = m;
    this.renderMessage();
  }

  renderMessage() {
    const box = this.el('loop-message');
    const m = this.message;
    if (!m) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    box.hidden = false;
    box.className = `loop-message ${m.kind}`;
    const parts = [h('span', { id: m.id ?? null }, m.text)];
    if (m.action) parts.push(h('button', { type: 'button', class: 'btn small', id: 'loop-message-action', onclick: m.action.run }, m.action.label));
    if (m.token) {
      const input = h('input', { type: 'password', id: 'loop-token', autocomplete: 'off', placeholder: t('loops.token') });
      parts.push(h('span', { class: 'row' }, input, h('button', {
        type: 'button', class: 'btn small',
        onclick: () => {
          if (input.value) sessionStorage.setItem(TOKEN_KEY, input.value);
          m.token();
        },
      }, t('loops.token.use'))));
    }
    box.replaceChildren(...parts);
    box.scrollIntoView({ block: 'nearest' });
  }
}
