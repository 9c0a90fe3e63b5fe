//! schema.org `Event` descriptions of a public event's sessions, for search
//! engines and aggregators: when, where (the library's address), whether it
//! still takes place, for whom, at what price, and whether seats are left.
//! The page prints them with askama's `json` filter, which escapes `<`, `>`,
//! `&` and `'` so no text can close the `<script>` element.

use almanach_domain::link::PublicUrl;
use almanach_domain::programme::AttendanceMode;
use almanach_domain::registration::Availability;
use almanach_store::{Event, Library, SeatState, Session, Speaker};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Map, Value, json};

/// An instant as ISO 8601 with the offset the library's zone has then.
pub(crate) fn iso(tz: &TimeZone, at: i64) -> String {
    Timestamp::from_second(at)
        .map(|t| {
            let z = t.to_zoned(tz.clone());
            z.timestamp().display_with_offset(z.offset()).to_string()
        })
        .unwrap_or_default()
}

/// "4-10", "14-", "0-12"; None for all ages.
pub(crate) fn age_range(min: Option<u8>, max: Option<u8>) -> Option<String> {
    match (min, max) {
        (None, None) => None,
        (min, max) => Some(format!(
            "{}-{}",
            min.unwrap_or(0),
            max.map(|m| m.to_string()).unwrap_or_default()
        )),
    }
}

/// schema.org's word for what a person can do about the seats now.
pub(crate) fn availability(a: Availability) -> &'static str {
    match a {
        Availability::FreeEntry | Availability::Open { .. } => "https://schema.org/InStock",
        Availability::WaitingList => "https://schema.org/SoldOut",
        Availability::NotYetOpen { .. } => "https://schema.org/PreOrder",
        Availability::Closed | Availability::Past => "https://schema.org/OutOfStock",
        Availability::Cancelled => "https://schema.org/Discontinued",
    }
}

/// Everything the sessions of one page share.
pub(crate) struct Context<'a> {
    pub library: &'a Library,
    pub event: &'a Event,
    /// This page's address, `https://host/events/12`.
    pub page_url: &'a str,
    /// The installation's address, for the organiser's.
    pub base: &'a PublicUrl,
    pub now: i64,
}

fn place(ctx: &Context, room: Option<&str>) -> Value {
    let lib = ctx.library;
    let mut address = Map::new();
    address.insert("@type".into(), "PostalAddress".into());
    for (key, value) in [
        ("streetAddress", &lib.street_address),
        ("postalCode", &lib.postal_code),
        ("addressLocality", &lib.city),
        ("addressCountry", &lib.country),
    ] {
        if !value.is_empty() {
            address.insert(key.into(), value.as_str().into());
        }
    }
    let name = match room {
        Some(r) => format!("{r}, {}", lib.name),
        None => lib.name.clone(),
    };
    let mut place = json!({ "@type": "Place", "name": name, "address": address });
    let hours = lib.hours();
    if !hours.0.is_empty() {
        const DAYS: [&str; 7] = almanach_domain::fmt::DAYS_EN;
        let hm = |t: jiff::civil::Time| format!("{:02}:{:02}", t.hour(), t.minute());
        place["openingHoursSpecification"] = hours
            .0
            .iter()
            .filter_map(|r| {
                let day = DAYS.get(usize::try_from(r.weekday - 1).ok()?)?;
                Some(json!({
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": format!("https://schema.org/{day}"),
                    "opens": hm(r.open),
                    "closes": hm(r.close),
                }))
            })
            .collect();
    }
    place
}

/// One session as a schema.org `Event`.
pub(crate) fn session(
    ctx: &Context,
    s: &Session,
    seats: &SeatState,
    speakers: &[&Speaker],
    register: Option<&str>,
) -> Value {
    let tz = ctx.library.tz();
    let url = format!("{}#s{}", ctx.page_url, s.id);
    let (status, previous) = match (s.is_cancelled(), s.previous_starts_at) {
        (true, _) => ("https://schema.org/EventCancelled", None),
        (false, Some(p)) => ("https://schema.org/EventRescheduled", Some(iso(&tz, p))),
        (false, None) => ("https://schema.org/EventScheduled", None),
    };
    let online = json!({ "@type": "VirtualLocation", "url": ctx.page_url });
    let (mode, location) = match s.attendance_mode {
        AttendanceMode::InPerson => ("Offline", place(ctx, s.room_name.as_deref())),
        AttendanceMode::Online => ("Online", online),
        AttendanceMode::Hybrid => ("Mixed", json!([place(ctx, s.room_name.as_deref()), online])),
    };
    let price = if s.price_cents == 0 {
        "0".to_string()
    } else {
        format!("{}.{:02}", s.price_cents / 100, s.price_cents % 100)
    };
    let mut offer = json!({
        "@type": "Offer",
        "price": price,
        "priceCurrency": "EUR",
        "availability": availability(seats.offer.availability(ctx.now)),
        "url": register.map(|r| ctx.base.link(r)).unwrap_or_else(|| url.clone()),
    });
    if let Some(opens) = seats
        .settings
        .opens_at
        .filter(|_| seats.offer.registration_required)
    {
        offer["validFrom"] = iso(&tz, opens).into();
    }
    if let Some(left) = seats
        .offer
        .free()
        .filter(|_| seats.offer.registration_required)
    {
        offer["inventoryLevel"] = json!({ "@type": "QuantitativeValue", "value": left });
    }
    let mut e = json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": ctx.event.title,
        "description": ctx.event.description,
        "url": url,
        "startDate": iso(&tz, s.starts_at),
        "endDate": iso(&tz, s.ends_at),
        "eventStatus": status,
        "eventAttendanceMode": format!("https://schema.org/{mode}EventAttendanceMode"),
        "location": location,
        "offers": offer,
        "isAccessibleForFree": s.price_cents == 0,
        "organizer": { "@type": "Organization", "name": ctx.library.name, "url": ctx.base.link("/agenda") },
    });
    if let Some(p) = previous {
        e["previousStartDate"] = p.into();
    }
    if let Some(range) = age_range(s.age_min, s.age_max) {
        e["typicalAgeRange"] = range.into();
    }
    if !speakers.is_empty() {
        e["performer"] = speakers
            .iter()
            .map(|p| match p.organisation.trim() {
                "" => json!({ "@type": "Person", "name": p.name }),
                org => json!({ "@type": "Person", "name": p.name, "affiliation": { "@type": "Organization", "name": org } }),
            })
            .collect();
    }
    if !ctx.event.picture_url.is_empty() {
        e["image"] = ctx.event.picture_url.as_str().into();
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_ranges_as_schema_org_writes_them() {
        assert_eq!(age_range(Some(4), Some(10)).as_deref(), Some("4-10"));
        assert_eq!(age_range(Some(14), None).as_deref(), Some("14-"));
        assert_eq!(age_range(None, Some(12)).as_deref(), Some("0-12"));
        assert_eq!(age_range(None, None), None);
    }

    #[test]
    fn instants_carry_the_offset_of_their_season() {
        let paris = almanach_domain::calendar::paris();
        assert_eq!(iso(&paris, 1_736_604_000), "2025-01-11T15:00:00+01:00");
        assert_eq!(iso(&paris, 1_752_238_800), "2025-07-11T15:00:00+02:00");
    }
}
