from thresher.metadata.authors import clean, from_citation, join, json_ld_authors, written_byline


def test_labels_and_roles_around_a_name_are_dropped():
    assert clean("By Jane Miller") == "Jane Miller"
    assert clean("Written By: Tom May") == "Tom May"
    assert clean("BySummer Swann") == "Summer Swann"
    assert clean("Jane Miller, Senior Reporter") == "Jane Miller"
    assert clean("Keith Barry Senior Autos Reporter") == "Keith Barry"
    assert clean("Matteo Laratta| Author") == "Matteo Laratta"
    assert clean("Von Anna Schmidt") == "Anna Schmidt"
    assert clean("Maria &amp; Katerina") == "Maria & Katerina"


def test_a_date_after_the_name_is_cut():
    assert clean("Reyan Perumal Published") == "Reyan Perumal"
    assert clean("Andrew Gerrand 4 August 2010") == "Andrew Gerrand"
    assert clean("Luke Kim December 12, 2025") == "Luke Kim"
    assert clean("Tom May") == "Tom May"


def test_forum_user_cards():
    assert clean("amondale (Amondale)") == "amondale"
    assert clean("jldugger – jldugger") == "jldugger"
    assert clean("glenn jackman 88.7k") == "glenn jackman"


def test_what_is_not_a_name():
    assert clean("https://facebook.com/someone") is None
    assert clean("Updated March 3") is None
    assert clean("The Author") is None
    assert clean("More about this author and their work") is None
    assert clean("Post") is None


def test_team_names_are_kept():
    assert clean("The Investopedia Team") == "The Investopedia Team"


def test_join_and_citation_order():
    assert join(["A"]) == "A"
    assert join(["A", "B"]) == "A and B"
    assert join(["A", "B", "C"]) == "A, B, and C"
    assert from_citation("Roy, Aniruddha") == "Aniruddha Roy"
    assert from_citation("Aniruddha Roy") == "Aniruddha Roy"


def test_json_ld_authors_report_organisations():
    assert json_ld_authors([{"@type": "Person", "name": "A. One"}, "B. Two"]) == (["A. One", "B. Two"], False)
    assert json_ld_authors({"@type": "Organization", "name": "Clinic"}) == (["Clinic"], True)
    assert json_ld_authors(None) == ([], False)


def test_a_commenter_is_not_the_author():
    from selectolax.lexbor import LexborHTMLParser

    from thresher.metadata.authors import byline

    comments = ('<section class="comments"><ol class="commentlist"><li><p class="comment-author">Jane Doe</p>'
                "<p>Great post!</p></li></ol></section>")
    page = "<html><body><article><p>Text of the article.</p></article>" + comments + "</body></html>"
    assert byline(LexborHTMLParser(page).body) is None
    with_author = page.replace("<article>", '<article><p class="author-name">John Smith</p>')
    assert byline(LexborHTMLParser(with_author).body) == "John Smith"
    # a class that merely mentions comments (comments closed) is not a comment container
    closed = with_author.replace(comments, "").replace("<article>", '<article class="no-comments">')
    assert byline(LexborHTMLParser(closed).body) == "John Smith"


def test_a_surname_that_is_also_a_role_word_stays():
    assert clean("Ada Writer") == "Ada Writer"
    assert clean("Ada Writer, Editor") == "Ada Writer"
    assert clean("Jane, Editor") == "Jane"
    assert clean("Staff Writer") is None


def test_a_job_title_is_no_author():
    for title in ("Political Editor", "Sports Editor", "Deputy Editor", "Web Editor", "Tech Reporter",
                  "Science Writer", "Foreign Correspondent", "Special Correspondent", "Contributing Writer",
                  "Our Correspondent"):
        assert clean(title) is None, title
    assert clean("Jane Miller, Political Editor") == "Jane Miller"


def test_byline_labels_of_other_languages_are_dropped():
    assert clean("作者：王小明") == "王小明"
    assert clean("作者：王小明\u3000来源：新华社") == "王小明"
    assert clean("文：佐藤花子") == "佐藤花子"
    assert clean("بقلم: أحمد محمد") == "أحمد محمد"
    assert clean("מאת: דנה לוי") == "דנה לוי"
    assert clean("लेखक: राहुल शर्मा") == "राहुल शर्मा"
    assert clean("โดย สมชาย ใจดี") == "สมชาย ใจดี"
    assert clean("글: 김민지") == "김민지"
    assert clean("Автор: Иван Петров") == "Иван Петров"
    assert clean("نویسنده: علی رضایی") == "علی رضایی"
    assert clean("Yazar: Ayşe Yılmaz") == "Ayşe Yılmaz"
    assert clean("Tác giả: Nguyễn Văn An") == "Nguyễn Văn An"
    assert clean("Oleh: Budi Santoso") == "Budi Santoso"


def test_names_in_scripts_without_capitals():
    assert clean("김민지 기자 minji@example.com") == "김민지"  # the role after the name, an address
    assert clean("محمد بن سلمان آل سعود") == "محمد بن سلمان آل سعود"  # no capitals is not a phrase
    assert clean("राहुल शर्मा द्वारा") == "राहुल शर्मा"


def test_a_label_that_needs_its_colon():
    assert clean("文学部の紹介") == "文学部の紹介"  # "文" without a colon is not a label
    assert clean("Oleh Petrenko") == "Oleh Petrenko"  # a given name, not Indonesian "oleh"


def test_written_bylines_in_other_scripts():
    assert written_byline("Title\n作者：王小明\n2024年3月5日") == "王小明"
    assert written_byline("Title\nبقلم: أحمد محمد\n") == "أحمد محمد"
    assert written_byline("Title\nАвтор: Иван Петров\n5 марта 2024") == "Иван Петров"
    assert written_byline("Title\nBy Jane Miller\n") == "Jane Miller"
    assert written_byline("Title\nby 2030 the plan\n") is None
