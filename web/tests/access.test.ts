import { describe, expect, it } from 'vitest'
import { confirmsAction, confirmsPolicy, widens } from '../src/lib/access'

describe('widens', () => {
  it('counts seeing more of a value as wider', () => {
    expect(widens('hidden', 'masked')).toBe(true)
    expect(widens('masked', 'read')).toBe(true)
    expect(widens('write_masked', 'write')).toBe(true)
  })
  it('counts gaining the right to change a value as wider, even when it stays masked', () => {
    expect(widens('masked', 'write_masked')).toBe(true)
    expect(widens('read', 'write')).toBe(true)
  })
  it('does not count narrowing or standing still', () => {
    expect(widens('read', 'masked')).toBe(false)
    expect(widens('write', 'read')).toBe(false)
    expect(widens('write', 'write_masked')).toBe(false)
    expect(widens('read', 'read')).toBe(false)
  })
  it('counts a swap of write for whole visibility as wider', () => {
    // write_masked → read: sees the whole value, no longer writes it
    expect(widens('write_masked', 'read')).toBe(true)
  })
})

describe('confirmation', () => {
  it('asks before wider access to personal data only', () => {
    expect(confirmsPolicy('identity', 'masked', 'read')).toBe(true)
    expect(confirmsPolicy('health', 'hidden', 'masked')).toBe(true)
    expect(confirmsPolicy('contact', 'read', 'write')).toBe(true)
    expect(confirmsPolicy('finance', 'hidden', 'read')).toBe(true)
    expect(confirmsPolicy('plain', 'hidden', 'write')).toBe(false)
    expect(confirmsPolicy('internal', 'hidden', 'read')).toBe(false)
    expect(confirmsPolicy('identity', 'read', 'hidden')).toBe(false)
  })
  it('asks before granting export, reveal or delete, never before taking one away', () => {
    for (const a of ['export', 'reveal', 'delete']) {
      expect(confirmsAction(a, true)).toBe(true)
      expect(confirmsAction(a, false)).toBe(false)
    }
    expect(confirmsAction('read', true)).toBe(false)
    expect(confirmsAction('update', true)).toBe(false)
  })
})
