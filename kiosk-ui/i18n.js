// Message catalogues: one JSON file per language, whole sentences with named
// placeholders ({points}), plural forms chosen by Intl.PluralRules
// ("points.one" / "points.other"), numbers and dates through Intl.
export const LANGUAGES = { sv: 'Svenska', nb: 'Norsk', da: 'Dansk', fi: 'Suomi', en: 'English' };

export class Catalogue {
  constructor(language, messages) {
    this.language = language;
    this.messages = messages;
    this.plurals = new Intl.PluralRules(language);
  }

  static async load(language, base) {
    const response = await fetch(`${base}/i18n/${language}.json`, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`no catalogue for ${language}`);
    return new Catalogue(language, await response.json());
  }

  // The sentence for key, with {name} placeholders filled from params. A
  // number param named `count` picks the plural form.
  t(key, params = {}) {
    let text = this.messages[key];
    if (typeof text === 'object' && text !== null) {
      text = text[this.plurals.select(params.count ?? 0)] ?? text.other;
    }
    if (typeof text !== 'string') throw new Error(`missing message ${key} (${this.language})`);
    return text.replace(/\{(\w+)\}/g, (_, name) => {
      const value = params[name];
      return typeof value === 'number' ? this.number(value) : String(value ?? '');
    });
  }

  number(value) {
    return new Intl.NumberFormat(this.language).format(value);
  }

  // amount: lojald's decimal string ("116.80"); shown in the language's way.
  money(amount, currency) {
    return new Intl.NumberFormat(this.language, { style: 'currency', currency }).format(Number(amount));
  }

  // An RFC 3339 time, in the store's time zone.
  dateTime(time, timeZone) {
    return new Intl.DateTimeFormat(this.language, { dateStyle: 'medium', timeStyle: 'short', timeZone })
      .format(new Date(time));
  }
}
