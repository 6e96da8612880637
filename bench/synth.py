"""Synthetic documents for the store benchmark: English and Chinese (Traditional and
Simplified) titles and bodies drawn from a small vocabulary written for the benchmark, with
the sources, languages, dates and tags of a realistic store. Deterministic for a seed.

Nothing here is copied from any publication: the words are common policy and industry
vocabulary, strung together at random.
"""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta, timezone

EN_COMMON = (
    "the of and to in a for on with by that is from as be this are will at its which or an "
    "has have it was were their not under new all also more other any such these than been "
    "may would can one two three year years per including between each through after"
).split()
EN_DOMAIN = (
    "semiconductor semiconductors chip chips wafer wafers foundry fab fabs capacity node "
    "nanometer advanced packaging lithography equipment tool tools memory DRAM NAND logic "
    "supply chain export exports control controls license licence licensing rule rules "
    "regulation regulations entity list entities bureau industry security commerce department "
    "administration federal register notice comment comments proposed final interim effective "
    "tariff tariffs duty duties section investigation antidumping countervailing import imports "
    "trade agreement partnership cooperation framework dialogue alliance allies economic "
    "prosperity investment incentive incentives award awards grant grants funding program "
    "manufacturing facility facilities Arizona Taiwan China United States Japan Korea Europe "
    "customers revenue quarter shipments prices forecast market demand growth decline percent "
    "billion million dollars company companies firm firms announced today statement secretary "
    "minister official officials policy policies national defense technology technologies "
    "artificial intelligence computing data center servers smartphone automotive power "
    "research development workforce jobs training university partners global domestic "
    "foreign items parts components destination end user users military civil review "
    "enforcement penalty penalties violation violations compliance guidance clarification"
).split()
# Chinese vocabulary written for the benchmark, (Traditional, Simplified) pairs.
ZH_WORDS = [
    ("半導體", "半导体"), ("晶片", "芯片"), ("晶圓", "晶圆"), ("晶圓代工", "晶圆代工"),
    ("先進製程", "先进制程"), ("先進封裝", "先进封装"), ("產能", "产能"), ("出口管制", "出口管制"),
    ("實體清單", "实体清单"), ("關稅", "关税"), ("對等關稅", "对等关税"), ("投資", "投资"),
    ("補助", "补助"), ("美國", "美国"), ("台灣", "台湾"), ("中國", "中国"), ("日本", "日本"),
    ("韓國", "韩国"), ("歐洲", "欧洲"), ("亞利桑那州", "亚利桑那州"), ("商務部", "商务部"),
    ("工業安全局", "工业安全局"), ("政府", "政府"), ("政策", "政策"), ("規定", "规定"),
    ("法規", "法规"), ("許可證", "许可证"), ("合作", "合作"), ("聯盟", "联盟"),
    ("夥伴關係", "伙伴关系"), ("供應鏈", "供应链"), ("市場", "市场"), ("需求", "需求"),
    ("價格", "价格"), ("營收", "营收"), ("季度", "季度"), ("成長", "成长"), ("下滑", "下滑"),
    ("記憶體", "内存"), ("伺服器", "服务器"), ("人工智慧", "人工智能"), ("資料中心", "数据中心"),
    ("智慧型手機", "智能手机"), ("汽車", "汽车"), ("電動車", "电动车"), ("設備", "设备"),
    ("材料", "材料"), ("技術", "技术"), ("研發", "研发"), ("人才", "人才"), ("工廠", "工厂"),
    ("建廠", "建厂"), ("擴產", "扩产"), ("客戶", "客户"), ("出貨", "出货"), ("預估", "预估"),
    ("報告", "报告"), ("指出", "指出"), ("表示", "表示"), ("宣布", "宣布"), ("今日", "今日"),
    ("董事會", "董事会"), ("股東", "股东"), ("公司", "公司"), ("產業", "产业"), ("經濟", "经济"),
    ("安全", "安全"), ("國防", "国防"), ("貿易", "贸易"), ("談判", "谈判"), ("協議", "协议"),
    ("調查", "调查"), ("反傾銷", "反倾销"), ("進口", "进口"), ("出口", "出口"), ("全球", "全球"),
    ("影響", "影响"), ("持續", "持续"), ("增加", "增加"), ("減少", "减少"), ("相關", "相关"),
]
ZH_GLUE = [("的", "的"), ("與", "与"), ("在", "在"), ("將", "将"), ("及", "及"), ("對", "对"),
           ("為", "为"), ("已", "已"), ("並", "并"), ("以", "以")]

SOURCES = [  # (source, share, languages with shares)
    ("federal_register", 0.35, [("en", 1.0)]),
    ("commerce", 0.15, [("en", 1.0)]),
    ("bis", 0.10, [("en", 1.0)]),
    ("tsmc", 0.15, [("en", 0.34), ("zh-Hant", 0.33), ("zh-Hans", 0.33)]),
    ("trendforce", 0.25, [("en", 0.5), ("zh-Hans", 0.5)]),
]
ZONES = {"tsmc": "Asia/Taipei", "trendforce": "Asia/Taipei"}
CATEGORIES = ["investment_pressure", "export_control", "alliance", "tariff"]
TAGGED_SHARE = 0.25  # a quarter of documents carry a tag, as in the evaluation set's flow


