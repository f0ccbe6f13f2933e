// The kiosk: one state machine (state.screen + data), one render() from it.
// Every screen is built from the catalogue; nothing personal survives a reset.
import { call, ApiError } from './api.js';
import { CameraReader } from './camera.js';
import { Catalogue, LANGUAGES } from './i18n.js';

const base = new URL('.', import.meta.url).pathname.replace(/\/$/, '');
const screen = document.getElementById('screen');
const banner = document.getElementById('banner');
const idleDialog = document.getElementById('idle');

const fresh = () => ({
  screen: 'home', purpose: 'identify', phone: '', pin: '', attemptsLeft: null, member: null,
  marketing: false, resendAt: 0, error: '',
});
const RESEND_COOLDOWN_MS = 60000;  // lojald's otp_cooldown
let settings = null;
let catalogue = null;
let state = fresh();
let idleTimer = null;
let countdownTimer = null;
let countdown = 0;
let camera = null;  // on only while the QR screen is shown

const t = (key, params) => catalogue.t(key, params);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'onclick') node.addEventListener('click', value);
    else if (value !== false && value !== undefined) node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) node.append(child);
  return node;
}

function button(label, onclick, extra = {}) {
  return el('button', { type: 'button', onclick, ...extra }, label);
}

// Only the last two digits of a phone number are ever on screen.
function maskedPhone(digits) {
  if (digits.length <= 2) return digits;
  return '•'.repeat(digits.length - 2) + digits.slice(-2);
}

function keypad(onDigit, onErase) {
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '', '0', '⌫'];
  return el('div', { class: 'keypad' }, keys.map((key) => {
    if (key === '') return el('span');
    if (key === '⌫') return button(key, onErase, { 'aria-label': t('keypad.erase') });
    return button(key, () => onDigit(key));
  }));
}

