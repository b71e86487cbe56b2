import { hash32, shuffled } from './hash';

/**
 * The GPT simulator's "model": plausible, deterministic answers to the app's
 * Chinese list prompts. Same prompt in, same text out, so e2e assertions and
 * benchmark runs are stable; items within one answer are always distinct.
 */

const MAX_ITEMS = 200;

const PRODUCTS = [
  '智能跳绳', '护膝支架', '心率手环', '折叠划船机', '智能水杯', '筋膜枪', '运动耳机', '防滑手套',
  '呼吸训练器', '平衡板', '智能哑铃', '拉力绳', '计步鞋垫', '护腕', '冷敷贴', '姿态矫正带',
  '智能瑜伽垫', '夜跑臂灯', '骑行头盔', '防水腰包', '握力器', '冰袖', '体脂秤', '泳镜',
  '登山杖', '睡眠监测仪', '便携榨汁杯', '智能台灯', '空气净化器', '折叠婴儿车', '宠物喂食器', '智能门锁',
  '烹饪温度计', '电动牙刷', '儿童水壶', '读书支架', '雨伞烘干器', '自动晾衣架', '手持风扇', '保温饭盒',
  '智能花盆', '导盲手杖', '助行器', '防摔手环', '药盒提醒器', '暖手宝', '露营灯', '折叠健身凳',
] as const;

/** Scenes with an English rendering, so a scene list fed back as an SD-prompt request gets matching subjects. */
const PLACES: ReadonlyArray<readonly [string, string]> = [
  ['健身房', 'modern gym interior'], ['城市公园', 'quiet city park'], ['跑步道', 'riverside running track'],
  ['游泳馆', 'indoor swimming pool'], ['瑜伽教室', 'bright yoga studio'], ['登山步道', 'mountain hiking trail'],
  ['篮球场', 'outdoor basketball court'], ['卧室', 'cozy bedroom'], ['厨房', 'compact home kitchen'],
  ['办公室工位', 'open plan office desk'], ['地铁车厢', 'subway carriage'], ['学校操场', 'school playground'],
  ['海边沙滩', 'sandy beach'], ['露营地', 'forest campsite'], ['滑雪场', 'snowy ski slope'],
  ['社区广场', 'community square'], ['阳台', 'sunny balcony'], ['书房', 'wooden study room'],
  ['医院病房', 'hospital ward'], ['老年活动室', 'senior activity room'], ['咖啡馆', 'corner coffee shop'],
  ['图书馆', 'public library hall'], ['机场候机厅', 'airport departure lounge'], ['高铁车厢', 'high speed train cabin'],
  ['自行车道', 'urban bike lane'], ['攀岩馆', 'indoor climbing gym'], ['网球场', 'clay tennis court'],
  ['浴室', 'tiled bathroom'], ['客厅', 'spacious living room'], ['宠物店', 'pet shop'],
  ['超市', 'supermarket aisle'], ['停车场', 'open air parking lot'], ['幼儿园', 'kindergarten classroom'],
  ['乒乓球室', 'table tennis room'], ['林间小径', 'woodland path'], ['河畔步道', 'river promenade'],
  ['屋顶花园', 'rooftop garden'], ['地下车库', 'underground garage'], ['康复中心', 'rehabilitation center'],
  ['舞蹈室', 'mirrored dance studio'],
];

const PRINCIPLES = [
  '利用杠杆放大微小力量', '通过弹性形变储存能量', '借助重力实现自动复位', '以摩擦变化感知用力', '靠气压差推动流体',
  '用磁力吸附快速连接', '通过振动频率传递信息', '依靠温差驱动循环', '光线强弱触发状态切换', '分层结构分散冲击力',
  '旋转惯性保持姿态稳定', '声波反射测量距离', '毛细作用输送液体', '形状记忆恢复原貌', '蜂窝结构减轻重量',
  '离心力分离不同物质', '相变材料吸收热量', '螺旋结构把直线变旋转', '压电效应把压力变成电', '反馈回路自动调节节奏',
  '模块拼接适应不同尺寸', '折叠展开改变占用空间', '多孔材料过滤杂质', '配重平衡抵消晃动', '渐变阻尼缓冲运动',
  '电容变化感知触摸', '把阳光转化为电能', '气囊充放改变硬度', '棘轮结构只许单向转动', '流线外形降低阻力',
] as const;

/** 5–8 characters each: the answer to "guess the product in this sketch". */
const NAMES = [
  '智能计数跳绳', '可折叠护膝架', '心率监测手环', '多功能运动水壶', '便携筋膜按摩器', '智能姿态矫正器',
  '夜跑安全臂灯', '自适应平衡板', '智能呼吸训练器', '防摔助行手杖', '智能恒温水杯', '折叠收纳健身凳',
] as const;

