// The server's JSON API (same origin). Errors come back as {error, parameter, detail}.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

function url(path, params = {}) {
  const u = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) u.searchParams.set(k, v.join(','));
    } else u.searchParams.set(k, String(v));
  }
  return u;
}

async function json(response) {
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export const getJson = async (path, params) => json(await fetch(url(path, params)));

export const layers = async () => (await getJson('/api/layers')).layers;

/** One whole feature by id. */
export const feature = (id) => getJson(`/api/features/${encodeURIComponent(id)}`);

/** The whole feature of an MVT id (tiles of low zooms carry no string ids). */
export const featureByMvtId = (n) => getJson(`/api/features/mvt/${n}`);

/** A page of features of some layers (no more than `limit`). */
export const featuresOf = (layers, limit = 10000) => getJson('/api/features', { layers, limit });

/** What the map draws besides its tiles: border line, boundary labels, route stops. */
export const annotations = () => getJson('/api/annotations');

/** The style description (src/style/map.json). */
export const style = () => getJson('/api/style');

export const search = (q, limit = 12) => getJson('/api/search', { q, limit });

/** /api/nearby with {lon, lat, k, radius_m, layers, status, province}. */
export const nearby = (params) => getJson('/api/nearby', params);

export const corridorOfFeature = (feature, width_m, filter = {}) =>
  getJson('/api/corridor', { feature, width_m, layers: filter.layers, status: filter.status });

export async function corridorOfLine(coordinates, width_m, filter = {}) {
  const body = { line: { type: 'LineString', coordinates }, width_m };
  if (filter.layers?.length) body.layers = filter.layers;
  if (filter.status?.length) body.status = filter.status;
  return json(await fetch(url('/api/corridor'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }));
}

