// Saves the map as a PNG: the WebGL canvas as drawn, framed with a title and the data sources.
// The canvas is read in the `render` event, right after MapLibre drew it, so the map needs no
// preserveDrawingBuffer.

import { t } from './i18n.js';
import { inverse } from './geodesy.js';

/** A round length (1, 2 or 5 × 10^n metres) no longer than `max_m`. */
function roundLength(max_m) {
  const p = 10 ** Math.floor(Math.log10(max_m));
  return [5, 2, 1].map((k) => k * p).find((m) => m <= max_m);
}

function drawLegend(c, entries, x0, y0, ratio, font) {
  if (!entries.length) return;
  const row = 17 * ratio;
  const pad = 8 * ratio;
  c.font = `${Math.round(11 * ratio)}px ${font}`;
  const width = Math.max(...entries.map((e) => c.measureText(e.title).width)) + 38 * ratio;
  const height = entries.length * row + pad * 2;
  c.fillStyle = 'rgba(255, 255, 255, 0.88)';
  c.fillRect(x0, y0 - height, width, height);
  c.strokeStyle = '#c9d1d5';
  c.lineWidth = ratio;
  c.strokeRect(x0, y0 - height, width, height);
  entries.forEach((e, i) => {
    const y = y0 - height + pad + row * i + row / 2;
    c.strokeStyle = e.colour;
    c.fillStyle = e.colour;
    if (e.kind === 'line') {
      c.lineWidth = 2.5 * ratio;
      c.beginPath(); c.moveTo(x0 + pad, y); c.lineTo(x0 + pad + 20 * ratio, y); c.stroke();
    } else {
      c.beginPath(); c.arc(x0 + pad + 10 * ratio, y, 4.5 * ratio, 0, 2 * Math.PI); c.fill();
    }
    c.fillStyle = '#1f2a33';
    c.textAlign = 'left';
    c.fillText(e.title, x0 + pad + 28 * ratio, y);
  });
}

function drawScale(c, map, x0, y0, ratio, font) {
  const h = map.getCanvas().clientHeight;
  const a = map.unproject([20, h - 30]).toArray();
  const b = map.unproject([140, h - 30]).toArray();
  const per_px = inverse(a, b).distance_m / 120;
  const metres = roundLength(per_px * 120);
  const px = (metres / per_px) * ratio;
  c.strokeStyle = '#1f2a33';
  c.lineWidth = 1.5 * ratio;
  c.beginPath();
  c.moveTo(x0, y0 - 5 * ratio); c.lineTo(x0, y0); c.lineTo(x0 + px, y0); c.lineTo(x0 + px, y0 - 5 * ratio);
  c.stroke();
  c.fillStyle = '#1f2a33';
  c.font = `${Math.round(11 * ratio)}px ${font}`;
  c.textAlign = 'left';
  c.fillText(metres >= 1000 ? `${metres / 1000} km` : `${metres} m`, x0 + px + 6 * ratio, y0 - 2 * ratio);
}

/**
 * Resolves with the PNG blob once it is offered as a download. `legend` lists the shown
 * layers as {title, colour, kind: 'line' | 'point'}.
 */
export function saveMapPng(map, attributions, legend = []) {
  return new Promise((resolve, reject) => {
    map.once('render', () => {
      try {
        const gl = map.getCanvas();
        const ratio = gl.width / gl.clientWidth || 1;
        const head = Math.round(40 * ratio);
        const font = '"Noto Sans CJK SC", "Noto Sans SC", sans-serif';
        // The sources line, wrapped to the image's width.
        const measure = document.createElement('canvas').getContext('2d');
        measure.font = `${Math.round(10.5 * ratio)}px ${font}`;
        const lines = [];
        let current = `${t('png.sources')}:`;
        for (const word of attributions.join('; ').split(' ')) {
          const next = current ? `${current} ${word}` : word;
          if (measure.measureText(next).width > gl.width - 24 * ratio && current) {
            lines.push(current);
            current = word;
          } else current = next;
        }
        lines.push(current);
        const lineHeight = 15 * ratio;
        const foot = Math.round(lines.length * lineHeight + 12 * ratio);
        const out = document.createElement('canvas');
        out.width = gl.width;
        out.height = gl.height + head + foot;
        const c = out.getContext('2d');
        c.fillStyle = '#ffffff';
        c.fillRect(0, 0, out.width, out.height);
        c.drawImage(gl, 0, head);
        c.fillStyle = '#1f2a33';
        c.font = `600 ${Math.round(18 * ratio)}px ${font}`;
        c.textBaseline = 'middle';
        c.fillText(t('png.title'), 12 * ratio, head / 2);
        const centre = map.getCenter();
        const stamp = `${new Date().toISOString().slice(0, 10)} · ${centre.lat.toFixed(3)}°N ${centre.lng.toFixed(3)}°E · z${map.getZoom().toFixed(1)}`;
        c.font = `${Math.round(12 * ratio)}px ${font}`;
        c.fillStyle = '#5b6770';
        c.textAlign = 'right';
        c.fillText(stamp, out.width - 12 * ratio, head / 2);
        drawLegend(c, legend, 12 * ratio, head + gl.height - 34 * ratio, ratio, font);
        drawScale(c, map, 12 * ratio, head + gl.height - 14 * ratio, ratio, font);
        c.textAlign = 'left';
        c.fillStyle = '#5b6770';
        c.font = `${Math.round(10.5 * ratio)}px ${font}`;
        lines.forEach((line, i) => c.fillText(line, 12 * ratio, gl.height + head + 6 * ratio + lineHeight * (i + 0.5)));
        out.toBlob((blob) => {
          if (!blob) { reject(new Error('the canvas gave no image')); return; }
          const a = document.createElement('a');
          a.href = URL.createObjectURL(blob);
          a.download = `yuqian-map-${new Date().toISOString().slice(0, 10)}.png`;
          document.body.append(a);
          a.click();
          a.remove();
          setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
          resolve(blob);
        }, 'image/png');
      } catch (e) {
        reject(e);
      }
    });
    map.triggerRepaint();
  });
}
