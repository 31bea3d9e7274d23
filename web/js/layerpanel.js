// The layer list (toggles with a legend swatch per layer; a layer whose style fills its polygons
// by a field, such as the counties by 一区两群 group, gets a toggle of that and a legend of its
// values), the status and accuracy legend, and the list of data sources with their licences.

import { h, svg } from './ui.js';
import { t, getLang, layerTitle, statusLabel, accuracyLabel, STATUSES, ACCURACIES } from './i18n.js';
import {
  BASE_LAYERS, BORDER_COLOUR, COURSE_UNKNOWN, PROVINCE_FILL, STATUS_DASH, layerColour, layerStyle, pointStatusStyle, ROUTE_COLOURS, resolveColour, unlocatedStyle,
} from './mapstyle.js';

/** A small SVG sample of a layer: a filled square, a line, or a dot, per its geometry kinds. */
export function layerSwatch(layer) {
  const c = layerColour(layer.id);
  const s = svg('svg', { viewBox: '0 0 28 16', width: 28, height: 16, class: 'swatch', 'aria-hidden': 'true' });
  if (layer.boundary === 'province') {
    s.append(svg('rect', { x: 1, y: 2, width: 26, height: 12, fill: PROVINCE_FILL.chongqing, stroke: c, 'stroke-width': 1.5, 'stroke-dasharray': '6 2 1.5 2' }));
  } else if (layer.boundary === 'county') {
    s.append(svg('rect', { x: 1, y: 2, width: 26, height: 12, fill: 'none', stroke: c, 'stroke-width': 1 }));
  } else if (layer.id === 'tourist_routes') {
    s.append(svg('path', { d: 'M2 12 L10 5 L18 11 L26 4', fill: 'none', stroke: ROUTE_COLOURS[0], 'stroke-width': 2.6 }));
    s.append(svg('circle', { cx: 10, cy: 5, r: 3.6, fill: ROUTE_COLOURS[0], stroke: '#fff', 'stroke-width': 1 }));
  } else if (layer.geometry.includes('polygon')) {
    s.append(svg('rect', { x: 3, y: 2, width: 22, height: 12, fill: c, 'fill-opacity': 0.35, stroke: c, 'stroke-width': 1.5 }));
  } else if (layer.geometry.includes('line')) {
    s.append(svg('path', { d: 'M2 11 C9 3, 17 13, 26 5', fill: 'none', stroke: c, 'stroke-width': layer.id === 'rivers' ? 2 : 2.6 }));
    if (layer.geometry.includes('point')) s.append(svg('circle', { cx: 22, cy: 8, r: 3.5, fill: c, stroke: '#fff', 'stroke-width': 1.2 }));
  } else if (layer.id === 'towns') {
    s.append(svg('circle', { cx: 14, cy: 8, r: 4, fill: '#fff', stroke: c, 'stroke-width': 1.6 }));
  } else {
    s.append(svg('circle', { cx: 14, cy: 8, r: 5, fill: c, stroke: '#fff', 'stroke-width': 1.5 }));
  }
  return s;
}

function statusLineSample(status, colour = '#444') {
  const s = svg('svg', { viewBox: '0 0 44 12', width: 44, height: 12, class: 'swatch', 'aria-hidden': 'true' });
  const w = 2.6;
  const dash = STATUS_DASH[status];
  s.append(svg('line', {
    x1: 2, y1: 6, x2: 42, y2: 6, stroke: colour, 'stroke-width': w,
    'stroke-dasharray': dash ? dash.map((d) => d * w).join(' ') : null,
    'stroke-opacity': status === 'unknown' ? 0.7 : 1,
  }));
  return s;
}

function statusPointSample(status, colour = '#444') {
  const st = pointStatusStyle(status, colour);
  const s = svg('svg', { viewBox: '0 0 16 16', width: 16, height: 16, class: 'swatch', 'aria-hidden': 'true' });
  s.append(svg('circle', { cx: 8, cy: 8, r: 5.5, fill: st.fill, stroke: st.stroke === '#ffffff' ? '#bbb' : st.stroke, 'stroke-width': st.strokeWidth }));
  return s;
}

/** The symbol of a point whose site is not known: a faint disc of its uncertainty, a ring and a
 * shrunk status symbol (as mapstyle.js draws it, from the style's `unlocated`). */
