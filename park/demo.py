"""The demo base: buildings, facilities, tenant firms and users, then each domain's own demo step.

Deterministic (seeded): the same database gets the same demo every time. Loaded once.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from park.accounts.passwords import hash_password
from park.accounts.tables import User
from park.facilities.tables import DEFAULT_OPENING_HOURS, Building, Facility
from park.shared.db import transaction
from park.tenants.rules import SECTORS, USCC_ALPHABET, uscc_check_character
from park.tenants.tables import QualificationRecord, Tenant

SEED = 20261124
DEMO_PASSWORD = "park-demo-2026"
DEMO_LOGINS = [
    ("admin", "admin@park.demo"),
    ("manager", "manager@park.demo"),
    ("tenant_admin", "admin@dragonlight.demo"),
    ("member", "member@dragonlight.demo"),
]

# Each domain's demo step: a module with `async def load(ctx: DemoContext) -> None`, run in this order when present.
DOMAIN_STEPS = [
    "park.facilities.demo",
    "park.bookings.demo",
    "park.allocation.demo",
    "park.reports.demo",
    "park.billing.demo",
]


@dataclass
class DemoContext:
    """What the base step made, for the domain steps that follow."""

    rng: random.Random
    now: datetime
    zone: ZoneInfo
    buildings: list[dict[str, Any]] = field(default_factory=list)
    facilities: list[dict[str, Any]] = field(default_factory=list)
    tenants: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    password_hash: str = ""


BUILDINGS = [
    ("A", "文化科技创新中心 A 座", "Culture-Tech Innovation Centre, Tower A", "深圳湾科技生态园 10 栋 A 座", "Tower A, Building 10, Shenzhen Bay Eco-Technology Park"),
    ("B", "数字创意产业大厦 B 座", "Digital Creative Industries Building B", "深圳湾科技生态园 10 栋 B 座", "Tower B, Building 10, Shenzhen Bay Eco-Technology Park"),
    ("C", "影视动漫制作基地 C 座", "Film and Animation Production Base C", "深圳湾科技生态园 11 栋", "Building 11, Shenzhen Bay Eco-Technology Park"),
    ("D", "公共技术服务平台 D 座", "Public Technology Service Platform D", "深圳湾科技生态园 12 栋", "Building 12, Shenzhen Bay Eco-Technology Park"),
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
LONG_HOURS = {day: [["08:00", "22:00"]] for day in WEEKDAYS} | {"sat": [["09:00", "18:00"]], "sun": []}
SPLIT_HOURS = {day: [["09:00", "12:00"], ["13:30", "18:00"]] for day in WEEKDAYS} | {"sat": [], "sun": []}
ALWAYS_HOURS = {day: [["00:00", "24:00"]] for day in (*WEEKDAYS, "sat", "sun")}

PLATFORMS_EN: dict[str, str] = {
    "深圳数字内容工程实验室": "Shenzhen Digital Content Engineering Laboratory",
    "虚拟现实重点实验室": "Key Laboratory of Virtual Reality",
    "文化科技企业技术中心": "Culture-Tech Enterprise Technology Centre",
    "非遗数字化工程中心": "Intangible Heritage Digitisation Engineering Centre",
    "创意设计创新联盟": "Creative Design Innovation Alliance",
    "动漫游戏公共服务平台": "Animation and Games Public Service Platform",
    "动作捕捉中心": "Motion-Capture Centre",
    "渲染计算中心": "Rendering Computing Centre",
    "3D 打印中心": "3D Printing Centre",
    "影视后期制作平台": "Film and TV Post-Production Platform",
    "高端印刷公共平台": "High-End Printing Public Platform",
    "声音工程中心": "Sound Engineering Centre",
    "新媒体孵化平台": "New Media Incubation Platform",
    "文化科技产业联盟": "Culture-Tech Industry Alliance",
    "原创品牌展示中心": "Original Brand Showcase Centre",
    "众创空间": "Maker Space",
}
"""The platforms' English names."""

