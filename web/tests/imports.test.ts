import { describe, expect, it } from 'vitest'
import { actionTag, duplicateTargets, mappingBody } from '../src/lib/imports'

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
