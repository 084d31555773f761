import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api/client'
import { useAuth } from './auth'
import type { Page, StaffMember, Store, TagGroup, User } from '../api/types'
import type { CustomFieldItem } from '../lib/customFields'

/**
 * A loader that asks the server once, and again when forced. It asks only when the signed-in
 * role may read the list (`allowed`): a request bound to be refused would only leave a 403 in
 * the console. A role that may not read the list keeps it empty and sees ids or nothing to
 * pick; a failed load is not an error here either.
 */
function loader<T>(path: string, allowed: () => boolean, apply: (body: T) => void): (force?: boolean) => Promise<void> {
  let loading: Promise<void> | null = null
  return (force = false) => {
    // Not remembered: after signing in as another role the list may be readable.
    if (!allowed()) return Promise.resolve()
    if (!loading || force) {
      loading = api
        .get<T>(path)
        .then(apply)
        .catch(() => {
          /* the list stays as it was */
        })
    }
    return loading
  }
}

/** Small reference lists shared by several screens (stores, staff names). Loaded once, quietly. */
export const useRefData = defineStore('refdata', () => {
  const auth = useAuth()
  const may = (entity: string) => () => auth.can(entity, 'read')
  const stores = ref<Store[]>([])
  const users = ref<Pick<User, 'id' | 'display_name' | 'username' | 'role' | 'disabled'>[]>([])
  /** Active staff from /staff (every staff role may read it): consultant pickers and names. */
  const staff = ref<StaffMember[]>([])
  /** Tag groups with their tags (/tags). */
  const tagGroups = ref<TagGroup[]>([])
  /** Custom field definitions with the caller's policy on each (/custom-fields). */
  const customFields = ref<CustomFieldItem[]>([])

  const loadStores = loader<Page<Store>>('/stores', may('store'), (p) => {
    stores.value = p.items
  })

  function storeName(id: number | null | undefined): string {
    if (id == null) return ''
    const s = stores.value.find((x) => x.id === id)
    return s ? s.name : `#${id}`
  }

  /** Staff names for ids such as a customer's consultant; only for roles that may list users. */
  const loadUsers = loader<Page<User>>('/users', may('user'), (p) => {
    users.value = p.items.map((u) => ({
      id: u.id,
      display_name: u.display_name,
      username: u.username,
      role: u.role,
      disabled: u.disabled,
    }))
  })

  function userName(id: number | null | undefined): string {
    if (id == null) return ''
    const u = users.value.find((x) => x.id === id)
    if (u) return u.display_name || u.username
    const s = staff.value.find((x) => x.id === id)
    return s ? s.display_name : `#${id}`
  }

  const loadStaff = loader<{ items: StaffMember[] }>('/staff', may('staff'), (p) => {
    staff.value = p.items
  })

  const loadTags = loader<{ groups: TagGroup[] }>('/tags', may('tag'), (p) => {
    tagGroups.value = p.groups
  })

  const loadCustomFields = loader<{ items: CustomFieldItem[] }>('/custom-fields', may('custom_field'), (p) => {
    customFields.value = p.items
  })

  return {
    stores,
    users,
    staff,
    tagGroups,
    customFields,
    loadStores,
    storeName,
    loadUsers,
    userName,
    loadStaff,
    loadTags,
    loadCustomFields,
  }
})
