import datetime as dt
import json
from importlib import resources

from thresher.metadata.dates import Structured, choose, machine_date, mentions, solar_hijri, url_date, valid


def dates_of(text, **kw):
    return [m.date for m in mentions(text, **kw)]


def test_written_formats_in_several_languages():
    assert dates_of("Published May 17, 2024") == ["2024-05-17"]
    assert dates_of("17 May 2024") == ["2024-05-17"]
    assert dates_of("Veröffentlicht am 17. Mai 2024") == ["2024-05-17"]
    assert dates_of("publié le 3 février 2023") == ["2023-02-03"]
    assert dates_of("5 de mayo de 2022") == ["2022-05-05"]
    assert dates_of("2024年5月17日") == ["2024-05-17"]
    assert dates_of("17.05.2024 and 2024-05-18") == ["2024-05-17", "2024-05-18"]
    assert dates_of("Sept. 3rd, 2021") == ["2021-09-03"]


def test_numeric_dates_follow_the_pages_convention():
    assert dates_of("03/05/2024") == ["2024-03-05"]
    assert dates_of("03/05/2024", day_first=True) == ["2024-05-03"]
    assert dates_of("25/12/2024") == ["2024-12-25"]  # only one reading is a date
    (m,) = mentions("03/05/2024")
    assert m.alternative == "2024-05-03"


def test_no_date_from_numbers_that_are_not_dates():
    assert dates_of("Call 2024 555 0199, item 12/45/2024, v1.2.2024, 31 February 2024") == []
    assert dates_of("It happened in May 2024.") == []


def test_labels_before_a_date():
    (updated,) = mentions("Last updated: August 19, 2025")
    assert updated.label == "updated"
    (copyright_,) = mentions("© 2024-01-01 Valley Gazette")
    assert copyright_.label == "copyright"
    (offer,) = mentions("Sale ends 03/31/2026")
    assert offer.label == "other"
    (plain,) = mentions("Jane Miller · May 17, 2024")
    assert plain.label == ""


def test_machine_and_url_dates():
    assert machine_date("2024-05-17T10:00:00+02:00") == "2024-05-17"
    assert machine_date("20240517") == "2024-05-17"
    assert machine_date("13/11/2025 09:21") is None
    assert url_date("https://news.example/2024/05/17/slug") == "2024-05-17"
    assert url_date("https://news.example/2024/slug") is None
    # a slug joined to the date by an encoded space or a file extension still leaves the date whole
    assert url_date("https://blog.example/articles/2025-12-15+Rust+backend") == "2025-12-15"
    assert url_date("https://blog.example/posts/2025-12-15.html") == "2025-12-15"
    assert url_date("https://blog.example/2025-12-150") is None  # not a day: a longer number
    assert url_date("https://blog.example/2025-12-1.5") is None  # a version, not a day
    assert valid(2023, 2, 29) is None and valid(2024, 2, 29) == "2024-02-29"


def test_choose_prefers_the_stated_date_shown_beside_the_title():
    structured = Structured(published=(("2024-05-17", "json-ld"),), modified=(("2025-01-01", "json-ld"),))
    written = mentions("Otters\nJanuary 1, 2025\nMay 17, 2024")
    assert choose(structured, written, set(), (0, 100), None) == ("2024-05-17", "shown+stated")


def test_choose_takes_the_opening_post_of_a_thread_over_its_last_reply_shown_above_it():
    # a thread states every post as published; the header shows the last reply first, then the opening
    # post: the first stated publication is the page's
    structured = Structured(published=(("2024-01-03", "itemprop"), ("2024-09-26", "itemprop")),
                            modified=(("2024-09-26", "datemodified"),))
    written = mentions("Replacement projector\nSep 26, 2024\nStarted by Ann\nJan 3, 2024\nHello all")
    assert choose(structured, written, set(), (0, 200), None) == ("2024-01-03", "shown+stated")


