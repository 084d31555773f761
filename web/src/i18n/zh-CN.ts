export default {
  app: { name: '丽颜', subtitle: '医美客户管理' },
  common: {
    save: '保存', cancel: '取消', edit: '编辑', delete: '删除', create: '新建', back: '返回',
    confirm: '确定', search: '搜索', loadMore: '加载更多', noMore: '没有更多了', loading: '加载中…',
    yes: '是', no: '否', actions: '操作', reset: '重置', refresh: '刷新', none: '无', saved: '已保存',
    deleted: '已删除', required: '必填', filter: '筛选', all: '全部', close: '关闭',
  },
  menu: { customers: '客户', users: '用户', access: '权限', audit: '审计日志' },
  header: { logout: '退出登录', changePassword: '修改密码', language: '语言' },
  setup: {
    title: '首次设置：创建管理员', token: '设置令牌', username: '用户名', displayName: '姓名',
    password: '密码', confirm: '确认密码', submit: '创建管理员', done: '管理员已创建，请登录',
    noToken: '请使用服务器启动时打印的设置链接（含 token）打开此页面。', alreadyDone: '系统已完成设置。',
  },
  login: {
    title: '登录', username: '用户名', password: '密码', totp: '动态口令', useTotp: '使用动态口令',
    submit: '登录',
  },
  cp: {
    title: '修改密码', forced: '首次登录或密码已被重置，请先设置新密码。', old: '当前密码', new: '新密码',
    confirm: '确认新密码', submit: '修改密码', mismatch: '两次输入的密码不一致', done: '密码已修改',
  },
  qs: {
    placeholder: '搜索客户：手机号 / 尾号4位 / 拼音 / 姓名 / 会员号（按 / 或 F2）',
    kind: {
      mobile: '手机号', tail4: '手机尾号', pinyin: '拼音', name: '姓名', member_no: '会员号',
      mobile_prefix: '手机号开头', order_no: '订单号', unknown: '无法识别', empty: '',
    },
    hint: '输入手机号、尾号4位、拼音、姓名或会员号', none: '没有找到客户', error: '搜索失败',
  },
  customer: {
    list: '客户列表', new: '新建客户', detail: '客户详情', editTitle: '编辑客户', newTitle: '新建客户',
    searchPlaceholder: '手机号 / 尾号 / 拼音 / 姓名 / 会员号', reveal: '显示', revealed: '已显示',
    deleteConfirm: '确定删除该客户吗？', tabInfo: '资料', tabAudit: '访问记录', openExisting: '查看已有客户',
    mobileInvalid: '请输入有效的11位手机号', consentsGranted: '已授权', consentsNone: '未授权',
    healthHint: '过敏史、既往病史需先取得健康信息授权', count: '已加载 {n} 位客户', readOnly: '只读',
    fields: {
      id: 'ID', member_no: '会员号', name: '姓名', gender: '性别', birthday: '生日', mobile: '手机号',
      wechat_id: '微信号', id_number: '证件号', store_id: '门店', consultant_id: '咨询师', source: '来源',
      skin_type: '肤质', allergies: '过敏史', concerns: '关注问题', medical_history: '既往病史',
      notes: '备注', consents: '授权', created_at: '创建时间', updated_at: '更新时间',
    },
    gender: { female: '女', male: '男', unknown: '未知' },
    source: {
      walk_in: '自然到店', referral: '老带新', channel: '渠道', online: '网络', phone: '电话',
      wechat: '微信', other: '其他',
    },
    skin: { dry: '干性', oily: '油性', combination: '混合性', normal: '中性', sensitive: '敏感性' },
    consent: { privacy: '隐私政策', health_data: '健康信息', marketing: '营销信息', photos: '照片使用' },
  },
  audit: {
    title: '审计日志', at: '时间', actor: '操作人', role: '角色', ip: 'IP', action: '动作',
    entity: '对象', entity_id: '对象ID', store: '门店', changes: '变更', empty: '暂无记录',
  },
  users: {
    title: '用户', stores: '门店', new: '新建用户', username: '用户名', displayName: '姓名', role: '角色',
    store: '门店', disabled: '已停用', status: '状态', active: '正常', locked: '锁定至',
    mustChange: '需改密码', password: '初始密码', resetPassword: '重置密码', newPassword: '新密码',
    edit: '编辑用户', storeCode: '编号', storeName: '名称', renameStore: '修改名称',
  },
  access: {
    title: '权限设置', role: '角色', scope: '数据范围', field: '字段', sensitivityLabel: '敏感级别',
    policy: '权限', actions: '操作权限', fields: '字段权限',
    policies: { hidden: '隐藏', masked: '脱敏', read: '只读', write_masked: '可写（脱敏显示）', write: '可写' },
    entities: { customer: '客户', user: '用户', store: '门店', audit: '审计日志', access: '权限' },
    scopes: { all: '全部门店', own_stores: '本门店', own_customers: '自己的客户', own_channel: '本渠道' },
    actionNames: {
      read: '查看', create: '新建', update: '修改', delete: '删除', export: '导出', approve: '审批',
      reveal: '显示脱敏',
    },
    sensitivity: {
      contact: '联系方式', identity: '身份', health: '健康', finance: '财务', internal: '内部', plain: '普通',
    },
  },
  roles: {
    admin: '管理员', manager: '店长', consultant: '咨询师', doctor: '医生', nurse: '护士/治疗师',
    front_desk: '前台', finance: '财务', channel_manager: '渠道经理', marketing: '市场', auditor: '审计',
    partner: '渠道方',
  },
  errors: { network: '无法连接服务器', unknown: '出错了' },
}
