// Kiosk figures for `make bench` (printed, not asserted), against a real lojald
// in Debian's chromium:
//   - first load of /kiosk/ to the home screen rendered, cold (new context), and
//     the bytes transferred (goal < 300 ms, < 150 KB);
//   - member QR shown to the fake camera -> member view rendered (goal < 1 s);
//   - the page's JS heap after 100 identify/reset cycles (goal: no growth
//     beyond a few MB).
//   node bench.mjs [LOJALD] [BARCODE_IMAGE]
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Lojald, chromiumPath, smsSink } from './harness.mjs';

if (process.argv[2]) process.env.LOJALD = process.argv[2];
const barcodeImage = process.argv[3] ?? process.env.BARCODE_IMAGE;
const { lojaldPath } = await import('./harness.mjs');
void lojaldPath;

const QR_KEY = 'kiosk-bench-member-qr-key';
const token = (id) => {
  const payload = `LJM1.${id}.${Math.floor(Date.now() / 1000) + 3600}`;
  return `${payload}.${createHmac('sha256', QR_KEY).update(payload).digest().subarray(0, 16).toString('base64url')}`;
};
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

const sms = await smsSink();
const lojald = await Lojald.start({ sms, extra: `[scanning]\nmember_qr_key = ${QR_KEY}\n` });
const video = join(tmpdir(), `lojal-kiosk-bench-${process.pid}.y4m`);
execFileSync(barcodeImage, ['QRCode', token('M-1'), video, '--y4m', '--module', '6', '--rotate', '10', '--noise', '3']);
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--no-sandbox', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
});

try {
  // 1. Cold loads.
  const loads = [];
  let bytes = 0;
  for (let i = 0; i < 20; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(`${lojald.url}/kiosk/`);
    await page.waitForSelector('main[data-screen="home"] h1');
    loads.push(performance.now() - started);
    bytes = await page.evaluate(() => [...performance.getEntriesByType('navigation'),
      ...performance.getEntriesByType('resource')].reduce((sum, e) => sum + e.transferSize, 0));
    await context.close();
  }
  console.log(`kiosk first load to home rendered, cold, 20 loads (goal < 300 ms): p50 ${percentile(loads, 50).toFixed(0)} ms  p95 ${percentile(loads, 95).toFixed(0)} ms; ${(bytes / 1024).toFixed(1)} KB transferred (goal < 150 KB)`);

  // 2. QR at the camera -> member view.
  const context = await browser.newContext();
  await context.grantPermissions(['camera'], { origin: lojald.url });
  const page = await context.newPage();
  await page.goto(`${lojald.url}/kiosk/`);
  const qr = [];
  for (let i = 0; i < 10; i++) {
    await page.waitForSelector('main[data-screen="home"]');
    const started = performance.now();
    await page.locator('button[data-action="qr"]').click();
    await page.waitForSelector('main[data-screen="member"]', { timeout: 15000 });
    qr.push(performance.now() - started);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.waitForSelector('main[data-screen="home"]', { timeout: 15000 });
  }
  console.log(`member QR shown to the camera -> member view rendered, 10 times (goal < 1 s): p50 ${percentile(qr, 50).toFixed(0)} ms  max ${percentile(qr, 100).toFixed(0)} ms`);

  // 3. Memory over 100 identify/reset cycles.
  const cdp = await context.newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize').value / 1024 / 1024;
  };
  await cdp.send('Performance.enable');
  const before = await heap();
  for (let i = 0; i < 100; i++) {
    await page.evaluate(async (t) => fetch('/v1/kiosk/identify', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ method: 'qr', token: t }),
    }), token(`M-${i}`));
    await page.locator('button[data-action="phone"]').click();
    await page.locator('.keypad button', { hasText: /^7$/ }).click();
    await page.getByRole('button', { name: 'Back' }).click();
    await page.waitForSelector('main[data-screen="home"]');
  }
  const afterCycles = await heap();
  console.log(`kiosk page JS heap: ${before.toFixed(1)} MB before, ${afterCycles.toFixed(1)} MB after 100 identify/reset cycles (${(afterCycles - before).toFixed(2)} MB)`);
  await context.close();
} finally {
  await browser.close();
  await lojald.close();
  await sms.close();
}
