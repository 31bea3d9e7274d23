// Whole features by id, fetched from /api/features/{id} when first needed and kept: the map is
// drawn from vector tiles, which carry only what styling and hover need, so a popup, a corridor
// axis or a loop stop asks the server for the feature itself. Query answers (nearby, corridor,
// search) put the features they bring in here too.

import * as api from './api.js';

/** A 404 means the server has no such feature: null; anything else is an error. */
const nullIf404 = (e) => {
  if (e.status === 404) return null;
  throw e;
};

export class FeatureCache {
  constructor() {
    /** id → Feature */
    this.known = new Map();
    /** id → Promise<Feature|null> while a fetch runs */
    this.pending = new Map();
  }

  /** The feature if it is here already, else undefined. */
  peek(id) {
    return this.known.get(id);
  }

  /** Keeps the features of a query answer (a FeatureCollection or a list). */
  put(features) {
    for (const f of features?.features ?? features ?? []) {
      const id = f?.properties?.id;
      if (id && f.geometry) this.known.set(id, f);
    }
  }

  /** The feature, fetched once; null when the server has no such feature. */
  get(id) {
    if (this.known.has(id)) return Promise.resolve(this.known.get(id));
    if (!this.pending.has(id)) {
      this.pending.set(id, api.feature(id)
        .then((f) => { this.known.set(id, f); return f; })
        .catch(nullIf404)
        .finally(() => this.pending.delete(id)));
    }
    return this.pending.get(id);
  }

  /**
   * The whole feature of a feature the pointer hit on the map (see app.js `featuresAt`): by its
   * id, or by its MVT id where the tile carries no id (low zooms of big layers).
   */
  async resolve(hit) {
    const id = hit.properties?.id;
    if (id) return this.get(id);
    if (hit.mvt === undefined || hit.mvt === null) return null;
    const f = await api.featureByMvtId(hit.mvt).catch(nullIf404);
    if (f) this.known.set(f.properties.id, f);
    return f;
  }

  /** Several features, in the order asked, missing ones as null. */
  getAll(ids) {
    return Promise.all(ids.map((id) => this.get(id)));
  }
}
