import { describe, expect, it } from 'vitest'
import { afterLogin, homePath, menuFor, routeAllowed, type Can } from '../src/lib/routeAccess'

// The router's source: every page inside the app shell (the children of `/`) needs a rule.
const ROUTER = import.meta.glob<string>('../src/router.ts', { query: '?raw', import: 'default', eager: true })
function shellRouteNames(): string[] {
  const src = Object.values(ROUTER)[0]
  const children = /children: \[([\s\S]*?)\n    \],/.exec(src)![1]
  return [...children.matchAll(/name: '([a-z-]+)'/g)].map((m) => m[1]).filter((n) => n !== 'home')
}

/** `auth.can` over a role's actions, as `/me` gives them. */
function role(actions: Record<string, string[]>): Can {
  return (entity, action) => actions[entity]?.includes(action) ?? false
}

const partner = role({ customer: ['read'], store: ['read'] })
const auditor = role({
  access: ['read'], audit: ['read', 'export'], customer: ['read'], consultation: ['read'], custom_field: ['read'],
  tag: ['read'], user: ['read'], staff: ['read'], store: ['read'], segment: ['read'],
})
const frontDesk = role({ customer: ['read', 'create', 'update', 'reveal'], consultation: ['read', 'create', 'update'], tag: ['read'], staff: ['read'] })
const admin: Can = () => true

describe('routeAllowed', () => {
  it('keeps the auditor and the partner out of the customer forms', () => {
    for (const can of [auditor, partner]) {
      expect(routeAllowed('customer-new', can)).toBe(false)
      expect(routeAllowed('customer-edit', can)).toBe(false)
      expect(routeAllowed('customer-duplicates', can)).toBe(false)
      expect(routeAllowed('customers', can)).toBe(true)
      expect(routeAllowed('customer', can)).toBe(true)
    }
  })

  it('lets the front desk create and edit customers but not open the permission matrix', () => {
    expect(routeAllowed('customer-new', frontDesk)).toBe(true)
    expect(routeAllowed('customer-edit', frontDesk)).toBe(true)
    expect(routeAllowed('access', frontDesk)).toBe(false)
    expect(routeAllowed('users', frontDesk)).toBe(false)
  })

  it('leaves pages without a rule open (sign-in steps, unknown names)', () => {
    for (const n of ['change-password', 'totp', 'consent-print', undefined, Symbol('x')]) expect(routeAllowed(n, partner)).toBe(true)
  })

  it('has a rule for every page in the app shell', () => {
    const inLayout = shellRouteNames()
    expect(inLayout.length).toBeGreaterThan(5)
    const none: Can = () => false
    for (const n of inLayout) expect(routeAllowed(n, none), n).toBe(false)
  })
})

describe('menu and home', () => {
  it('shows only what the role may open, in order', () => {
    expect(menuFor(partner).map((m) => m.name)).toEqual(['customers'])
    expect(menuFor(admin).map((m) => m.path)).toEqual([
      '/customers', '/customers/duplicates', '/follow-ups', '/tags', '/custom-fields', '/users', '/access', '/audit',
    ])
    expect(menuFor(frontDesk).map((m) => m.name)).toEqual(['customers', 'follow-ups'])
    // Reading consultations is not having follow-ups of one's own.
    expect(menuFor(auditor).map((m) => m.name)).not.toContain('follow-ups')
    expect(menuFor(role({ customer: ['read'], consultation: ['read'] })).map((m) => m.name)).toEqual(['customers'])
  })

  it('sends home to the first page the role may open', () => {
    expect(homePath(frontDesk)).toBe('/customers')
    expect(homePath(role({ audit: ['read'] }))).toBe('/audit')
    expect(homePath(() => false)).toBeNull()
  })
})

describe('afterLogin', () => {
  it('returns to the page the user was sent away from', () => {
    expect(afterLogin('/customers/12?tab=timeline')).toBe('/customers/12?tab=timeline')
    expect(afterLogin(undefined)).toBe('/')
  })
  it('never to a sign-in step or outside the app', () => {
    for (const n of ['/change-password', '/totp', '/login?next=/x', '/setup', 'https://evil.example/', '//evil.example/x', ['/a']]) {
      expect(afterLogin(n), String(n)).toBe('/')
    }
  })
})
