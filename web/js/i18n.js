// Interface strings in Chinese (default) and English, and the vocabularies of the data format
// (status, accuracy, provinces). Every visible word goes through `t` so the language toggle
// changes the whole interface, map labels included.

export const STATUSES = [
  'existing', 'under_construction', 'planned', 'preparatory', 'under_study', 'unknown',
];
export const ACCURACIES = ['real', 'approximate', 'schematic'];
export const PROVINCES = ['chongqing', 'guizhou'];

const STRINGS = {
  zh: {
    'app.title': '渝黔毗邻地区基础设施地图',
    'app.subtitle': 'Yuqian Map · 规划、工程与文旅',
    'loading': '正在载入数据…',
    'search.placeholder': '搜索名称…',
    'search.none': '没有匹配的名称',
    'action.lang': 'English',
    'action.share': '复制本视图的链接',
    'action.share.short': '链接',
    'action.share.done': '链接已复制',
    'action.share.shown': '链接已写在地址栏',
    'action.png': '保存地图为 PNG',
    'png.title': '渝黔毗邻地区基础设施地图',
    'png.sources': '数据来源',
    'panel.toggle': '展开/收起面板',
    'map.label': '地图',
    'tab.layers': '图层',
    'tab.corridor': '走廊分析',
    'tab.nearby': '附近项目',
    'group.base': '底图',
    'group.thematic': '专题图层',
    'layers.all': '全选',
    'layers.none': '全不选',
    'legend.status': '状态图例',
    'legend.accuracy': '位置精度',
    'legend.sources': '数据来源',
    'legend.border': '渝黔省界',
    'legend.line': '线',
    'legend.point': '点',
    'legend.routes': '旅游线路(数字为站序)',
    'status.existing': '已建成',
    'status.under_construction': '在建',
    'status.planned': '规划',
    'status.preparatory': '前期工作',
    'status.under_study': '研究论证',
    'status.unknown': '未注明',
    'accuracy.real': '实测位置',
    'accuracy.approximate': '近似位置',
    'accuracy.schematic': '示意线',
    'accuracy.real.long': '几何取自具名数据集',
    'accuracy.approximate.long': '置于已知地点,误差约 1 公里或更大',
    'accuracy.schematic.long': '按所连接的地点示意绘制',
    'province.chongqing': '重庆',
    'province.guizhou': '贵州',
    'popup.layer': '图层',
    'popup.status': '状态',
    'popup.provinces': '所在省市',
    'popup.source': '出处',
    'popup.accuracy': '位置精度',
    'popup.provenance': '几何来源',
    'popup.kind': '类型',
    'popup.notes': '说明',
    'popup.stops': '站点',
    'popup.roundtrip': '环线',
    'popup.oneway': '单程线路',
    'popup.nearby': '附近项目',
    'popup.corridor': '沿此线划走廊',
    'popup.region': '所在区县',
    'filter.title': '筛选(不选则为地图上显示的图层)',
    'filter.layers': '图层',
    'filter.status': '状态',
    'filter.province': '省市',
    'corridor.hint': '沿一条线路(选择线状要素或在地图上绘制)划定走廊,列出走廊内的全部要素。',
    'corridor.feature': '沿线要素',
    'corridor.choose': '— 选择线状要素 —',
    'corridor.pick': '在地图上选取',
    'corridor.draw': '绘制线路',
    'corridor.clear': '清除',
    'corridor.width': '每侧宽度 (km)',
    'corridor.mode.pick': '点击地图上的一条线。按 Esc 取消。',
    'corridor.mode.draw': '单击添加折点;双击、按 Enter 或点「完成」结束,Esc 取消。',
    'corridor.finish': '完成',
    'corridor.drawn': '绘制的线路',
    'corridor.summary': '走廊:{name},长 {length},每侧 {width};共 {n} 个要素',
    'corridor.empty': '走廊内没有要素',
    'corridor.chainage': '里程',
    'corridor.distance': '距线',
    'nearby.hint': '打开本页签时,点击地图任意位置,列出最近的项目及其大地线距离。',
    'nearby.radius': '半径 (km)',
    'nearby.k': '最多',
    'nearby.summary': '{where} 周边 {radius} 内:{n} 个项目',
    'nearby.more': '(共 {m} 个,显示前 {n} 个)',
    'nearby.empty': '此半径内没有项目',
    'nearby.point': '所选点',
    'error.load': '无法载入数据:{msg}',
    'error.query': '查询失败:{msg}',
    'count': '{n} 个',
  },
  en: {
    'app.title': 'Chongqing–Guizhou Border Infrastructure Map',
    'app.subtitle': 'Yuqian Map · planning, engineering and tourism',
    'loading': 'Loading the data…',
    'search.placeholder': 'Search names…',
    'search.none': 'No matching name',
    'action.lang': '中文',
    'action.share': 'Copy a link to this view',
    'action.share.short': 'Link',
    'action.share.done': 'Link copied',
    'action.share.shown': 'The link is in the address bar',
    'action.png': 'Save the map as PNG',
    'png.title': 'Chongqing–Guizhou Border Infrastructure Map',
    'png.sources': 'Sources',
    'panel.toggle': 'Show or hide the panel',
    'map.label': 'Map',
    'tab.layers': 'Layers',
    'tab.corridor': 'Corridor',
    'tab.nearby': 'Nearby',
    'group.base': 'Base map',
    'group.thematic': 'Thematic layers',
    'layers.all': 'All',
    'layers.none': 'None',
    'legend.status': 'Status legend',
    'legend.accuracy': 'Positional accuracy',
    'legend.sources': 'Data sources',
    'legend.border': 'Chongqing–Guizhou border',
    'legend.line': 'line',
    'legend.point': 'point',
    'legend.routes': 'Tourist routes (numbers give the stop order)',
    'status.existing': 'Existing',
    'status.under_construction': 'Under construction',
    'status.planned': 'Planned',
    'status.preparatory': 'Preparatory work',
    'status.under_study': 'Under study',
    'status.unknown': 'Not stated',
    'accuracy.real': 'Real',
    'accuracy.approximate': 'Approximate',
    'accuracy.schematic': 'Schematic',
    'accuracy.real.long': 'geometry from a named data set',
    'accuracy.approximate.long': 'placed at a known place, ≈ 1 km or more off',
    'accuracy.schematic.long': 'a line drawn through the places it connects',
    'province.chongqing': 'Chongqing',
    'province.guizhou': 'Guizhou',
    'popup.layer': 'Layer',
    'popup.status': 'Status',
    'popup.provinces': 'Provinces',
    'popup.source': 'Source',
    'popup.accuracy': 'Accuracy',
    'popup.provenance': 'Geometry from',
    'popup.kind': 'Kind',
    'popup.notes': 'Notes',
    'popup.stops': 'Stops',
    'popup.roundtrip': 'Loop',
    'popup.oneway': 'One-way route',
    'popup.nearby': 'Nearby',
    'popup.corridor': 'Corridor along this line',
    'popup.region': 'County',
    'filter.title': 'Filters (none chosen: the layers shown on the map)',
    'filter.layers': 'Layers',
    'filter.status': 'Status',
    'filter.province': 'Province',
    'corridor.hint': 'Follow a line (pick a line feature or draw one on the map) to mark a corridor and list every feature inside it.',
    'corridor.feature': 'Along feature',
    'corridor.choose': '— choose a line feature —',
    'corridor.pick': 'Pick on map',
    'corridor.draw': 'Draw a line',
    'corridor.clear': 'Clear',
    'corridor.width': 'Width each side (km)',
    'corridor.mode.pick': 'Click a line on the map. Esc cancels.',
    'corridor.mode.draw': 'Click to add points; double-click, Enter or “Finish” ends the line, Esc cancels.',
    'corridor.finish': 'Finish',
    'corridor.drawn': 'Drawn line',
    'corridor.summary': 'Corridor: {name}, {length} long, {width} each side; {n} features',
    'corridor.empty': 'No feature in the corridor',
    'corridor.chainage': 'chainage',
    'corridor.distance': 'offset',
    'nearby.hint': 'While this tab is open, click anywhere on the map to list the nearest projects with their geodesic distance.',
    'nearby.radius': 'Radius (km)',
    'nearby.k': 'At most',
    'nearby.summary': 'Within {radius} of {where}: {n} projects',
    'nearby.more': '({m} in all, the nearest {n} shown)',
    'nearby.empty': 'No project within this radius',
    'nearby.point': 'the chosen point',
    'error.load': 'Could not load the data: {msg}',
    'error.query': 'The query failed: {msg}',
    'count': '{n}',
  },
};

