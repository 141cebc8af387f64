"""What happened and where: channels, parties, agencies, and the default category list."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    ON_SITE = "on_site"
    TELEPHONE = "telephone"
    EMAIL_OR_LETTER = "email_or_letter"
    SOCIAL_MEDIA = "social_media"
    COVERT_RECORDING = "covert_recording"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            Channel.ON_SITE: "On a school or trust site",
            Channel.TELEPHONE: "Telephone",
            Channel.EMAIL_OR_LETTER: "Email or letter",
            Channel.SOCIAL_MEDIA: "Social media or a public website",
            Channel.COVERT_RECORDING: "Covert audio or video recording",
            Channel.OTHER: "Another setting judged in scope",
        }[self]


class PartyRole(StrEnum):
    AFFECTED = "affected"
    STAFF_TARGETED = "staff_targeted"
    WITNESS = "witness"


class Agency(StrEnum):
    POLICE = "police"
    LADO = "lado"
    SOCIAL_CARE = "social_care"
    OFSTED = "ofsted"
    LEGAL_TEAM = "legal_team"
    SOCIAL_NETWORK = "social_network"

    @property
    def label(self) -> str:
        return {
            Agency.POLICE: "Police",
            Agency.LADO: "Local authority designated officer (LADO)",
            Agency.SOCIAL_CARE: "Social care / MASH referral",
            Agency.OFSTED: "Ofsted",
            Agency.LEGAL_TEAM: "Trust legal team",
            Agency.SOCIAL_NETWORK: "Social network abuse report",
        }[self]


# Casebook's own wording of the behaviours both source policies name. A trust edits its copy.
DEFAULT_BEHAVIOUR_CATEGORIES: tuple[str, ...] = (
    "Threat of violence or harm",
    "Abusive or offensive language, shouting or loss of temper",
    "Intimidation, coercion or humiliation",
    "Aggressive or disruptive conduct",
    "Harassment, bullying or causing distress",
    "Physical violence, injury or damage to property",
    "Discriminatory conduct or language",
    "Persistent unwarranted correspondence",
    "False, malicious or vexatious accusations",
    "Alcohol, drugs or smoking on site, or arriving intoxicated",
    "Confronting another parent or a child",
    "Abusive emails, texts or voicemails",
    "Online posts: defamatory, campaigning, photos, impersonation or naming staff",
    "Covert recording",
    "Unsafe driving near a school",
    "Animal brought on site without agreement",
    "Photographs on site without permission",
    "Inappropriate dress",
    "Encouraging others to behave in these ways",
    "Other breach of the law or school policy",
)
