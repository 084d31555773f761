import { describe, expect, it } from 'vitest'
import { signedElsewhere } from '../src/lib/consents'

describe('signedElsewhere', () => {
  it('names the merged duplicate a form was signed under', () => {
    expect(signedElsewhere({ id: 2, signed_under: { id: 512, member_no: 'M000512' } }, 511)).toBe('M000512')
  })
  it('says nothing for a form signed under the customer itself, or without the field', () => {
    expect(signedElsewhere({ id: 2, signed_under: { id: 511, member_no: 'M000511' } }, 511)).toBeNull()
    expect(signedElsewhere({ id: 2 }, 511)).toBeNull()
  })
  it('falls back to the id when the member no. is not shown to the role', () => {
    expect(signedElsewhere({ id: 2, signed_under: { id: 512 } }, 511)).toBe('#512')
  })
})
