"""What each number counts. Every measure and breakdown column says what it counts;
reports.disclosure protects people, contacts and referrals, protects a rate or statistic with
the counts it is built on, and shows items and events exactly. A test checks that every key of
the registry is declared here."""


class Counts:
    """What a number counts. People, contacts and referrals are about participants, so whatever
    is published of them is protected (reports.disclosure); the rest is shown exactly."""

    PEOPLE = "people"  # distinct persons
    CONTACTS = "contacts"  # events each about one person: encounters, attendances, cards
    REFERRALS = "referrals"  # referrals, each of one participant
    ITEMS = "items"  # supplies, doses, syringes
    EVENTS = "events"  # things not about a participant: sessions, complaints, locations
    RATE = "rate"  # one count divided by another (MeasureDef.of)
    STATISTIC = "statistic"  # a median or mean over a group (MeasureDef.of: the group)

    PROTECTED = frozenset({PEOPLE, CONTACTS, REFERRALS})


MEASURE_COUNTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "unduplicated_participants": (Counts.PEOPLE, ()),
    "new_participants": (Counts.PEOPLE, ()),
    "encounters": (Counts.CONTACTS, ()),
    "anonymous_encounters": (Counts.CONTACTS, ()),
    "median_days_in_program": (Counts.STATISTIC, ("unduplicated_participants",)),
    "syringes_distributed": (Counts.ITEMS, ()),
    "syringes_collected": (Counts.ITEMS, ()),
    "syringes_disposed": (Counts.ITEMS, ()),
    "collection_ratio": (Counts.RATE, ("syringes_collected", "syringes_distributed")),
    "naloxone_doses": (Counts.ITEMS, ()),
    "naloxone_doses_received": (Counts.ITEMS, ()),
    "people_received_naloxone": (Counts.PEOPLE, ()),
    "naloxone_anonymous_encounters": (Counts.CONTACTS, ()),
    "naloxone_doses_participants": (Counts.ITEMS, ()),
    "naloxone_doses_for_others": (Counts.ITEMS, ()),
    "naloxone_doses_trainings": (Counts.ITEMS, ()),
    "naloxone_refills": (Counts.CONTACTS, ()),
    "reversals_reported": (Counts.CONTACTS, ()),
    "test_strips_distributed": (Counts.ITEMS, ()),
    "fentanyl_test_strips_distributed": (Counts.ITEMS, ()),
    "xylazine_test_strips_distributed": (Counts.ITEMS, ()),
    "secondary_distribution_people": (Counts.ITEMS, ()),
    "referrals_made": (Counts.REFERRALS, ()),
    "participants_referred": (Counts.PEOPLE, ()),
    "referrals_linked": (Counts.REFERRALS, ()),
    "linkage_rate": (Counts.RATE, ("referrals_linked", "referrals_made")),
    "median_days_to_linkage": (Counts.STATISTIC, ("referrals_linked",)),
    "trainings": (Counts.EVENTS, ()),
    "people_trained": (Counts.CONTACTS, ()),
    "distinct_people_trained": (Counts.PEOPLE, ()),
    "law_enforcement_trained": (Counts.PEOPLE, ()),
    "training_knowledge_gain": (Counts.STATISTIC, ("people_trained",)),
    "locations_active": (Counts.EVENTS, ()),
    "educational_materials_distributed": (Counts.ITEMS, ()),
    "cards_issued": (Counts.CONTACTS, ()),
    "card_verifications": (Counts.EVENTS, ()),
    "complaints_received": (Counts.EVENTS, ()),
    "complaints_reported_in_time": (Counts.EVENTS, ()),
    "complaints_resolved": (Counts.EVENTS, ()),
    "stick_injuries": (Counts.PEOPLE, ()),
    "found_syringe_reports": (Counts.EVENTS, ()),
    "found_syringe_reports_cleaned_up": (Counts.EVENTS, ()),
    "police_interactions": (Counts.CONTACTS, ()),
    "police_confiscations": (Counts.CONTACTS, ()),
    "police_confiscations_despite_card": (Counts.CONTACTS, ()),
}

# What each column of a breakdown counts, in column order; a breakdown whose columns are
# made from choices (referrals by status, supplies by category) names one kind for them all.
BREAKDOWN_COUNTS: dict[str, tuple[str, ...]] = {
    "encounters_by_site": (Counts.CONTACTS, Counts.PEOPLE),
    "encounters_by_kind": (Counts.CONTACTS,),
    "age_band": (Counts.PEOPLE,),
    "gender": (Counts.PEOPLE,),
    "race_ethnicity": (Counts.PEOPLE,),
    "zip3": (Counts.PEOPLE,),
    "populations": (Counts.PEOPLE,),
    "substances": (Counts.PEOPLE,),
    "routes_of_use": (Counts.PEOPLE,),
    "supplies_by_category": (Counts.ITEMS,),
    "supplies_by_funding_source": (Counts.ITEMS,),
    "test_strips_by_kind": (Counts.ITEMS,),
    "naloxone_received_by_source": (Counts.ITEMS,),
    "naloxone_doses_by_recipient": (Counts.ITEMS,),
    "refill_reasons": (Counts.CONTACTS,),
    "syringes_collected_by_source": (Counts.ITEMS,),
    "referrals_by_kind_status": (Counts.REFERRALS,),
    "trainings_by_kind": (Counts.EVENTS, Counts.CONTACTS),
    "trainings_by_audience": (Counts.EVENTS, Counts.CONTACTS),
}
