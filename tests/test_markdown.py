"""Descriptions are Markdown rendered to HTML that cannot carry script, styles or unsafe links."""

from events.markdown import render_markdown


def test_markdown_renders_paragraphs_lists_and_emphasis():
    html = render_markdown("The **key** objectives:\n\n* exchange information\n* review plans")
    assert html == (
        "<p>The <strong>key</strong> objectives:</p>\n<ul>\n<li>exchange information</li>\n<li>review plans</li>\n</ul>"
    )


def test_links_keep_http_and_mailto_and_gain_rel():
    html = render_markdown("[RCC](https://www.rcc.int) or [write](mailto:info@example.org)")
    assert html == (
        '<p><a href="https://www.rcc.int" rel="noopener noreferrer">RCC</a> or '
        '<a href="mailto:info@example.org" rel="noopener noreferrer">write</a></p>'
    )


def test_javascript_and_data_links_stay_plain_text():
    html = render_markdown("[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)")
    assert html == "<p>[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)</p>"


def test_raw_html_javascript_links_lose_their_target():
    assert render_markdown('<a href="javascript:alert(1)">click</a>') == '<p><a rel="noopener noreferrer">click</a></p>'


def test_raw_html_script_style_and_handlers_are_removed():
    html = render_markdown('<script>alert(1)</script><p style="color:red" onclick="x()">Hello</p><img src=x onerror=y>')
    assert html == "<p>Hello</p>"


def test_top_level_headings_become_third_level():
    assert render_markdown("# Agenda\n\n## Day one") == "<h3>Agenda</h3>\n<h3>Day one</h3>"


def test_empty_description_renders_nothing():
    assert render_markdown("") == ""
