"""The word lists and incident patterns behind the sample trust (`services.demo`).

Everything here is invented: common UK given and family names, made-up streets, and short
incident descriptions written for Casebook. Nothing names a real person.
"""

# Word lists read best as text; ruff would have them as one-word-per-line lists.
# ruff: noqa: SIM905
from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.cases import Stage
from desktop.domain.incidents import Channel
from desktop.domain.people import Relationship, VoluntaryRole

# Per school, in the sample trust's order: town, postcode district, year groups taught,
# share of cases.
SCHOOL_FACTS: tuple[tuple[str, int, int, int, int], ...] = (
    ("Riverside", 1, 0, 6, 32),
    ("Riverside", 3, 7, 13, 38),
    ("Northby", 5, 0, 6, 18),
    ("Southfield", 8, 0, 2, 12),
)

STAFF_POSTS = (
    ("Headteacher", "the headteacher"),
    ("Deputy headteacher", "the deputy headteacher"),
    ("School business manager", "the school business manager"),
    ("Office manager", "the office manager"),
    ("Receptionist", "the receptionist"),
    ("SENCo", "the SENCo"),
    ("Site manager", "the site manager"),
    ("Class teacher", "a class teacher"),
    ("Class teacher", "a class teacher"),
    ("Teaching assistant", "a teaching assistant"),
)

ADULT_NAMES = (
    "David Paul Mark James Andrew Richard Daniel Michael Christopher Stephen Lee Craig Gareth "
    "Darren Wayne Jason Imran Tariq Sean Kevin Sarah Emma Claire Lisa Nicola Rachel Laura "
    "Joanne Kelly Gemma Amy Hayley Samantha Natalie Victoria Louise Stacey Leanne Michelle Zoe "
    "Fatima Shabana Aoife Rebecca Kirsty Tom Ryan Adam Jamal Priya"
).split()
CHILD_NAMES = (
    "Oliver George Noah Arthur Leo Muhammad Harry Oscar Archie Henry Jack Theo Freddie Alfie "
    "Charlie Jacob Thomas Isaac Finley Ethan Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia "
    "Willow Rosie Sophia Isabella Grace Daisy Sienna Poppy Evie Elsie Ella Aisha Zara Maya Ruby"
).split()
FAMILY_NAMES = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen "
    "James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook "
    "Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Khan Marshall Anderson Simpson "
    "Ellis Adams Singh Begum Foster Chapman Powell Webb Rogers Gray Mason Ali Hussain Smithson "
    "Campbell Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Fisher O'Brien Kaur"
).split()
STREETS = (
    "Mill Lane|Church Street|Station Road|Victoria Road|Park Avenue|Queens Road|Orchard Close|"
    "Meadow Way|Willow Drive|Chestnut Grove|Brook Street|Elm Road|The Crescent|Cedar Close|"
    "Highfield Road|Manor Way"
).split("|")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# Relationship to the school, its weight, and how the person relates to the linked pupils.
RELATIONS = (
    (Relationship.PARENT, 70, Relationship.PARENT),
    (Relationship.CARER, 10, Relationship.CARER),
    (Relationship.LEGAL_RESPONSIBILITY, 3, Relationship.LEGAL_RESPONSIBILITY),
    (Relationship.FAMILY_MEMBER, 9, Relationship.FAMILY_MEMBER),
    (Relationship.VISITOR, 8, Relationship.VISITOR),
)
VOLUNTARY = (VoluntaryRole.PTA_MEMBER, VoluntaryRole.LOCAL_GOVERNOR, VoluntaryRole.VOLUNTEER)

