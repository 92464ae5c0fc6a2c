"""Speak up (我要反映): how a resident comments on or complains about one community or
project. The local contacts (the community's office and grid worker, the lead unit's
hotline) come from the lists' declared contact columns; the district's office, hotline,
address and hours from the site settings; the public hotline (12345) is the fallback.
All are officials' office contacts, published on purpose (schema privacy ``contact``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.model.dataset import Area, Unit
from generator.schema import AREAS, SETTINGS, UNITS, SiteSettings

_PHONE = re.compile(r"^[0-9+][0-9 ()\-－—]{2,}[0-9]$")


@dataclass(frozen=True, slots=True)
class Contact:
    label: str
    value: str
    tel: str = ""  # digits for a tel: link when the value is a phone number alone
    who: str = ""  # the person answering (a grid worker), printed before the value


@dataclass(frozen=True, slots=True)
class SpeakUp:
    subject: str  # the community or project the block is about
    local: tuple[Contact, ...]  # of the community / lead unit, where the lists give them
    office: tuple[Contact, ...]  # the district's office (site settings)
    public_hotline: Contact | None


def contact(label: str, value: str) -> Contact:
    value = value.strip()
    tel = re.sub(r"[^0-9+]", "", value) if _PHONE.match(value) else ""
    return Contact(label, value, tel)


def _label(table, column: str) -> str:
    return table.column(column).label


def area_contacts(a: Area | None) -> list[Contact]:
    if a is None:
        return []
    out = [contact(_label(AREAS, c), getattr(a, c)) for c in ("office_phone", "office_address") if getattr(a, c)]
    if a.grid_worker or a.grid_worker_phone:
        phone = contact(_label(AREAS, "grid_worker"), a.grid_worker_phone)
        out.append(Contact(phone.label, phone.value, phone.tel, a.grid_worker))
    return out


def unit_contacts(u: Unit | None) -> list[Contact]:
    if u is None or not u.hotline:
        return []
    return [contact(f"{u.name}{_label(UNITS, 'hotline')}", u.hotline)]


def speak_up(settings: SiteSettings, subject: str, area: Area | None = None, unit: Unit | None = None) -> SpeakUp:
    label = {s.name: s.label for s in SETTINGS}
    office = [
        contact(label[name], getattr(settings, name))
        for name in ("office", "hotline", "office_address", "office_hours")
        if getattr(settings, name)
    ]
    public = contact(label["public_hotline"], settings.public_hotline) if settings.public_hotline else None
    return SpeakUp(subject, (*area_contacts(area), *unit_contacts(unit)), tuple(office), public)