const screens = {
  home() {
    return [
      el('h1', {}, t('home.title', { store: settings.store })),
      el('p', { class: 'lead' }, t('home.lead')),
      el('div', { class: 'actions' },
        settings.verified_by.includes('qr') && settings.camera
          ? button(t('home.qr'), () => go('qr'), { class: 'primary', 'data-action': 'qr' }) : '',
        button(t('home.phone'), () => go('phone'), { class: 'primary', 'data-action': 'phone' }),
        button(t('home.join'), () => update({ screen: 'phone', purpose: 'join' }),
          { class: 'secondary', 'data-action': 'join' })),
      cardsCount() ? el('p', { class: 'lead' }, t('home.card')) : '',
      el('nav', { class: 'languages', 'aria-label': t('home.languages') },
        Object.entries(LANGUAGES).map(([code, name]) =>
          button(name, () => setLanguage(code), { lang: code, 'aria-pressed': String(code === catalogue.language) }))),
    ];
  },
  phone() {
    const joining = state.purpose === 'join';
    return [
      el('h1', {}, t(joining ? 'join.phoneTitle' : 'phone.title')),
      el('output', { class: 'entry', 'aria-label': t('phone.entered') },
        maskedPhone(state.phone) || '\u00a0'),
      state.error ? el('p', { class: 'error', role: 'alert' }, state.error) : '',
      keypad((d) => update({ phone: (state.phone + d).slice(0, 15), error: '' }),
             () => update({ phone: state.phone.slice(0, -1) })),
      el('div', { class: 'actions' },
        button(t('common.back'), () => reset(), { class: 'secondary' }),
        button(t(joining ? 'join.next' : 'phone.send'), joining ? () => go('consent') : sendPin,
          { class: 'primary', disabled: state.phone.length < 6 })),
    ];
  },
  consent() {
    return [
      el('h1', {}, t('join.title')),
      el('p', { id: 'consent-text', class: 'lead' }, t('join.consent')),
      el('label', { class: 'choice' },
        el('input', { type: 'checkbox', id: 'marketing', checked: state.marketing,
          onclick: (event) => { state.marketing = event.target.checked; armIdle(); } }),
        el('span', { id: 'marketing-text' }, t('join.marketing'))),
      el('p', { class: 'note' }, t('join.version', { version: t('join.termsVersion') })),
      state.error ? el('p', { class: 'error', role: 'alert' }, state.error) : '',
      el('div', { class: 'actions' },
        button(t('common.back'), () => reset(), { class: 'secondary' }),
        button(t('join.send'), join, { class: 'primary' })),
    ];
  },
  joined() {
    return [
      el('h1', {}, t('joined.title')),
      el('p', { class: 'lead' }, t('joined.lead', { phone: maskedPhone(state.phone) })),
      el('div', { class: 'actions' }, button(t('common.done'), finish, { class: 'primary' })),
    ];
  },
  pin() {
    return [
      el('h1', {}, t('pin.title')),
      el('p', { class: 'lead' }, t('pin.lead', { phone: maskedPhone(state.phone) })),
      el('output', { class: 'entry', 'aria-label': t('pin.entered', { count: state.pin.length }) },
        '•'.repeat(state.pin.length) || '\u00a0'),
      state.attemptsLeft === 0 ? el('p', { class: 'error', role: 'alert' }, t('pin.blocked')) : '',
      state.attemptsLeft > 0
        ? el('p', { class: 'error', role: 'alert' }, t('pin.wrong', { count: state.attemptsLeft })) : '',
      state.error ? el('p', { class: 'error', role: 'alert' }, state.error) : '',
      keypad((d) => { if (state.pin.length < 6) update({ pin: state.pin + d }); },
             () => update({ pin: state.pin.slice(0, -1) })),
      el('div', { class: 'actions' },
        button(t('common.back'), () => reset(), { class: 'secondary' }),
        button(t('pin.confirm'), verifyPin, { class: 'primary', disabled: state.pin.length !== 6 })),
      resendButton(),
    ];
  },
  member() {
    const view = state.member;
    if (!view.member) {
      return [el('h1', {}, t('member.notMember')),
        el('div', { class: 'actions' }, button(t('common.done'), finish, { class: 'primary' }))];
    }
    const offers = view.offers ?? [];
    const receipts = view.receipts ?? [];
    return [
      el('h1', {}, t('member.title')),
      el('p', { class: 'points' }, t('member.points', { count: Number(view.member.points) })),
      el('p', {}, t('member.tier', { tier: view.member.tier })),
      view.source === 'cache'
        ? el('p', { class: 'note' }, t('member.cached', { count: Math.round((view.cache_age_seconds ?? 0) / 60) })) : '',
      el('h2', {}, t('member.offers', { count: offers.length })),
      el('ul', { class: 'offers' }, offers.map((offer) => el('li', {}, offer.title ?? offer.name ?? ''))),
      receipts.length ? el('h2', {}, t('member.receipts')) : '',
      el('ul', { class: 'receipts' }, receipts.map((receipt) => el('li', {}, t('member.receipt', {
        date: catalogue.dateTime(receipt.time, settings.time_zone),
        total: catalogue.money(receipt.total, receipt.currency),
        count: receipt.lines,
      })))),
      el('div', { class: 'actions' }, button(t('common.done'), finish, { class: 'primary' })),
    ];
  },
  qr() {
    return [
      el('h1', {}, t('qr.title')),
      el('p', { class: 'lead' }, t('qr.brightness')),
      el('div', { class: 'viewfinder' },
        el('video', { id: 'camera', muted: true, playsinline: true, 'aria-hidden': 'true' }),
        el('div', { class: 'guide', 'aria-hidden': 'true' })),
      state.error ? el('p', { class: 'error', role: 'alert' }, state.error) : '',
      el('div', { class: 'actions' }, button(t('common.back'), () => reset(), { class: 'secondary' })),
    ];
  },
  goodbye() {
    return [el('h1', {}, t('goodbye.title')), el('p', { class: 'lead' }, t('goodbye.lead'))];
  },
  unregistered() {
    return [el('h1', {}, t('unregistered.title')), el('p', {}, t('unregistered.lead'))];
  },
};

