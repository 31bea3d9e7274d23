// The server-drawn picture of the current view (GET /api/static.png, README "Static maps"):
// its URL when a URL can express the view (the map's centre, zoom and size, the layers shown,
// the language, a corridor along a feature, a nearby circle, a saved loop), else the JSON body
// of POST /api/static.png (a drawn corridor line, an unsaved loop).

/** `{ url }` of the picture of this view, or `{ body }` to POST when a URL cannot carry it. */
export function staticMap(ctx, lang) {
  const { map } = ctx;
  const c = map.getCenter();
  const canvas = map.getContainer();
  const fields = {
    center: `${c.lng.toFixed(6)},${c.lat.toFixed(6)}`,
    zoom: map.getZoom().toFixed(3),
    width: String(Math.max(1, Math.min(4096, Math.round(canvas.clientWidth)))),
    height: String(Math.max(1, Math.min(4096, Math.round(canvas.clientHeight)))),
    layers: ctx.catalogue.filter((l) => ctx.visible.has(l.id)).map((l) => l.id).join(','),
    lang,
  };
  let body = null;
  const axis = ctx.corridor.axis;
  if (axis) {
    fields.width_m = String(ctx.corridor.width_m());
    if (axis.kind === 'feature') fields.corridor = axis.id;
    else body = { line: { type: 'LineString', coordinates: axis.coordinates } };
  }
  if (ctx.nearby.at) {
    const p = ctx.nearby.params(ctx.nearby.at);
    fields.near = `${p.lon},${p.lat}`;
    fields.radius_m = String(p.radius_m);
    fields.k = String(p.k);
  }
  const loop = ctx.loops.toUrl();
  if (loop?.saved && !loop.loop) fields.loop = loop.saved;
  else if (loop?.loop) body = { ...(body ?? {}), loop: ctx.loops.request(false) };
  if (!fields.layers) delete fields.layers;
  if (body) {
    const numbers = { ...fields, center: fields.center.split(',').map(Number) };
    return { body: { ...numbers, ...body } };
  }
  const keep = /[^A-Za-z0-9_.~\-,;:]/g;
  const query = Object.entries(fields).map(([k, v]) => `${k}=${v.replace(keep, encodeURIComponent)}`).join('&');
  return { url: new URL(`/api/static.png?${query}`, window.location.href).href };
}
