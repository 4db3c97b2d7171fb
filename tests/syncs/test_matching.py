"""Suggested matches between ERP records and the portal's: near-duplicate names, tax ids,
numbers and addresses as people really write them; which suggestion is safe to link in bulk;
two ERP records never confidently linked to one portal record; no database."""

from __future__ import annotations

from syncs.matching import Party, PortalIndex, Suggestion, suggest, suggest_all

WYNKOOP = {"address": "1500 Wynkoop St", "city": "Denver", "zip": "80202"}


def top(erp: Party, portal: list[Party]) -> Suggestion:
    found = suggest(erp, portal)
    assert found, f"no suggestion for {erp.name!r}"
    return found[0]


def test_a_legal_form_spelt_differently_is_the_same_company():
    erp = Party("v-17", name="Front Range Framing, Inc.", address="1500 Wynkoop Street, Denver")
    portal = [
        Party(1, name="Front Range Framing Incorporated", **WYNKOOP),
        Party(2, name="Front Range Roofing LLC", address="88 Blake St", city="Denver"),
    ]

    found = suggest(erp, portal)

    assert [s.target for s in found] == [1]
    assert found[0].confident
    assert found[0].score == 100
    assert found[0].reasons == (
        'Name matches ("Front Range Framing, Inc." ~ "Front Range Framing Incorporated")',
        "Same address (1500 Wynkoop St, Denver)",
    )


def test_the_same_name_alone_is_suggested_for_review_not_bulk_linking():
    found = top(
        Party("v-17", name="Front Range Framing, Inc."), [Party(1, name="FRONT RANGE FRAMING")]
    )

    assert (found.target, found.score, found.confident) == (1, 85, False)


def test_punctuation_ampersand_accents_and_the_prefix_do_not_matter():
    assert top(
        Party("v-3", name="Mile High Steel & Iron LLC"), [Party(3, name="Mile-High Steel and Iron")]
    ).reasons == ('Name matches ("Mile High Steel & Iron LLC" ~ "Mile-High Steel and Iron")',)
    assert (
        top(Party("v-4", name="The Café Group, L.L.C."), [Party(4, name="Cafe Group Co.")]).score
        == 85
    )


def test_the_same_tax_id_is_the_same_company_whatever_the_names():
    erp = Party("v-9", name="Rocky Mountain Drywall", tax_id="841234567")
    portal = [
        Party(9, name="RMD Interiors", tax_id="84-1234567"),
        Party(10, name="Rocky Mtn Paint"),
    ]

    found = suggest(erp, portal)

    assert [s.target for s in found] == [9]
    assert found[0].confident
    assert found[0].reasons == ("Same tax id (84-1234567)",)


def test_different_tax_ids_are_never_confident_and_say_so():
    erp = Party("v-9", name="Rocky Mountain Drywall", tax_id="84-1234567", **WYNKOOP)
    portal = [Party(9, name="Rocky Mountain Drywall", tax_id="84-7654321", **WYNKOOP)]

    found = top(erp, portal)

    assert not found.confident
    assert found.score == 70
    assert "Different tax ids (84-1234567 / 84-7654321)" in found.reasons


def test_placeholder_and_empty_tax_ids_never_match():
    portal = [Party(1, name="Alpha Paving", tax_id="000000000"), Party(2, name="Beta Glass")]

    assert suggest(Party("v-1", name="Gamma Masonry", tax_id="00-0000000"), portal) == []
    assert suggest(Party("v-2", name="Delta Electric"), portal) == []


def test_one_word_in_common_is_not_a_match():
    # Decided: "Apex Mechanical" and "Apex Electrical" are two trades, two companies; a shared
    # first word is no reason to suggest one for the other.
    assert suggest(Party("v-5", name="Apex Mechanical"), [Party(5, name="Apex Electrical")]) == []


def test_a_missing_word_or_a_typo_is_a_similar_name_to_review():
    portal = [Party(6, name="Front Range Framing Services"), Party(7, name="Front Range Concrete")]

    missing = suggest(Party("v-6", name="Front Range Framing"), portal)
    typo = suggest(Party("v-7", name="Frnt Range Framing Services"), portal)

    assert [(s.target, s.reasons, s.confident) for s in missing] == [
        (6, ("Similar name (86%)",), False)
    ]
    assert typo[0].target == 6
    assert typo[0].reasons[0].startswith("Similar name (9")


def test_a_job_matches_the_project_whose_name_carries_its_number():
    job = Party("j-2403", number="2403", name="Platte Street Lofts")
    projects = [
        Party(21, name="2401 Union Station Garage"),
        Party(22, name="Platte River Commons"),
        Party(23, name="2403 Platte St. Lofts"),
    ]

    found = suggest(job, projects)

    assert [s.target for s in found] == [23]
    assert found[0].confident
    assert found[0].reasons == (
        'Name matches ("Platte Street Lofts" ~ "2403 Platte St. Lofts")',
        "Number in name (2403)",
    )


def test_the_same_number_counts_more_than_the_same_digits():
    job = Party("j-2401", number="2401", name="Union Station Garage")
    projects = [Party(31, number="J-2401", name="Elm Park"), Party(32, number="2401", name="Oak")]

    assert [(s.target, s.reasons) for s in suggest(job, projects)] == [
        (32, ("Same number (2401)",))
    ]
    renamed = top(job, [Party(33, number="J-2401", name="Union Station Parking Garage")])
    assert renamed.reasons == ("Similar name (86%)", "Similar number (2401 ~ J-2401)")


