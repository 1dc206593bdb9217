"""The priority policy pages: the policy in force, rule by rule, and its published versions."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from park.priority.model import Policy
from park.priority.service import current_policy, policy_history
from park.shared.clock import utc_now
from park.shared.web import page, page_lang, settings_of


def words(item: Any, lang: str) -> str:
    return item.zh if lang == "zh_Hans" else item.en


def rule_words(policy: Policy, rule: str, lang: str) -> str:
    """The plain-words description of a breakdown rule (`qualification.leading_firm`, `rd_share`, ...)."""
    group, _, key = rule.partition(".")
    if group == "qualification":
        found = next((r for r in policy.qualifications if r.key == key), None)
    elif group == "sector":
        found = next((r for r in policy.sectors if r.key == key), None)
    elif rule == "rd_share":
        found = policy.rd_share
    elif rule == "ip_count":
        found = policy.ip_count
    elif rule == "penalty.no_show":
        found = policy.no_show
    else:
        found = None
    return words(found, lang) if found is not None else rule


class PolicyPage(Controller):
    path = "/policy"
    include_in_schema = False

    @get("")
    async def show(self, request: Request) -> Template:
        policy = current_policy(settings_of(request))
        lang = page_lang(request)
        return page(request, "priority/policy.html", policy=policy, words=lambda item: words(item, lang))

    @get("/history")
    async def history(self, request: Request) -> Template:
        versions = await policy_history(settings_of(request), utc_now())
        return page(request, "priority/policy_history.html", versions=versions)


ROUTES: list[Any] = [PolicyPage]
