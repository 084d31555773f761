// Which pages a role may open, from its permissions (`/me`): one table for the router, the menu
// and the "no permission" state, so a URL typed by hand meets the same rule as the menu link.
// The server stays the guard; this only keeps people away from forms they cannot use.

/** `auth.can`: whether the role may perform an action on an entity. */
export type Can = (entity: string, action: string) => boolean

/** Routes that need a permission, by route name. Routes not listed are open to every signed-in user. */
const RULES: Record<string, (can: Can) => boolean> = {
  customers: (can) => can('customer', 'read'),
  customer: (can) => can('customer', 'read'),
  'customer-new': (can) => can('customer', 'create'),
  'customer-edit': (can) => can('customer', 'update'),
  'customer-import': (can) => can('customer', 'create') && can('customer', 'update'),
  // Merging updates the kept customer and deletes the others.
  'customer-duplicates': (can) => can('customer', 'update') && can('customer', 'delete'),
  // A worklist of one's own follow-ups: for those who record consultations, not those who only read them.
  'follow-ups': (can) => can('consultation', 'update'),
  tags: (can) => can('tag', 'create') || can('tag', 'update'),
  'custom-fields': (can) => can('custom_field', 'create'),
  users: (can) => can('user', 'read'),
  access: (can) => can('access', 'read'),
  audit: (can) => can('audit', 'read'),
}

/** Whether the role may open the route of this name. */
export function routeAllowed(name: string | symbol | null | undefined, can: Can): boolean {
  if (typeof name !== 'string') return true
  const rule = RULES[name]
  return rule ? rule(can) : true
}

/** The side menu: route name, path and message key, in menu order. */
export const MENU: { name: string; path: string; label: string }[] = [
  { name: 'customers', path: '/customers', label: 'menu.customers' },
  { name: 'customer-duplicates', path: '/customers/duplicates', label: 'menu.duplicates' },
  { name: 'follow-ups', path: '/follow-ups', label: 'menu.followUps' },
  { name: 'tags', path: '/tags', label: 'menu.tags' },
  { name: 'custom-fields', path: '/custom-fields', label: 'menu.customFields' },
  { name: 'users', path: '/users', label: 'menu.users' },
  { name: 'access', path: '/access', label: 'menu.access' },
  { name: 'audit', path: '/audit', label: 'menu.audit' },
]

/** The menu entries the role may open. */
export function menuFor(can: Can): { name: string; path: string; label: string }[] {
  return MENU.filter((m) => routeAllowed(m.name, can))
}

/** Where "home" leads for this role: its first menu entry, or null when it may open none. */
export function homePath(can: Can): string | null {
  return menuFor(can)[0]?.path ?? null
}

/** The sign-in steps: done once per login, never a page to come back to. */
const SIGN_IN_PATHS = ['/login', '/setup', '/change-password', '/totp']

/**
 * Where a login leads: the page the user was sent away from (`?next=`), unless that is outside
 * the app or one of the sign-in steps themselves (a Back press onto the password change).
 */
export function afterLogin(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//')) return '/'
  const path = next.split(/[?#]/)[0]
  return SIGN_IN_PATHS.includes(path) ? '/' : next
}
