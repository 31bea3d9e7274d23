// Nearby projects for engineers: a click on the map (while the tab is open) asks /api/nearby
// for the nearest features within a radius, draws the radius as a geodesic circle and lists
// the answers with the server's geodesic distances.

import * as api from './api.js';
import { h, chipGroup } from './ui.js';
import {
  t, layerTitle, statusLabel, provinceLabel, featureName, formatDistance, STATUSES, PROVINCES,
} from './i18n.js';
import { circleRing } from './geodesy.js';
import { layerSwatch, statusBadge } from './layerpanel.js';
import { layerColour } from './mapstyle.js';
import { featuresCsv, downloadText } from './csv.js';

const EMPTY = { type: 'FeatureCollection', features: [] };

export class NearbyTool {
  constructor(ctx) {
    this.ctx = ctx;
    this.at = null;
    this.last = null;
    this.seq = 0;
    this.filters = { layers: [], status: [], province: [] };
    this.radius = document.getElementById('nearby-radius');
    this.k = document.getElementById('nearby-k');
    this.summary = document.getElementById('nearby-summary');
    this.list = document.getElementById('nearby-results');
    const rerun = () => { if (this.at) this.run(this.at); };
    this.radius.addEventListener('change', rerun);
    this.k.addEventListener('change', rerun);
  }

  renderFilters() {
    const thematic = this.ctx.catalogue.filter((l) => !l.boundary && l.feature_count);
    const rerun = (key) => (values) => { this.filters[key] = values; if (this.at) this.run(this.at); };
    chipGroup(document.getElementById('nearby-filter-layers'), t('filter.layers'),
      thematic.map((l) => ({ value: l.id, label: layerTitle(l), colour: layerColour(l.id) })),
      rerun('layers'), this.filters.layers);
    chipGroup(document.getElementById('nearby-filter-status'), t('filter.status'),
      STATUSES.map((s) => ({ value: s, label: statusLabel(s) })), rerun('status'), this.filters.status);
    chipGroup(document.getElementById('nearby-filter-province'), t('filter.province'),
      PROVINCES.map((p) => ({ value: p, label: provinceLabel(p) })), rerun('province'), this.filters.province);
  }

  radius_m() {
    const km = Math.min(1000, Math.max(0.1, Number(this.radius.value) || 20));
    return km * 1000;
  }

  /** The query as sent to /api/nearby for a point. */
  params(at) {
    return {
      lon: +at[0].toFixed(6),
      lat: +at[1].toFixed(6),
      k: Math.min(1000, Math.max(1, Math.round(Number(this.k.value) || 25))),
      radius_m: this.radius_m(),
      // No layer chosen: the layers on the map.
      layers: this.filters.layers.length ? this.filters.layers : this.ctx.visibleThematic(),
      status: this.filters.status,
      province: this.filters.province,
    };
  }

  async run(at) {
    const seq = ++this.seq;
    const params = this.params(at);
    this.at = [params.lon, params.lat];
    this.draw(params);
    this.summary.classList.add('loading');
    try {
      const response = await api.nearby(params);
      if (seq !== this.seq) return;
      this.last = { params, response };
      this.ctx.setData('hl:nearby', response);
      this.renderList();
    } catch (e) {
      if (seq !== this.seq) return;
      this.summary.textContent = t('error.query', { msg: e.message });
    }
    this.summary.classList.remove('loading');
    this.ctx.saveUrl();
  }

  draw(params) {
    const centre = [params.lon, params.lat];
    this.ctx.setData('tool:near-circle', {
      type: 'Feature', properties: {},
      geometry: { type: 'Polygon', coordinates: [circleRing(centre, params.radius_m, 128)] },
    });
    this.ctx.setData('tool:near-centre', { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: centre } });
  }

  renderList() {
    if (!this.last) return;
    const { params, response } = this.last;
    const n = response.features.length;
    const where = `${params.lat.toFixed(4)}°N ${params.lon.toFixed(4)}°E`;
    this.summary.replaceChildren(
      t('nearby.summary', { where, radius: formatDistance(params.radius_m), n: response.numberMatched }),
      response.numberMatched > n ? ` ${t('nearby.more', { m: response.numberMatched, n })}` : '',
      n ? h('button', {
        type: 'button', class: 'btn small csv', id: 'nearby-csv',
        onclick: () => downloadText(`nearby-${params.lon}-${params.lat}.csv`, featuresCsv(this.ctx, response.features, ['distance_m'])),
      }, 'CSV') : null,
    );
    if (!n) {
      this.list.replaceChildren(h('li', { class: 'empty' }, t('nearby.empty')));
      return;
    }
    this.list.replaceChildren(...response.features.map((f) => {
      const p = f.properties;
      const layer = this.ctx.layerById.get(p.layer);
      // Hovering a result draws the geodesic distance it reports: from the point to the
      // feature's nearest point.
      const link = () => this.ctx.setData('tool:near-link', {
        type: 'Feature', properties: {},
        geometry: { type: 'LineString', coordinates: [[params.lon, params.lat], p.nearest] },
      });
      return h('li', {
        dataset: { id: p.id, distanceM: String(p.distance_m) },
        onmouseenter: link, onfocusin: link,
        onmouseleave: () => this.ctx.setData('tool:near-link', EMPTY),
      },
        h('button', { type: 'button', class: 'result', onclick: () => this.ctx.selectFeature(p.id, { fly: true }) },
          h('span', { class: 'result-main' }, layer ? layerSwatch(layer) : null, h('span', { class: 'name' }, featureName(p))),
          h('span', { class: 'distance' }, formatDistance(p.distance_m)),
          h('span', { class: 'result-sub' }, layer ? layerTitle(layer) : p.layer, ' · ', statusBadge(p.status))));
    }));
  }

  clear() {
    this.seq += 1;
    this.at = null;
    this.last = null;
    this.ctx.setData('hl:nearby', EMPTY);
    this.ctx.setData('tool:near-circle', EMPTY);
    this.ctx.setData('tool:near-centre', EMPTY);
    this.ctx.setData('tool:near-link', EMPTY);
    this.summary.textContent = '';
    this.list.replaceChildren();
    this.ctx.saveUrl();
  }
}
