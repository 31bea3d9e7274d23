// Geodesics on the WGS84 ellipsoid (Vincenty's direct and inverse formulae, accurate to well
// under a millimetre at the distances a corridor or a nearby radius uses), and shapes built
// from them: geodesic circles. The corridor band is not built here: the server computes it once
// (`band` of the /api/corridor answer) for the page and for its static maps alike.
// Coordinates are [lon, lat] in degrees (WGS84), distances in metres, azimuths in degrees
// clockwise from north.

const A = 6378137.0;
const F = 1 / 298.257223563;
const B = A * (1 - F);
const RAD = Math.PI / 180;

/** The point reached from `start` after `distance_m` along the geodesic with `azimuth_deg`. */
export function destination(start, azimuth_deg, distance_m) {
  const [lon1, lat1] = start;
  const alpha1 = azimuth_deg * RAD;
  const sinAlpha1 = Math.sin(alpha1);
  const cosAlpha1 = Math.cos(alpha1);
  const tanU1 = (1 - F) * Math.tan(lat1 * RAD);
  const cosU1 = 1 / Math.sqrt(1 + tanU1 * tanU1);
  const sinU1 = tanU1 * cosU1;
  const sigma1 = Math.atan2(tanU1, cosAlpha1);
  const sinAlpha = cosU1 * sinAlpha1;
  const cosSqAlpha = 1 - sinAlpha * sinAlpha;
  const uSq = (cosSqAlpha * (A * A - B * B)) / (B * B);
  const bigA = 1 + (uSq / 16384) * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)));
  const bigB = (uSq / 1024) * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)));
  let sigma = distance_m / (B * bigA);
  let sigmaP;
  let cos2SigmaM;
  let sinSigma;
  let cosSigma;
  let iterations = 0;
  do {
    cos2SigmaM = Math.cos(2 * sigma1 + sigma);
    sinSigma = Math.sin(sigma);
    cosSigma = Math.cos(sigma);
    const deltaSigma = bigB * sinSigma * (cos2SigmaM + (bigB / 4) * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
      - (bigB / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
    sigmaP = sigma;
    sigma = distance_m / (B * bigA) + deltaSigma;
  } while (Math.abs(sigma - sigmaP) > 1e-12 && ++iterations < 100);
  const tmp = sinU1 * sinSigma - cosU1 * cosSigma * cosAlpha1;
  const lat2 = Math.atan2(sinU1 * cosSigma + cosU1 * sinSigma * cosAlpha1,
    (1 - F) * Math.sqrt(sinAlpha * sinAlpha + tmp * tmp));
  const lambda = Math.atan2(sinSigma * sinAlpha1, cosU1 * cosSigma - sinU1 * sinSigma * cosAlpha1);
  const C = (F / 16) * cosSqAlpha * (4 + F * (4 - 3 * cosSqAlpha));
  const L = lambda - (1 - C) * F * sinAlpha
    * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
  const lon2 = ((lon1 * RAD + L + 3 * Math.PI) % (2 * Math.PI)) - Math.PI;
  const alpha2 = Math.atan2(sinAlpha, -tmp);
  return { point: [lon2 / RAD, lat2 / RAD], azimuth_deg: alpha2 / RAD };
}

/** Geodesic distance and azimuths between two points (Vincenty inverse). */
export function inverse(p1, p2) {
  const L = (p2[0] - p1[0]) * RAD;
  const U1 = Math.atan((1 - F) * Math.tan(p1[1] * RAD));
  const U2 = Math.atan((1 - F) * Math.tan(p2[1] * RAD));
  const sinU1 = Math.sin(U1);
  const cosU1 = Math.cos(U1);
  const sinU2 = Math.sin(U2);
  const cosU2 = Math.cos(U2);
  let lambda = L;
  let lambdaP;
  let iterations = 0;
  let sinSigma;
  let cosSigma;
  let sigma;
  let cosSqAlpha;
  let cos2SigmaM;
  let sinLambda;
  let cosLambda;
  do {
    sinLambda = Math.sin(lambda);
    cosLambda = Math.cos(lambda);
    const x = cosU2 * sinLambda;
    const y = cosU1 * sinU2 - sinU1 * cosU2 * cosLambda;
    sinSigma = Math.sqrt(x * x + y * y);
    if (sinSigma === 0) return { distance_m: 0, azimuth1_deg: 0, azimuth2_deg: 0 };
    cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
    sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cosU1 * cosU2 * sinLambda) / sinSigma;
    cosSqAlpha = 1 - sinAlpha * sinAlpha;
    cos2SigmaM = cosSqAlpha !== 0 ? cosSigma - (2 * sinU1 * sinU2) / cosSqAlpha : 0;
    const C = (F / 16) * cosSqAlpha * (4 + F * (4 - 3 * cosSqAlpha));
    lambdaP = lambda;
    lambda = L + (1 - C) * F * sinAlpha
      * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
  } while (Math.abs(lambda - lambdaP) > 1e-12 && ++iterations < 200);
  const uSq = (cosSqAlpha * (A * A - B * B)) / (B * B);
  const bigA = 1 + (uSq / 16384) * (4096 + uSq * (-768 + uSq * (320 - 175 * uSq)));
  const bigB = (uSq / 1024) * (256 + uSq * (-128 + uSq * (74 - 47 * uSq)));
  const deltaSigma = bigB * sinSigma * (cos2SigmaM + (bigB / 4) * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
    - (bigB / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
  const distance_m = B * bigA * (sigma - deltaSigma);
  const azimuth1_deg = Math.atan2(cosU2 * sinLambda, cosU1 * sinU2 - sinU1 * cosU2 * cosLambda) / RAD;
  const azimuth2_deg = Math.atan2(cosU1 * sinLambda, -sinU1 * cosU2 + cosU1 * sinU2 * cosLambda) / RAD;
  return { distance_m, azimuth1_deg, azimuth2_deg };
}

/** A geodesic circle as a closed GeoJSON ring with `steps` vertices. */
export function circleRing(centre, radius_m, steps = 96) {
  const ring = [];
  for (let i = 0; i < steps; i += 1) ring.push(destination(centre, (360 * i) / steps, radius_m).point);
  ring.push(ring[0]);
  return ring;
}

/** Length of a path in geodesic metres. */
export function pathLength_m(coords) {
  let total = 0;
  for (let i = 1; i < coords.length; i += 1) total += inverse(coords[i - 1], coords[i]).distance_m;
  return total;
}

/** The line parts of a Line or MultiLineString geometry (empty for other kinds). */
export function lineParts(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'LineString') return [geometry.coordinates];
  if (geometry.type === 'MultiLineString') return geometry.coordinates;
  if (geometry.type === 'GeometryCollection') return geometry.geometries.flatMap(lineParts);
  return [];
}

/** [west, south, east, north] of any GeoJSON geometry. */
export function geometryBounds(geometry) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      b[0] = Math.min(b[0], c[0]);
      b[1] = Math.min(b[1], c[1]);
      b[2] = Math.max(b[2], c[0]);
      b[3] = Math.max(b[3], c[1]);
    } else c.forEach(visit);
  };
  if (geometry.type === 'GeometryCollection') geometry.geometries.forEach((g) => visit(g.coordinates));
  else visit(geometry.coordinates);
  return b;
}
