"""Who and what a generated district's cases are about: staff rosters, parties and acts."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from domain.actors import Actor, Role
from domain.values import AdministrativeAct, Party, PartyRole

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐韩冯于董萧程曹袁邓许傅沈曾彭吕"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


GIVEN_NAMES = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 秀英 建国 淑珍 志强 海燕 "
    "晓东 丽华 国庆 文斌 雪梅 子涵 浩然 欣怡 宇航 建华 春梅 立新 玉兰"
)
COMPANY_WORDS = _words("华创 中科 博远 恒信 金桥 瑞丰 泰和 鼎盛 新元 启明 京华 安泰 宏达 盛世 远航")
INDUSTRIES = _words("科技 商贸 餐饮管理 建筑工程 物业管理 文化传媒 医药 教育咨询 房地产开发")
STREETS = _words("中关村大街 学院路 知春路 西三环北路 万泉河路 苏州街 北四环西路 清河路 颐和园路")

# (agency, document number prefix, what such acts do)
AGENCIES = (
    ("北京市海淀区市场监督管理局", "海市监罚", ("罚款人民币五千元", "没收违法所得并罚款")),
    ("北京市海淀区城市管理综合行政执法局", "海城执罚", ("责令限期拆除违法建设",)),
    ("北京市海淀区人力资源和社会保障局", "海人社工伤认", ("不予认定工伤", "认定工伤")),
    ("北京市规划和自然资源委员会海淀分局", "海规自罚", ("责令停止建设并罚款",)),
    ("北京市海淀区住房和城乡建设委员会", "海住建罚", ("罚款人民币二万元",)),
    ("北京市公安局海淀分局", "京公海行罚决字", ("行政拘留五日", "警告")),
    ("北京市海淀区生态环境局", "海环罚", ("罚款人民币十万元",)),
    ("北京市海淀区人民政府", "海政征补", ("房屋征收补偿决定",)),
    ("北京市海淀区教育委员会", "海教信公", ("政府信息公开答复",)),
)
FIRST_INSTANCE_COURT = "北京市海淀区人民法院"
APPEAL_COURT = "北京市第一中级人民法院"
HEAD_TITLES = ("局长", "主任", "副区长", "副局长")


@dataclass(frozen=True)
class Staff:
    """The people of one organisation who act on cases, by role."""

    organisation: str
    intake: tuple[Actor, ...]  # 登记
    handlers: tuple[Actor, ...]  # 承办人
    approvers: tuple[Actor, ...]  # 负责人; the first is the head of the organisation
    hearing_officers: tuple[Actor, ...]  # 复议审理人员
    coordinators: tuple[Actor, ...]  # 应诉协调
    head_title: str

    @property
    def head(self) -> Actor:
        """The head of the organisation (负责人), who appears in court for it."""
        return self.approvers[0]


def person_name(rng: random.Random) -> str:
    """A Chinese personal name, e.g. 张伟."""
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def company_name(rng: random.Random) -> str:
    """A company name, e.g. 北京华创科技有限公司."""
    return f"北京{rng.choice(COMPANY_WORDS)}{rng.choice(INDUSTRIES)}有限公司"


def roster(rng: random.Random, organisation: str) -> Staff:
    """A small staff for an organisation, with stable ids and Chinese names."""

    def people(role: Role, count: int) -> tuple[Actor, ...]:
        return tuple(
            Actor(f"{organisation}-{role}-{n}", role, organisation, person_name(rng))
            for n in range(1, count + 1)
        )

    return Staff(
        organisation=organisation,
        intake=people(Role.INTAKE, 2),
        handlers=people(Role.HANDLER, 4),
        approvers=people(Role.APPROVER, 2),
        hearing_officers=people(Role.HEARING_OFFICER, 3),
        coordinators=people(Role.COORDINATOR, 2),
        head_title=rng.choice(HEAD_TITLES),
    )


def applicant(rng: random.Random, *, company_share: float = 0.25) -> Party:
    """A petitioner, applicant or plaintiff: a person with contact details, or a company."""
    if rng.random() < company_share:
        return Party(company_name(rng), PartyRole.APPLICANT, address=_address(rng))
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20_000))
    id_number = f"110108{birth:%Y%m%d}{rng.randrange(1000):03d}{rng.choice('0123456789X')}"
    phone = f"13{rng.randrange(10**9):09d}"
    return Party(person_name(rng), PartyRole.APPLICANT, id_number, phone, _address(rng))


def other_party(rng: random.Random, role: PartyRole) -> Party:
    """A third party or the other side of a dispute."""
    name = company_name(rng) if rng.random() < 0.4 else person_name(rng)
    return Party(name, role, address=_address(rng))


def _address(rng: random.Random) -> str:
    return f"北京市海淀区{rng.choice(STREETS)}{rng.randint(1, 199)}号"


def dossiers(rng: random.Random, count: int) -> tuple[AdministrativeAct, ...]:
    """Administrative acts of 2025 that several cases may share (one dossier per act)."""
    acts: list[AdministrativeAct] = []
    numbers: set[tuple[str, int]] = set()
    while len(acts) < count:
        agency, prefix, kinds = rng.choice(AGENCIES)
        number = rng.randint(1, 999)
        if (prefix, number) in numbers:
            continue
        numbers.add((prefix, number))
        day = dt.date(2025, 6, 1) + dt.timedelta(days=rng.randrange(200))
        number_text = f"{prefix}〔2025〕{number}号"
        acts.append(AdministrativeAct(agency, number_text, day, rng.choice(kinds)))
    return tuple(acts)
