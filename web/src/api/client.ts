// The one way the app talks to the server.
// - The access token lives in this module's memory only (never localStorage/sessionStorage).
// - The refresh token is an HttpOnly cookie; requests go with credentials 'same-origin'.
// - On a 401 the client refreshes once (single flight) and retries; if that fails it calls
//   onAuthFailure (the app sends the person to the login page).
// - A 403 saying a step must come first (password change, two-step set-up) calls onGate, so the
//   app can route there from whatever screen made the call.

export interface FieldError {
  field: string
  message: string
}

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  errors?: FieldError[]
  existing_id?: number
  [key: string]: unknown
}

export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem

  constructor(status: number, problem: Problem) {
    super(problem.title || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
  }

  /** The last path segment of the problem type: `https://liyan.local/problems/duplicate_mobile` -> `duplicate_mobile`. */
  get code(): string {
    const t = this.problem.type || ''
    const i = t.lastIndexOf('/')
    return i >= 0 ? t.slice(i + 1) : t
  }

  /** Field errors keyed by field name (several messages joined). */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const e of this.problem.errors || []) {
      out[e.field] = out[e.field] ? `${out[e.field]}；${e.message}` : e.message
    }
    return out
  }
}

export interface AuthUser {
  id: number
  username: string
  display_name: string
  role: string
  store_id: number | null
}

export interface SessionBody {
  access_token: string
  expires_in: number
  must_change_password: boolean
  /** The role requires two-step verification and the user has not set it up yet. */
  must_enroll_totp?: boolean
  user: AuthUser
}

/** Problem codes (403) that mean "do this first": every other call is refused until it is done. */
export const GATE_CODES = ['password-change-required', 'totp-enrollment-required'] as const
export type GateCode = (typeof GATE_CODES)[number]

export interface ClientOptions {
  fetch?: typeof fetch
  baseUrl?: string
  /** Current UI language for Accept-Language. */
  language?: () => string
  /** Called when the session cannot be refreshed (after a 401). */
  onAuthFailure?: () => void
  /** Called with every new session body (login, refresh, change-password). */
  onSession?: (s: SessionBody) => void
  /** Called when a request is refused with one of GATE_CODES (the request still fails). */
  onGate?: (code: GateCode) => void
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | null | undefined>
  body?: unknown
  /** A file sent as the raw body (uploads); `body` is then ignored. */
  raw?: Blob
  /** Return the response body as a Blob (downloads). */
  blob?: boolean
  /** Do not try refresh-and-retry on 401 (login, refresh itself). */
  noRetry?: boolean
  signal?: AbortSignal
}

const NO_RETRY_PATHS = ['/auth/login', '/auth/refresh', '/setup']

export class ApiClient {
  private token: string | null = null
  private refreshing: Promise<SessionBody | null> | null = null
  private opts: ClientOptions

  constructor(opts: ClientOptions = {}) {
    this.opts = opts
  }

  configure(opts: Partial<ClientOptions>): void {
    this.opts = { ...this.opts, ...opts }
  }

  get accessToken(): string | null {
    return this.token
  }

  setToken(token: string | null): void {
    this.token = token
  }

  private get fetchImpl(): typeof fetch {
    return this.opts.fetch ?? globalThis.fetch.bind(globalThis)
  }

  private url(path: string, query?: RequestOptions['query']): string {
    const base = this.opts.baseUrl ?? '/api/v1'
    let u = base + path
    if (query) {
      const p = new URLSearchParams()
      for (const [k, v] of Object.entries(query)) {
        if (v === undefined || v === null || v === '') continue
        p.set(k, String(v))
      }
      const qs = p.toString()
      if (qs) u += (u.includes('?') ? '&' : '?') + qs
    }
    return u
  }

  private async send(method: string, path: string, o: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: 'application/json, application/problem+json',
      'Accept-Language': this.opts.language?.() ?? 'zh-CN',
    }
    if (this.token) headers.Authorization = `Bearer ${this.token}`
    let body: BodyInit | undefined
    if (o.raw !== undefined) {
      headers['Content-Type'] = 'application/octet-stream'
      body = o.raw
    } else if (o.body !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(o.body)
    }
    return this.fetchImpl(this.url(path, o.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: o.signal,
    })
  }

  /** Refresh the session from the HttpOnly cookie. Concurrent callers share one request. */
  refresh(): Promise<SessionBody | null> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const res = await this.send('POST', '/auth/refresh', { noRetry: true })
          if (!res.ok) {
            this.token = null
            return null
          }
          const s = (await res.json()) as SessionBody
          this.acceptSession(s)
          return s
        } catch {
          return null
        } finally {
          this.refreshing = null
        }
      })()
    }
    return this.refreshing
  }

  acceptSession(s: SessionBody): void {
    this.token = s.access_token
    this.opts.onSession?.(s)
  }

  async request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    let res = await this.send(method, path, o)
    const mayRetry = !o.noRetry && !NO_RETRY_PATHS.some((p) => path.startsWith(p))
    if (res.status === 401 && mayRetry) {
      const s = await this.refresh()
      if (s) {
        res = await this.send(method, path, o)
      }
      if (res.status === 401) {
        this.token = null
        this.opts.onAuthFailure?.()
      }
    }
    try {
      return await this.parse<T>(res, o.blob)
    } catch (e) {
      if (e instanceof ApiError && e.status === 403 && (GATE_CODES as readonly string[]).includes(e.code)) {
        this.opts.onGate?.(e.code as GateCode)
      }
      throw e
    }
  }

  private async parse<T>(res: Response, blob = false): Promise<T> {
    if (res.status === 204) return undefined as T
    const ct = res.headers.get('content-type') || ''
    const isJson = ct.includes('json')
    if (!res.ok) {
      let problem: Problem = { status: res.status }
      if (isJson) {
        try {
          problem = { status: res.status, ...((await res.json()) as Problem) }
        } catch {
          /* keep the bare status */
        }
      }
      if (!problem.title) problem.title = res.statusText || `HTTP ${res.status}`
      throw new ApiError(res.status, problem)
    }
    if (blob) return (await res.blob()) as T
    if (!isJson) return undefined as T
    const text = await res.text()
    return (text ? JSON.parse(text) : undefined) as T
  }

  get<T = unknown>(path: string, query?: RequestOptions['query'], signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, { query, signal })
  }
  post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, { body })
  }
  patch<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body })
  }
  put<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body })
  }
  del<T = unknown>(path: string): Promise<T> {
    return this.request<T>('DELETE', path)
  }
}

/** The app's client. Configured in main.ts. */
export const api = new ApiClient()
