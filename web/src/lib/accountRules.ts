// Client-side checks of the account forms (login, first-run setup, new user, password reset),
// mirroring the server's rules (src/auth/users.rs, src/auth/password.rs) so that every problem of
// a form is shown beside its field at once. The server checks again, stops at its first problem
// and may ask for more (a longer configured minimum): its answer is shown as well.

/** The translate function (vue-i18n's `t`). */
export type T = (key: string, named?: Record<string, unknown>) => string

/** The lowest minimum the server allows (`auth.password_min_length`, default 8). */
export const PASSWORD_MIN = 8

export function usernameProblem(username: string, t: T): string | undefined {
  const u = username.trim()
  if (!u) return t('account.usernameRequired')
  if (u.length < 2 || u.length > 32 || !/^[A-Za-z0-9_.-]+$/.test(u)) return t('account.usernameRule')
  return undefined
}

export function displayNameProblem(name: string, t: T): string | undefined {
  const n = [...name.trim()].length
  if (n === 0) return t('account.displayNameRequired')
  if (n > 64) return t('account.displayNameRule')
  return undefined
}

export function passwordProblem(password: string, username: string, t: T): string | undefined {
  const chars = [...password]
  if (chars.length === 0) return t('account.passwordRequired')
  if (chars.length < PASSWORD_MIN) return t('account.passwordMin', { n: PASSWORD_MIN })
  if (chars.length > 128) return t('account.passwordMax')
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length
  if (classes < 3) return t('account.passwordClasses')
  const u = username.trim().toLowerCase()
  if (u && password.toLowerCase().includes(u)) return t('account.passwordHasUsername')
  return undefined
}

/** Field → message for the fields that have a problem; empty when all is well. */
export function collect(checks: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(checks)) if (v) out[k] = v
  return out
}

/** Login: both fields are needed before anything is sent. */
export function loginProblems(form: { username: string; password: string }, t: T): Record<string, string> {
  return collect({
    username: form.username.trim() ? undefined : t('account.usernameRequired'),
    password: form.password ? undefined : t('account.passwordRequired'),
  })
}
