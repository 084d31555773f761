import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api/client'
import type { Page, StaffMember, Store, TagGroup, User } from '../api/types'
import type { CustomFieldItem } from '../lib/customFields'

/** Small reference lists shared by several screens (stores, staff names). Loaded once, quietly. */
export const useRefData = defineStore('refdata', () => {
  const stores = ref<Store[]>([])
  const users = ref<Pick<User, 'id' | 'display_name' | 'username' | 'role' | 'disabled'>[]>([])
  let loading: Promise<void> | null = null
  let loadingUsers: Promise<void> | null = null
  /** Active staff from /staff (every staff role may read it): consultant pickers and names. */
  const staff = ref<StaffMember[]>([])
  let loadingStaff: Promise<void> | null = null
  /** Tag groups with their tags (/tags). */
  const tagGroups = ref<TagGroup[]>([])
  let loadingTags: Promise<void> | null = null
  /** Custom field definitions with the caller's policy on each (/custom-fields). */
  const customFields = ref<CustomFieldItem[]>([])
  let loadingCustom: Promise<void> | null = null

  function loadStores(force = false): Promise<void> {
    if (!loading || force) {
      loading = api
        .get<Page<Store>>('/stores')
        .then((p) => {
          stores.value = p.items
        })
        .catch(() => {
          /* a role that may not list stores sees ids */
        })
    }
    return loading
  }

  function storeName(id: number | null | undefined): string {
    if (id == null) return ''
    const s = stores.value.find((x) => x.id === id)
    return s ? s.name : `#${id}`
  }

  /** Staff names for ids such as a customer's consultant; only for roles that may list users. */
  function loadUsers(force = false): Promise<void> {
    if (!loadingUsers || force) {
      loadingUsers = api
        .get<Page<User>>('/users')
        .then((p) => {
          users.value = p.items.map((u) => ({
            id: u.id,
            display_name: u.display_name,
            username: u.username,
            role: u.role,
            disabled: u.disabled,
          }))
        })
        .catch(() => {
          /* ids are shown instead */
        })
    }
    return loadingUsers
  }

  function userName(id: number | null | undefined): string {
    if (id == null) return ''
    const u = users.value.find((x) => x.id === id)
    if (u) return u.display_name || u.username
    const s = staff.value.find((x) => x.id === id)
    return s ? s.display_name : `#${id}`
  }

  function loadStaff(force = false): Promise<void> {
    if (!loadingStaff || force) {
      loadingStaff = api
        .get<{ items: StaffMember[] }>('/staff')
        .then((p) => {
          staff.value = p.items
        })
        .catch(() => {
          /* ids are shown instead */
        })
    }
    return loadingStaff
  }

  function loadTags(force = false): Promise<void> {
    if (!loadingTags || force) {
      loadingTags = api
        .get<{ groups: TagGroup[] }>('/tags')
        .then((p) => {
          tagGroups.value = p.groups
        })
        .catch(() => {
          /* a role that may not read tags sees none to pick */
        })
    }
    return loadingTags
  }

  function loadCustomFields(force = false): Promise<void> {
    if (!loadingCustom || force) {
      loadingCustom = api
        .get<{ items: CustomFieldItem[] }>('/custom-fields')
        .then((p) => {
          customFields.value = p.items
        })
        .catch(() => {
          /* no custom fields shown */
        })
    }
    return loadingCustom
  }

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