function unlocatedSample(colour = '#2f78c4') {
  const u = unlocatedStyle();
  const st = pointStatusStyle('planned', colour);
  return svg('svg', { viewBox: '0 0 28 28', width: 28, height: 28, class: 'swatch unlocated-sample', 'aria-hidden': 'true' },
    svg('circle', { cx: 14, cy: 14, r: 13, fill: resolveColour(u.uncertainty_fill, colour), stroke: resolveColour(u.uncertainty_stroke, colour), 'stroke-width': u.uncertainty_stroke_width }),
    svg('circle', { cx: 14, cy: 14, r: 6.5, fill: 'none', stroke: resolveColour(u.ring.colour, colour), 'stroke-width': u.ring.width }),
    svg('circle', { cx: 14, cy: 14, r: 5.5 * u.dot_scale, fill: st.fill, stroke: st.stroke, 'stroke-width': st.strokeWidth * u.dot_scale }));
}

/** A status badge: the line sample and the word (used in popups and result lists). */
export function statusBadge(status) {
  return h('span', { class: `status status-${status}` }, statusLineSample(status, '#555'), statusLabel(status));
}

export class LayerPanel {
  constructor(ctx) {
    this.ctx = ctx;
    this.list = document.getElementById('layer-list');
    this.statusLegend = document.getElementById('status-legend');
    this.accuracyLegend = document.getElementById('accuracy-legend');
    this.sources = document.getElementById('source-list');
  }

