from ijlucht import quality

NONE = dict.fromkeys(("pm1", "pm25", "pm10", "t", "rh", "p"))


def values(**kw):
    return {**NONE, **kw}


def test_clean_reading_has_no_flags():
    assert quality.reading_flags(values(pm25=7.1, pm10=12.4, rh=60.0, t=9.8), age_s=5) == 0


def test_value_outside_physical_range_is_flagged():
    assert quality.reading_flags(values(rh=101.0), age_s=0) & quality.OUT_OF_RANGE
    assert quality.reading_flags(values(pm25=-3.0), age_s=0) & quality.OUT_OF_RANGE
    assert quality.reading_flags(values(p=1100.0), age_s=0) & quality.OUT_OF_RANGE


def test_high_humidity_is_flagged_from_85_percent():
    assert quality.reading_flags(values(pm25=10.0, rh=85.0), age_s=0) & quality.HIGH_HUMIDITY
    assert not quality.reading_flags(values(pm25=10.0, rh=84.9), age_s=0) & quality.HIGH_HUMIDITY


def test_pm25_above_pm10_beyond_rounding_is_flagged():
    assert quality.reading_flags(values(pm25=12.0, pm10=10.0), age_s=0) & quality.PM25_ABOVE_PM10
    assert not quality.reading_flags(values(pm25=10.3, pm10=10.0), age_s=0) & quality.PM25_ABOVE_PM10


def test_late_and_unsynced_readings_are_flagged():
    f = quality.reading_flags(values(pm25=1.0), age_s=3600, clock_synced=False)
    assert f & quality.BACKFILLED and f & quality.CLOCK_NOT_SYNCED
    assert quality.flag_names(f) == ["clock_not_synced", "backfilled"]


def test_flag_bits_are_distinct_single_bits():
    bits = list(quality.NAMES)
    assert len(set(bits)) == len(bits)
    assert all(b and b & (b - 1) == 0 for b in bits)


def test_out_of_range_and_flatline_are_unclean_but_spike_and_the_other_flags_are_not():
    assert quality.flag_names(quality.UNCLEAN) == ["out_of_range", "flatline"]
    assert not quality.is_clean(quality.OUT_OF_RANGE) and not quality.is_clean(quality.FLATLINE | quality.BACKFILLED)
    for bit in quality.NAMES:
        if not bit & quality.UNCLEAN:
            assert quality.is_clean(bit), quality.NAMES[bit]
    assert quality.is_clean(0)


def test_docs_list_the_same_unclean_flags_as_the_code():
    """docs/quality.md's flag table has a column saying whether public figures leave a flagged reading out."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "quality.md").read_text(encoding="utf-8")
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in doc.splitlines() if line.startswith("| ")]
    header = rows[0]
    name, public = header.index("name"), header.index("public figures")
    documented = {r[name].strip("`"): r[public] for r in rows[1:] if r[name].strip("`") in quality.NAMES.values()}
    assert set(documented) == set(quality.NAMES.values())
    left_out = {n for n, v in documented.items() if v.startswith("left out")}
    assert left_out == set(quality.flag_names(quality.UNCLEAN))
    assert all(v.startswith(("left out", "counted")) for v in documented.values())
