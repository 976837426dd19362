"""Announcements read into draft meetings.

An editor (or a visitor proposing a meeting) pastes the prose of a regional body's
announcement; ``extraction.extract()`` reads it into one ``drafts.Draft`` per meeting the text
announces, each field with the words it was read from; ``names`` matches the text's names to
the database's organisations, programmes, topics, venues and countries; ``saving.save_drafts()``
saves reviewed drafts as meetings in one transaction. Rules and the database's own names only:
no model, no network. This room imports the core and ``organisations``, never the editors'
tools, so the public site may use it too.
"""