def test_choose_passes_over_a_stated_date_shown_as_an_update():
    # a generic record states the day the page shows as "Updated"; the day labelled published wins
    structured = Structured(page_published=(("2025-08-21", "json-ld-page"),), modified=(("2025-08-20", "json-ld"),))
    written = mentions("Otters\nPublished: April 26, 2023\nUpdated: August 21, 2025\nText")
    assert choose(structured, written, set(), (0, 200), None) == ("2023-04-26", "shown")
    # without the label the stated day still counts as shown and stated
    written = mentions("Otters\nApril 26, 2023\nAugust 21, 2025\nText")
    assert choose(structured, written, set(), (0, 200), None) == ("2025-08-21", "shown+stated")


def test_choose_prefers_the_shown_day_to_a_hidden_publication_only_json_ld_states():
    written = mentions("Otters\nUpdated December 18, 2025\nText")
    only_json_ld = Structured(published=(("2025-06-17", "json-ld"),), modified=(("2025-06-17", "json-ld"),))
    assert choose(only_json_ld, written, set(), (0, 100), None) == ("2025-12-18", "shown")
    # a <meta> publication date stands, shown or not
    in_meta = Structured(published=(("2025-06-17", "article:published_time"), ("2025-06-17", "json-ld")))
    assert choose(in_meta, written, set(), (0, 100), None) == ("2025-06-17", "article:published_time")
    # nothing shown beside the title: the JSON-LD date stands
    assert choose(only_json_ld, mentions("Otters\nText"), set(), (0, 100), None) == ("2025-06-17", "json-ld")


def test_choose_prefers_an_earlier_day_shown_to_a_hidden_later_publication():
    # the markup states a re-publication; the page shows when it was first published
    stated = Structured(published=(("2024-07-05", "dc.date"),))
    assert choose(stated, mentions("Otters\nMarch 1, 2024\nText"), set(), (0, 100), None) == ("2024-03-01", "shown")
    # the day before may be the same instant in a time zone behind UTC: the markup's day stands
    assert choose(stated, mentions("Otters\nJuly 4, 2024\nText"), set(), (0, 100), None) == ("2024-07-05", "dc.date")
    # an earlier day labelled as an update is no publication
    assert choose(stated, mentions("Otters\nUpdated March 1, 2024\nText"), set(), (0, 100), None) == (
        "2024-07-05", "dc.date")
    # a later day shown beside a hidden <meta> publication date is its update: the markup's day stands
    assert choose(stated, mentions("Otters\nDecember 1, 2024\nText"), set(), (0, 100), None) == ("2024-07-05", "dc.date")


def test_choose_invents_nothing():
    assert choose(Structured(), [], set(), None, "https://example.org/about") is None


def test_month_names_agree_across_languages():
    raw = json.loads(resources.files("thresher").joinpath("data/date_words.json").read_text("utf-8"))
    seen: dict[str, int] = {}
    for names in raw["months"].values():
        for name, number in names.items():
            assert name == name.lower()
            assert seen.setdefault(name, number) == number, name


def test_stated_dates_written_for_people():
    from thresher.metadata.dates import stated_date

    assert stated_date("2024-05-17T10:00:00+02:00") == "2024-05-17"
    assert stated_date("Thu, 09/25/2025 - 11:38") == "2025-09-25"
    assert stated_date("13/11/2025 09:21:40") == "2025-11-13"
    assert stated_date("Jun 24, 2025") == "2025-06-24"
    assert stated_date("yesterday") is None


def test_year_first_with_the_month_by_name():
    # citations write "2023 Jan 7" (PubMed Central's citation_publication_date)
    assert dates_of("citation 2023 Jan 7; 12(1)") == ["2023-01-07"]
    assert dates_of("2024 Juni 30") == ["2024-06-30"]
    # a year ending a heading is not the year of the date on the next line
    assert dates_of("The best tutoring franchises of 2024\nSeptember 1st, 2023") == ["2023-09-01"]
    assert dates_of("Guide 2026 Dec 26th edition") == []


def test_day_month_year_with_hyphens():
    assert dates_of("on 04-ago-2021 5:11:10") == ["2021-08-04"]
    assert dates_of("17-May-2024") == ["2024-05-17"]


