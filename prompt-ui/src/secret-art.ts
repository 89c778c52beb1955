// The user's secret phrase and picture from a 32-byte secret (kept where only the
// `trustpath` user can read it). A fake prompt cannot show them, so the user learns to
// trust a prompt only when they appear after the secure attention key. Pure and
// deterministic; no DOM, no node modules: the daemon computes it, tests and the
// renderer's tests may too.
//
//   secretArt(secret) -> { phrase: 'brisk falcon golden harbour', art: SecretArt }
//
// Bytes 0-3 choose the phrase (4 words of 256: 32 bits). The picture uses the other
// bytes: a background, three pattern colours of well-separated hues, an 8x8 pattern
// mirrored left to right (recognisable shapes, as identicons are) and an emblem over
// the centre; two secrets differ at a glance in hue, pattern and emblem.
import type { SecretArt, SecretShape } from './state.js';

export const SECRET_BYTES = 32;
export const ART_GRID = 8;

// Short, common, distinct words (no word in both lists, none offensive or confusable
// in sound with another of the same list). 256 each, checked by the unit test.
const ADJECTIVES = [
  'able agile airy amber ample ancient arctic ardent ashen atomic autumn azure balmy bare basic bold',
  'bouncy brave breezy brief bright brisk broad bronze bubbly busy calm candid carved casual cedar',
  'cheery chilly civic clean clear clever cloudy coastal cobalt cold cool copper cosmic cozy crimson',
  'crisp curly cyan daily dainty dapper daring dear deep dense dewy direct double dry dusty eager',
  'early earthy easy elder electric elegant empty epic even exact fabled faint fair famous far fast',
  'fearless festive fierce final fine firm flat fleet floral fluffy foggy formal frank free fresh',
  'frosty full gentle giant giddy gilded glad glossy golden good grand grassy great green grey hardy',
  'hasty hearty heavy hidden high hollow honest humble icy ideal indigo inky ivory jade jazzy jolly',
  'joyful keen kind large late lean lemon level light lilac lime little lively lofty lone long loud',
  'loyal lucky lunar lush magic major marble mellow merry mighty mild minty misty modern modest molten',
  'mossy narrow native neat new nimble noble north novel oaken open orange ornate pale paper patient',
  'peach pearly perky plain plucky plush polar polite proud purple quick quiet radiant rapid rare',
  'ready regal rich rocky rosy round royal ruby rugged rustic sandy satin scarlet secret serene shady',
  'sharp shiny silent silky silver simple sleek slim smooth snowy soft solar solid sonic south spicy',
  'spotted stark steady steep stormy sunny super sweet swift tall tame tawny tender tidy tiny topaz',
  'tranquil true twin upbeat urban vast violet vivid warm wavy wild windy wise witty wooden yellow',
  'young zany zesty',].join(' ').split(' ');

const NOUNS = [
  'acorn anchor anvil apple arrow aspen atlas badger bagel ballad bamboo banjo barn basil beacon',
  'beaver bell berry bison blossom boat bonsai boulder bramble bridge brook bucket buffalo button',
  'cabin cactus camel canal candle canoe canyon carrot castle cavern cello cherry chess cider circus',
  'cliff clock clover cobra comet compass coral cottage cougar crane crater cricket crow crystal cube',
  'daisy delta desert dolphin donkey dragon drum eagle easel echo egret elk ember falcon fern ferry',
  'fiddle field finch fjord flame flute forest fossil fountain fox galaxy garden gecko geyser ginger',
  'glacier goat gondola goose granite grape guitar gull hammer harbour harp hawk hazel heron hill hive',
  'honey horizon hornet igloo island ivy jaguar jasmine jetty kayak kettle kite koala lagoon lantern',
  'lark lemur lighthouse lily lion lizard llama lobster locket lotus lynx magnet mango maple marsh',
  'meadow melon mill mint mirror moon moose moth mountain mule nectar needle nest newt oasis ocean',
  'octopus olive orbit orchard orchid otter owl oyster paddle palm panda parrot pebble pelican pepper',
  'piano pigeon pine planet plum pond poppy prairie puffin pumpkin quail quartz quill rabbit radish',
  'raven reef rhino ribbon river robin rocket saddle salmon sparrow sequoia shell shore sledge snail',
  'spruce squid star stone stork summit swan tablet teapot temple thistle thunder tiger timber toad',
  'torch tortoise tower tulip tundra turtle umbrella valley velvet violin volcano walnut walrus willow',
  'whale wharf wheat whistle window wolf wombat yak zebra zephyr acrobat anthem bazaar beetle biscuit',
  'canopy feather harvest meteor nutmeg pretzel saffron tambour trumpet tunnel yarrow zinnia cobble',
  'prism beret',].join(' ').split(' ');

