import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grabberEvent } from './grabber.js';
import { displayOfServer } from './sak-listener.js';
import { bcp47, composeLocale } from './locales.js';
import { pinTexts } from './pin-service.js';

test('grabber frames: each report parses to its event; a wrong size is an error', () => {
  const ready = Buffer.from([3, 0, 0x40, 0, 7]);
  assert.deepEqual(grabberEvent(0x81, ready), { kind: 'ready', protected: true, overlay: true, window: 0x400007 });
  assert.deepEqual(grabberEvent(0x82, Buffer.from([0, 0, 0, 9])), { kind: 'edit', count: 9 });
  assert.deepEqual(grabberEvent(0x83, Buffer.from([1])), { kind: 'submit', wrote: true });
  assert.deepEqual(grabberEvent(0x85, Buffer.from([0xff])), { kind: 'nav', delta: -1 });
  assert.deepEqual(grabberEvent(0x84, Buffer.alloc(0)), { kind: 'cancel' });
  assert.deepEqual(grabberEvent(0x88, Buffer.alloc(0)), { kind: 'pin-hash', hash: null });
  assert.throws(() => grabberEvent(0x82, Buffer.from([0, 0, 9])), /3 bytes, expected 4/);
  assert.throws(() => grabberEvent(0x84, Buffer.from([1])), /expected 0/);
  assert.throws(() => grabberEvent(0x99, Buffer.alloc(0)), /unknown frame type/);
});

test('SAK sender: the X server\'s display comes from its command line', () => {
  assert.equal(displayOfServer(2 ** 22 + 12345), null, 'no such process');
  assert.equal(displayOfServer(process.pid), ':0', 'a process without a :N argument serves :0 (Xorg\'s default)');
});

test('prompt language: POSIX locales become BCP 47 tags', () => {
  assert.equal(bcp47('de_DE.UTF-8'), 'de-DE');
  assert.equal(bcp47('ja_JP.UTF-8@x'), 'ja-JP');
  assert.equal(bcp47('fr'), 'fr');
  assert.equal(bcp47('C.UTF-8'), 'en');
  assert.equal(bcp47(null), 'en');
});

test('Compose locale: a process\'s LC_CTYPE with the UTF-8 codeset; C, POSIX, nothing or junk give C.UTF-8', () => {
  assert.equal(composeLocale('pt_BR.UTF-8'), 'pt_BR.UTF-8');
  assert.equal(composeLocale('pt_BR.utf8'), 'pt_BR.UTF-8');
  assert.equal(composeLocale('pt_BR'), 'pt_BR.UTF-8');
  assert.equal(composeLocale('pt_BR.ISO-8859-1'), 'pt_BR.UTF-8');
  assert.equal(composeLocale('sr_RS.utf8@latin'), 'sr_RS.UTF-8@latin');
  assert.equal(composeLocale('fi'), 'fi.UTF-8');
  for (const none of ['C', 'C.UTF-8', 'POSIX', '', null, undefined, '../x', 'pt_BR.UTF-8/../x']) assert.equal(composeLocale(none), 'C.UTF-8', String(none));
});

test('PIN set-up texts: by the prompt\'s language, English for others, one per language of the renderer', () => {
  assert.match(pinTexts('de-DE').description, /PIN für Ihre eigenen Anfragen/);
  assert.match(pinTexts('fr').message, /code PIN/);
  assert.equal(pinTexts('xx-YY'), pinTexts('en'));
  const descriptions = new Set(['en', 'de', 'fr', 'es', 'ja', 'ar'].map((l) => pinTexts(l).description));
  assert.equal(descriptions.size, 6);
});
