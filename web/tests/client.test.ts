import { describe, expect, it, vi } from 'vitest'
import { ApiClient, ApiError, type SessionBody } from '../src/api/client'

const session = (token: string): SessionBody => ({
  access_token: token,
  expires_in: 900,
  must_change_password: false,
  user: { id: 1, username: 'fd', display_name: '前台', role: 'front_desk', store_id: 1 },
})

function json(status: number, body: unknown, type = 'application/json'): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': type } })
}

function problem(status: number, title: string, extra: object = {}): Response {
  return json(status, { type: 'https://liyan.local/problems/x', title, status, ...extra }, 'application/problem+json')
}

type Call = { url: string; init: RequestInit }

function mockFetch(responder: (url: string, init: RequestInit, n: number) => Response) {
  const calls: Call[] = []
  const fn = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    const c = { url: String(url), init: init ?? {} }
    calls.push(c)
    return responder(c.url, c.init, calls.length)
  })
  return { fn: fn as unknown as typeof fetch, calls }
}

const auth = (c: Call) => (c.init.headers as Record<string, string>).Authorization

describe('ApiClient', () => {
  it('refreshes once on 401 and retries with the new token', async () => {
    const { fn, calls } = mockFetch((url, init) => {
      if (url.endsWith('/auth/refresh')) return json(200, session('new'))
      const a = (init.headers as Record<string, string>).Authorization
      return a === 'Bearer new' ? json(200, { items: [], next_cursor: null }) : problem(401, 'expired')
    })
    const onAuthFailure = vi.fn()
    const onSession = vi.fn()
    const c = new ApiClient({ fetch: fn, onAuthFailure, onSession })
    c.setToken('old')
    const page = await c.get<{ items: unknown[] }>('/customers', { q: 'zs', limit: 10 })
    expect(page.items).toEqual([])
    expect(calls.map((x) => x.url)).toEqual([
      '/api/v1/customers?q=zs&limit=10',
      '/api/v1/auth/refresh',
      '/api/v1/customers?q=zs&limit=10',
    ])
    expect(auth(calls[0])).toBe('Bearer old')
    expect(auth(calls[2])).toBe('Bearer new')
    expect(calls[1].init.method).toBe('POST')
    expect(calls[1].init.credentials).toBe('same-origin')
    expect(c.accessToken).toBe('new')
    expect(onSession).toHaveBeenCalledOnce()
    expect(onAuthFailure).not.toHaveBeenCalled()
  })

  it('gives up after a failed refresh and reports the auth failure', async () => {
    const { fn, calls } = mockFetch((url) =>
      url.endsWith('/auth/refresh') ? problem(401, 'no session') : problem(401, 'expired'),
    )
    const onAuthFailure = vi.fn()
    const c = new ApiClient({ fetch: fn, onAuthFailure })
    c.setToken('old')
    await expect(c.get('/me')).rejects.toBeInstanceOf(ApiError)
    expect(calls).toHaveLength(2)
    expect(onAuthFailure).toHaveBeenCalledOnce()
    expect(c.accessToken).toBeNull()
  })

  it('retries only once even if the retry is 401 again', async () => {
    const { fn, calls } = mockFetch((url) => (url.endsWith('/auth/refresh') ? json(200, session('t2')) : problem(401, 'no')))
    const onAuthFailure = vi.fn()
    const c = new ApiClient({ fetch: fn, onAuthFailure })
    await expect(c.get('/me')).rejects.toMatchObject({ status: 401 })
    expect(calls.map((x) => x.url)).toEqual(['/api/v1/me', '/api/v1/auth/refresh', '/api/v1/me'])
    expect(onAuthFailure).toHaveBeenCalledOnce()
  })

  it('shares one refresh between concurrent 401s', async () => {
    let refreshes = 0
    const { fn } = mockFetch((url, init) => {
      if (url.endsWith('/auth/refresh')) {
        refreshes++
        return json(200, session('fresh'))
      }
      const a = (init.headers as Record<string, string>).Authorization
      return a === 'Bearer fresh' ? json(200, { ok: true }) : problem(401, 'expired')
    })
    const c = new ApiClient({ fetch: fn })
    c.setToken('stale')
    const r = await Promise.all([c.get('/a'), c.get('/b'), c.get('/c')])
    expect(r).toEqual([{ ok: true }, { ok: true }, { ok: true }])
    expect(refreshes).toBe(1)
  })

  it('does not refresh on a failed login', async () => {
    const { fn, calls } = mockFetch(() => problem(401, '用户名或密码错误'))
    const onAuthFailure = vi.fn()
    const c = new ApiClient({ fetch: fn, onAuthFailure })
    await expect(c.post('/auth/login', { username: 'a', password: 'b' })).rejects.toMatchObject({
      status: 401,
      message: '用户名或密码错误',
    })
    expect(calls).toHaveLength(1)
    expect(onAuthFailure).not.toHaveBeenCalled()
  })

  it('parses problem details with field errors and existing_id', async () => {
    const { fn } = mockFetch(() =>
      problem(409, '手机号已存在：客户 张三 (M000123)', {
        type: 'https://liyan.local/problems/duplicate_mobile',
        existing_id: 42,
        errors: [{ field: 'mobile', message: '已存在' }],
      }),
    )
    const c = new ApiClient({ fetch: fn, language: () => 'en' })
    const err = (await c.post('/customers', { name: '张三' }).catch((e: unknown) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(409)
    expect(err.code).toBe('duplicate_mobile')
    expect(err.problem.existing_id).toBe(42)
    expect(err.fieldErrors).toEqual({ mobile: '已存在' })
  })

  it('sends Accept-Language, JSON body and handles 204', async () => {
    const { fn, calls } = mockFetch(() => new Response(null, { status: 204 }))
    const c = new ApiClient({ fetch: fn, language: () => 'en' })
    c.setToken('tok')
    await expect(c.del('/customers/1')).resolves.toBeUndefined()
    await c.patch('/customers/1', { name: 'x' })
    const h = calls[1].init.headers as Record<string, string>
    expect(h['Accept-Language']).toBe('en')
    expect(h['Content-Type']).toBe('application/json')
    expect(h.Authorization).toBe('Bearer tok')
    expect(calls[1].init.body).toBe('{"name":"x"}')
  })
  it('reports a "do this first" 403 to onGate and still fails the call', async () => {
    const { fn } = mockFetch((url) =>
      url.endsWith('/customers')
        ? problem(403, '请先设置两步验证', { type: 'https://liyan.local/problems/totp-enrollment-required' })
        : problem(403, '没有权限执行此操作', { type: 'https://liyan.local/problems/forbidden' }),
    )
    const onGate = vi.fn()
    const c = new ApiClient({ fetch: fn, onGate })
    await expect(c.get('/customers')).rejects.toMatchObject({ status: 403, code: 'totp-enrollment-required' })
    expect(onGate).toHaveBeenCalledExactlyOnceWith('totp-enrollment-required')
    await expect(c.get('/audit')).rejects.toMatchObject({ status: 403, code: 'forbidden' })
    expect(onGate).toHaveBeenCalledOnce()
  })

  it('sends the two-step code with the login when given', async () => {
    const { fn, calls } = mockFetch(() =>
      problem(401, '请输入两步验证码', { type: 'https://liyan.local/problems/totp-required' }),
    )
    const onAuthFailure = vi.fn()
    const c = new ApiClient({ fetch: fn, onAuthFailure })
    const err = (await c
      .request('POST', '/auth/login', { body: { username: 'a', password: 'b', totp: '123456' }, noRetry: true })
      .catch((e: unknown) => e)) as ApiError
    expect(err.code).toBe('totp-required')
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ username: 'a', password: 'b', totp: '123456' })
    expect(calls).toHaveLength(1)
    expect(onAuthFailure).not.toHaveBeenCalled()
  })
})
