import type zh from './zh-CN'

const en: typeof zh = {
  app: { name: 'Liyan', subtitle: 'Aesthetics CRM' },
  common: {
    save: 'Save', cancel: 'Cancel', edit: 'Edit', delete: 'Delete', create: 'New', back: 'Back',
    confirm: 'OK', search: 'Search', loadMore: 'Load more', noMore: 'No more', loading: 'Loading…',
    yes: 'Yes', no: 'No', actions: 'Actions', reset: 'Reset', refresh: 'Refresh', none: 'None', saved: 'Saved',
    deleted: 'Deleted', required: 'Required', filter: 'Filter', all: 'All', close: 'Close',
  },
  menu: { customers: 'Customers', users: 'Users', access: 'Permissions', audit: 'Audit log' },
  header: { logout: 'Log out', changePassword: 'Change password', language: 'Language' },
  setup: {
    title: 'First run: create the administrator', token: 'Setup token', username: 'Username',
    displayName: 'Display name', password: 'Password', confirm: 'Confirm password', submit: 'Create administrator',
    done: 'Administrator created, please log in',
    noToken: 'Open this page with the setup link (with token) printed by the server at start.',
    alreadyDone: 'Setup is already complete.',
  },
  login: {
    title: 'Log in', username: 'Username', password: 'Password', totp: 'One-time code', useTotp: 'Use a one-time code',
    submit: 'Log in',
  },
  cp: {
    title: 'Change password', forced: 'Please set a new password before you continue.', old: 'Current password',
    new: 'New password', confirm: 'Confirm new password', submit: 'Change password',
    mismatch: 'The passwords do not match', done: 'Password changed',
  },
  qs: {
    placeholder: 'Find a customer: mobile / last 4 / pinyin / name / member no. (/ or F2)',
    kind: {
      mobile: 'Mobile', tail4: 'Mobile tail', pinyin: 'Pinyin', name: 'Name', member_no: 'Member no.',
      mobile_prefix: 'Mobile prefix', order_no: 'Order no.', unknown: 'Not recognised', empty: '',
    },
    hint: 'Type a mobile, its last 4 digits, pinyin, a name or a member no.', none: 'No customer found',
    error: 'Search failed',
  },
  customer: {
    list: 'Customers', new: 'New customer', detail: 'Customer', editTitle: 'Edit customer', newTitle: 'New customer',
    searchPlaceholder: 'Mobile / last 4 / pinyin / name / member no.', reveal: 'Reveal', revealed: 'Revealed',
    deleteConfirm: 'Delete this customer?', tabInfo: 'Profile', tabAudit: 'Access log', openExisting: 'Open the existing customer',
    mobileInvalid: 'Enter a valid 11-digit mobile number', consentsGranted: 'Granted', consentsNone: 'Not granted',
    healthHint: 'Allergies and medical history need the health-data consent first', count: '{n} customers loaded',
    readOnly: 'Read only',
    fields: {
      id: 'ID', member_no: 'Member no.', name: 'Name', gender: 'Gender', birthday: 'Birthday', mobile: 'Mobile',
      wechat_id: 'WeChat ID', id_number: 'ID number', store_id: 'Store', consultant_id: 'Consultant', source: 'Source',
      skin_type: 'Skin type', allergies: 'Allergies', concerns: 'Concerns', medical_history: 'Medical history',
      notes: 'Notes', consents: 'Consents', created_at: 'Created', updated_at: 'Updated',
    },
    gender: { female: 'Female', male: 'Male', unknown: 'Unknown' },
    source: {
      walk_in: 'Walk-in', referral: 'Referral', channel: 'Channel', online: 'Online', phone: 'Phone',
      wechat: 'WeChat', other: 'Other',
    },
    skin: { dry: 'Dry', oily: 'Oily', combination: 'Combination', normal: 'Normal', sensitive: 'Sensitive' },
    consent: { privacy: 'Privacy policy', health_data: 'Health data', marketing: 'Marketing', photos: 'Photos' },
  },
  audit: {
    title: 'Audit log', at: 'Time', actor: 'Actor', role: 'Role', ip: 'IP', action: 'Action',
    entity: 'Entity', entity_id: 'Entity ID', store: 'Store', changes: 'Changes', empty: 'No entries',
  },
  users: {
    title: 'Users', stores: 'Stores', new: 'New user', username: 'Username', displayName: 'Display name', role: 'Role',
    store: 'Store', disabled: 'Disabled', status: 'Status', active: 'Active', locked: 'Locked until',
    mustChange: 'Must change password', password: 'Initial password', resetPassword: 'Reset password',
    newPassword: 'New password', edit: 'Edit user', storeCode: 'Code', storeName: 'Name', renameStore: 'Rename',
  },
  access: {
    title: 'Permissions', role: 'Role', scope: 'Row scope', field: 'Field', sensitivityLabel: 'Sensitivity',
    policy: 'Policy', actions: 'Actions', fields: 'Fields',
    policies: { hidden: 'Hidden', masked: 'Masked', read: 'Read', write_masked: 'Write (shown masked)', write: 'Write' },
    entities: { customer: 'Customers', user: 'Users', store: 'Stores', audit: 'Audit log', access: 'Permissions' },
    scopes: { all: 'All stores', own_stores: 'Own stores', own_customers: 'Own customers', own_channel: 'Own channel' },
    actionNames: {
      read: 'Read', create: 'Create', update: 'Update', delete: 'Delete', export: 'Export', approve: 'Approve',
      reveal: 'Reveal',
    },
    sensitivity: {
      contact: 'Contact', identity: 'Identity', health: 'Health', finance: 'Finance', internal: 'Internal', plain: 'Plain',
    },
  },
  roles: {
    admin: 'Administrator', manager: 'Store manager', consultant: 'Consultant', doctor: 'Doctor', nurse: 'Nurse/therapist',
    front_desk: 'Front desk', finance: 'Finance', channel_manager: 'Channel manager', marketing: 'Marketing',
    auditor: 'Auditor', partner: 'Partner',
  },
  errors: { network: 'Cannot reach the server', unknown: 'Something went wrong' },
}
export default en
