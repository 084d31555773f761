import { describe, expect, it } from 'vitest'
import { customBody, displayCustom, fromForm, toForm, visibleFields, type CustomFieldDef, type CustomFieldItem } from '../src/lib/customFields'

function def(name: string, kind: CustomFieldDef['kind'], extra: Partial<CustomFieldDef> = {}): CustomFieldDef {
  return { id: 1, entity: 'customer', key: name.slice(3), name, label: name, kind, sensitivity: 'plain', options: [], position: 1, archived_at: null, ...extra }
}

describe('custom field values', () => {
  it('are shown in words', () => {
    expect(displayCustom('multi_choice', ['瑜伽', '旅行'], ['是', '否'])).toBe('瑜伽、旅行')
    expect(displayCustom('yes_no', false, ['是', '否'])).toBe('否')
    expect(displayCustom('number', '162.5', ['是', '否'])).toBe('162.5')
    expect(displayCustom('text', null, ['是', '否'])).toBe('')
  })

  it('round-trip through the form, empty meaning null', () => {
    expect(fromForm('multi_choice', toForm('multi_choice', ['A']))).toEqual(['A'])
    expect(fromForm('multi_choice', [])).toBeNull()
    expect(fromForm('yes_no', toForm('yes_no', undefined))).toBeNull()
    expect(fromForm('yes_no', false)).toBe(false)
    expect(fromForm('number', ' 12.50 ')).toBe('12.50')
    expect(fromForm('text', '   ')).toBeNull()
  })

  it('send only what changed on edit, and only what is set on create', () => {
    const fields = [def('cf_a', 'text'), def('cf_b', 'multi_choice'), def('cf_c', 'yes_no')]
    const values = { cf_a: 'x', cf_b: ['1', '2'], cf_c: null }
    expect(customBody(fields, values, null)).toEqual({ cf_a: 'x', cf_b: ['1', '2'] })
    expect(customBody(fields, values, { cf_a: 'x', cf_b: ['1'], cf_c: true })).toEqual({ cf_b: ['1', '2'], cf_c: null })
  })

  it('lists the visible, current fields of an entity in order', () => {
    const items: CustomFieldItem[] = [
      { field: def('cf_b', 'text', { id: 2, position: 2 }), policy: 'read' },
      { field: def('cf_a', 'text', { id: 1, position: 1 }), policy: 'write' },
      { field: def('cf_h', 'text', { id: 3, position: 0 }), policy: 'hidden' },
      { field: def('cf_old', 'text', { id: 4, archived_at: 5 }), policy: 'write' },
      { field: def('cf_k', 'text', { id: 5, entity: 'consultation' }), policy: 'write' },
    ]
    expect(visibleFields(items, 'customer').map((i) => i.field.name)).toEqual(['cf_a', 'cf_b'])
  })
})