// "Send a new code", with the seconds left until lojald allows one.
let resendTimer = null;
function resendButton() {
  const left = Math.ceil((state.resendAt - Date.now()) / 1000);
  clearTimeout(resendTimer);
  if (left > 0) resendTimer = setTimeout(() => { if (state.screen === 'pin') render(); }, 1000);
  return el('p', { class: 'resend' }, left > 0
    ? el('span', { class: 'note' }, t('pin.resendIn', { count: left }))
    : button(t('pin.resend'), sendPin, { class: 'secondary', 'data-action': 'resend' }));
}

function render() {
  document.documentElement.lang = catalogue.language;
  if (state.screen !== 'qr') stopCamera();
  if (state.screen === 'qr' && camera) return;  // keep the running video as it is
  screen.replaceChildren(...screens[state.screen]().filter((node) => node !== ''));
  screen.dataset.screen = state.screen;
  if (state.screen === 'qr') startCamera();
}

function startCamera() {
  camera = new CameraReader(document.getElementById('camera'), onCameraAnswer);
  camera.start().catch(() => update({ error: t('qr.noCamera') }));
}

function stopCamera() {
  camera?.stop();
  camera = null;
}

// A member QR read: verify it with lojald, which binds the member.
async function onCameraAnswer(answer) {
  if (!answer.found || answer.kind !== 'member_qr' || state.screen !== 'qr') return;
  armIdle();
  if (!answer.valid) return showCameraProblem(t('qr.invalid'));
  try {
    const view = await call('POST', '/v1/kiosk/identify', { method: 'qr', token: answer.text });
    stopCamera();
    update({ screen: 'member', member: view });
  } catch (error) {
    showCameraProblem(problemText(error));
  }
}

function showCameraProblem(text) {
  const shown = screen.querySelector('.error');
  if (shown) shown.textContent = text;
  else screen.insertBefore(el('p', { class: 'error', role: 'alert' }, text), screen.querySelector('.actions'));
}

function update(changes) {
  state = { ...state, ...changes };
  render();
  armIdle();  // a new screen or a key press: the customer is here
}

function go(name) {
  update({ screen: name, error: '', attemptsLeft: null });
}

async function setLanguage(code) {
  catalogue = await Catalogue.load(code, base);
  render();
}

function problemText(error) {
  if (error instanceof ApiError && error.status === 0) return t('error.offline');
  const key = `error.${error.code}`;
  return catalogue.messages[key] ? t(key) : t('error.generic');
}

async function sendPin() {
  try {
    await call('POST', '/v1/otp', { phone: state.phone, locale: catalogue.language });
    update({ screen: 'pin', pin: '', attemptsLeft: null, error: '', resendAt: Date.now() + RESEND_COOLDOWN_MS });
  } catch (error) {
    update({ error: problemText(error) });
  }
}

// The consent is recorded exactly as the screen shows it: its sentences, as
// rendered, and the version of that text.
async function join() {
  const shown = [document.getElementById('consent-text').textContent];
  if (state.marketing) shown.push(document.getElementById('marketing-text').textContent);
  try {
    await call('POST', '/v1/kiosk/join', {
      phone: state.phone,
      locale: catalogue.language,
      consent: { marketing_sms: state.marketing, terms_version: t('join.termsVersion'), text_shown: shown.join('\n') },
    });
    update({ screen: 'joined' });
  } catch (error) {
    update({ error: problemText(error) });
  }
}