# (building, kind, name, name_en, platform, capacity, extra fields)
FACILITIES: list[tuple[str, str, str, str, str, int, dict[str, Any]]] = [
    ("D", "lab", "数字内容工程实验室", "Digital Content Engineering Lab", "深圳数字内容工程实验室", 12, {"opening_hours": LONG_HOURS}),
    ("D", "lab", "VR/AR 沉浸体验实验室", "VR/AR Immersive Lab", "虚拟现实重点实验室", 8, {"requires_authorization": True}),
    ("D", "lab", "人工智能创作实验室", "AI Creative Computing Lab", "文化科技企业技术中心", 10, {}),
    ("D", "lab", "文化遗产数字化实验室", "Heritage Digitisation Lab", "非遗数字化工程中心", 6, {"requires_approval": True}),
    ("A", "lab", "交互设计实验室", "Interaction Design Lab", "创意设计创新联盟", 8, {}),
    ("C", "lab", "游戏测试实验室", "Game Testing Lab", "动漫游戏公共服务平台", 16, {"opening_hours": LONG_HOURS}),
    ("C", "equipment", "光学动作捕捉系统", "Optical Motion-Capture System", "动作捕捉中心", 1,
     {"requires_authorization": True, "requires_approval": True, "slot_minutes": 60, "min_duration_minutes": 120, "buffer_minutes": 30, "hourly_rate_fen": 80000}),
    ("D", "equipment", "渲染节点 1 号", "Render Node 1", "渲染计算中心", 8, {"opening_hours": ALWAYS_HOURS, "slot_minutes": 60, "max_duration_minutes": 1440, "hourly_rate_fen": 1500}),
    ("D", "equipment", "渲染节点 2 号", "Render Node 2", "渲染计算中心", 8, {"opening_hours": ALWAYS_HOURS, "slot_minutes": 60, "max_duration_minutes": 1440, "hourly_rate_fen": 1500}),
    ("D", "equipment", "渲染节点 3 号", "Render Node 3", "渲染计算中心", 8, {"opening_hours": ALWAYS_HOURS, "slot_minutes": 60, "max_duration_minutes": 1440, "hourly_rate_fen": 1500}),
    ("D", "equipment", "渲染节点 4 号", "Render Node 4", "渲染计算中心", 8, {"opening_hours": ALWAYS_HOURS, "slot_minutes": 60, "max_duration_minutes": 1440, "hourly_rate_fen": 1500}),
    ("D", "equipment", "工业级 3D 打印机（光固化）", "Industrial 3D Printer (SLA)", "3D 打印中心", 1, {"requires_authorization": True, "slot_minutes": 60, "hourly_rate_fen": 12000}),
    ("D", "equipment", "工业级 3D 打印机（金属）", "Industrial 3D Printer (Metal)", "3D 打印中心", 1, {"requires_authorization": True, "requires_approval": True, "slot_minutes": 60, "hourly_rate_fen": 30000}),
    ("D", "equipment", "桌面 3D 打印机组", "Desktop 3D Printer Bank", "3D 打印中心", 6, {"hourly_rate_fen": 2000}),
    ("D", "equipment", "三维激光扫描仪", "3D Laser Scanner", "非遗数字化工程中心", 1, {"requires_authorization": True, "hourly_rate_fen": 20000}),
    ("C", "equipment", "4K 调色台", "4K Colour Grading Suite", "影视后期制作平台", 1, {"slot_minutes": 60, "hourly_rate_fen": 25000}),
    ("C", "equipment", "8K 摄影机套装", "8K Cinema Camera Kit", "影视后期制作平台", 2, {"requires_approval": True, "slot_minutes": 60, "hourly_rate_fen": 40000}),
    ("B", "equipment", "大幅面数码印刷机", "Large-Format Digital Press", "高端印刷公共平台", 1, {"hourly_rate_fen": 15000}),
    ("C", "studio", "动作捕捉影棚", "Motion-Capture Stage", "动作捕捉中心", 1,
     {"booking_mode": "window", "slot_minutes": 60, "min_duration_minutes": 120, "max_duration_minutes": 480, "buffer_minutes": 30, "requires_authorization": False, "hourly_rate_fen": 120000}),
    ("C", "studio", "录音棚 A", "Recording Studio A", "声音工程中心", 1, {"slot_minutes": 60, "hourly_rate_fen": 30000}),
    ("C", "studio", "录音棚 B", "Recording Studio B", "声音工程中心", 1, {"slot_minutes": 60, "hourly_rate_fen": 20000}),
    ("C", "studio", "绿幕摄影棚", "Green-Screen Stage", "影视后期制作平台", 1, {"slot_minutes": 60, "min_duration_minutes": 60, "buffer_minutes": 30, "hourly_rate_fen": 60000}),
    ("B", "studio", "直播间 1", "Live-Streaming Room 1", "新媒体孵化平台", 1, {"hourly_rate_fen": 5000}),
    ("B", "studio", "直播间 2", "Live-Streaming Room 2", "新媒体孵化平台", 1, {"hourly_rate_fen": 5000}),
    ("B", "studio", "直播间 3", "Live-Streaming Room 3", "新媒体孵化平台", 1, {"hourly_rate_fen": 5000}),
    ("B", "studio", "播客间", "Podcast Booth", "新媒体孵化平台", 1, {"hourly_rate_fen": 3000}),
    ("A", "meeting_room", "会议室 A101", "Meeting Room A101", "", 1, {}),
    ("A", "meeting_room", "会议室 A102", "Meeting Room A102", "", 1, {}),
    ("A", "meeting_room", "会议室 A305（大）", "Meeting Room A305 (large)", "", 1, {"requires_approval": True}),
    ("A", "meeting_room", "洽谈室 A201", "Discussion Room A201", "", 1, {"opening_hours": SPLIT_HOURS}),
    ("B", "meeting_room", "会议室 B201", "Meeting Room B201", "", 1, {}),
    ("B", "meeting_room", "会议室 B202", "Meeting Room B202", "", 1, {}),
    ("B", "meeting_room", "创意工作坊 B501", "Creative Workshop B501", "创意设计创新联盟", 1, {"buffer_minutes": 15}),
    ("C", "meeting_room", "会议室 C102", "Meeting Room C102", "", 1, {}),
    ("D", "meeting_room", "会议室 D301", "Meeting Room D301", "", 1, {}),
    ("D", "meeting_room", "视频会议室 D302", "Video Conference Room D302", "", 1, {}),
    ("A", "event_hall", "路演厅", "Pitch Hall", "文化科技产业联盟", 1, {"requires_approval": True, "slot_minutes": 60, "min_duration_minutes": 60, "buffer_minutes": 60, "max_advance_days": 180}),
    ("B", "event_hall", "多功能展厅", "Multi-Purpose Exhibition Hall", "原创品牌展示中心", 1, {"requires_approval": True, "slot_minutes": 60, "min_duration_minutes": 120, "buffer_minutes": 60, "max_advance_days": 180}),
    ("A", "workstation", "共享工位区", "Shared Workstations", "众创空间", 40, {"opening_hours": LONG_HOURS, "max_duration_minutes": 720}),
    ("B", "workstation", "开放创作区", "Open Creative Floor", "众创空间", 24, {"opening_hours": LONG_HOURS, "max_duration_minutes": 720}),
]

