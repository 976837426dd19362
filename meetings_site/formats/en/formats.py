# The calendar's readers are in the region: Monday first, 24-hour times, as in the meetings' announcements.
FIRST_DAY_OF_WEEK = 1
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "N j, Y, H:i"
# Dates are typed day first, as the region writes them; never Django's US fallback (%m/%d/%Y), which
# would read 04/05/2019 as 5 April. ISO first: the admin's date widgets write the first format.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"]
