// Saves the map as a PNG: the WebGL canvas as drawn, framed with a title and the data sources.
// The canvas is read in the `render` event, right after MapLibre drew it, so the map needs no
// preserveDrawingBuffer.

import { t } from './i18n.js';

export function saveMapPng(map, attributions) {
  return new Promise((resolve, reject) => {
    map.once('render', () => {
      try {
        const gl = map.getCanvas();
        const ratio = gl.width / gl.clientWidth || 1;
        const head = Math.round(40 * ratio);
        const foot = Math.round(28 * ratio);
        const out = document.createElement('canvas');
        out.width = gl.width;
        out.height = gl.height + head + foot;
        const c = out.getContext('2d');
        c.fillStyle = '#ffffff';
        c.fillRect(0, 0, out.width, out.height);
        c.drawImage(gl, 0, head);
        const font = '"Noto Sans CJK SC", "Noto Sans SC", sans-serif';
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
        c.textAlign = 'left';
        c.font = `${Math.round(10.5 * ratio)}px ${font}`;
        c.fillText(`${t('png.sources')}: ${attributions.join('; ')}`, 12 * ratio, gl.height + head + foot / 2, out.width - 24 * ratio);
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
