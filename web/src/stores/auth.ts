import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, ApiError, type AuthUser, type SessionBody } from '../api/client'
import type { FieldPolicy, Me, TotpEnrollment } from '../api/types'

export type InitState = 'pending' | 'authenticated' | 'anonymous' | 'needs_setup'

export const useAuth = defineStore('auth', () => {
  const user = ref<AuthUser | null>(null)
  const mustChangePassword = ref(false)
  /** The role requires two-step verification and it is not set up: every other call is refused. */
  const mustEnrollTotp = ref(false)
  /**
   * Whether this account uses two-step verification, as far as this tab has seen (the server does
   * not say): true after a login that asked for a code or after enabling, false after disabling or
   * when enrollment is demanded, null when unknown (e.g. after a reload).
   */
  const totpEnabled = ref<boolean | null>(null)
  const permissions = ref<Me['permissions']>({})
  const state = ref<InitState>('pending')
  let initPromise: Promise<InitState> | null = null
  /** The last login attempt was answered `totp-required`. */
  let totpChallenged = false

  const authenticated = computed(() => state.value === 'authenticated')

  function onSession(s: SessionBody): void {
    user.value = s.user
    mustChangePassword.value = s.must_change_password
    mustEnrollTotp.value = !!s.must_enroll_totp
    if (s.must_enroll_totp) totpEnabled.value = false
    state.value = 'authenticated'
  }

  function clear(): void {
    api.setToken(null)
    user.value = null
    permissions.value = {}
    mustChangePassword.value = false
    mustEnrollTotp.value = false
    totpEnabled.value = null
    state.value = 'anonymous'
  }

  async function loadMe(): Promise<void> {
    const me = await api.get<Me>('/me')
    user.value = me.user
    permissions.value = me.permissions || {}
    if (me.two_step) totpEnabled.value = me.two_step.enabled
  }

  /** On page load: get an access token from the refresh cookie; otherwise anonymous (or first run). */
  function init(): Promise<InitState> {
    if (!initPromise) {
      initPromise = (async () => {
        const s = await api.refresh()
        if (s) {
          if (!s.must_change_password) {
            try {
              await loadMe()
            } catch {
              /* the page will show what it can */
            }
          }
          return state.value
        }
        try {
          const st = await api.get<{ needs_setup: boolean }>('/setup/status')
          state.value = st.needs_setup ? 'needs_setup' : 'anonymous'
        } catch {
          state.value = 'anonymous'
        }
        return state.value
      })()
    }
    return initPromise
  }

  /** The first admin was just created: from now on the app is set up, so login is the way in. */
  function setupDone(): void {
    state.value = 'anonymous'
    initPromise = Promise.resolve(state.value)
  }

  /**
   * Signs in. Throws the server's ApiError; code `totp-required` means the account uses two-step
   * verification: ask for the code and call again with it.
   */
  async function login(username: string, password: string, totp?: string): Promise<SessionBody> {
    const body: Record<string, string> = { username, password }
    if (totp) body.totp = totp
    let s: SessionBody
    try {
      s = await api.request<SessionBody>('POST', '/auth/login', { body, noRetry: true })
    } catch (e) {
      if (e instanceof ApiError && e.code === 'totp-required') totpChallenged = true
      throw e
    }
    api.acceptSession(s)
    if (totp && totpChallenged) totpEnabled.value = true
    totpChallenged = false
    if (!s.must_change_password) await loadMe()
    return s
  }

  /** Starts (or restarts) two-step set-up: a fresh secret, active only once a code confirms it. */
  function totpSetup(): Promise<TotpEnrollment> {
    return api.post<TotpEnrollment>('/auth/totp/setup')
  }

  async function totpEnable(code: string): Promise<void> {
    await api.post('/auth/totp/enable', { code })
    totpEnabled.value = true
    if (mustEnrollTotp.value) {
      mustEnrollTotp.value = false
      await loadMe().catch(() => {
        /* the next screen loads what it needs */
      })
    }
  }

  async function totpDisable(password: string): Promise<void> {
    await api.post('/auth/totp/disable', { password })
    totpEnabled.value = false
  }

  async function changePassword(oldPassword: string, newPassword: string): Promise<SessionBody> {
    const s = await api.post<SessionBody>('/auth/change-password', {
      old_password: oldPassword,
      new_password: newPassword,
    })
    api.acceptSession(s)
    await loadMe()
    return s
  }

  async function logout(): Promise<void> {
    try {
      await api.post('/auth/logout')
    } catch (e) {
      if (!(e instanceof ApiError)) throw e
    } finally {
      clear()
    }
  }

  function can(entity: string, action: string): boolean {
    return permissions.value[entity]?.actions?.includes(action) ?? false
  }

  function fieldPolicy(entity: string, field: string): FieldPolicy {
    return permissions.value[entity]?.fields?.[field] ?? 'hidden'
  }

  return {
    user,
    mustChangePassword,
    mustEnrollTotp,
    totpEnabled,
    permissions,
    state,
    authenticated,
    onSession,
    clear,
    init,
    setupDone,
    loadMe,
    login,
    changePassword,
    totpSetup,
    totpEnable,
    totpDisable,
    logout,
    can,
    fieldPolicy,
  }
})
