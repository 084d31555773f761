// Front-desk journey against a running Liyan server, in the system's headless Chromium.
//
//   LIYAN_E2E_URL=https://127.0.0.1:9443 LIYAN_E2E_USER=... LIYAN_E2E_PASSWORD=... \
//   LIYAN_E2E_CUSTOMER_NAME=张三 LIYAN_E2E_CUSTOMER_INITIALS=zs LIYAN_E2E_CUSTOMER_TAIL4=5678 \
//   [LIYAN_E2E_NEW_PASSWORD=...] [LIYAN_E2E_CHROMIUM=/usr/bin/chromium] npm run e2e
//
// Missing variables fail the test: it never skips silently.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS } from './chromium.mjs'
import { tid } from './support.mjs'

const REQUIRED = [
  'LIYAN_E2E_URL',
  'LIYAN_E2E_USER',
  'LIYAN_E2E_PASSWORD',
  'LIYAN_E2E_CUSTOMER_NAME',
  'LIYAN_E2E_CUSTOMER_INITIALS',
  'LIYAN_E2E_CUSTOMER_TAIL4',
]



/** The name as the server may send it to this role: plain, or masked to its first character (张*). */
function nameMatcher(name) {
  const first = name.slice(0, 1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const full = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`${full}|${first}\\*`)
}

function freshMobile() {
  // 199 + 8 digits from the clock: valid (^1[3-9]\d{9}$) and new on every run.
  return `199${String(Date.now()).slice(-8)}`
}

test('front desk: log in, quick search, masked mobile, create, duplicate mobile', { timeout: 180_000 }, async (t) => {
  const missing = REQUIRED.filter((k) => !process.env[k])
  assert.deepEqual(missing, [], `missing environment variables: ${missing.join(', ')}`)

  const env = process.env
  const base = env.LIYAN_E2E_URL.replace(/\/+$/, '')
  const name = env.LIYAN_E2E_CUSTOMER_NAME
  const initials = env.LIYAN_E2E_CUSTOMER_INITIALS
  const tail4 = env.LIYAN_E2E_CUSTOMER_TAIL4
  const nameRe = nameMatcher(name)

  const browser = await chromium.launch({
    executablePath: env.LIYAN_E2E_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  })
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-CN', viewport: { width: 1366, height: 860 } })
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  const consoleErrors = []
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(String(e)))

  let step = 'start'
  try {
    step = 'login'
    await page.goto(`${base}/login`)
    await page.locator(tid('login-username')).fill(env.LIYAN_E2E_USER)
    await page.locator(tid('login-password')).fill(env.LIYAN_E2E_PASSWORD)
    await page.locator(tid('login-submit')).click()

    // Either the app, or the forced password change first.
    await page.locator(`${tid('quick-search')}, ${tid('cp-new')}`).first().waitFor()
    if (await page.locator(tid('cp-new')).isVisible()) {
      step = 'forced password change'
      assert.ok(env.LIYAN_E2E_NEW_PASSWORD, 'password change forced but LIYAN_E2E_NEW_PASSWORD is not set')
      await page.locator(tid('cp-old')).fill(env.LIYAN_E2E_PASSWORD)
      await page.locator(tid('cp-new')).fill(env.LIYAN_E2E_NEW_PASSWORD)
      await page.locator(tid('cp-confirm')).fill(env.LIYAN_E2E_NEW_PASSWORD)
      await page.locator(tid('cp-submit')).click()
      await page.locator(tid('quick-search')).waitFor()
    }

    step = 'quick search by pinyin initials'
    const qs = page.locator(tid('quick-search'))
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur())
    await page.keyboard.press('/')
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'quick-search')
    await page.keyboard.type(initials)
    const results = page.locator(tid('quick-search-results'))
    await page.locator(`${tid('quick-search-results')}[data-query="${initials.toLowerCase()}"]`).waitFor()
    await results.locator(tid('quick-search-result')).filter({ hasText: nameRe }).first().waitFor()

    step = 'quick search by mobile tail'
    await qs.fill(tail4)
    await page.locator(`${tid('quick-search-results')}[data-query="${tail4}"]`).waitFor()
    const rows = results.locator(tid('quick-search-result'))
    await rows.filter({ hasText: nameRe }).first().waitFor()
    // Walk to the customer with the arrow keys and open it with Enter.
    const texts = await rows.allInnerTexts()
    let index = texts.findIndex((x) => nameRe.test(x) && x.includes(tail4))
    if (index < 0) index = texts.findIndex((x) => nameRe.test(x))
    assert.ok(index >= 0, `customer with tail ${tail4} not among: ${texts.join(' | ')}`)
    for (let i = 0; i < index; i++) await qs.press('ArrowDown')
    await qs.press('Enter')

    step = 'customer detail shows masked mobile'
    await page.waitForURL(/\/customers\/\d+$/)
    const mobile = page.locator(tid('field-mobile'))
    await mobile.waitFor()
    const mobileText = await mobile.innerText()
    assert.match(mobileText, /\*\*\*\*/, `mobile should be masked, got ${mobileText}`)
    assert.ok(mobileText.replace(/\s/g, '').endsWith(tail4), `masked mobile ${mobileText} should end with ${tail4}`)

    step = 'create a customer'
    const newMobile = freshMobile()
    const newName = `测试${newMobile.slice(-4)}`
    await openNewCustomerForm(page)
    await fillCustomer(page, newName, newMobile)
    await page.locator(tid('customer-save')).click()
    await page.waitForURL(/\/customers\/\d+$/)
    await page.locator(tid('field-mobile')).waitFor()

    step = 'duplicate mobile is refused'
    await openNewCustomerForm(page)
    await fillCustomer(page, `${newName}重复`, newMobile)
    await page.locator(tid('customer-save')).click()
    const formError = page.locator(tid('form-error'))
    await formError.waitFor({ state: 'visible' })
    const errText = await formError.innerText()
    assert.match(errText, /已存在|already/i, `duplicate error should be shown, got: ${errText}`)
    assert.match(page.url(), /\/customers\/new$/)

    const cspErrors = consoleErrors.filter((m) => /Content Security Policy/i.test(m))
    assert.deepEqual(cspErrors, [], 'the app must run under the strict CSP')
  } catch (e) {
    const dir = mkdtempSync(join(tmpdir(), 'liyan-e2e-'))
    const shot = join(dir, 'failure.png')
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {})
    t.diagnostic(`failed at step "${step}" on ${page.url()}; screenshot ${shot}`)
    if (consoleErrors.length) t.diagnostic(`browser console errors:\n${consoleErrors.join('\n')}`)
    throw e
  } finally {
    await browser.close()
  }
})

async function openNewCustomerForm(page) {
  await page.locator(tid('menu-customers')).click()
  await page.waitForURL(/\/customers$/)
  await page.locator(tid('customer-new')).click()
  await page.waitForURL(/\/customers\/new$/)
  await page.locator(tid('input-name')).waitFor()
}

async function fillCustomer(page, name, mobile) {
  await page.locator(tid('input-name')).fill(name)
  await page.locator(tid('input-mobile')).fill(mobile)
  // Record the privacy consent when the form offers it.
  const privacy = page.locator(`${tid('input-consent-privacy')} input[type="checkbox"]`)
  if ((await privacy.count()) > 0 && !(await privacy.isChecked())) {
    await page.locator(tid('input-consent-privacy')).click()
  }
}