def test_a_word_inside_the_heading_above_a_date_is_not_its_label():
    # "Schedule" ends no label line: the date below the heading is the page's, not an event's
    (m,) = mentions("A Maintenance Schedule That's Easy to Follow\nOct 11, 2023")
    assert m.label == ""
    (m,) = mentions("Published:\nOct 11, 2023")
    assert m.label == "published"
    (m,) = mentions("Registered: 2024-01-27")
    assert m.label == "other"


def test_a_weekday_before_a_date_leaves_its_label_on_the_line_above():
    (joined,) = mentions("Posts: 524\nJoined:\n» Mon Jul 24, 2017 9:28 am")
    assert joined.label == "other"
    (de,) = mentions("Veröffentlicht:\nMontag, 17. Mai 2024")
    assert de.label == "published"
    (plain,) = mentions("by changingtimes\n» Sat Feb 24, 2024 12:41 pm")
    assert plain.label == ""


def test_forum_and_cms_labels_of_the_first_post():
    (started,) = mentions("Started by Biology Forums, June 04, 2024, 11:23:55 AM")
    assert started.label == "published"
    (submitted,) = mentions("this post was submitted on\n04 Mar 2026")
    assert submitted.label == "published"


def test_weekday_names_are_lower_case_and_not_month_names():
    raw = json.loads(resources.files("thresher").joinpath("data/date_words.json").read_text("utf-8"))
    months = {name for names in raw["months"].values() for name in names}
    for names in raw["weekdays"].values():
        for name in names:
            assert name == name.lower() and name not in months, name


def _evidence(**kw):
    from thresher.metadata.dates import Evidence

    text = kw.pop("text", "Home\nRiver otters return\nMay 17, 2024\nBody text. © 2020 Gazette")
    base = dict(structured=Structured(), written=mentions(text), times=frozenset(), header=(0, 60), url=None,
                text=text, rule=None)
    base.update(kw)
    return Evidence(**base)


def test_ranker_candidates_describe_each_day():
    from thresher.metadata.dates import RANKER_FEATURES, ranker_candidates

    structured = Structured(published=(("2024-05-17", "json-ld"),), modified=(("2025-01-02", "json-ld"),))
    days, rows = ranker_candidates(_evidence(structured=structured, rule="2024-05-17",
                                             url="https://news.example/2024/05/16/otters"))
    assert days == ["2024-05-16", "2024-05-17", "2025-01-02"]  # the copyright year is no day
    assert all(len(row) == len(RANKER_FEATURES) for row in rows)

    def value(day, name):
        return rows[days.index(day)][RANKER_FEATURES.index(name)]

    assert value("2024-05-17", "pub_first") == 1.0 and value("2024-05-17", "is_rule") == 1.0
    assert value("2024-05-17", "hdr") == 1.0 and value("2024-05-17", "txt_count") == 1.0
    assert value("2025-01-02", "mod_first") == 1.0 and value("2025-01-02", "is_latest") == 1.0
    assert value("2025-01-02", "hdr") == 0.0 and value("2025-01-02", "page_pub_shown") == 1.0
    assert value("2024-05-16", "url") == 1.0 and value("2024-05-16", "day_before_url") == 0.0
    assert value("2024-05-17", "days_from_pub") == 0.0 and value("2025-01-02", "days_from_pub") > 0


def test_ranker_sees_a_stated_time_early_in_the_utc_day():
    from thresher.metadata.dates import RANKER_FEATURES, ranker_candidates

    ev = _evidence(text="Otters\nDecember 18, 2025", structured=Structured(published=(("2025-12-19", "meta"),)),
                   early_utc=frozenset({"2025-12-19"}))
    days, rows = ranker_candidates(ev)
    assert rows[days.index("2025-12-18")][RANKER_FEATURES.index("day_before_early_utc")] == 1.0
    assert rows[days.index("2025-12-19")][RANKER_FEATURES.index("day_before_early_utc")] == 0.0


def test_no_candidates_no_rows():
    from thresher.metadata.dates import ranker_candidates

    assert ranker_candidates(_evidence(text="No dates here at all", header=None)) == ([], [])


