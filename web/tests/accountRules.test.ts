import { describe, expect, it } from 'vitest'
import { collect, displayNameProblem, loginProblems, passwordProblem, usernameProblem, type T } from '../src/lib/accountRules'
import { i18n } from '../src/i18n'

const t = ((k: string, n?: Record<string, unknown>) => (n ? i18n.global.t(k, n) : i18n.global.t(k))) as T

describe('account form checks', () => {
  it('names every empty login field', () => {
    i18n.global.locale.value = 'zh-CN'
    expect(loginProblems({ username: ' ', password: '' }, t)).toEqual({ username: '请输入用户名', password: '请输入密码' })
    expect(loginProblems({ username: 'admin', password: '' }, t)).toEqual({ password: '请输入密码' })
    expect(loginProblems({ username: 'admin', password: 'x' }, t)).toEqual({})
  })

  it('reports every problem of a new account at once', () => {
    i18n.global.locale.value = 'zh-CN'
    const errs = collect({
      username: usernameProblem('', t),
      display_name: displayNameProblem('', t),
      password: passwordProblem('', '', t),
    })
    expect(errs).toEqual({ username: '请输入用户名', display_name: '请输入姓名', password: '请输入密码' })
  })

  it('mirrors the server rules for user names and passwords', () => {
    i18n.global.locale.value = 'zh-CN'
    expect(usernameProblem('a', t)).toBe('用户名须为 2–32 位字母、数字或 _ - .')
    expect(usernameProblem('张三', t)).toBe('用户名须为 2–32 位字母、数字或 _ - .')
    expect(usernameProblem('li.na-2', t)).toBeUndefined()
    expect(passwordProblem('Ab1!', 'zhang', t)).toBe('密码至少 8 位')
    expect(passwordProblem('abcdefg1', 'zhang', t)).toBe('密码须包含小写字母、大写字母、数字、符号中的至少三类')
    expect(passwordProblem('Zhang-2026', 'zhang', t)).toBe('密码不能包含用户名')
    expect(passwordProblem('Abcdef1!', 'zhang', t)).toBeUndefined()
    expect(passwordProblem('密码Abc12345', 'li', t)).toBeUndefined()
    expect(displayNameProblem('x'.repeat(65), t)).toBe('姓名须为 1–64 个字符')
  })

  it('speaks English too', () => {
    i18n.global.locale.value = 'en'
    expect(loginProblems({ username: '', password: '' }, t)).toEqual({ username: 'Enter the user name', password: 'Enter the password' })
    expect(passwordProblem('Ab1!', '', t)).toBe('Must be at least 8 characters')
    i18n.global.locale.value = 'zh-CN'
  })
})
