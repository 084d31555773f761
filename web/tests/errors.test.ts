import { describe, expect, it } from 'vitest'
import { ApiError } from '../src/api/client'
import { errorTitle, splitListErrors } from '../src/lib/errors'
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

  it('names a field the server put into the title by its label, once', () => {
    i18n.global.locale.value = 'zh-CN'
    const forbidden = new ApiError(403, {
      type: 'https://liyan.local/problems/forbidden-field',
      title: '无权检索字段 birthday',
      status: 403,
      errors: [{ field: 'birthday', message: '无权检索此字段' }],
    })
    expect(errorTitle(forbidden)).toBe('无权检索字段 生日')
    i18n.global.locale.value = 'en'
    const en = new ApiError(403, {
      type: 'https://liyan.local/problems/forbidden-field',
      title: 'Not allowed to search field `birthday`',
      errors: [{ field: 'birthday', message: 'not allowed to search this field' }],
    })
    expect(errorTitle(en)).toBe('Not allowed to search field Birthday')
    i18n.global.locale.value = 'zh-CN'
  })

  it('uses the entity and custom labels it is given, and leaves other words alone', () => {
    const p = (title: string, field: string) =>
      new ApiError(403, { type: 'https://liyan.local/problems/forbidden-field', title, errors: [{ field, message: '无权修改此字段' }] })
    expect(errorTitle(p('无权修改字段 username', 'username'), { entity: 'user' })).toBe('无权修改字段 用户名')
    expect(errorTitle(p('无权修改字段 cf_job', 'cf_job'), { label: (f) => (f === 'cf_job' ? '职业' : undefined) })).toBe('无权修改字段 职业')
    // A key that is not named in the title stays a reason, led by its label; words that merely
    // equal it are not touched.
    expect(errorTitle(problem('name taken', [{ field: 'name', message: '已存在' }]))).toBe('name taken：姓名：已存在')
    // A reason the title already holds is not said twice.
    expect(errorTitle(problem('手机号已存在：客户 单萍慧（M000300）', [{ field: 'mobile', message: '手机号已存在' }]))).toBe(
      '手机号已存在：客户 单萍慧（M000300）',
    )
    expect(errorTitle(problem('提交的数据有误', [{ field: 'name', message: '不能为空' }]))).toBe('提交的数据有误：姓名：不能为空')
  })
})

describe('splitListErrors', () => {
  it('puts each plan line error on its line and the rest on their fields', () => {
    const { fields, lines } = splitListErrors(
      {
        'plan[0].price': '价格须为金额',
        'plan[2].project': '项目名称须为 1–50 个字符',
        'plan[2].sessions': '次数须为 1–100 的整数',
        plan: '最多 30 项',
        'cf_skin.x': '无效',
        way: '不能为空',
      },
      'plan',
    )
    expect(lines).toEqual({ 0: '价格须为金额', 2: '项目名称须为 1–50 个字符；次数须为 1–100 的整数' })
    expect(fields).toEqual({ plan: '最多 30 项', cf_skin: '无效', way: '不能为空' })
  })
  it('leads each line error with the name of its input when asked', () => {
    const names: Record<string, string> = { project: '项目', price: '单价' }
    const { lines } = splitListErrors({ 'plan[1].project': '须为 1–50 个字符', 'plan[1].price': '须为金额' }, 'plan', (f) => `${names[f]}：`)
    expect(lines).toEqual({ 1: '项目：须为 1–50 个字符；单价：须为金额' })
  })
})