FIRM_STEMS = [
    ("龙光", "Dragonlight"), ("海湾", "Bayside"), ("星图", "Starmap"), ("墨韵", "Inkrhythm"), ("云帆", "Cloudsail"),
    ("数艺", "Digiart"), ("光影", "Lightshade"), ("万象", "Myriad"), ("青禾", "Greenrice"), ("灵犀", "Lingxi"),
    ("鹏程", "Pengcheng"), ("锦绣", "Brocade"), ("拾光", "Timepick"), ("天工", "Tiangong"), ("南山", "Nanshan"),
    ("蔚蓝", "Azure"), ("朱雀", "Vermilion"), ("玄武", "Basalt"), ("白鹭", "Egret"), ("红树", "Mangrove"),
]
SECTOR_WORDS = {
    "creative_design": ("创意设计", "Creative Design"),
    "animation_games": ("动漫游戏", "Animation & Games"),
    "digital_publishing": ("数字出版", "Digital Publishing"),
    "news_media": ("新闻资讯", "News Media"),
    "new_media": ("新媒体", "New Media"),
    "film_tv_performing_arts": ("影视演艺", "Film & Performing Arts"),
    "cultural_tourism": ("文旅科技", "Cultural Tourism Tech"),
    "intangible_heritage": ("非遗数字", "Heritage Digital"),
    "high_end_printing": ("精品印刷", "Fine Printing"),
    "arts_crafts": ("工艺美术", "Arts & Crafts"),
    "cultural_software": ("文化软件", "Cultural Software"),
}


def make_uscc(rng: random.Random) -> str:
    body = "91" + "440305" + "".join(rng.choice(USCC_ALPHABET[:10]) for _ in range(8)) + rng.choice(USCC_ALPHABET)
    return body + uscc_check_character(body)


