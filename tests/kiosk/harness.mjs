// A real lojald for the browser tests: its own directory, a free port, the
// kiosk files of this checkout, SMS through the HTTP gateway to a sink the
// tests own (PINs are read from there, never from logs).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const sourceDir = resolve(here, '../..');
export const lojaldPath = process.env.LOJALD ?? join(sourceDir, 'build/daemon/lojald');
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const barcodeImagePath = process.env.BARCODE_IMAGE ?? join(sourceDir, 'build/tests/barcode-image');
export const scannerSimPath = process.env.SCANNER_SIM ?? join(sourceDir, 'build/tests/scanner-sim');

// The serial scanner simulator on a pseudo-terminal: one command per line,
// one answer line each ("ok ...").
export class ScannerSim {
  constructor(link) {
    this.link = link;
    this.process = spawn(scannerSimPath, ['--link', link]);
    this.lines = [];
    this.waiters = [];
    let buffer = '';
    this.process.stdout.on('data', (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        this.lines.push(buffer.slice(0, end));
        buffer = buffer.slice(end + 1);
        this.waiters.splice(0).forEach((wake) => wake());
      }
    });
  }

  async command(line) {
    const seen = this.lines.length;
    this.process.stdin.write(`${line}\n`);
    while (this.lines.length === seen) await new Promise((wake) => this.waiters.push(wake));
    return this.lines[seen];
  }

  close() { this.process.kill(); }
}
export const screenshotDir = process.env.KIOSK_SCREENSHOTS ?? join(sourceDir, 'build/kiosk-screenshots');

// An HTTP server on loopback that keeps every SMS it is given.
export async function smsSink() {
  const messages = [];
  const waiters = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      const form = new URLSearchParams(body);
      messages.push({ to: form.get('to'), text: form.get('message') });
      waiters.splice(0).forEach((wake) => wake());
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ id: `sms-${messages.length}` }));
    });
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${server.address().port}/sms`,
    messages,
    // The PIN of the next SMS to `to` (E.164) after `since` messages.
    async pinFor(to, since = 0) {
      for (;;) {
        const found = messages.slice(since).find((m) => m.to === to && /\d{6}/.test(m.text));
        if (found) return found.text.match(/\d{6}/)[0];
        await new Promise((wake) => waiters.push(wake));
      }
    },
    close: () => new Promise((done) => server.close(done)),
  };
}

// A CRM on loopback with the REST connector's member endpoints: lookups by
// phone or member id, offers, an empty change feed. Batches answer 503
// (lojald keeps them queued, as with any CRM that is down).
export async function fakeCrm({ members = [], offers = [] } = {}) {
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://crm');
    const send = (status, body) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    request.resume();
    if (url.pathname === '/v1/offers') return send(200, { offers });
    if (url.pathname === '/v1/members/changes') {
      return send(200, { members: [], erased: [], next_cursor: '0', more: false });
    }
    if (url.pathname === '/v1/members/lookup') {
      const member = members.find((m) => m.phone === url.searchParams.get('phone') ||
        m.member_id === url.searchParams.get('member_id') ||
        m.card_tokens.includes(url.searchParams.get('card_token')));
      return member ? send(200, { member }) : send(404, { error: 'no such member' });
    }
    send(503, { error: 'not in this fake' });
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((done) => server.close(done)),
  };
}

export const POS_TOKEN = 'kiosk-test-pos-token-0123456789abcdef';

function freePort() {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

export class Lojald {
  static async start({ sms, crm, extra = '', port } = {}) {
    const daemon = new Lojald();
    daemon.dir = mkdtempSync(join(tmpdir(), 'lojal-kiosk-'));
    daemon.port = port ?? await freePort();
    daemon.sms = sms;
    writeFileSync(join(daemon.dir, 'lojald.ini'), [
      '[server]', `listen = 127.0.0.1:${daemon.port}`,
      '[store]', 'id = SE-0042', 'name = Rusta', 'country = SE',
      '[database]', `path = ${join(daemon.dir, 'lojal.db')}`,
      '[log]', 'level = information',
      '[sms]', 'gateway = http', `url = ${sms.url}`, 'username = u', 'password = p',
      'sender = Rusta', `templates_dir = ${join(sourceDir, 'daemon/sms/templates')}`,
      '[signup]', 'base_url = https://join.example.com',
      'secret = kiosk-browser-test-secret-0123456789abcdef',
      '[kiosk]', `ui_dir = ${join(sourceDir, 'kiosk-ui')}`, 'default_language = en',
      '[tokens]', `register-1 = pos:${POS_TOKEN}`,
      crm ? `[crm]\nsync = on\nurl = ${crm.url}\napi_key = k\nretry_max_seconds = 1` : '',
      extra,
    ].join('\n') + '\n');
    await daemon.launch();
    return daemon;
  }

  launch() {
    this.output = '';
    this.process = spawn(lojaldPath, ['--config', join(this.dir, 'lojald.ini')], { cwd: this.dir });
    return new Promise((ready, fail) => {
      const look = (chunk) => {
        this.output += chunk;
        if (this.output.includes('API listening on')) ready();
      };
      this.process.stdout.on('data', look);
      this.process.stderr.on('data', look);
      this.process.on('exit', (code) => fail(new Error(`lojald exited (${code}):\n${this.output}`)));
    });
  }

  get url() { return `http://127.0.0.1:${this.port}`; }

  async stop() {
    if (!this.process || this.process.exitCode !== null) return;
    const exited = new Promise((done) => this.process.once('exit', done));
    this.process.kill('SIGTERM');
    await exited;
  }

  async close() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