# Incident patterns: "channel weight categories" (positions in DEFAULT_BEHAVIOUR_CATEGORIES,
# which a new store holds in that order), then the locations, a short summary and the
# description, each on its own line. Patterns after "safety" threaten immediate safety.
PATTERNS = """
on_site 9 1,3
Main gate; Playground at pick-up; Outside the school gates
Shouting at staff at the school gate
Shouted at {staff} at the gate during afternoon pick-up and would not leave when asked.
on_site 6 1
School office reception
Swearing at staff in reception
Swore repeatedly at {staff} in reception after being told an appointment was needed.
on_site 5 10,2
Playground at pick-up; Junior playground
Confronting another family's child
Went up to another family's child in the playground to tell them off about a falling-out.
on_site 3 9,3
School office reception; Main gate
Arriving at school intoxicated
Arrived to collect a child smelling strongly of alcohol and argued with {staff}.
on_site 3 16
School hall; Playing field
Photographing pupils without permission
Took photographs of pupils at a school event and would not delete them when {staff} asked.
on_site 4 3,5
Main entrance
Pushing past staff into the building
Pushed past {staff} to get into the building without signing in.
on_site 2 15
Playground at pick-up
Dog brought onto the playground
Brought a dog onto the playground again after being asked to keep it outside the gates.
on_site 4 2
Staff car park
Intimidating staff in the car park
Stood over {staff} in the car park and made remarks meant to intimidate.
telephone 9 1,7
Telephone call to the school office
Repeated abusive phone calls
Telephoned the office several times in one morning, shouting at {staff} and hanging up.
telephone 5 11
Voicemail to the school office
Abusive voicemail
Left a voicemail for {staff} after school hours containing abusive language.
email_or_letter 9 7
Emails to the school office; Emails to the headteacher
Persistent demanding emails
Sent a long series of emails in one week demanding same-day replies from {staff}.
email_or_letter 5 8
Email to the trust office
Unfounded accusations against staff
Emailed the trust accusing {staff} of lying about an incident, without giving any basis.
email_or_letter 2 6,1
Letter delivered by hand
Offensive letter about staff
Handed in a letter containing offensive and discriminatory remarks about {staff}.
social_media 8 12,18
Local parents' Facebook group; Class WhatsApp group
Online campaign against staff
Posted in a parents' group criticising {staff} by name and urging others to complain.
social_media 3 12,16
Public social media page
Pupil photos posted online
Shared photographs of pupils from a school trip on a public social media page.
social_media 2 12
Public social media page
Imitating the school online
Set up an account imitating the school's and posted misleading notices to parents.
social_media 5 12,4
Community Facebook page; Public post on X
Derogatory posts about the school
Posted derogatory comments about the school and {staff} on a community page.
covert_recording 3 13,12
Meeting room; School office
Covert recording of a meeting
Secretly recorded a meeting with {staff} and later shared part of it online.
other 2 2,4
Supermarket car park in town
Confronting staff away from school
Confronted {staff} in a car park in town about a school matter and followed them.
other 2 14
Lane outside the school
Unsafe driving outside school
Drove fast along the lane outside school at home time and mounted the pavement near pupils.
safety
on_site 2 0,3
Main gate
Threat of violence towards staff
Threatened to hurt {staff} at the gate and had to be escorted off the site; police called.
on_site 1 5,3
School office reception
Physical assault on staff
Pushed {staff} against a door during an argument in reception; the police were called.
telephone 1 0,11
Telephone call to the school office
Threats made by telephone
Said on the phone that they would come to school and harm {staff}; police told at once.
"""


@dataclass(frozen=True)
class Pattern:
    channel: Channel
    weight: int
    categories: tuple[int, ...]
    locations: tuple[str, ...]
    summary: str
    description: str


def read_patterns(text: str) -> tuple[tuple[Pattern, ...], tuple[Pattern, ...]]:
    everyday, _, safety = text.strip().partition("\nsafety\n")

    def read(block: str) -> tuple[Pattern, ...]:
        lines = block.splitlines()
        out = []
        for head, places, summary, description in zip(*[iter(lines)] * 4, strict=True):
            channel, weight, positions = head.split()
            categories = tuple(int(p) for p in positions.split(","))
            locations = tuple(p.strip() for p in places.split(";"))
            out.append(
                Pattern(Channel(channel), int(weight), categories, locations, summary, description)
            )
        return tuple(out)

    return read(everyday), read(safety)


TEMPLATES, SAFETY_TEMPLATES = read_patterns(PATTERNS)
WARNING = "Verbal warning given by the headteacher: asked to stop and offered a meeting."
MEDIATION = "Mediation meeting held with the headteacher; expectations agreed in writing."
SAFETY_REFERRAL = "Referred to the police at once because of a risk to safety."
LEGAL_REFERRAL = "Referred to the trust's legal team after the behaviour carried on."
CLOSE_ANY = ("No further incidents during the review period.", "The family moved away.")
CLOSE_AFTER = {
    Stage.VERBAL_WARNING: "Behaviour improved after the verbal warning.",
    Stage.MEDIATION: "Agreement reached at the mediation meeting and kept to.",
    Stage.POLICE_OR_LEGAL_REFERRAL: "Matter dealt with by the police and legal team.",
}
