import { describe, expect, it } from 'vitest'
import { i18n } from '../src/i18n'
import { actionTag, duplicateTargets, mappingBody, targetLabelKey } from '../src/lib/imports'

describe('import mapping', () => {
  it('sends only the columns given a field', () => {
    expect(mappingBody({ 姓名: 'name', 手机: 'mobile', 积分: null, 备注: '' })).toEqual({ 姓名: 'name', 手机: 'mobile' })
  })
  it('finds a field chosen twice', () => {
    expect(duplicateTargets({ 手机: 'mobile', 电话: 'mobile', 姓名: 'name', x: undefined })).toEqual(['mobile'])
    expect(duplicateTargets({ 手机: 'mobile' })).toEqual([])
  })
  it('colours outcomes', () => {
    expect(actionTag('error')).toBe('danger')
    expect(actionTag('merge')).toBe('warning')
  })
})

describe('import target labels', () => {
  it('resolves targets with a dot in their name, in both languages', () => {
    const t = i18n.global.t
    i18n.global.locale.value = 'zh-CN'
    expect(t(targetLabelKey('consents.health_data'))).toBe('健康信息同意')
    expect(t(targetLabelKey('name'))).toBe('姓名')
    i18n.global.locale.value = 'en'
    expect(t(targetLabelKey('consents.photos'))).toBe('Photo consent')
    i18n.global.locale.value = 'zh-CN'
  })
})