  render() {
    const { catalogue, visible } = this.ctx;
    const row = (layer) => {
      const empty = !layer.feature_count;
      return h('label', { class: `layer-row${empty ? ' empty' : ''}`, dataset: { layer: layer.id } },
        h('input', {
          type: 'checkbox', checked: visible.has(layer.id), disabled: empty,
          onchange: (e) => this.ctx.setLayerVisible(layer.id, e.target.checked),
        }),
        layerSwatch(layer),
        h('span', { class: 'layer-title' }, layerTitle(layer)),
        h('span', { class: 'count' }, String(layer.feature_count)));
    };
    // The toggle of a layer's fill by field, and one legend entry per value.
    const fillBy = (layer) => {
      const f = layerStyle(layer.id).fill_by;
      if (!f || !layer.feature_count) return [];
      const zh = getLang() === 'zh';
      return [h('div', { class: 'fill-by', dataset: { fillBy: layer.id } },
        h('label', { class: 'fill-by-toggle' },
          h('input', {
            type: 'checkbox', checked: this.ctx.fillBy.has(layer.id),
            onchange: (e) => this.ctx.setFillBy(layer.id, e.target.checked),
          }),
          h('span', {}, zh ? f.title_zh : f.title_en)),
        h('ul', { class: 'fill-by-legend' }, f.values.map((v) => h('li', { dataset: { value: v.value } },
          svg('svg', { viewBox: '0 0 16 12', width: 16, height: 12, class: 'swatch', 'aria-hidden': 'true' },
            svg('rect', { x: 0.5, y: 0.5, width: 15, height: 11, fill: v.colour, 'fill-opacity': Math.min(1, f.opacity * 2), stroke: layerColour(layer.id) })),
          h('span', {}, zh ? v.name_zh : v.name_en)))))];
    };
    const base = catalogue.filter((l) => BASE_LAYERS.has(l.id) || l.boundary);
    const thematic = catalogue.filter((l) => !(BASE_LAYERS.has(l.id) || l.boundary));
    const bulk = (on) => h('button', {
      type: 'button', class: 'link',
      onclick: () => thematic.forEach((l) => l.feature_count && this.ctx.setLayerVisible(l.id, on)),
    }, t(on ? 'layers.all' : 'layers.none'));
    this.list.replaceChildren(...[
      h('div', { class: 'group-title' }, t('group.base')),
      base.flatMap((l) => [row(l), ...fillBy(l)]),
      h('div', { class: 'border-row' },
        svg('svg', { viewBox: '0 0 28 16', width: 28, height: 16, class: 'swatch' },
          svg('line', { x1: 2, y1: 8, x2: 26, y2: 8, stroke: BORDER_COLOUR, 'stroke-opacity': 0.25, 'stroke-width': 7 }),
          svg('line', { x1: 2, y1: 8, x2: 26, y2: 8, stroke: BORDER_COLOUR, 'stroke-width': 2.2, 'stroke-dasharray': '7 2.5 1.5 2.5' })),
        h('span', {}, t('legend.border'))),
      h('div', { class: 'group-title' }, t('group.thematic'), h('span', { class: 'bulk' }, bulk(true), ' · ', bulk(false))),
      thematic.map(row),
      // The saved route loops (not a data layer): toggled like one.
      h('label', { class: 'layer-row', dataset: { layer: 'saved_loops' } },
        h('input', {
          type: 'checkbox', checked: visible.has('saved_loops'),
          onchange: (e) => this.ctx.setLayerVisible('saved_loops', e.target.checked),
        }),
        svg('svg', { viewBox: '0 0 28 16', width: 28, height: 16, class: 'swatch', 'aria-hidden': 'true' },
          svg('path', { d: 'M3 12 C6 2, 22 2, 25 10 C20 14, 8 15, 3 12', fill: 'none', stroke: '#7b3fa0', 'stroke-width': 2.4 })),
        h('span', { class: 'layer-title' }, t('layer.saved_loops')),
        h('span', { class: 'count' }, String(this.ctx.loops?.savedList.length ?? ''))),
    ].flat());

    this.statusLegend.replaceChildren(h('table', { class: 'status-table' },
      h('thead', {}, h('tr', {}, h('th', {}), h('th', {}, t('legend.line')), h('th', {}, t('legend.point')))),
      h('tbody', {}, STATUSES.map((s) => h('tr', {},
        h('td', {}, statusLabel(s)), h('td', {}, statusLineSample(s)), h('td', {}, statusPointSample(s, '#2f78c4')))))));
    const routes = catalogue.find((l) => l.id === 'tourist_routes' && l.feature_count);
    if (routes) {
      const sample = svg('svg', { viewBox: '0 0 44 16', width: 44, height: 16, class: 'swatch', 'aria-hidden': 'true' },
        svg('path', { d: 'M2 12 L22 5 L42 11', fill: 'none', stroke: ROUTE_COLOURS[0], 'stroke-width': 2.6 }),
        svg('circle', { cx: 22, cy: 5, r: 5, fill: ROUTE_COLOURS[0], stroke: '#fff', 'stroke-width': 1 }),
        svg('text', { x: 22, y: 7.6, 'text-anchor': 'middle', 'font-size': 7.5, 'font-weight': 700, fill: '#fff' }, document.createTextNode('2')));
      this.statusLegend.append(h('div', { class: 'legend-note' }, sample, t('legend.routes')));
    }
    // Lines known only by their ends (course_known = false): thin and dotted, a direction only.
    if (COURSE_UNKNOWN) {
      const w = 2.6 * COURSE_UNKNOWN.width;
      const sample = svg('svg', { viewBox: '0 0 44 12', width: 44, height: 12, class: 'swatch', 'aria-hidden': 'true' },
        svg('line', { x1: 2, y1: 6, x2: 42, y2: 6, stroke: '#444', 'stroke-width': w, 'stroke-opacity': COURSE_UNKNOWN.opacity,
          'stroke-dasharray': COURSE_UNKNOWN.dash.map((d) => d * w).join(' ') }));
      this.statusLegend.append(h('div', { class: 'legend-note course-unknown' }, sample,
        getLang() === 'zh' ? COURSE_UNKNOWN.legend_zh : COURSE_UNKNOWN.legend_en));
    }
    this.accuracyLegend.replaceChildren(
      h('div', { class: 'chip-title' }, t('legend.accuracy')),
      h('dl', {}, ACCURACIES.map((a) => [h('dt', {}, accuracyLabel(a)), h('dd', {}, t(`accuracy.${a}.long`))])),
      h('div', { class: 'legend-note legend-unlocated' }, unlocatedSample(), h('span', {}, t('legend.unlocated'))),
    );

    // One entry per distinct attribution, naming the layers it covers.
    const bySource = new Map();
    for (const l of catalogue) {
      const key = `${l.attribution}\u0000${l.licence}`;
      if (!bySource.has(key)) bySource.set(key, { attribution: l.attribution, licence: l.licence, layers: [] });
      bySource.get(key).layers.push(layerTitle(l));
    }
    this.sources.replaceChildren(...[...bySource.values()].map((s) => h('li', {},
      h('strong', {}, s.attribution), h('span', { class: 'licence' }, ` (${s.licence})`),
      h('div', { class: 'muted' }, s.layers.join(' · ')))));
  }

  syncChecks() {
    for (const row of this.list.querySelectorAll('.layer-row')) {
      row.querySelector('input').checked = this.ctx.visible.has(row.dataset.layer);
    }
    for (const block of this.list.querySelectorAll('.fill-by')) {
      block.querySelector('input').checked = this.ctx.fillBy.has(block.dataset.fillBy);
    }
  }
}