def test_the_same_address_written_two_ways():
    erp = Party("v-8", name="Wynkoop Holdings", address="1500 Wynkoop Street, Denver 80202")
    portal = [
        Party(8, name="Blake Partners", address="1500 Wynkoop St Denver 80202-1234"),
        Party(9, name="Next Door Partners", address="1550 Wynkoop St Denver 80202-1234"),
    ]

    found = suggest(erp, portal)

    assert [(s.target, s.score, s.reasons) for s in found] == [
        (8, 55, ("Same address (1500 Wynkoop St Denver)",))
    ]
    assert not found[0].confident


def test_two_near_identical_candidates_are_not_confident():
    erp = Party("v-11", name="Summit Concrete")
    portal = [
        Party(12, name="Summit Concrete LLC", city="Boulder"),
        Party(11, name="Summit Concrete, Inc.", city="Denver"),
    ]

    found = suggest(erp, portal, limit=1)

    assert [(s.target, s.score, s.confident) for s in found] == [(11, 85, False)]
    with_address = suggest(erp, [*portal, Party(13, name="Summit Concrete", **WYNKOOP)])
    assert [s.confident for s in with_address] == [False, False, False]


def test_only_the_top_suggestion_can_be_confident():
    erp = Party("v-14", name="Alpine Glass Inc", tax_id="84-5550001", **WYNKOOP)
    portal = [Party(14, name="Alpine Glass", tax_id="845550001"), Party(15, name="Alpine Glass")]

    found = suggest(erp, portal)

    assert [(s.target, s.score, s.confident) for s in found] == [
        (14, 100, True),
        (15, 85, False),
    ]


def test_two_erp_records_competing_for_one_portal_record_only_the_better_is_confident():
    framing = Party(1, name="Front Range Framing Incorporated", tax_id="84-1234567", **WYNKOOP)
    glass = Party(2, name="Alpine Glass", tax_id="84-5550001")
    erp = [
        Party("v-1", name="FRF Holdings", tax_id="84-1234567"),
        Party("v-2", name="Front Range Framing, Inc.", tax_id="84-1234567"),
        Party("v-3", name="Alpine Glass LLC", tax_id="84-5550001"),
    ]

    found = suggest_all(erp, [framing, glass])

    assert {key: [(s.target, s.score, s.confident) for s in v] for key, v in found.items()} == {
        "v-1": [(1, 95, False)],
        "v-2": [(1, 100, True)],
        "v-3": [(2, 100, True)],
    }


def test_two_erp_records_tied_for_one_portal_record_are_both_left_to_review():
    erp = [
        Party("v-1", name="Alpine Glass LLC", tax_id="84-5550001"),
        Party("v-2", name="Alpine Glass", tax_id="845550001"),
    ]

    found = suggest_all(erp, [Party(2, name="Alpine Glass", tax_id="84-5550001")])

    assert [(s.target, s.score, s.confident) for v in found.values() for s in v] == [
        (2, 100, False),
        (2, 100, False),
    ]


def test_empty_inputs():
    portal = [Party(1, name="Alpha Paving")]

    assert suggest(Party("v-1", name="Alpha Paving"), []) == []
    assert suggest(Party("v-2"), portal) == []
    assert suggest(Party("v-3", name="Alpha Paving"), portal, limit=0) == []
    assert suggest_all([], portal) == {}
    assert suggest_all([Party("v-4", name="Alpha Paving")], []) == {"v-4": []}


def test_ties_are_ranked_by_name_then_key():
    portal = [
        Party(9, name="Beta Pumping"),
        Party(3, name="Beta Pumping"),
        Party(1, name="beta pumping co"),
    ]

    assert [s.target for s in suggest(Party("v", name="Beta Pumping Inc"), portal)] == [3, 9, 1]


def test_only_records_sharing_something_are_compared():
    portal = [
        Party(1, name="Cherry Creek Electric"),
        Party(2, name="Larimer Plumbing", tax_id="84-2223334"),
        Party(3, name="Colfax Paving", number="V-880"),
        Party(4, name="Speer Masonry", **WYNKOOP),
        Party(5, name="Golden Eagle Roofing"),
    ]
    erp = Party("v", name="Cherry Hills Drywall", tax_id="842223334", number="880", **WYNKOOP)

    assert [p.key for p in PortalIndex(portal).candidates(erp)] == [1, 2, 3, 4]


def test_a_word_most_of_the_directory_holds_does_not_make_everyone_a_candidate():
    names = [f"Denver Concrete {a}{b}" for a in "abcdefghij" for b in "klmnopqrst"]
    index = PortalIndex([Party(i, name=name) for i, name in enumerate(names)])

    assert index.candidates(Party("v-1", name="Denver Concrete Pumping")) == []
    assert [p.name for p in index.candidates(Party("v-2", name="Denver Concrete bm"))] == [
        "Denver Concrete bm"
    ]
    assert suggest(Party("v-2", name="Denver Concrete bm"), index)[0].target == 12
