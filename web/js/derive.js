// Where to put a popup or a marker for one feature, for drawing only (no distance a user sees
// comes from here). What is derived from whole layers (the border line, boundary labels, route
// stops) comes from the server's /api/annotations.

/** The polygons (lists of rings) of a Polygon or MultiPolygon geometry. */
function polygonsOf(geometry) {
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  return [];
}

function ringArea(ring) {
  let s = 0;
  for (let i = 1; i < ring.length; i += 1) {
    s += (ring[i - 1][0] * ring[i][1]) - (ring[i][0] * ring[i - 1][1]);
  }
  return Math.abs(s / 2);
}

function pointInRing(p, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function segmentDistance2(p, a, b, kx) {
  // Squared distance in a local plane where one unit of lon is `kx` units of lat.
  const ax = a[0] * kx;
  const bx = b[0] * kx;
  const px = p[0] * kx;
  const dx = bx - ax;
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (p[1] - a[1]) * dy) / len2 : 0;
  t = Math.max(0, Math.min(1, t));
  const x = ax + t * dx - px;
  const y = a[1] + t * dy - p[1];
  return x * x + y * y;
}

/**
 * A point well inside a polygon for its label: of a grid of candidates over the largest
 * part, the one farthest from the outline (refined twice around the best). Good enough for
 * placing text; not a geodesic measure.
 */
export function labelPoint(geometry) {
  const parts = polygonsOf(geometry);
  if (!parts.length) return null;
  const polygon = parts.reduce((best, p) => (ringArea(p[0]) > ringArea(best[0]) ? p : best));
  const outer = polygon[0];
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of outer) {
    w = Math.min(w, x); s = Math.min(s, y); e = Math.max(e, x); n = Math.max(n, y);
  }
  const kx = Math.cos((((s + n) / 2) * Math.PI) / 180);
  const inside = (p) => pointInRing(p, outer) && !polygon.slice(1).some((h) => pointInRing(p, h));
  const clearance = (p) => {
    let best = Infinity;
    for (const ring of polygon) {
      for (let i = 1; i < ring.length; i += 1) best = Math.min(best, segmentDistance2(p, ring[i - 1], ring[i], kx));
    }
    return best;
  };
  let best = null;
  let bestScore = -1;
  let cx = (w + e) / 2;
  let cy = (s + n) / 2;
  let hw = (e - w) / 2;
  let hh = (n - s) / 2;
  for (let round = 0; round < 3; round += 1) {
    const steps = 12;
    for (let i = 0; i <= steps; i += 1) {
      for (let j = 0; j <= steps; j += 1) {
        const p = [cx - hw + (2 * hw * i) / steps, cy - hh + (2 * hh * j) / steps];
        if (!inside(p)) continue;
        const score = clearance(p);
        if (score > bestScore) { bestScore = score; best = p; }
      }
    }
    if (!best) break;
    [cx, cy] = best;
    hw /= 4;
    hh /= 4;
  }
  return best ?? outer[0];
}

/** A representative position of any geometry: a point itself, a line's middle vertex, a polygon's label point. */
export function anchorOf(geometry) {
  switch (geometry.type) {
    case 'Point': return geometry.coordinates;
    case 'MultiPoint': return geometry.coordinates[0];
    case 'LineString': return geometry.coordinates[Math.floor(geometry.coordinates.length / 2)];
    case 'MultiLineString': return anchorOf({ type: 'LineString', coordinates: geometry.coordinates[0] });
    default: return labelPoint(geometry);
  }
}