const MATERIALS = ['铝合金', '食品级硅胶', '碳纤维', '再生塑料', '竹纤维', '磨砂ABS'] as const;
const FEATURES = [
  '压力传感器', '可拆卸电池', '蓝牙模块', '防滑底座', '折叠铰链', '磁吸接口',
  '加热膜片', '震动马达', 'LED指示灯', '伸缩支杆', '快拆卡扣', '温度探头',
] as const;
const BENEFITS = ['便于随身携带', '单手即可操作', '训练数据一目了然', '老人也能安全使用', '潮湿环境依然可靠', '松紧可按需调节'] as const;

const PRODUCT_SUBJECTS = [
  'sleek smart wristband', 'compact folding rower', 'matte white water bottle', 'ergonomic massage gun',
  'minimal balance board', 'smart jump rope', 'modular knee brace', 'portable breathing trainer',
  'slim desk lamp', 'rounded air purifier', 'smart walking cane', 'stackable lunch box',
] as const;

/** Keyword groups for SD prompts; one phrase from each, skipping phrases that would repeat a word. */
const SCENE_KEYWORDS: ReadonlyArray<readonly string[]> = [
  ['glass walls and plants', 'wooden floor', 'minimal furniture', 'scattered equipment', 'clean surfaces', 'large windows', 'green trees', 'stone pavement', 'warm textiles', 'tidy shelves'],
  ['morning light', 'golden hour', 'soft daylight', 'dramatic rim lighting', 'overcast sky', 'warm lamp glow', 'cinematic lighting', 'blue hour', 'diffused sunlight', 'natural backlight'],
  ['wide angle', 'eye level view', 'aerial shot', 'low angle', 'isometric perspective', 'three quarter view', '35mm lens', 'panoramic composition'],
  ['8k', 'high detail', 'sharp focus', 'ultra realistic', '4k uhd', 'photographic'],
];
const PRODUCT_KEYWORDS: ReadonlyArray<readonly string[]> = [
  ['brushed aluminium body', 'soft silicone grip', 'rounded edges', 'translucent shell', 'carbon fiber frame', 'matte ceramic finish', 'fabric wrapped surface'],
  ['studio lighting', 'soft box light', 'gentle reflections', 'even illumination', 'subtle shadows'],
  ['front view', 'three quarter angle', 'top down shot', 'close up', 'exploded layout'],
  ['white background', 'product render', 'octane style', 'high detail', '8k'],
];

export type ListKind = 'product' | 'place' | 'principle' | 'statement' | 'english' | 'selection';

export interface ChatAnswerOptions {
  /** Items to leave out of a counted list (0 = answer the count asked). */
  missing?: number;
  /** Items to add to a counted list. */
  extra?: number;
  /** Use "#\n" / " # " separators and a trailing " ." to exercise the app's normalisation. */
  messy?: boolean;
}

export interface ChatAnswer {
  text: string;
  /** The N of "恰好 N 项", or null when the prompt asked for a single answer. */
  requested: number | null;
  kind: ListKind | 'name';
  items: string[];
}

export function requestedCount(prompt: string): number | null {
  const m = /恰好\s*(\d+)\s*项/.exec(prompt);
  if (!m) return null;
  return Math.min(Math.max(Number(m[1]), 1), MAX_ITEMS);
}

/** Guesses which list the prompt asks for from its wording (the app's prompts are ours, but their exact words are not fixed). */
export function classify(prompt: string): ListKind {
  if (/英文|english/i.test(prompt)) return 'english';
  if (prompt.includes('20') && prompt.includes('50') && prompt.includes('字')) return 'statement';
  if (/原理|抽象/.test(prompt)) return 'principle';
  if (/选出|挑选|选择/.test(prompt) && candidateNames(prompt).length > 0) return 'selection';
  if (/场景|地点|场所|地方/.test(prompt)) return 'place';
  return 'product';
}

/** Label words of the app's prompts that stand before a colon but name no scheme. */
const LABELS = new Set(['设计任务', '输出格式', '新颖性', '实用性', '名称']);

/** "name:texts" lines of a selection prompt: the word that starts a line, before its colon. */
function candidateNames(prompt: string): string[] {
  const found = [...prompt.matchAll(/^([\u4e00-\u9fa5A-Za-z0-9]{2,12})[:：]/gm)].map((m) => m[1]).filter((name) => !LABELS.has(name));
  return [...new Set(found)];
}

