// The five message catalogues say the same things: the same keys, the same
// {placeholders} in every language, plural forms where English has them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sourceDir } from './harness.mjs';

const LANGUAGES = ['sv', 'nb', 'da', 'fi', 'en'];
const load = (language) =>
  JSON.parse(readFileSync(join(sourceDir, 'kiosk-ui/i18n', `${language}.json`), 'utf8'));
const placeholders = (text) => [...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const forms = (message) => (typeof message === 'string' ? { other: message } : message);

test('every catalogue has every key with the same placeholders', () => {
  const english = load('en');
  for (const language of LANGUAGES) {
    const catalogue = load(language);
    assert.deepEqual(Object.keys(catalogue).sort(), Object.keys(english).sort(), language);
    for (const [key, message] of Object.entries(catalogue)) {
      for (const [form, text] of Object.entries(forms(message))) {
        assert.ok(text.trim().length > 0, `${language} ${key}.${form} is empty`);
        assert.deepEqual(placeholders(text), placeholders(forms(english[key]).other),
          `${language} ${key}.${form}`);
      }
      if (typeof english[key] === 'object') {
        assert.ok(typeof message === 'object' && message.other, `${language} ${key} needs plural forms`);
        const needed = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
        for (const category of needed) {
          assert.ok(message[category] ?? message.other, `${language} ${key} lacks ${category}`);
        }
      }
    }
  }
});

test('every key the app uses is in the catalogue', () => {
  const app = readFileSync(join(sourceDir, 'kiosk-ui/app.js'), 'utf8');
  const used = new Set([...app.matchAll(/\bt\('([\w.]+)'/g)].map((m) => m[1]));
  const english = load('en');
  for (const key of used) assert.ok(key in english, `app.js uses ${key}, which no catalogue has`);
  assert.ok(used.size > 20);
});
