"""Formats, the constrained decoder and voting, on hand-made probability matrices."""

import numpy as np
import pytest

from skplate.decode import EMPTY_DECODING, balance_classes, decode_segments, pool_lookalikes
from skplate.formats import (
    ALPHABET,
    SPANISH_LETTERS,
    PlateFormat,
    get_formats,
    with_hidden_characters,
)
from skplate.voting import hard_vote, soft_vote


def proba_rows(*rows: dict[str, float]) -> np.ndarray:
    """Log-probability rows over ALPHABET from {char: probability} dicts.

    The probability left over is spread evenly over the other characters.
    """
    out = np.empty((len(rows), len(ALPHABET)))
    for i, row in enumerate(rows):
        rest = (1.0 - sum(row.values())) / (len(ALPHABET) - len(row))
        out[i] = rest
        for char, p in row.items():
            out[i, ALPHABET.index(char)] = p
    return np.log(out)


def confident(text: str, p: float = 0.9) -> list[dict[str, float]]:
    return [{c: p} for c in text]


SPANISH = get_formats("spanish")


class TestPlateFormat:
    def test_pattern_slots_and_matching(self):
        fmt = PlateFormat("NNNNAAA", letters=SPANISH_LETTERS)
        assert len(fmt) == 7
        assert fmt.matches("1277DPZ")
        assert not fmt.matches("1277DPA")  # vowel not allowed
        assert not fmt.matches("1277DP")
        assert not fmt.matches("127ADPZ")

    def test_allowed_mask(self):
        mask = PlateFormat("NA", letters="BC").allowed_mask(ALPHABET)
        assert mask.shape == (2, 36)
        assert mask[0, :10].all() and not mask[0, 10:].any()
        assert [ALPHABET[i] for i in np.flatnonzero(mask[1])] == ["B", "C"]

    @pytest.mark.parametrize("pattern", ["", "NNQ", "nnnn", 7])
    def test_bad_pattern(self, pattern):
        with pytest.raises(ValueError, match="pattern"):
            PlateFormat(pattern)

    def test_bad_letters(self):
        with pytest.raises(ValueError, match="letters"):
            PlateFormat("AAA", letters="AB1")

    def test_presets_and_lists(self):
        assert SPANISH == [PlateFormat("NNNNAAA", letters=SPANISH_LETTERS)]
        assert [len(f) for f in get_formats("any")] == [2, 3, 4, 5, 6, 7, 8]
        mixed = get_formats(["spanish", "NNNAA", "spanish"])
        assert len(mixed) == 2
        assert get_formats(None) == get_formats("any")

    def test_unknown_format_names_the_parameter(self):
        with pytest.raises(ValueError, match=r"plate_format.*'german'"):
            get_formats("german")

    def test_hidden_characters_widen_a_format_to_its_subsequences(self):
        widened = with_hidden_characters("spanish", 2)
        assert [f.pattern for f in widened] == [
            "NNNNAAA", "NNNNAA", "NNNAAA", "NNNNA", "NNNAA", "NNAAA"
        ]
        assert {f.letters for f in widened} == {SPANISH_LETTERS}
        assert [f.name for f in widened[:3]] == ["spanish", "spanish-1", "spanish-1"]
        # UC3M-LP's anonymised 38-3-PV shows 383PV: a consonant plate with 2 hidden.
        assert any(f.matches("383PV") for f in widened)
        assert not any(f.matches("383PA") or f.matches("38PV") for f in widened)
        assert with_hidden_characters("spanish", 0) == SPANISH
        # Every slot may hide but one.
        assert [f.pattern for f in with_hidden_characters("NA", 5)] == ["NA", "N", "A"]

    @pytest.mark.parametrize("max_hidden", [-1, 1.5, True, "2"])
    def test_hidden_characters_need_a_count(self, max_hidden):
        with pytest.raises(ValueError, match="max_hidden"):
            with_hidden_characters("spanish", max_hidden)

    def test_a_plate_with_hidden_characters_is_decoded_under_the_widened_format(self):
        # Five confident characters with a "U" look-alike where a consonant must stand:
        # whole plates read nothing, the widened format reads the consonant.
        rows = proba_rows(*confident("383P"), {"U": 0.5, "V": 0.4})
        assert decode_segments(rows, ALPHABET, SPANISH).text == ""
        widened = with_hidden_characters("spanish", 2)
        assert decode_segments(rows, ALPHABET, widened).text == "383PV"
        assert decode_segments(rows, ALPHABET, get_formats("any")).text == "383PU"