/** Builds `count` distinct items; `make(i, attempt)` is retried with a new attempt number on a duplicate. */
function distinct(count: number, make: (i: number, attempt: number) => string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let item = make(i, 0);
    for (let attempt = 1; seen.has(item); attempt++) {
      // Past the vocabulary size, a numbered variant keeps items unique rather than looping forever.
      item = attempt < 20 ? make(i, attempt) : `${make(i, 0)}${attempt}`;
    }
    seen.add(item);
    out.push(item);
  }
  return out;
}

/** Cycles through a prompt-specific permutation of the vocabulary, so the first items never repeat. */
function fromVocabulary(vocab: readonly string[], prompt: string, salt: string): (i: number, attempt: number) => string {
  const order = shuffled(vocab, hash32(prompt, salt));
  return (i, attempt) => {
    const base = order[(i + attempt * 7) % order.length];
    const round = Math.floor(i / order.length);
    return round === 0 ? base : `${['新型', '迷你', '智能', '便携'][round % 4]}${base}`;
  };
}

function statement(prompt: string, i: number, attempt: number): string {
  const h = (s: string) => hash32(prompt, i, attempt, s);
  const name = PRODUCTS[h('name') % PRODUCTS.length];
  const material = MATERIALS[h('material') % MATERIALS.length];
  const [f1, f2, f3] = shuffled(FEATURES, h('features'));
  const benefit = BENEFITS[h('benefit') % BENEFITS.length];
  const full = `${name}采用${material}外壳，内置${f1}，配有${f2}和${f3}，${benefit}。`;
  // Keep within the 20–50 characters the app asks for.
  return full.length <= 50 ? full : `${name}采用${material}外壳，内置${f1}，配有${f2}和${f3}。`;
}

/** Places named in the prompt, in the order they appear: the scenes whose SD prompts are being asked for. */
function placesInPrompt(prompt: string): string[] {
  return PLACES.map(([zh, en]) => ({ en, at: prompt.indexOf(zh) }))
    .filter((p) => p.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((p) => p.en);
}

function keywords(prompt: string): (i: number, attempt: number) => string {
  const productLook = /外观|材质|造型/.test(prompt);
  const groups = productLook ? PRODUCT_KEYWORDS : SCENE_KEYWORDS;
  const subjects: readonly string[] = productLook ? PRODUCT_SUBJECTS : PLACES.map(([, en]) => en);
  const mentioned = productLook ? [] : placesInPrompt(prompt);
  const subjectOrder = shuffled(subjects, hash32(prompt, 'subject'));
  return (i, attempt) => {
    const subject = attempt === 0 && i < mentioned.length ? mentioned[i] : subjectOrder[(i + attempt) % subjectOrder.length];
    const used = new Set(subject.split(' '));
    const parts = [subject];
    groups.forEach((group, g) => {
      const start = hash32(prompt, i, attempt, g) % group.length;
      for (let k = 0; k < group.length; k++) {
        const phrase = group[(start + k) % group.length];
        const words = phrase.split(' ');
        if (words.some((w) => used.has(w))) continue;
        words.forEach((w) => used.add(w));
        parts.push(phrase);
        break;
      }
    });
    return parts.join(', ');
  };
}

function itemMaker(kind: ListKind, prompt: string): (i: number, attempt: number) => string {
  switch (kind) {
    case 'english':
      return keywords(prompt);
    case 'statement':
      return (i, attempt) => statement(prompt, i, attempt);
    case 'principle':
      return fromVocabulary(PRINCIPLES, prompt, 'principle');
    case 'place':
      return fromVocabulary(PLACES.map(([zh]) => zh), prompt, 'place');
    case 'selection':
      return fromVocabulary(candidateNames(prompt), prompt, 'selection');
    case 'product':
      return fromVocabulary(PRODUCTS, prompt, 'product');
  }
}

function join(items: string[], messy: boolean, prompt: string): string {
  if (!messy) return items.join('#');
  const seps = ['#', '#\n', ' # '];
  const body = items.map((item, i) => (i === 0 ? item : `${seps[hash32(prompt, 'sep', i) % seps.length]}${item}`)).join('');
  return `\n${body} .`;
}

/** The assistant text for a prompt (all message texts joined). */
export function answerFor(prompt: string, opts: ChatAnswerOptions = {}): ChatAnswer {
  const requested = requestedCount(prompt);
  if (requested === null) {
    const english = /英文|english/i.test(prompt);
    const item = english ? keywords(prompt)(0, 0) : NAMES[hash32(prompt, 'name') % NAMES.length];
    return { text: opts.messy ? `${item} .` : item, requested, kind: english ? 'english' : 'name', items: [item] };
  }
  const kind = classify(prompt);
  const count = Math.max(1, requested - (opts.missing ?? 0) + (opts.extra ?? 0));
  const items = distinct(count, itemMaker(kind, prompt));
  return { text: join(items, opts.messy ?? false, prompt), requested, kind, items };
}
