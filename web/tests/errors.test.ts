import { describe, expect, it } from 'vitest'
import { ApiError } from '../src/api/client'
import { errorTitle } from '../src/lib/errors'
import { i18n } from '../src/i18n'

const problem = (title: string, errors?: { field: string; message: string }[]) =>
  new ApiError(422, { type: 'https://liyan.local/problems/validation', title, status: 422, errors })

describe('errorTitle', () => {
  it('adds the per-field reasons to the title, in the current language', () => {
    i18n.global.locale.value = 'zh-CN'
    expect(errorTitle(problem('提交的数据有误', [{ field: 'policy', message: '不能撤销管理员的权限管理权' }]))).toBe(
      '提交的数据有误：不能撤销管理员的权限管理权',
    )
    i18n.global.locale.value = 'en'
    expect(
      errorTitle(
        problem('The submitted data is invalid', [
          { field: 'a', message: 'is required' },
          { field: 'b', message: 'unknown field' },
        ]),
      ),
    ).toBe('The submitted data is invalid: is required; unknown field')
    i18n.global.locale.value = 'zh-CN'
  })

  it('is the title alone when the server gave no reasons', () => {
    expect(errorTitle(problem('记录不存在'))).toBe('记录不存在')
    expect(errorTitle(problem('记录不存在', []))).toBe('记录不存在')
  })
})
