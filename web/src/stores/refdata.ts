import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api/client'
import type { Page, Store } from '../api/types'

/** Small reference lists shared by several screens (stores). Loaded once, quietly. */
export const useRefData = defineStore('refdata', () => {
  const stores = ref<Store[]>([])
  let loading: Promise<void> | null = null

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

  return { stores, loadStores, storeName }
})