def test_pick_keeps_the_rules_day_unless_beaten_by_the_margin():
    from thresher.metadata.dates import RANKER_FEATURES, pick

    rule = [0.0] * len(RANKER_FEATURES)
    rule[RANKER_FEATURES.index("is_rule")] = 1.0
    other = [0.0] * len(RANKER_FEATURES)
    days = ["2024-05-17", "2025-01-02"]
    assert pick(days, [rule, other], [0.5, 0.55], 0.7, 0.1) == "2024-05-17"
    assert pick(days, [rule, other], [0.3, 0.55], 0.7, 0.1) == "2025-01-02"
    # the rules gave no date: the best day only when it scores the threshold
    assert pick(days, [other, other], [0.5, 0.6], 0.7, 0.1) is None
    assert pick(days, [other, other], [0.5, 0.8], 0.7, 0.1) == "2025-01-02"
    assert pick([], [], [], 0.7, 0.1) is None


def test_the_date_ranker_comes_with_the_metadata_model(tmp_path):
    from thresher.metadata.dates import DateModel, load_model

    assert isinstance(load_model(), DateModel)
    assert load_model("none") is None
    payload = json.loads((resources.files("thresher") / "data" / "title_model.json").read_text("utf-8"))
    del payload["date"]
    title_only = tmp_path / "title_only.json"
    title_only.write_text(json.dumps(payload), encoding="utf-8")
    assert load_model(str(title_only)) is None


def test_the_urls_day_wins_over_an_early_utc_time_of_the_next_day():
    from thresher.metadata.dates import local_day

    url = "https://blog.example/2025/12/18/a-post"
    assert local_day("2025-12-19", url, {"2025-12-19"}) == "2025-12-18"
    assert local_day("2025-12-19", url, set()) is None  # a time late in the day, or in local time
    assert local_day("2025-12-19", "https://blog.example/2025/12/19/a-post", {"2025-12-19"}) is None
    assert local_day("2025-12-19", None, {"2025-12-19"}) is None


def test_leap_days_follow_the_gregorian_calendar():
    assert valid(2024, 2, 29) == "2024-02-29"
    assert valid(2100, 2, 29) is None  # divisible by 100, not by 400: no leap day
    assert valid(2000, 2, 29) == "2000-02-29"


def test_a_page_naming_a_day_that_does_not_exist_still_extracts():
    import thresher

    html = ("<html><head><title>Plans</title></head><body><article><h1>Plans for the century</h1>"
            "<p>Published 29 February 2100. The plan runs for a long time and says a lot about the future "
            "of the town and its people, with many sentences of text.</p></article></body></html>")
    doc = thresher.extract(html, url="https://example.org/2100/02/29/plans")
    assert doc.text and doc.date is None


def test_an_ambiguous_numeric_date_is_read_as_the_page_writes_its_other_dates():
    # the page writes its dates day first ("16 February 2026"): 03/10/2023 is 3 October
    listing = "Title\n03/10/2023\nby Staff\nRelated\n16 February 2026\n10 February 2026\n9 February 2026"
    first = mentions(listing)[0]
    assert (first.date, first.alternative) == ("2023-10-03", "2023-03-10")
    # ... and month first: 05/06/2024 is 6 May even on a page whose language reads day first
    us = "05/06/2024\nMay 3, 2024\nJune 4, 2024\nJuly 1, 2024"
    assert mentions(us, day_first=True)[0].date == "2024-05-06"
    # one unambiguous date is not a convention
    assert mentions("03/10/2023\n16 February 2026")[0].date == "2023-03-10"


def test_an_ambiguous_numeric_date_takes_the_reading_the_page_also_writes_out():
    text = "Part 1\n02-12-2025\nIntro\nRelated: Part 1\nDecember 02, 2025\n"
    assert [m.date for m in mentions(text)] == ["2025-12-02", "2025-12-02"]