class TestDecoder:
    def test_reads_a_clean_row(self):
        decoding = decode_segments(proba_rows(*confident("1277DPZ")), ALPHABET, SPANISH)
        assert decoding.text == "1277DPZ"
        assert decoding.format_index == 0
        assert list(decoding.segments) == list(range(7))

    def test_skips_spurious_segments(self):
        # An EU-band "E" before the plate and border noise in the middle and at the end.
        rows = [{"E": 0.6}, *confident("1277"), {"I": 0.3, "1": 0.3}, *confident("DPZ"), {"1": 0.4}]
        decoding = decode_segments(proba_rows(*rows), ALPHABET, SPANISH)
        assert decoding.text == "1277DPZ"
        assert list(decoding.segments) == [1, 2, 3, 4, 6, 7, 8]

    def test_restricts_slots_to_allowed_characters(self):
        # Argmax would read "O" in a digit slot and "0" and "A" in letter slots.
        rows = [
            {"O": 0.6, "0": 0.3},
            *confident("277"),
            {"0": 0.5, "D": 0.4},
            {"A": 0.7, "P": 0.2},
            {"Z": 0.9},
        ]
        assert decode_segments(proba_rows(*rows), ALPHABET, SPANISH).text == "0277DPZ"

    def test_consonant_restriction(self):
        rows = [*confident("1277"), {"E": 0.8, "F": 0.15}, *confident("PZ")]
        assert decode_segments(proba_rows(*rows), ALPHABET, SPANISH).text == "1277FPZ"
        any_letter = [PlateFormat("NNNNAAA")]
        assert decode_segments(proba_rows(*rows), ALPHABET, any_letter).text == "1277EPZ"

    def test_too_few_segments_is_empty(self):
        assert (
            decode_segments(proba_rows(*confident("1277DP")), ALPHABET, SPANISH) == EMPTY_DECODING
        )

    def test_lengths_compete_fairly(self):
        formats = get_formats("any")
        six = decode_segments(proba_rows(*confident("B76ZHN")), ALPHABET, formats)
        assert six.text == "B76ZHN"
        # A weak extra segment is skipped rather than read as a seventh character.
        weak = decode_segments(proba_rows(*confident("B76ZHN"), {"1": 0.05}), ALPHABET, formats)
        assert weak.text == "B76ZHN"

    def test_skip_penalty_decides_between_lengths(self):
        rows = proba_rows(*confident("AB12"), {"7": 0.2})
        formats = get_formats("any")
        assert decode_segments(rows, ALPHABET, formats, skip_penalty=-0.5).text == "AB12"
        assert decode_segments(rows, ALPHABET, formats, skip_penalty=-5.0).text == "AB127"

    def test_per_segment_skip_scores_skip_what_is_not_a_character(self):
        # A sticker between "AWS" and "167" that the classifier half-reads as an "E".
        rows = proba_rows(*confident("AWS"), {"E": 0.3}, *confident("167"))
        formats = get_formats("any")
        assert decode_segments(rows, ALPHABET, formats).text == "AWSE167"
        # The classifier's "not a character" probability (0.6) as that segment's skip score.
        skip = np.full(len(rows), -2.5)
        skip[3] = np.log(0.6)
        decoding = decode_segments(rows, ALPHABET, formats, skip_penalty=skip)
        assert decoding.text == "AWS167"
        assert list(decoding.segments) == [0, 1, 2, 4, 5, 6]
        # The same scores as an array or a number decode alike.
        same = decode_segments(rows, ALPHABET, formats, skip_penalty=np.full(len(rows), -2.5))
        assert same.text == "AWSE167"

    def test_switch_penalty_reads_look_alikes_by_their_neighbours(self):
        # "O" is a little more likely than "0" in the third place, but the plate is all digits.
        rows = [*confident("31"), {"O": 0.48, "0": 0.42}, *confident("0000")]
        formats = get_formats("any")
        assert decode_segments(proba_rows(*rows), ALPHABET, formats).text == "31O0000"
        prior = decode_segments(proba_rows(*rows), ALPHABET, formats, switch_penalty=-1.0)
        assert prior.text == "3100000"
        # The score is the reading's: no type change is left to pay.
        expected = sum(np.log([0.9, 0.9, 0.42, 0.9, 0.9, 0.9, 0.9]))
        assert prior.score == pytest.approx(expected)
        # A clear letter between digits is still read as a letter, at the prior's cost.
        clear = [*confident("31"), {"O": 0.9}, *confident("0000")]
        reading = decode_segments(proba_rows(*clear), ALPHABET, formats, switch_penalty=-1.0)
        assert reading.text == "31O0000"
        assert reading.score == pytest.approx(7 * np.log(0.9) - 2.0)

    def test_switch_penalty_is_constant_within_a_fixed_format(self):
        # NNNNAAA always changes type once: the prior never changes what it reads.
        rows = [{"1": 0.5, "I": 0.45}, *confident("277"), {"D": 0.5, "0": 0.45}, *confident("PZ")]
        plain = decode_segments(proba_rows(*rows), ALPHABET, SPANISH)
        prior = decode_segments(proba_rows(*rows), ALPHABET, SPANISH, switch_penalty=-3.0)
        assert plain.text == prior.text == "1277DPZ"
        assert prior.score == pytest.approx(plain.score - 3.0)

    def test_pooled_lookalikes_are_read_by_their_neighbours(self):
        # The classifier prefers "0" for both round glyphs (as it does on real plates).
        rows = [*confident("G"), {"0": 0.8, "O": 0.15}, {"0": 0.8, "O": 0.15}, *confident("GLE")]
        log_proba = proba_rows(*rows)
        formats = get_formats("any")
        raw = decode_segments(log_proba, ALPHABET, formats, switch_penalty=-1.0)
        assert raw.text == "G00GLE"
        pooled = pool_lookalikes(log_proba, ALPHABET, ["0O"], 0.2)
        assert decode_segments(pooled, ALPHABET, formats, switch_penalty=-1.0).text == "GOOGLE"
        # Between digits the same glyph stays a digit; in a digit-only slot it is a digit.
        digits = pool_lookalikes(
            proba_rows(*confident("31"), {"0": 0.15, "O": 0.8}, *confident("0000")),
            ALPHABET,
            ["0O"],
            0.2,
        )
        assert decode_segments(digits, ALPHABET, formats, switch_penalty=-1.0).text == "3100000"

    def test_pooled_one_and_i_are_read_by_their_neighbours(self):
        # A plain bar stretched to the square is one solid block, a "1" or an "I"; this
        # classifier leans to "I" (as it does for a tenth of the real plates' "1").
        bar = {"I": 0.85, "1": 0.1}
        log_proba = proba_rows(*confident("XFG2"), bar, *confident("2"), bar)
        formats = get_formats("any")
        raw = decode_segments(log_proba, ALPHABET, formats, switch_penalty=-1.0)
        assert raw.text == "XFG2I2I"
        pooled = pool_lookalikes(log_proba, ALPHABET, ["0O", "1I"], 0.2)
        assert decode_segments(pooled, ALPHABET, formats, switch_penalty=-1.0).text == "XFG2121"
        # Among letters the same block stays a letter, whichever way the classifier leans.
        letters = proba_rows(*confident("LN"), {"1": 0.75, "I": 0.2}, *confident("GEEK"))
        pooled = pool_lookalikes(letters, ALPHABET, ["0O", "1I"], 0.2)
        assert decode_segments(pooled, ALPHABET, formats, switch_penalty=-1.0).text == "LNIGEEK"
        # Only the "0O" group pooled: the bars keep the classifier's letter.
        zero_o = pool_lookalikes(log_proba, ALPHABET, ["0O"], 0.2)
        assert decode_segments(zero_o, ALPHABET, formats, switch_penalty=-1.0).text == "XFG2I2I"

    def test_pool_lookalikes_keeps_the_group_mass(self):
        log_proba = proba_rows({"0": 0.6, "O": 0.1, "D": 0.2}, {"O": 0.5, "Q": 0.3})
        zero, letter_o = ALPHABET.index("0"), ALPHABET.index("O")
        unchanged = pool_lookalikes(log_proba, ALPHABET, ["0O"], 1.0)
        np.testing.assert_allclose(unchanged, log_proba)
        even = pool_lookalikes(log_proba, ALPHABET, ["0O"], 0.0)
        group = np.logaddexp(log_proba[:, zero], log_proba[:, letter_o])
        np.testing.assert_allclose(even[:, zero], group)
        np.testing.assert_allclose(even[:, letter_o], group)
        others = [i for i in range(len(ALPHABET)) if i not in (zero, letter_o)]
        np.testing.assert_array_equal(even[:, others], log_proba[:, others])
        half = pool_lookalikes(log_proba, ALPHABET, ["0O"], 0.5)
        assert half[0, zero] > half[0, letter_o] and half[1, letter_o] > half[1, zero]
        # Characters outside the classes, and one-member groups, pool nothing.
        np.testing.assert_array_equal(pool_lookalikes(log_proba, ALPHABET, ["0"], 0.0), log_proba)
        with pytest.raises(ValueError, match="weight"):
            pool_lookalikes(log_proba, ALPHABET, ["0O"], 1.5)

    def test_balance_classes_divides_the_prior_out(self):
        # Three classes trained 6:3:1; the segment's posterior 0.5 / 0.3 / 0.2.
        log_proba = np.log([[0.5, 0.3, 0.2]])
        prior = np.array([0.6, 0.3, 0.1])
        balanced = np.exp(balance_classes(log_proba, prior))
        expected = np.array([0.5 / 0.6, 0.3 / 0.3, 0.2 / 0.1])
        np.testing.assert_allclose(balanced, [expected / expected.sum()])
        assert balanced.argmax() == 2  # the rare class wins once its rarity is divided out
        half = np.exp(balance_classes(log_proba, prior, 0.5))
        expected = np.array([0.5, 0.3, 0.2]) / np.sqrt(prior)
        np.testing.assert_allclose(half, [expected / expected.sum()])
        np.testing.assert_allclose(balance_classes(log_proba, prior, 0.0), log_proba)
        # A kept column keeps its probability; the others share the rest.
        kept = np.exp(balance_classes(log_proba, prior, keep=np.array([False, False, True])))
        np.testing.assert_allclose(kept.sum(), 1.0)
        assert kept[0, 2] == pytest.approx(0.2)
        assert kept[0, 1] / kept[0, 0] == pytest.approx((0.3 / 0.3) / (0.5 / 0.6))

    def test_balanced_rare_digit_beats_a_common_letter(self):
        # Chars74K's natural scenes hold ten times as many "E" as "8": a blurred "8" the
        # network half reads "E" is read "8" once the training mix is divided out.
        prior = np.full(len(ALPHABET), 1.0)
        prior[ALPHABET.index("E")], prior[ALPHABET.index("8")] = 2.0, 0.8
        prior /= prior.sum()
        log_proba = proba_rows(*confident("12"), {"E": 0.45, "8": 0.35}, *confident("45"))
        formats = get_formats("any")
        raw = decode_segments(log_proba, ALPHABET, formats, switch_penalty=0.0)
        assert raw.text == "12E45"
        balanced = balance_classes(log_proba, prior)
        assert decode_segments(balanced, ALPHABET, formats, switch_penalty=0.0).text == "12845"

    @pytest.mark.parametrize(
        ("prior", "strength", "match"),
        [
            (np.full(4, 0.25), 1.0, r"one share per class \(3\)"),
            (np.array([0.5, 0.5, 0.0]), 1.0, "positive"),
            (np.array([0.5, np.nan, 0.5]), 1.0, "positive"),
            (np.full(3, 1 / 3), -1.0, "strength"),
        ],
    )
    def test_balance_classes_checks(self, prior, strength, match):
        with pytest.raises(ValueError, match=match):
            balance_classes(np.log([[0.5, 0.3, 0.2]]), prior, strength)

    @pytest.mark.parametrize(
        "formats",
        [get_formats("any"), get_formats(["AANNNN", "NNNNAAA", "NNN", "AANN", "NNNN"])],
    )
    def test_formats_read_together_as_each_alone(self, formats):
        """Formats that share their first slots share one programme; the reading is still
        the best of the formats decoded one by one (the first of them on a tie)."""
        rng = np.random.RandomState(0)
        for trial in range(200):
            rows = np.log(rng.dirichlet(np.full(len(ALPHABET), 0.3), size=rng.randint(0, 10)))
            if trial % 4 == 0:
                rows = np.round(rows, 1)  # ties between readings and formats
            skip = np.minimum(0.0, rng.normal(-2.0, 1.0, len(rows)))
            params = {"skip_penalty": skip, "switch_penalty": -1.0}
            together = decode_segments(rows, ALPHABET, formats, **params)
            alone = [decode_segments(rows, ALPHABET, [fmt], **params) for fmt in formats]
            best = max(range(len(formats)), key=lambda i: (alone[i].score, -i))
            if not np.isfinite(alone[best].score):
                assert together == EMPTY_DECODING
                continue
            assert together.text == alone[best].text
            assert together.score == alone[best].score
            assert together.format_index == best
            assert np.array_equal(together.segments, alone[best].segments)

    def test_shape_check(self):
        with pytest.raises(ValueError, match="shape"):
            decode_segments(np.zeros((3, 10)), ALPHABET, SPANISH)
        with pytest.raises(ValueError, match="skip_penalty"):
            decode_segments(np.zeros((3, 36)), ALPHABET, SPANISH, skip_penalty=1.0)
        with pytest.raises(ValueError, match=r"skip_penalty.*\(3,\)"):
            decode_segments(np.zeros((3, 36)), ALPHABET, SPANISH, skip_penalty=np.zeros(4))
        with pytest.raises(ValueError, match="skip_penalty"):
            decode_segments(np.zeros((3, 36)), ALPHABET, SPANISH, skip_penalty=[0.0, 0.5, 0.0])
        with pytest.raises(ValueError, match="switch_penalty"):
            decode_segments(np.zeros((3, 36)), ALPHABET, SPANISH, switch_penalty=0.5)


