"""Realistic elders for the benchmarks: Chinese names as a district's register holds them.

Surnames by frequency (the most common hundred cover most of the population) and the given
names of people born 1930–1960, so initials collide as they do in a real register: thousands
of 王, hundreds of "wxy", many people with the same full name. Deterministic for a seed.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

# The most common surnames, most frequent first, with a rough weight (per mille).
SURNAMES = (
    ("王", 72), ("李", 72), ("张", 69), ("刘", 54), ("陈", 46), ("杨", 32), ("黄", 23),
    ("赵", 20), ("吴", 20), ("周", 19), ("徐", 13), ("孙", 12), ("马", 12), ("朱", 11),
    ("胡", 10), ("郭", 10), ("何", 9), ("高", 9), ("林", 9), ("罗", 8), ("郑", 8), ("梁", 8),
    ("谢", 6), ("宋", 6), ("唐", 6), ("许", 5), ("韩", 5), ("冯", 5), ("邓", 5), ("曹", 5),
    ("彭", 5), ("曾", 4), ("肖", 4), ("田", 4), ("董", 4), ("袁", 4), ("潘", 4), ("于", 4),
    ("蒋", 3), ("蔡", 3), ("余", 3), ("杜", 3), ("叶", 3), ("程", 3), ("苏", 3), ("魏", 3),
    ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 2), ("卢", 2), ("姜", 2), ("崔", 2),
    ("钟", 2), ("谭", 2), ("陆", 2), ("汪", 2), ("范", 2), ("金", 2), ("石", 2), ("廖", 2),
    ("贾", 2), ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2),
    ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 1), ("闫", 1), ("段", 1),
    ("雷", 1), ("侯", 1), ("龙", 1), ("史", 1), ("陶", 1), ("黎", 1), ("贺", 1), ("顾", 1),
    ("毛", 1), ("郝", 1), ("龚", 1), ("邵", 1), ("万", 1), ("钱", 1), ("严", 1), ("覃", 1),
    ("欧阳", 1), ("司马", 1), ("诸葛", 1),
)

# Given names common among women and men born 1930–1960.
WOMEN = ("秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "玉珍", "玉英", "兰英",
         "玉梅", "凤兰", "素珍", "淑珍", "桂芳", "秀芳", "淑英", "美英", "翠兰", "丽华",
         "淑兰", "桂珍", "秀云", "桂香", "玉华", "秀华", "兰芳", "玉芳", "金凤", "春兰",
         "芳", "英", "兰", "珍", "梅", "华", "敏", "静", "霞", "红")
MEN = ("建国", "建华", "国庆", "建军", "国华", "志强", "德明", "文华", "振华", "德胜",
       "国强", "志明", "永红", "卫国", "建平", "明", "伟", "军", "勇", "强", "福生",
       "长顺", "宝山", "金生", "德福", "永福", "富贵", "有才", "树林", "海涛", "立新",
       "援朝", "跃进", "胜利", "解放", "和平", "新民", "学军", "向东", "保国")

STREETS = ("幸福里", "中山路", "解放大街", "人民路", "和平新村", "建设路", "光明小区",
           "长青苑", "东风街", "向阳小区", "新华里", "朝阳路")


@dataclass(frozen=True)
class Person:
    number: int
    name: str
    card: str
    phone: str
    address: str
    birth_year: int


def people(count: int, seed: int = 2026) -> Iterator[Person]:
    """`count` elders with real-looking names, 8-digit cards from 20000000, 11-digit phones."""
    rng = random.Random(seed)
    surnames = [s for s, _ in SURNAMES]
    weights = [w for _, w in SURNAMES]
    for n in range(count):
        given = rng.choice(WOMEN if rng.random() < 0.55 else MEN)
        phone = f"1{rng.choice('3589')}{rng.randrange(10 ** 9):09d}"
        address = (f"{rng.choice(STREETS)}{rng.randint(1, 60)}号"
                   f"{rng.randint(1, 6)}0{rng.randint(1, 4)}")
        yield Person(n, rng.choices(surnames, weights)[0] + given, f"{20000000 + n}", phone,
                     address, rng.randint(1928, 1961))