let lang = 'zh';
const listeners = [];

export function getLang() {
  return lang;
}

export function setLang(next) {
  if (!STRINGS[next] || next === lang) return;
  lang = next;
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  applyStatic();
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) {
  listeners.push(fn);
}

/** The string `key` in the current language with `{name}` placeholders filled in. */
export function t(key, vars = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.zh[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

/** Fills elements marked with data-i18n, data-i18n-placeholder and data-i18n-title. */
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll('[data-i18n-title]')) {
    el.title = t(el.dataset.i18nTitle);
    el.setAttribute('aria-label', t(el.dataset.i18nTitle));
  }
  document.title = `${t('app.title')} · Yuqian Map`;
}

export const statusLabel = (s) => t(`status.${s}`);
export const accuracyLabel = (a) => t(`accuracy.${a}`);
export const provinceLabel = (p) => t(`province.${p}`);
export const layerTitle = (layer) => (lang === 'zh' ? layer.title_zh : layer.title_en);

/** A feature's name in the current language (properties as served by the API). */
export function featureName(props) {
  return lang === 'zh' ? props.name_zh : props.name_en;
}

/** The other language's name, shown beside the main one. */
export function featureOtherName(props) {
  return lang === 'zh' ? props.name_en : props.name_zh;
}

/** Metres for people: "850 m", "12.3 km" (geodesic metres from the API, never recomputed). */
export function formatDistance(m) {
  if (m < 1000) return `${Math.round(m)} m`;
  if (m < 100_000) return `${(m / 1000).toFixed(2)} km`;
  return `${(m / 1000).toFixed(1)} km`;
}