class TestVoting:
    def decode(self, rows):
        return decode_segments(proba_rows(*rows), ALPHABET, SPANISH)

    def test_hard_vote_majority_and_empty(self):
        a = self.decode(confident("1277DPZ"))
        b = self.decode(confident("1271DPZ"))
        text, share = hard_vote([a, a, b, EMPTY_DECODING], np.ones(4))
        assert text == "1277DPZ"
        assert share == pytest.approx(2 / 3)
        assert hard_vote([EMPTY_DECODING], np.ones(1)) == ("", 0.0)

    def test_hard_vote_weights(self):
        a = self.decode(confident("1277DPZ"))
        b = self.decode(confident("1271DPZ"))
        assert hard_vote([a, a, b], np.array([1.0, 1.0, 3.0]))[0] == "1271DPZ"

    def test_hard_vote_tie_goes_to_higher_score(self):
        sure = self.decode(confident("1277DPZ", 0.99))
        unsure = self.decode(confident("1271DPZ", 0.5))
        assert hard_vote([unsure, sure], np.ones(2))[0] == "1277DPZ"

    def test_soft_vote_combines_slots(self):
        # Each variant misreads a different slot; no variant reads the plate right, the sum does.
        truth = "1277DPZ"
        variants = []
        for wrong in range(3):
            rows = [{c: 0.9} for c in truth]
            rows[wrong] = {truth[wrong]: 0.4, "8": 0.5}
            variants.append(self.decode(rows))
        assert all(v.text != truth for v in variants)
        text, confidence = soft_vote(variants, np.ones(3), SPANISH, ALPHABET)
        assert text == truth
        assert 0 < confidence <= 1
        assert soft_vote([EMPTY_DECODING], np.ones(1), SPANISH, ALPHABET) == ("", 0.0)

    def test_soft_vote_applies_the_switch_prior_to_the_combined_slots(self):
        # Two variants lean to "O", one to "0", in a plate of digits: the combined slot
        # still leans to "O"; the prior reads it by its neighbours.
        formats = get_formats("any")
        variants = [
            decode_segments(
                proba_rows(*confident("31"), {"O": o, "0": 0.9 - o}, *confident("00")),
                ALPHABET,
                formats,
            )
            for o in (0.5, 0.5, 0.4)
        ]
        assert soft_vote(variants, np.ones(3), formats, ALPHABET)[0] == "31O00"
        text, _ = soft_vote(variants, np.ones(3), formats, ALPHABET, switch_penalty=-1.0)
        assert text == "31000"


    def test_soft_vote_takes_the_format_of_the_most_common_reading(self):
        # Three variants read scattered texts of seven characters (a badly binarised crop),
        # two agree on five: the agreed text wins; counted by variants, the length of seven.
        formats = get_formats("any")
        scattered = [
            decode_segments(proba_rows(*confident(text)), ALPHABET, formats)
            for text in ("IIEJIMI", "IKIAIII", "IIKVIMI")
        ]
        agreed = [decode_segments(proba_rows(*confident("037TD")), ALPHABET, formats)] * 2
        variants = scattered + agreed
        assert soft_vote(variants, np.ones(5), formats, ALPHABET)[0] == "037TD"
        by_variants = soft_vote(variants, np.ones(5), formats, ALPHABET, format_by="variants")
        assert len(by_variants[0]) == 7
        # Weights count, not variants: one scattered reading worth three wins.
        weights = np.array([3.0, 1.0, 1.0, 1.0, 1.0])
        assert soft_vote(variants, weights, formats, ALPHABET)[0] == "IIEJIMI"
        with pytest.raises(ValueError, match="format_by"):
            soft_vote(variants, np.ones(5), formats, ALPHABET, format_by="length")


