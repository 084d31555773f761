// What the browser tests share: test ids, required variables, logging in through the form (with
// the forced password change), Element Plus pickers, a browser per test that leaves a screenshot
// when it fails, and an API context for setting things up.
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, request } from 'playwright-core'
import { CHROMIUM_ARGS } from './chromium.mjs'

export const tid = (id) => `[data-testid="${id}"]`
export const env = process.env

export function need(...keys) {
  const missing = ['LIYAN_E2E_URL', ...keys].filter((k) => !env[k])
  assert.deepEqual(missing, [], `missing environment variables: ${missing.join(', ')}`)
  return env.LIYAN_E2E_URL.replace(/\/+$/, '')
}

/** Logs in through the form; does the forced password change if shown. Returns the password in use. */
export async function login(page, base, user, password) {
  await page.goto(`${base}/login`)
  await page.locator(tid('login-username')).fill(user)
  await page.locator(tid('login-password')).fill(password)
  await page.locator(tid('login-submit')).click()
  await page.locator(`${tid('quick-search')}, ${tid('cp-new')}`).first().waitFor()
  if (await page.locator(tid('cp-new')).isVisible()) {
    const next = env.LIYAN_E2E_NEW_PASSWORD
    assert.ok(next, `password change forced for ${user} but LIYAN_E2E_NEW_PASSWORD is not set`)
    await page.locator(tid('cp-old')).fill(password)
    await page.locator(tid('cp-new')).fill(next)
    await page.locator(tid('cp-confirm')).fill(next)
    await page.locator(tid('cp-submit')).click()
    await page.locator(tid('quick-search')).waitFor()
    return next
  }
  return password
}

export function field(page, id) {
  return page.locator(`input${tid(id)}, textarea${tid(id)}, ${tid(id)} input, ${tid(id)} textarea`).first()
}

/** Picks an option (teleported to <body>) of the Element Plus select with this test id. */
export async function choose(page, selectTid, text) {
  await page.locator(tid(selectTid)).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

/** Confirms the open ElMessageBox. */
export async function confirmBox(page) {
  await page.locator('.el-message-box__btns .el-button--primary:visible').click()
}

/**
 * Runs `body` with a fresh browser page; on failure leaves a screenshot of the page in use and the
 * step's name. `s.newPage()` opens another page (its own session, for a second user); set
 * `s.page` to the page a step works on so that a failure shows it.
 */
export async function withBrowser(t, body) {
  const browser = await chromium.launch({ executablePath: env.LIYAN_E2E_CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS })
  const consoleErrors = []
  const newPage = async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-CN', viewport: { width: 1440, height: 900 }, acceptDownloads: true })
    const page = await context.newPage()
    page.setDefaultTimeout(20_000)
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()))
    page.on('pageerror', (e) => consoleErrors.push(String(e)))
    return page
  }
  const page = await newPage()
  const state = { step: 'start', api: null, page, newPage }
  try {
    await body(page, state)
    const csp = consoleErrors.filter((m) => /Content Security Policy/i.test(m))
    assert.deepEqual(csp, [], 'the app must run under the strict CSP')
  } catch (e) {
    const dir = mkdtempSync(join(tmpdir(), 'liyan-e2e-'))
    const shot = join(dir, 'failure.png')
    await state.page.screenshot({ path: shot, fullPage: true }).catch(() => {})
    t.diagnostic(`failed at step "${state.step}" on ${state.page.url()}; screenshot ${shot}`)
    if (consoleErrors.length) t.diagnostic(`browser console errors:\n${consoleErrors.join('\n')}`)
    throw e
  } finally {
    await state.api?.dispose()
    await browser.close()
  }
}

/** An API context logged in as the user (after the browser did any forced password change). */
export async function apiAs(base, user, password) {
  const api = await request.newContext({ baseURL: base, ignoreHTTPSErrors: true })
  const r = await api.post('/api/v1/auth/login', { data: { username: user, password } })
  assert.equal(r.status(), 200, await r.text())
  return { api, headers: { authorization: `Bearer ${(await r.json()).access_token}` } }
}
