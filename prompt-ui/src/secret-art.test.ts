import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ART_GRID, secretArt, SECRET_BYTES, WORD_LISTS } from './secret-art.js';

test('word lists: 256 distinct lowercase words each, none in both', () => {
  for (const list of [WORD_LISTS.adjectives, WORD_LISTS.nouns]) {
    assert.equal(list.length, 256);
    assert.equal(new Set(list).size, 256);
    for (const w of list) assert.match(w, /^[a-z]{3,10}$/);
  }
  const nouns = new Set(WORD_LISTS.nouns);
  assert.deepEqual(WORD_LISTS.adjectives.filter((w) => nouns.has(w)), []);
});

test('deterministic: the same secret gives the same phrase and picture', () => {
  const s = randomBytes(SECRET_BYTES);
  assert.deepEqual(secretArt(new Uint8Array(s)), secretArt(Uint8Array.from(s)));
  const fixed = secretArt(new Uint8Array(SECRET_BYTES));
  assert.equal(fixed.phrase, 'able acorn able acorn');
});

test('a wrong secret length is refused', () => {
  assert.throws(() => secretArt(new Uint8Array(31)), RangeError);
  assert.throws(() => secretArt(new Uint8Array(33)), RangeError);
});

test('1000 random secrets give 1000 distinct phrases of 4 words', () => {
  const phrases = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const { phrase } = secretArt(randomBytes(SECRET_BYTES));
    assert.equal(phrase.split(' ').length, 4);
    phrases.add(phrase);
  }
  assert.equal(phrases.size, 1000);
});

test('the picture is well-formed plain data, mirror-symmetric', () => {
  for (let i = 0; i < 200; i++) {
    const { art } = secretArt(randomBytes(SECRET_BYTES));
    assert.equal(art.grid, ART_GRID);
    assert.equal(art.cells.length, ART_GRID * ART_GRID);
    for (const c of [art.background, ...art.palette, art.emblem.colour]) assert.match(c, /^#[0-9a-f]{6}$/);
    assert.equal(art.palette.length, 3);
    for (const v of art.cells) assert.ok(Number.isInteger(v) && v >= 0 && v <= art.palette.length);
    for (let row = 0; row < ART_GRID; row++) {
      const r = art.cells.slice(row * ART_GRID, (row + 1) * ART_GRID);
      assert.deepEqual(r, [...r].reverse());
    }
    assert.deepEqual(JSON.parse(JSON.stringify(art)), art);
  }
});

test('secrets that differ in one picture byte give clearly different pictures', () => {
  const a = new Uint8Array(randomBytes(SECRET_BYTES));
  for (const i of [4, 5, 7, 9]) {
    const b = Uint8Array.from(a);
    b[i] = (b[i] ?? 0) ^ 0xa5;
    assert.notDeepEqual(secretArt(a).art, secretArt(b).art, `byte ${i}`);
  }
  // across random secrets: pattern, background and emblem all vary
  const arts = Array.from({ length: 300 }, () => secretArt(randomBytes(SECRET_BYTES)).art);
  assert.ok(new Set(arts.map((x) => x.cells.join(''))).size >= 299);
  assert.ok(new Set(arts.map((x) => x.background)).size >= 100);
  assert.equal(new Set(arts.map((x) => x.emblem.shape)).size, 8);
});
