import { describe, expect, it } from 'vitest'
import { classifyQuery, isSearchable } from '../src/lib/search'

describe('classifyQuery', () => {
  it.each([
    ['13800138000', 'mobile', '13800138000'],
    ['138 0013 8000', 'mobile', '13800138000'],
    ['138-0013-8000', 'mobile', '13800138000'],
    ['+86 138 0013 8000', 'mobile', '13800138000'],
    ['8000', 'tail4', '8000'],
    [' 5678 ', 'tail4', '5678'],
    ['zs', 'pinyin', 'zs'],
    ['ZhangSan', 'pinyin', 'zhangsan'],
    ["xi'an", 'pinyin', 'xian'],
    ['zhang san', 'pinyin', 'zhangsan'],
    ['张', 'name', '张'],
    ['张三', 'name', '张三'],
    ['欧阳娜娜', 'name', '欧阳娜娜'],
    ['M000123', 'member_no', 'M000123'],
    ['m000123', 'member_no', 'M000123'],
    ['O20260101', 'order_no', 'O20260101'],
    ['', 'empty', ''],
    ['   ', 'empty', ''],
    ['13800', 'mobile_prefix', '13800'],
    ['123', 'unknown', '123'],
    ['138001380001', 'unknown', '138001380001'],
    ['张s', 'unknown', '张s'],
  ])('%s -> %s', (input, kind, value) => {
    expect(classifyQuery(input)).toEqual({ kind, value })
  })

  it('searches only recognised kinds', () => {
    expect(isSearchable('mobile')).toBe(true)
    expect(isSearchable('tail4')).toBe(true)
    expect(isSearchable('pinyin')).toBe(true)
    expect(isSearchable('name')).toBe(true)
    expect(isSearchable('member_no')).toBe(true)
    expect(isSearchable('empty')).toBe(false)
    expect(isSearchable('unknown')).toBe(false)
    expect(isSearchable('mobile_prefix')).toBe(true)
    expect(isSearchable('order_no')).toBe(false)
  })
})
