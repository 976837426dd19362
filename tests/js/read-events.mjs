// Reads an iCalendar file on stdin with ical.js, the parser of web calendar clients, and prints
// each VEVENT's UID with its start and end, one JSON object: UTC instants (ISO 8601) for timed
// events, dates for all-day ones. The feed's own VTIMEZONEs are the only zone data ical.js has,
// so the instants are what a client that trusts the feed shows.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));

for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

const written = (time) => (time.isDate ? time.toString() : time.toJSDate().toISOString());
const events = {};
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  events[event.uid] = {
    start: written(event.startDate),
    end: vevent.hasProperty("dtend") ? written(event.endDate) : null,
  };
}
process.stdout.write(JSON.stringify(events));
