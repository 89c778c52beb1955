// Draws the user's secret picture (SecretArt, plain data from secret-art.ts) with SVG
// elements made by createElementNS; every value is checked before it becomes an
// attribute, so a malformed picture draws nothing rather than something unexpected.

type Art = import('../state.js').SecretArt;

const SVG_NS = 'http://www.w3.org/2000/svg';
const COLOUR = /^#[0-9a-f]{6}$/;
const ART_SIZE = 96; // viewBox units; the CSS sizes the picture in rem

/** @internal unit polygons (centre 0,0, radius 1) of the emblem shapes; circle is drawn as such */
const EMBLEM_POINTS: Readonly<Record<string, string>> = {
  square: '-0.8,-0.8 0.8,-0.8 0.8,0.8 -0.8,0.8',
  triangle: '0,-1 0.87,0.5 -0.87,0.5',
  diamond: '0,-1 0.7,0 0,1 -0.7,0',
  star: '0,-1 0.22,-0.31 0.95,-0.31 0.36,0.12 0.59,0.81 0,0.38 -0.59,0.81 -0.36,0.12 -0.95,-0.31 -0.22,-0.31',
  hexagon: '0.87,-0.5 0.87,0.5 0,1 -0.87,0.5 -0.87,-0.5 0,-1',
  cross: '-0.3,-1 0.3,-1 0.3,-0.3 1,-0.3 1,0.3 0.3,0.3 0.3,1 -0.3,1 -0.3,0.3 -1,0.3 -1,-0.3 -0.3,-0.3',
  heart: '0,1 -0.95,0 -0.95,-0.5 -0.5,-0.9 0,-0.5 0.5,-0.9 0.95,-0.5 0.95,0',
};

function svgEl(name: string, attrs: Readonly<Record<string, string | number>>): SVGElement {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function artIsValid(art: Art): boolean {
  const grid = art.grid;
  return Number.isInteger(grid) && grid >= 2 && grid <= 16 &&
    COLOUR.test(art.background) && COLOUR.test(art.emblem.colour) &&
    Array.isArray(art.palette) && art.palette.length >= 1 && art.palette.length <= 8 &&
    art.palette.every((c) => typeof c === 'string' && COLOUR.test(c)) &&
    Array.isArray(art.cells) && art.cells.length === grid * grid &&
    art.cells.every((c) => Number.isInteger(c) && c >= 0 && c <= art.palette.length) &&
    Number.isFinite(art.emblem.rotation) && (art.emblem.shape === 'circle' || Object.hasOwn(EMBLEM_POINTS, art.emblem.shape));
}

function emblemOf(art: Art): SVGElement {
  const c = ART_SIZE / 2;
  const r = ART_SIZE * 0.22;
  const common = { fill: art.emblem.colour, stroke: '#ffffff', 'stroke-width': 2.5, 'paint-order': 'stroke' };
  if (art.emblem.shape === 'circle') return svgEl('circle', { cx: c, cy: c, r, ...common });
  const points = EMBLEM_POINTS[art.emblem.shape] ?? '';
  return svgEl('polygon', {
    points, ...common, 'stroke-width': 2.5 / r, // the stroke is scaled with the shape
    transform: `translate(${c} ${c}) rotate(${art.emblem.rotation % 360}) scale(${r})`,
  });
}

/** The picture as an <svg>, or null when the data is malformed. */
function drawSecretArt(art: Art): SVGElement | null {
  if (!artIsValid(art)) return null;
  const svg = svgEl('svg', { viewBox: `0 0 ${ART_SIZE} ${ART_SIZE}`, class: 'secret-art', 'aria-hidden': 'true' });
  svg.append(svgEl('rect', { x: 0, y: 0, width: ART_SIZE, height: ART_SIZE, rx: 8, fill: art.background }));
  const cell = (ART_SIZE - 8) / art.grid;
  art.cells.forEach((v, i) => {
    const colour = art.palette[v - 1];
    if (v === 0 || colour === undefined) return;
    const x = 4 + (i % art.grid) * cell;
    const y = 4 + Math.floor(i / art.grid) * cell;
    svg.append(svgEl('rect', { x, y, width: cell, height: cell, fill: colour }));
  });
  svg.append(emblemOf(art));
  return svg;
}
