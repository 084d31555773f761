// Screenshots of the main screens against a running demo server, for looking at the app as a
// person would (layout, labels, masking per role). Not a test: it only writes PNGs.
//
//   ./target/debug/liyan demo --customers 300 --data-dir /tmp/liyan-shot --listen 127.0.0.1:9555 &
//   cd web && LIYAN_SHOT_URL=https://127.0.0.1:9555 node e2e/screens.mjs [out-dir]
//
// Variables: LIYAN_SHOT_URL (required), LIYAN_SHOT_PASSWORD (demo password, default Liyan@2026),
// LIYAN_SHOT_LANGS (default "zh-CN,en"), LIYAN_E2E_CHROMIUM (default /usr/bin/chromium).
// Logins are the demo's: frontdesk, doctor, admin. Output: one PNG per screen and language.
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { chromium, request } from 'playwright-core'
import { CHROMIUM_ARGS } from './chromium.mjs'

const base = (process.env.LIYAN_SHOT_URL || '').replace(/\/+$/, '')
if (!base) {
  console.error('set LIYAN_SHOT_URL, e.g. https://127.0.0.1:9555')
  process.exit(2)
}
const password = process.env.LIYAN_SHOT_PASSWORD || 'Liyan@2026'
const langs = (process.env.LIYAN_SHOT_LANGS || 'zh-CN,en').split(',').map((s) => s.trim()).filter(Boolean)
const out = resolve(process.argv[2] || 'screens')
mkdirSync(out, { recursive: true })

const tid = (id) => `[data-testid="${id}"]`

/** A customer id the doctor sees with allergies filled in (first page), found through the API. */
async function customerWithAllergies() {
  const api = await request.newContext({ baseURL: base, ignoreHTTPSErrors: true })
  try {
    const login = await api.post('/api/v1/auth/login', { data: { username: 'doctor', password } })
    if (!login.ok()) throw new Error(`doctor login: ${login.status()} ${await login.text()}`)
    const { access_token } = await login.json()
    const r = await api.get('/api/v1/customers?limit=100', { headers: { authorization: `Bearer ${access_token}` } })
    const { items } = await r.json()
    return (items.find((c) => c.allergies) ?? items[0])?.id
  } finally {
    await api.dispose()
  }
}

async function login(page, username) {
  await page.goto(`${base}/login`)
  await page.locator(tid('login-username')).fill(username)
  await page.locator(tid('login-password')).fill(password)
  await page.locator(tid('login-submit')).click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {})
  await page.waitForTimeout(400)
}

async function run() {
  const browser = await chromium.launch({
    executablePath: process.env.LIYAN_E2E_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  })
  const doctorCustomer = await customerWithAllergies()
  const written = []
  try {
    for (const lang of langs) {
      const session = async (username, fn) => {
        const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 }, locale: lang })
        await context.addInitScript((l) => localStorage.setItem('liyan.lang', l), lang)
        const page = await context.newPage()
        page.setDefaultTimeout(15_000)
        page.on('pageerror', (e) => console.error(`[${lang}] page error: ${e}`))
        // Expected 4xx (the first refresh without a cookie, a refused form) are not worth printing.
        page.on('console', (m) => {
          if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) console.error(`[${lang}] console: ${m.text()}`)
        })
        const shot = async (name) => {
          await settle(page)
          const file = join(out, `${lang}-${name}.png`)
          await page.screenshot({ path: file })
          written.push(file)
        }
        try {
          if (username) await login(page, username)
          await fn(page, shot)
        } finally {
          await context.close()
        }
      }

      await session(null, async (page, shot) => {
        await page.goto(`${base}/login`)
        await page.locator(tid('login-username')).waitFor()
        await shot('login')
      })

      await session('frontdesk', async (page, shot) => {
        await page.goto(`${base}/customers`)
        await page.locator('.customer-row').first().waitFor()
        await shot('frontdesk-customers')
        await page.locator('.customer-row').first().click()
        await page.locator(tid('field-mobile')).waitFor()
        await shot('frontdesk-customer')
        const reveal = page.locator(tid('reveal-mobile'))
        if (await reveal.count()) {
          await reveal.click()
          await page.waitForFunction(() => !document.querySelector('[data-testid="field-mobile"]')?.textContent?.includes('*'))
          await shot('frontdesk-customer-revealed')
        }
        await page.goto(`${base}/customers/new`)
        await page.locator(tid('input-name')).waitFor()
        await shot('frontdesk-new')
        await page.locator(tid('customer-save')).click()
        await shot('frontdesk-new-empty-submit')
        await page.goto(`${base}/customers`)
        await page.locator(tid('customer-search')).fill('zzzzzz')
        await page.waitForTimeout(800)
        await shot('frontdesk-customers-none')
      })

      await session('doctor', async (page, shot) => {
        await page.goto(`${base}/customers/${doctorCustomer}`)
        await page.locator(tid('field-name')).waitFor()
        await shot('doctor-customer')
      })

      await session('admin', async (page, shot) => {
        await page.goto(`${base}/access`)
        await page.locator(tid('access-role')).waitFor()
        await shot('admin-access')
        await page.goto(`${base}/audit`)
        await page.locator(`${tid('audit-table')} .el-table__row`).first().waitFor()
        await shot('admin-audit')
        await page.goto(`${base}/users`)
        await page.locator(`${tid('users-table')} .el-table__row`).first().waitFor()
        await shot('admin-users')
        await page.goto(`${base}/customers/${doctorCustomer}`)
        await page.locator(tid('field-name')).waitFor()
        await shot('admin-customer')
        await page.getByRole('tab').nth(1).click()
        await shot('admin-customer-audit')
        await page.goto(`${base}/two-step`)
        await page.locator(tid('totp-start')).waitFor()
        await shot('admin-totp')
        await page.locator(tid('totp-start')).click()
        await page.locator(tid('totp-secret')).waitFor()
        await shot('admin-totp-setup')
        await page.locator(tid('totp-code')).fill('000000')
        await page.locator(tid('totp-submit')).click()
        await shot('admin-totp-wrong-code')
      })
    }
  } finally {
    await browser.close()
  }
  for (const f of written) console.log(f)
}

run().catch((e) => {
  console.error(e)
  process.exit(1)
})
