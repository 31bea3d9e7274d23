// The search box over names (/api/search), with keyboard navigation.

import * as api from './api.js';
import { h } from './ui.js';
import { t, layerTitle, featureName, featureOtherName } from './i18n.js';
import { layerSwatch } from './layerpanel.js';

export class SearchBox {
  constructor(ctx) {
    this.ctx = ctx;
    this.input = document.getElementById('search-input');
    this.list = document.getElementById('search-results');
    this.hits = [];
    this.active = -1;
    this.seq = 0;
    let timer = null;
    this.input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.query(), 180);
    });
    this.input.addEventListener('keydown', (e) => this.key(e));
    this.input.addEventListener('focus', () => { if (this.hits.length) this.list.hidden = false; });
    document.addEventListener('click', (e) => {
      if (!e.target.closest('.search')) this.list.hidden = true;
    });
  }

  async query() {
    const q = this.input.value.trim();
    const seq = ++this.seq;
    if (!q) {
      this.hits = [];
      this.list.hidden = true;
      return;
    }
    try {
      const res = await api.search(q.slice(0, 100), 12);
      if (seq !== this.seq) return;
      this.hits = res.features;
      this.active = this.hits.length ? 0 : -1;
      this.render();
    } catch {
      // A rejected query (e.g. only spaces) just shows no hits.
      this.hits = [];
      this.render();
    }
  }

  render() {
    this.list.hidden = false;
    if (!this.hits.length) {
      this.list.replaceChildren(h('li', { class: 'empty' }, t('search.none')));
      return;
    }
    this.list.replaceChildren(...this.hits.map((f, i) => {
      const p = f.properties;
      const layer = this.ctx.layerById.get(p.layer);
      return h('li', {
        role: 'option', 'aria-selected': String(i === this.active), dataset: { id: p.id },
        onmousedown: (e) => { e.preventDefault(); this.choose(i); },
      },
      layer ? layerSwatch(layer) : null,
      h('span', { class: 'name' }, featureName(p), h('small', {}, featureOtherName(p))),
      h('span', { class: 'layer' }, layer ? layerTitle(layer) : p.layer));
    }));
  }

  key(e) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!this.hits.length) return;
      e.preventDefault();
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : -1) + this.hits.length) % this.hits.length;
      this.render();
    } else if (e.key === 'Enter') {
      if (this.active >= 0) this.choose(this.active);
    } else if (e.key === 'Escape') {
      this.list.hidden = true;
    }
  }

  choose(i) {
    const f = this.hits[i];
    if (!f) return;
    this.list.hidden = true;
    this.input.blur();
    this.ctx.selectFeature(f.properties.id, { fly: true, feature: f });
  }
}
