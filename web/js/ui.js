// Small DOM helpers: element building without innerHTML for data, toggle chips, a toast.

/** h('div', {class: 'x', onclick: fn}, child, 'text', …): an element; strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes (for legend samples). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(c);
  return el;
}

/**
 * A group of toggle chips for a filter. `options` are [{value, label, colour?}]; nothing
 * selected means "all". `onChange(selectedValues)` fires on every toggle.
 */
export function chipGroup(container, title, options, onChange, initial = []) {
  const selected = new Set(initial);
  container.replaceChildren(
    h('div', { class: 'chip-title' }, title),
    h('div', { class: 'chips' }, options.map((o) => h('button', {
      type: 'button', class: 'chip', 'aria-pressed': String(selected.has(o.value)), dataset: { value: o.value },
      onclick: (e) => {
        const b = e.currentTarget;
        if (selected.has(o.value)) selected.delete(o.value); else selected.add(o.value);
        b.setAttribute('aria-pressed', String(selected.has(o.value)));
        onChange([...selected]);
      },
    }, o.colour ? h('span', { class: 'dot', style: { background: o.colour } }) : null, o.label))),
  );
  return { values: () => [...selected] };
}

let toastTimer = null;
export function toast(message, ms = 2600) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, ms);
}
