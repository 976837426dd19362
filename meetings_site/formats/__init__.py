"""Date and time formats where Django's own differ from the site's rule: weeks start on Monday and
times read on a 24-hour clock in every language. Django reads only what a module here sets and
takes the rest from its own locale files; Montenegrin, which Django has no files for, is complete.
"""
