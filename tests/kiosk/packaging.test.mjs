// The kiosk host files agree with each other and with lojald's default
// address: the unit opens the page the policy lets use the camera.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sourceDir } from './harness.mjs';

test('the kiosk unit opens the origin the Chromium policy allows the camera for', () => {
  const unit = readFileSync(join(sourceDir, 'packaging/kiosk/lojal-kiosk.service'), 'utf8');
  const policy = JSON.parse(readFileSync(join(sourceDir, 'packaging/kiosk/lojal-kiosk.json'), 'utf8'));
  const app = new URL(unit.match(/--app=(\S+)/)[1]);
  assert.equal(app.pathname, '/kiosk/');
  assert.deepEqual(policy.VideoCaptureAllowedUrls, [app.origin]);
  assert.equal(policy.AudioCaptureAllowed, false);
  assert.ok(policy.URLAllowlist.includes(`${app.origin}/kiosk/*`));
  assert.deepEqual(policy.URLBlocklist, ['*']);
  const config = readFileSync(join(sourceDir, 'daemon/config/DefaultConfig.cpp'), 'utf8');
  assert.ok(config.includes(`listen = ${app.host}`), 'lojald listens where the unit points');
  assert.doesNotMatch(unit, /use-fake|unsafely|disable-web-security/, 'no permission or security flags');
});
