# The calendar's readers are in the region: Monday first, 24-hour times, as in the meetings' announcements.
FIRST_DAY_OF_WEEK = 1
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