class TestRecognitionDrivenDecoding:
    """decode_segments with ``spans``: runs of pieces that may be one character."""

    # A, a letter broken in two (read as two weak I), B, the run of both pieces, C.
    ROWS = ({"A": 0.9}, {"I": 0.6}, {"I": 0.6}, {"B": 0.9}, {"M": 0.95}, {"C": 0.9})
    SPANS = np.array([[0, 1], [1, 1], [2, 1], [3, 1], [1, 2], [4, 1]])
    FORMATS = get_formats("any")

    def test_a_run_of_two_pieces_is_read_as_one_character(self):
        decoding = decode_segments(
            proba_rows(*self.ROWS), ALPHABET, self.FORMATS, spans=self.SPANS
        )
        assert decoding.text == "AMBC"
        np.testing.assert_array_equal(decoding.segments, [0, 4, 3, 5])

    def test_merge_penalty_is_a_prior_against_joining(self):
        rows = proba_rows(*self.ROWS)
        kwargs = {"spans": self.SPANS}
        joined = decode_segments(rows, ALPHABET, self.FORMATS, merge_penalty=-0.5, **kwargs)
        assert joined.text == "AMBC"
        # Joining costs more than the two weak pieces lose: read them as they are.
        apart = decode_segments(rows, ALPHABET, self.FORMATS, merge_penalty=-5.0, **kwargs)
        assert apart.text == "AIIBC"
        pieces = decode_segments(rows[[0, 1, 2, 3, 5]], ALPHABET, self.FORMATS)
        assert apart.score == pytest.approx(pieces.score)

    def test_one_piece_per_segment_reads_as_without_spans(self):
        rng = np.random.default_rng(0)
        for n in (3, 7, 9):
            rows = np.log(rng.dirichlet(np.full(len(ALPHABET), 0.3), size=n))
            skip = np.log(rng.uniform(0.01, 0.5, size=n))
            plain = decode_segments(rows, ALPHABET, self.FORMATS, skip_penalty=skip)
            spans = np.column_stack([np.arange(n), np.ones(n, int)])
            same = decode_segments(rows, ALPHABET, self.FORMATS, skip_penalty=skip, spans=spans)
            assert (same.text, same.score) == (plain.text, plain.score)
            np.testing.assert_array_equal(same.segments, plain.segments)

    def test_the_pieces_count_for_the_shortest_format(self):
        # Two pieces and their run: a seven-slot format cannot be filled.
        rows = proba_rows(*confident("IIM"))
        spans = np.array([[0, 1], [1, 1], [0, 2]])
        assert decode_segments(rows, ALPHABET, SPANISH, spans=spans) == EMPTY_DECODING

    @pytest.mark.parametrize(
        ("spans", "pattern"),
        [
            (np.array([[0, 1], [1, 1]]), "shape"),
            (np.array([[0, 1], [2, 1], [0, 2]]), "each piece"),
            (np.array([[0, 1], [1, 1], [1, 2]]), "past the last"),
            (np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 2.0]]), "integers"),
        ],
    )
    def test_bad_spans(self, spans, pattern):
        with pytest.raises(ValueError, match=pattern):
            decode_segments(proba_rows(*confident("ABC")), ALPHABET, self.FORMATS, spans=spans)

    def test_positive_merge_penalty(self):
        with pytest.raises(ValueError, match="merge_penalty"):
            decode_segments(
                proba_rows(*self.ROWS), ALPHABET, self.FORMATS, spans=self.SPANS, merge_penalty=1
            )
