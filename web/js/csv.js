// Query answers as CSV files (UTF-8 with a byte-order mark, so spreadsheet programs read the
// Chinese names right).

import { layerTitle, provinceLabel, statusLabel, accuracyLabel } from './i18n.js';

function cell(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The features of an API answer as CSV rows; `extra` names metre columns to add (distance_m, …). */
export function featuresCsv(ctx, features, extra) {
  const header = ['id', 'name_zh', 'name_en', 'layer', 'status', 'provinces', 'accuracy', ...extra, 'source'];
  const rows = features.map((f) => {
    const p = f.properties;
    const layer = ctx.layerById.get(p.layer);
    return [
      p.id, p.name_zh, p.name_en, layer ? layerTitle(layer) : p.layer, statusLabel(p.status),
      (p.provinces ?? []).map(provinceLabel).join(' '), accuracyLabel(p.accuracy), ...extra.map((k) => p[k]), p.source,
    ];
  });
  return `\ufeff${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

export function downloadText(filename, text, type = 'text/csv;charset=utf-8') {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