def _tenants(rng: random.Random, today: date) -> list[dict[str, Any]]:
    tenants = []
    for index in range(60):
        stem_cn, stem_en = FIRM_STEMS[index % len(FIRM_STEMS)]
        sector = SECTORS[index % len(SECTORS)]
        word_cn, word_en = SECTOR_WORDS[sector]
        suffix = "" if index < len(FIRM_STEMS) else ("二期" if index < 40 else "国际")
        suffix_en = "" if index < len(FIRM_STEMS) else (" II" if index < 40 else " International")
        staff = rng.randint(8, 600)
        qualifications: list[tuple[str, str, date | None]] = []
        if index in (0, 7, 13):
            qualifications.append(("leading_firm", f"SZCT-L-{2024 + index % 2}-{index:03d}", today + timedelta(days=400)))
        if index % 7 == 2:
            qualifications.append(("backbone_firm", f"SZCT-B-2025-{index:03d}", today + timedelta(days=300)))
        if index % 10 == 5:
            qualifications.append(("major_project", f"SZCT-M-2025-{index:03d}", today + timedelta(days=200)))
        if index % 3 == 0:
            # One in six of these certificates has lapsed: it must no longer count.
            expiry = today - timedelta(days=30) if index % 6 == 3 else today + timedelta(days=500)
            qualifications.append(("high_tech_enterprise", f"GR2024440{index:05d}", expiry))
        if index % 4 == 1:
            qualifications.append(("alliance_member", f"CTA-{index:04d}", None))
        if index % 5 == 0:
            qualifications.append(("original_brand", f"OB-{index:04d}", today + timedelta(days=700)))
        tenants.append(
            {
                "name": f"深圳{stem_cn}{word_cn}{suffix}有限公司",
                "name_en": f"Shenzhen {stem_en} {word_en}{suffix_en} Co., Ltd.",
                "uscc": make_uscc(rng),
                "sector": sector,
                "staff_count": staff,
                "rd_staff_count": int(staff * rng.uniform(0.1, 0.7)),
                "ip_count": rng.randint(0, 120),
                "slug": f"{stem_en.lower()}{'' if index < 20 else index}",
                "qualifications": qualifications,
            }
        )
    return tenants


async def is_loaded() -> bool:
    return await Building.exists().where(Building.code == BUILDINGS[0][0])


async def load_demo(now: datetime, zone: ZoneInfo) -> bool:
    """Load the demo base; False when it is already there (nothing is duplicated)."""
    if await is_loaded():
        return False
    rng = random.Random(SEED)
    ctx = DemoContext(rng=rng, now=now, zone=zone, password_hash=hash_password(DEMO_PASSWORD))
    today = now.astimezone(zone).date()
    async with transaction():
        if await is_loaded():
            return False
        for code, name, name_en, address, address_en in BUILDINGS:
            building = Building(code=code, name=name, name_en=name_en, address=address, address_en=address_en)
            await building.save()
            ctx.buildings.append(building.to_dict())
        building_ids = {b["code"]: b["id"] for b in ctx.buildings}
        facilities = []
        for building_code, kind, name, name_en, platform, capacity, extra in FACILITIES:
            facilities.append(
                Facility(
                    name=name, name_en=name_en, kind=kind, building=building_ids[building_code],
                    platform=platform, platform_en=PLATFORMS_EN.get(platform, ""), capacity=capacity,
                    **({"opening_hours": DEFAULT_OPENING_HOURS} | extra),
                )
            )
        await Facility.insert(*facilities)
        ctx.facilities = await Facility.select().order_by(Facility.id)
        for spec in _tenants(rng, today):
            tenant = Tenant(
                name=spec["name"], name_en=spec["name_en"], uscc=spec["uscc"], sector=spec["sector"],
                staff_count=spec["staff_count"], rd_staff_count=spec["rd_staff_count"], ip_count=spec["ip_count"],
                contact_email=f"office@{spec['slug']}.demo",
            )
            await tenant.save()
            for kind, certificate_no, valid_until in spec["qualifications"]:
                await QualificationRecord.insert(
                    QualificationRecord(tenant=tenant.id, kind=kind, certificate_no=certificate_no, valid_until=valid_until)
                )
            ctx.tenants.append(tenant.to_dict() | {"slug": spec["slug"], "qualification_kinds": [q[0] for q in spec["qualifications"]]})
        users = [
            User(email="admin@park.demo", name="系统管理员", role="admin"),
            User(email="manager@park.demo", name="林经理", role="manager"),
            User(email="ops@park.demo", name="陈主管", role="manager"),
        ]
        for tenant in ctx.tenants:
            users.append(User(email=f"admin@{tenant['slug']}.demo", name=f"{tenant['name'][2:4]}管理员", role="tenant_admin", tenant=tenant["id"]))
            for number in range(1 + tenant["id"] % 2):
                users.append(User(email=f"member{'' if number == 0 else number + 1}@{tenant['slug']}.demo",
                                  name=f"{tenant['name'][2:4]}成员{number + 1}", role="member", tenant=tenant["id"]))
        for user in users:
            user.password_hash = ctx.password_hash
            user.calendar_token = secrets.token_urlsafe(24)
            user.created_at = now
            user.password_changed_at = now
        await User.insert(*users)
        ctx.users = await User.select(User.id, User.email, User.name, User.role, User.tenant).order_by(User.id)
        for module_name in DOMAIN_STEPS:
            if importlib.util.find_spec(module_name) is not None:
                await importlib.import_module(module_name).load(ctx)
    return True