def test_month_names_of_more_languages():
    assert dates_of("12 בינואר 2024") == ["2024-01-12"]  # the month glued to its preposition
    assert dates_of("15 जुलाई 2024") == ["2024-07-15"]  # vowel signs inside the month name
    assert dates_of("5 मई 2024") == ["2024-05-05"]  # a month name of two characters
    assert dates_of("24 يناير 2024") == ["2024-01-24"]
    assert dates_of("5 كانون الثاني 2024") == ["2024-01-05"]  # a month name of two words
    assert dates_of("5 Μαρτίου 2024") == ["2024-03-05"]  # genitive
    assert dates_of("5 березня 2024") == ["2024-03-05"]
    assert dates_of("5 Mart 2024") == ["2024-03-05"]
    assert dates_of("5 de marzo de 2024") == ["2024-03-05"]


def test_digits_of_other_scripts():
    assert dates_of("٢٤ يناير ٢٠٢٤") == ["2024-01-24"]  # Arabic-Indic
    assert dates_of("۲۴ ژانویه ۲۰۲۴") == ["2024-01-24"]  # Persian
    assert dates_of("๑๐ เมษายน ๒๕๖๗") == ["2024-04-10"]  # Thai
    m = mentions("نشر في ٢٤ يناير ٢٠٢٤")[0]
    assert (m.start, m.label) == (7, "published")  # offsets count in the text as written


def test_buddhist_era_years_only_with_a_month_of_their_language():
    assert dates_of("10 เมษายน 2567") == ["2024-04-10"]
    assert dates_of("10 เมษายน พ.ศ. 2567") == ["2024-04-10"]
    assert dates_of("2 กุมภาพันธ์ 2567") == ["2024-02-02"]
    assert dates_of("10 April 2567") == []
    assert dates_of("room 2567, 10 floors") == []


def test_dates_written_with_a_word_after_or_before_each_number():
    assert dates_of("2024년 3월 5일") == ["2024-03-05"]
    assert dates_of("入力 2024年3月5日") == ["2024-03-05"]
    assert dates_of("ngày 5 tháng 3 năm 2024") == ["2024-03-05"]
    assert dates_of("Cập nhật 5 tháng 3, 2024") == ["2024-03-05"]
    assert dates_of("3월 5일") == []  # no year: not a date of its own
    assert dates_of("tháng 13 năm 2024") == []


def test_solar_hijri_dates_are_converted_exactly():
    assert dates_of("۵ اسفند ۱۴۰۲") == ["2024-02-24"]
    assert dates_of("1 فروردین 1403") == ["2024-03-20"]  # Nowruz
    assert dates_of("30 اسفند 1403") == ["2025-03-20"]  # the leap day of a leap year
    assert dates_of("30 اسفند 1402") == []  # 1402 is no leap year
    assert dates_of("5 May 1402") == []  # a Gregorian month with a Solar Hijri year
    assert dates_of("price 1450, 12 مهر") == []


def test_solar_hijri_years_follow_each_other():
    for year in range(1369, 1479):
        first, following = solar_hijri(year, 1, 1), solar_hijri(year + 1, 1, 1)
        assert first and following
        length = (dt.date.fromisoformat(following) - dt.date.fromisoformat(first)).days
        assert length == (366 if solar_hijri(year, 12, 30) else 365)


def test_a_date_model_file_may_hold_several_rankers_whose_scores_are_averaged():
    from thresher.metadata.dates import DateModel, ranker_candidates

    single = json.loads((resources.files("thresher") / "data" / "title_model.json").read_text("utf-8"))["date"]
    dump = single.get("model") or single["models"][0]
    one = DateModel({**{k: v for k, v in single.items() if k not in ("model", "models")}, "model": dump})
    structured = Structured(published=(("2024-05-17", "json-ld"),), modified=(("2025-01-02", "json-ld"),))
    days, rows = ranker_candidates(_evidence(structured=structured, rule="2024-05-17"))
    alone = one.scores(rows)
    # two copies of one ranker score as that ranker (a mean, not a sum)
    twice = DateModel({**{k: v for k, v in single.items() if k not in ("model", "models")}, "models": [dump, dump]})
    assert len(twice.trees) == 2
    assert twice.scores(rows) == alone
    assert all(0.0 <= p <= 1.0 for p in alone)
    assert twice.choose(days, rows) == one.choose(days, rows)
    assert one.scores([]) == []
