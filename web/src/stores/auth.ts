import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, ApiError, type AuthUser, type SessionBody } from '../api/client'
import type { FieldPolicy, Me } from '../api/types'

export type InitState = 'pending' | 'authenticated' | 'anonymous' | 'needs_setup'

export const useAuth = defineStore('auth', () => {
  const user = ref<AuthUser | null>(null)
  const mustChangePassword = ref(false)
  const permissions = ref<Me['permissions']>({})
  const state = ref<InitState>('pending')
  let initPromise: Promise<InitState> | null = null

  const authenticated = computed(() => state.value === 'authenticated')

  function onSession(s: SessionBody): void {
    user.value = s.user
    mustChangePassword.value = s.must_change_password
    state.value = 'authenticated'
  }

  function clear(): void {
    api.setToken(null)
    user.value = null
    permissions.value = {}
    mustChangePassword.value = false
    state.value = 'anonymous'
  }

  async function loadMe(): Promise<void> {
    const me = await api.get<Me>('/me')
    user.value = me.user
    permissions.value = me.permissions || {}
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

  async function login(username: string, password: string, totp?: string): Promise<SessionBody> {
    const body: Record<string, string> = { username, password }
    if (totp) body.totp = totp
    const s = await api.request<SessionBody>('POST', '/auth/login', { body, noRetry: true })
    api.acceptSession(s)
    if (!s.must_change_password) await loadMe()
    return s
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
    permissions,
    state,
    authenticated,
    onSession,
    clear,
    init,
    loadMe,
    login,
    changePassword,
    logout,
    can,
    fieldPolicy,
  }
})
