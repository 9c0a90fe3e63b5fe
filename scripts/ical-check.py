#!/usr/bin/env python3
"""Checks Almanach's iCalendar output with an independent parser, the
`icalendar` package. Run by the Rust tests when ALMANACH_ICAL_CHECKER names
a Python that has it (.ci/run makes one in target/ical-venv):

    ical-check.py --first A.ics --second B.ics --edited C.ics --cancelled D.ics \
        --edited-uid U1 --cancelled-uid U2 --winter-uid U3 --summer-uid U4

A and B are two fetches of one feed, C the same after an edit of U1, D after
U2 was cancelled. U3 and U4 start at 14:00 Paris time, in winter and summer.
Or, for one file (an e-mail attachment): ical-check.py --file X.ics --local-start UID=HH:MM

Prints what failed and exits 1, or prints "ok" and exits 0.
"""
import argparse
import sys
from datetime import datetime, timedelta

import icalendar

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def load(path):
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    check(str(cal.get("VERSION")) == "2.0", f"{path}: VERSION is not 2.0")
    check(cal.get("PRODID") is not None, f"{path}: no PRODID")
    return cal


def events(cal):
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def paris_zone(path, cal):
    """The zone as the file's VTIMEZONE defines it, not looked up by name."""
    zones = [z for z in cal.walk("VTIMEZONE") if str(z["TZID"]) == "Europe/Paris"]
    check(len(zones) == 1, f"{path}: no Europe/Paris VTIMEZONE")
    if not zones:
        return None
    tz = zones[0].to_tz(lookup_tzid=False)
    for when, hours in ((datetime(2030, 1, 15, 14), 1), (datetime(2030, 7, 15, 14), 2), (datetime(2031, 3, 29, 12), 1), (datetime(2031, 3, 31, 12), 2)):
        offset = tz.utcoffset(when)
        check(offset == timedelta(hours=hours), f"{path}: the VTIMEZONE gives {offset} on {when}, not +{hours} h")
    return tz


def local_start(path, ev, tz, hhmm):
    start = ev["DTSTART"].dt
    check(str(ev["DTSTART"].params.get("TZID")) == "Europe/Paris", f"{path}: {ev['UID']} DTSTART is not in Europe/Paris")
    check(start.strftime("%H:%M") == hhmm, f"{path}: {ev['UID']} starts at {start.strftime('%H:%M')}, not {hhmm}")
    if tz is not None:
        # The same wall-clock time read with the file's own rules.
        naive = start.replace(tzinfo=None)
        check(naive.replace(tzinfo=tz).utcoffset() == start.utcoffset(),
              f"{path}: {ev['UID']}: the file's VTIMEZONE and the zone database disagree on {naive}")
    return start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--file")
    p.add_argument("--local-start", action="append", default=[])
    for name in ("first", "second", "edited", "cancelled", "edited-uid", "cancelled-uid", "winter-uid", "summer-uid"):
        p.add_argument(f"--{name}")
    a = p.parse_args()

    if a.file:
        cal = load(a.file)
        tz = paris_zone(a.file, cal)
        evs = events(cal)
        check(len(evs) > 0, f"{a.file}: no VEVENT")
        for spec in a.local_start:
            uid, hhmm = spec.rsplit("=", 1)
            check(uid in evs, f"{a.file}: no event {uid}")
            if uid in evs:
                local_start(a.file, evs[uid], tz, hhmm)
    else:
        first, second, edited, cancelled = (load(x) for x in (a.first, a.second, a.edited, a.cancelled))
        tz = paris_zone(a.first, first)
        e1, e2, e3, e4 = (events(c) for c in (first, second, edited, cancelled))
        check(len(e1) > 0, "the feed holds no event")
        check(sorted(e1) == sorted(e2), f"UIDs differ between two fetches: {sorted(e1)} / {sorted(e2)}")
        check(sorted(e1) == sorted(e3) == sorted(e4), "an edit or a cancellation changed the set of UIDs")
        seq = lambda evs, uid: int(evs[uid].get("SEQUENCE", 0))
        check(seq(e3, a.edited_uid) > seq(e1, a.edited_uid), "SEQUENCE did not increase after the edit")
        check(seq(e4, a.cancelled_uid) > seq(e3, a.cancelled_uid), "SEQUENCE did not increase after the cancellation")
        check(str(e4[a.cancelled_uid].get("STATUS")) == "CANCELLED", "the cancelled session is not STATUS:CANCELLED")
        check(str(e1[a.cancelled_uid].get("STATUS")) == "CONFIRMED", "the session was not CONFIRMED before")
        winter = local_start(a.first, e1[a.winter_uid], tz, "14:00")
        summer = local_start(a.first, e1[a.summer_uid], tz, "14:00")
        check(winter.utcoffset() == timedelta(hours=1), f"winter session at UTC{winter.utcoffset()}, not +1 h")
        check(summer.utcoffset() == timedelta(hours=2), f"summer session at UTC{summer.utcoffset()}, not +2 h")

    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