async function verifyPin() {
  try {
    const answer = await call('POST', '/v1/kiosk/identify', { method: 'otp', phone: state.phone, code: state.pin });
    if (answer.verified === false) return update({ pin: '', attemptsLeft: answer.attempts_left });
    update({ screen: 'member', member: answer, pin: '', phone: '' });
  } catch (error) {
    update({ pin: '', error: problemText(error) });
  }
}

async function finish() {
  await reset();
  update({ screen: 'goodbye' });
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => reset(), 4000);
}

// Back to a blank home: state, DOM, the server's member, language.
async function reset() {
  stopCamera();
  clearTimeout(resendTimer);
  clearTimeout(idleTimer);
  clearInterval(countdownTimer);
  idleDialog.hidden = true;
  idleDialog.replaceChildren();
  state = fresh();
  try { sessionStorage.clear(); localStorage.clear(); } catch { /* nothing stored anyway */ }
  try { await call('POST', '/v1/kiosk/reset'); } catch { /* offline: the server forgets on its own */ }
  if (catalogue.language !== settings.default_language) {
    catalogue = await Catalogue.load(settings.default_language, base);
  }
  render();
  armIdle();
}

// Idle: after idle_reset_seconds untouched, a countdown asks "still there?".
// (Home needs none; goodbye returns home on its own timer.)
function armIdle() {
  if (state.screen === 'goodbye') return;
  clearTimeout(idleTimer);
  if (state.screen === 'home' || state.screen === 'unregistered') return;
  idleTimer = setTimeout(showCountdown, settings.idle_reset_seconds * 1000);
}

function showCountdown() {
  countdown = 10;
  const draw = () => idleDialog.replaceChildren(
    el('h2', { id: 'idle-title' }, t('idle.title')),
    el('p', {}, t('idle.countdown', { count: countdown })),
    button(t('idle.stay'), () => { idleDialog.hidden = true; clearInterval(countdownTimer); armIdle(); }, { class: 'primary' }));
  draw();
  idleDialog.hidden = false;
  idleDialog.querySelector('button').focus();
  countdownTimer = setInterval(() => {
    countdown -= 1;
    if (countdown <= 0) return reset();
    draw();
  }, 1000);
}

// Member cards: when the store counts them, a card scanned at the kiosk's own
// scanner identifies the customer on the home screen. The page only says "the
// card just scanned"; lojald takes the number from its own scanner's events.
function cardsCount() {
  return settings.verified_by.includes('card') && settings.scanner;
}

function watchScanner() {
  if (!cardsCount()) return;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/v1/events`);
  socket.onopen = () => { document.body.dataset.scanner = 'listening'; };
  socket.onmessage = async (message) => {
    const event = JSON.parse(message.data);
    if (event.type !== 'scan' || event.device !== settings.scanner || state.screen !== 'home') return;
    if (event.data.kind !== 'member_card' || !event.data.valid) return;
    try {
      const view = await call('POST', '/v1/kiosk/identify', { method: 'card' });
      update({ screen: 'member', member: view });
    } catch { /* not a member here: the home screen stays */ }
  };
  socket.onclose = () => {
    delete document.body.dataset.scanner;
    setTimeout(watchScanner, 3000);
  };
}

// Offline: a banner that re-checks every few seconds and goes away by itself.
async function watchHealth() {
  let online = true;
  try { online = (await fetch('/v1/health', { cache: 'no-store' })).ok; } catch { online = false; }
  banner.hidden = online;
  if (!online) banner.textContent = t('banner.offline');
  setTimeout(watchHealth, online ? 15000 : 3000);
}

async function start() {
  try {
    settings = await call('GET', '/v1/kiosk/settings');
  } catch (error) {
    settings = { store: '', default_language: 'en', idle_reset_seconds: 45 };
    catalogue = await Catalogue.load('en', base);
    state.screen = 'unregistered';
    return render();
  }
  catalogue = await Catalogue.load(settings.default_language, base);
  for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, armIdle, true);
  render();
  watchHealth();
  watchScanner();
}

start();
