"""Invented names: organizations, platforms, people, and unique valid USCCs.

Company names follow the Chinese pattern 地名 + 字号 + 行业 + 组织形式, with a 字号 drawn from
invented two-character combinations and “（演示）” always appended, so a generated name can never
be the literal name of a real organization.
"""

from __future__ import annotations

import random

from kechuang.registry.engine.uscc import ALPHABET, check_character

ZIHAO_FIRST = "瑞恒泰华鑫润宏嘉德信卓睿博锦佳盛达通源丰隆昌兴鼎天宇凯远誉晟骏启明捷翔腾峰豪正弘"
ZIHAO_SECOND = "科达通源丰元和辰阳新越晨安邦力川石林泓澜禾致锐创迪众策铭成业诚立宸航图锋程"
ZIHAO_THIRD = "光宝金辉云星海山"

INDUSTRY_WORDS = {
    "equipment": ("智能装备", "机械", "电气", "电机", "精密机械", "重工", "自动化设备"),
    "food": ("食品", "粮油", "农业开发", "生物食品", "食品科技"),
    "electronics": ("光电科技", "光学", "电子科技", "信息技术", "传感技术", "半导体"),
    "biomedicine": ("药业", "生物医药", "制药", "医疗器械", "生物科技"),
    "materials": ("新材料", "超硬材料", "材料科技", "磨具磨料", "纳米科技"),
    "new_energy": ("新能源", "储能科技", "电池", "能源科技", "新能源汽车"),
    "chemicals": ("化工", "精细化工", "化学", "石化"),
    "textiles": ("纺织", "服饰", "纺织科技", "非织造材料"),
    "metallurgy": ("特钢", "冶金", "铸造", "管业"),
    "building_materials": ("建材", "新型建材", "建筑科技", "节能科技"),
    "future": ("智能科技", "数据科技", "信息科技", "生物技术", "氢能科技"),
}
ENTERPRISE_FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "科技有限公司")
UNIVERSITY_WORDS = ("学院", "职业技术学院", "科技职业学院", "工程学院")
INSTITUTE_WORDS = ("研究院", "研究院", "研究所", "技术研究院")
HOSPITAL_WORDS = ("医院", "中医院", "骨科医院", "康复医院", "妇幼保健院")
OTHER_WORDS = ("科技服务中心", "技术转移中心", "科技企业孵化中心", "生产力促进中心")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉力玉兰萍红鹏飞宇浩然思远志博晨阳"
    "欣怡雨佳子涵梓轩一诺若瑶嘉琪浩宇俊杰海燕立新国庆春梅"
)


def zihao(rng: random.Random) -> str:
    """An invented shop name (字号): two characters, sometimes three."""
    first = rng.choice(ZIHAO_FIRST)
    second = rng.choice(ZIHAO_SECOND.replace(first, ""))
    return first + second + (rng.choice(ZIHAO_THIRD) if rng.random() < 0.15 else "")


def organization_name(
    rng: random.Random, kind: str, place: str, root: str | None, industry_name: str, word: str
) -> str:
    """One candidate name; the caller retries on a clash (names are kept unique)."""
    if kind == "enterprise":
        words = INDUSTRY_WORDS.get(root or "", ("科技",))
        return f"{place}{word}{rng.choice(words)}{rng.choice(ENTERPRISE_FORMS)}（演示）"
    if kind == "university":
        return f"{place}{word}{rng.choice(UNIVERSITY_WORDS)}（演示）"
    if kind == "research_institute":
        return f"南阳{word}{industry_name}{rng.choice(INSTITUTE_WORDS)}（演示）"
    if kind == "hospital":
        return f"{place}{word}{rng.choice(HOSPITAL_WORDS)}（演示）"
    return f"南阳{word}{rng.choice(OTHER_WORDS)}（演示）"


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_CHARS)
    if rng.random() < 0.7:
        given += rng.choice(GIVEN_CHARS)
    return rng.choice(SURNAMES) + given


def mobile_phone(rng: random.Random) -> str:
    return f"139{rng.randrange(10**8):08d}"


# USCC positions 9–17 (the organization code body) are "DM" (demo) + 7 characters: a bijection
# of the organization's index, so codes are unique by construction and unlike any real body.
_BODY_SPACE = 31**7
_REGISTRATION = {
    "enterprise": "91",  # 工商 · 企业
    "university": "12",  # 机构编制 · 事业单位
    "research_institute": "12",
    "hospital": "12",
    "other": "52",  # 民政 · 民办非企业单位
}


def demo_uscc(index: int, kind: str, division: str, seed: int) -> str:
    """A valid, unique demo USCC for the `index`-th generated organization."""
    if not 0 <= index < _BODY_SPACE:
        raise ValueError("index out of range")
    value = (index * 1_000_003 + seed * 7919 + 12_345) % _BODY_SPACE  # 1_000_003 is prime
    body = []
    for _ in range(7):
        value, digit = divmod(value, 31)
        body.append(ALPHABET[digit])
    first17 = _REGISTRATION.get(kind, "91") + division + "DM" + "".join(reversed(body))
    return first17 + check_character(first17)