# A long tail of rarer words, made from syllables (English) and from common characters
# (Chinese), so that a specific term matches a realistic few documents, not a third of them.
EN_SYLLABLES = "ka ro mi te sa no lu vi de pa ta re li mo ne su ga fi be ho ru si".split()
ZH_CHARS = "一二三四五六七八九十上下大小中心手口日月水火山石田禾土木金人文字生主年分工本天民" \
    "方面力同合名向好如安定家府度建式形得性應所政教新明時業機權正民法活流海物理現發目相示社" \
    "系統經義能自行衛製角計設路轉通造進運過選部都鐵長門開間關際電需領頭題風高"
LONG_TAIL = 10_000
TAIL_SHARE = 0.08  # of words drawn from the long tail


def _tail_en(rng: random.Random) -> list[str]:
    words = set()
    while len(words) < LONG_TAIL:
        words.add("".join(rng.choice(EN_SYLLABLES) for _ in range(rng.randint(3, 4))))
    return sorted(words)


def _tail_zh(rng: random.Random) -> list[str]:
    chars = sorted(set(ZH_CHARS))
    pairs = [a + b for a in chars for b in chars if a != b]
    rng.shuffle(pairs)
    return pairs[:LONG_TAIL]


def _weights(n: int) -> list[float]:
    return [1.0 / (rank + 1) ** 0.9 for rank in range(n)]  # Zipf-like


class Synth:
    def __init__(self, seed: int = 8):
        self.rng = random.Random(seed)
        self.en_words = EN_COMMON + EN_DOMAIN
        self.en_weights = _weights(len(EN_COMMON)) + [w * 0.6 for w in _weights(len(EN_DOMAIN))]
        self.rng.shuffle(EN_DOMAIN)
        self.tail_en = _tail_en(random.Random(seed + 1))
        self.tail_zh = _tail_zh(random.Random(seed + 2))
        self.tail_cum = list(itertools.accumulate(_weights(LONG_TAIL)))
        self.en_cum = list(itertools.accumulate(self.en_weights))

    # -- text ------------------------------------------------------------------------------

    def _en_sentence(self, n: int) -> str:
        words = self.rng.choices(self.en_words, cum_weights=self.en_cum, k=n)
        for i in range(n):
            if self.rng.random() < TAIL_SHARE:
                words[i] = self.rng.choices(self.tail_en, cum_weights=self.tail_cum)[0]
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def _zh_sentence(self, n: int, script: int) -> str:
        bits = []
        for _ in range(n):
            if self.rng.random() < TAIL_SHARE:
                bits.append(self.rng.choices(self.tail_zh, cum_weights=self.tail_cum)[0])
            else:
                bits.append(self.rng.choice(ZH_WORDS)[script])
            if self.rng.random() < 0.35:
                bits.append(self.rng.choice(ZH_GLUE)[script])
        return "".join(bits) + "。"

    def title(self, lang: str) -> str:
        if lang == "en":
            return self._en_sentence(self.rng.randint(6, 14))[:-1]
        return self._zh_sentence(self.rng.randint(4, 8), 0 if lang == "zh-Hant" else 1)[:-1]

    def body(self, lang: str) -> str:
        """English: 400 to 4,000 characters (a notice's abstract to a press release);
        Chinese: 200 to 1,500 characters."""
        if lang == "en":
            target = int(self.rng.triangular(400, 4000, 1200))
            sentences = []
            while sum(len(s) + 1 for s in sentences) < target:
                sentences.append(self._en_sentence(self.rng.randint(10, 28)))
        else:
            target = int(self.rng.triangular(200, 1500, 500))
            script = 0 if lang == "zh-Hant" else 1
            sentences = []
            while sum(len(s) for s in sentences) < target:
                sentences.append(self._zh_sentence(self.rng.randint(6, 16), script))
        out, para = [], []
        for sentence in sentences:
            para.append(sentence)
            if len(para) >= self.rng.randint(3, 6):
                out.append((" " if lang == "en" else "").join(para))
                para = []
        if para:
            out.append((" " if lang == "en" else "").join(para))
        return "\n\n".join(out)

    # -- documents -------------------------------------------------------------------------

    def document(self, n: int, published: datetime) -> dict:
        rng = self.rng
        source = rng.choices([s[0] for s in SOURCES], [s[1] for s in SOURCES])[0]
        langs = dict((s[0], s[2]) for s in SOURCES)[source]
        lang = rng.choices([code for code, _ in langs], [share for _, share in langs])[0]
        zone = ZONES.get(source, "America/New_York")
        return {
            "id": f"{source}:bench-{n:08d}",
            "source": source,
            "external_id": f"bench-{n:08d}",
            "lang": lang,
            "url": f"https://example.org/{source}/{n}",
            "title": self.title(lang),
            "text": self.body(lang),
            "summary": None,
            "published": published.date().isoformat(),
            "date_precision": "day",
            "timezone": zone,
            "doc_type": "notice",
            "metadata": {"bench": True, "n": n},
        }

    def tags(self, doc: dict) -> list[dict]:
        """Tags for a quarter of the documents: one or two categories with an evidence
        sentence taken from the document."""
        if self.rng.random() >= TAGGED_SHARE:
            return []
        k = 1 if self.rng.random() < 0.8 else 2
        sentence = doc["text"].split("\n")[0][:300]
        return [{"category": c, "score": round(self.rng.uniform(3.0, 12.0), 2),
                 "evidence": [{"sentence": sentence, "match": sentence.split()[0] if
                               doc["lang"] == "en" else sentence[:2]}]}
                for c in self.rng.sample(CATEGORIES, k)]


START = datetime(2016, 1, 4, 12, 0, tzinfo=timezone.utc)


def day_of(index: int, per_day: int) -> datetime:
    return START + timedelta(days=index // per_day)