const SHAPES: readonly SecretShape[] = ['circle', 'square', 'triangle', 'diamond', 'star', 'hexagon', 'cross', 'heart'];

/** @internal '#rrggbb' of an HSL colour (h in degrees, s and l in 0..1) */
function hsl(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number): string => {
    const k = (n + h / 30) % 12;
    const v = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** @internal byte i of the secret (callers pass indices below SECRET_BYTES) */
function byteAt(secret: Uint8Array, i: number): number {
  return secret[i] ?? 0;
}

/** @internal the phrase: adjective noun adjective noun */
function phraseOf(secret: Uint8Array): string {
  const word = (list: readonly string[], i: number): string => list[byteAt(secret, i)] ?? '';
  return [word(ADJECTIVES, 0), word(NOUNS, 1), word(ADJECTIVES, 2), word(NOUNS, 3)].join(' ');
}

/** @internal 8 rows of 4 cells (2 bits each, from bytes 9-16), mirrored into 8 columns */
function cellsOf(secret: Uint8Array): number[] {
  const cells: number[] = [];
  const half = ART_GRID / 2;
  for (let row = 0; row < ART_GRID; row++) {
    const b = byteAt(secret, 9 + row);
    const left = Array.from({ length: half }, (_, col) => (b >> (col * 2)) & 3);
    cells.push(...left, ...[...left].reverse());
  }
  return cells;
}

function artOf(secret: Uint8Array): SecretArt {
  const hue = (byteAt(secret, 5) / 256) * 360;
  const spread = 90 + (byteAt(secret, 6) % 4) * 15; // 90..135 degrees between pattern colours
  const dark = (byteAt(secret, 4) & 0x80) !== 0;
  const bgHue = ((byteAt(secret, 4) & 0x7f) / 128) * 360;
  return {
    background: dark ? hsl(bgHue, 0.45, 0.16) : hsl(bgHue, 0.35, 0.9),
    palette: [0, 1, 2].map((i) => hsl((hue + i * spread) % 360, 0.75, dark ? 0.6 : 0.42)),
    grid: ART_GRID,
    cells: cellsOf(secret),
    emblem: {
      shape: SHAPES[byteAt(secret, 7) & 7] ?? 'circle',
      colour: hsl(((byteAt(secret, 8) / 256) * 360 + 180) % 360, 0.9, dark ? 0.75 : 0.3),
      rotation: (byteAt(secret, 7) >> 3) * 15 % 360,
    },
  };
}

/** The phrase and picture of a user's secret (exactly SECRET_BYTES bytes, else RangeError). */
export function secretArt(secret: Uint8Array): { phrase: string; art: SecretArt } {
  if (!(secret instanceof Uint8Array) || secret.length !== SECRET_BYTES) {
    throw new RangeError(`secret must be ${SECRET_BYTES} bytes`);
  }
  return { phrase: phraseOf(secret), art: artOf(secret) };
}

/** @internal for the unit test: the word lists */
export const WORD_LISTS = Object.freeze({ adjectives: ADJECTIVES, nouns: NOUNS });
