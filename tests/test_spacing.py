"""New-card positions: first cards in learning order, a term's other cards two days of new cards later."""

from glossdeck.spacing import SIBLING_GAP, new_card_positions


def terms(count: int, cards: int = 2) -> list[list[str]]:
    return [[f"t{t}/{c}" for c in range(cards)] for t in range(count)]


def test_first_cards_keep_the_learning_order_and_seconds_follow_a_gap_later():
    positions = new_card_positions(terms(100))
    order = sorted(positions, key=positions.get)
    assert order[:40] == [f"t{t}/0" for t in range(40)]  # two days of first cards
    assert order[40:80] == [f"t{t}/1" for t in range(40)]  # then their second cards, in the same order
    assert order[80:120] == [f"t{t}/0" for t in range(40, 80)]
    assert sorted(positions.values()) == list(range(200))
    for t in range(80):
        assert positions[f"t{t}/1"] - positions[f"t{t}/0"] >= SIBLING_GAP
    # the last 20 terms: no first card is left to put between, so their seconds follow one day later
    assert order[160:] == [f"t{t}/0" for t in range(80, 100)] + [f"t{t}/1" for t in range(80, 100)]


def test_no_twenty_consecutive_cards_hold_two_cards_of_a_term_while_first_cards_remain():
    cards = [[f"t{t}/{c}" for c in range(2 + t % 4)] for t in range(300)]  # some terms with views or clozes
    positions = new_card_positions(cards)
    term_at = {p: card.split("/")[0] for card, p in positions.items()}
    last_first = max(positions[c[0]] for c in cards)
    for day in range(0, last_first + 1, 20):
        shown = [term_at[p] for p in range(day, day + 20) if p in term_at and p <= last_first]
        assert len(shown) == len(set(shown)), day
    for term in cards:
        steps = [positions[c] for c in term]
        assert steps == sorted(steps)  # a term's cards in the order given
        assert all(b - a >= SIBLING_GAP for a, b in zip(steps, steps[1:]) if b <= last_first)


def test_the_last_cards_come_closer_only_when_nothing_else_is_left():
    positions = new_card_positions(terms(3, cards=3), gap=40)
    order = sorted(positions, key=positions.get)
    assert order == ["t0/0", "t1/0", "t2/0", "t0/1", "t1/1", "t2/1", "t0/2", "t1/2", "t2/2"]


def test_a_term_without_cards_is_skipped_and_the_gap_can_be_changed():
    positions = new_card_positions([["a/0", "a/1"], [], ["b/0"], ["c/0"], ["d/0"]], gap=3)
    assert sorted(positions, key=positions.get) == ["a/0", "b/0", "c/0", "a/1", "d/0"]


def test_a_new_terms_later_cards_come_after_every_other_card():
    cards = terms(60, cards=3)
    positions = new_card_positions(cards, late={5, 50})
    assert positions["t5/0"] == 5 and positions["t50/0"] < positions["t51/0"]  # first cards in learning order
    after_the_rest = sorted(positions.values())[-4:]
    assert sorted(positions[c] for c in ("t5/1", "t50/1", "t5/2", "t50/2")) == after_the_rest
    assert positions["t5/2"] - positions["t5/1"] >= 2  # the two new terms' cards alternate at the end
    assert sorted(positions.values()) == list(range(180))
