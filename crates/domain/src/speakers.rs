//! The speakers' directory and the prospecting pipeline: a speaker's
//! profile as parsed from a form (region from the postcode, SIRET checked,
//! fees), the pipeline's stages and their allowed moves, and the facts the
//! directory is filtered by (never booked, not booked for a year, rating).

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::parse_date;
use crate::programme::{
    AgeRange, THEME_CATEGORIES, parse_categories, parse_line, parse_name, parse_price, parse_text,
    slug_enum,
};
use crate::{Problem, Problems};

slug_enum!(SpeakerKind { Person = "person", Organisation = "organisation" });
slug_enum!(
    /// What a speaker offers to lead.
    Format { Talk = "talk", Workshop = "workshop", Demonstration = "demonstration", Online = "online" }
);
slug_enum!(
    Audience {
        Adults = "adults",
        Teens = "teens",
        Children = "children",
        Families = "families",
        Seniors = "seniors",
        Professionals = "professionals",
    }
);
slug_enum!(
    /// Where a speaker comes from, seen from the library: the same
    /// département, the Paris region, elsewhere in France, abroad. Local
    /// speakers first: cheaper, closer, easier to book again.
    Region { Local = "local", IleDeFrance = "ile_de_france", France = "france", Abroad = "abroad" }
);

// slug_enum! takes no attribute per variant, so `#[default]` cannot be derived.
#[allow(clippy::derivable_impls)]
impl Default for SpeakerKind {
    fn default() -> Self {
        SpeakerKind::Person
    }
}

/// The départements of Île-de-France.
pub const ILE_DE_FRANCE: [&str; 8] = ["75", "77", "78", "91", "92", "93", "94", "95"];

/// The département of a French postcode: two digits, `2A`/`2B` for Corsica
/// (20000–20199 is Corse-du-Sud, 20200–20699 Haute-Corse), three digits
/// overseas (971 Guadeloupe … 976 Mayotte, 98x for the Pacific and Monaco).
pub fn departement(postcode: &str) -> Option<String> {
    let p = postcode.trim();
    if p.len() != 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = p.parse().ok()?;
    match &p[..2] {
        "00" | "96" | "99" => None,
        "20" if n < 20200 => Some("2A".into()),
        "20" => Some("2B".into()),
        "97" | "98" => Some(p[..3].to_string()),
        two => Some(two.to_string()),
    }
}

/// Empty, "France" or "FR": the speaker lives in France.
pub fn is_france(country: &str) -> bool {
    matches!(country.trim().to_lowercase().as_str(), "" | "france" | "fr")
}

/// The speaker's region seen from the library; None when the postcode
/// says nothing (empty, or not a French one).
pub fn region(library_postcode: &str, postcode: &str, country: &str) -> Option<Region> {
    if !is_france(country) {
        return Some(Region::Abroad);
    }
    let dep = departement(postcode)?;
    // Monaco has French postcodes (980xx) but is another country.
    if dep == "980" {
        return Some(Region::Abroad);
    }
    Some(
        if departement(library_postcode).as_deref() == Some(dep.as_str()) {
            Region::Local
        } else if ILE_DE_FRANCE.contains(&dep.as_str()) {
            Region::IleDeFrance
        } else {
            Region::France
        },
    )
}

/// A postcode: five digits naming a département in France, free (up to
/// 12 characters) abroad; empty when unknown.
pub fn parse_postcode(field: &'static str, s: &str, in_france: bool) -> Result<String, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    if in_france {
        return departement(s)
            .map(|_| s.to_string())
            .ok_or_else(|| Problem::field(field, "error.postcode"));
    }
    parse_line(field, s, 12)
}

/// The Luhn checksum SIREN and SIRET numbers carry.
pub fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// La Poste's SIREN: it has more establishments than the Luhn key can
/// number, so INSEE checks its SIRETs by the sum of their digits being a
/// multiple of 5 instead.
const LA_POSTE_SIREN: &str = "356000000";

/// A SIRET (14 digits, spaces allowed as people copy them) whose key is
/// right; empty when not given.
pub fn parse_siret(s: &str) -> Result<String, Problem> {
    let digits: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    if digits.is_empty() {
        return Ok(String::new());
    }
    if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::field("siret", "error.siret_digits"));
    }
    let la_poste = digits.starts_with(LA_POSTE_SIREN)
        && digits
            .bytes()
            .map(|b| u32::from(b - b'0'))
            .sum::<u32>()
            .is_multiple_of(5);
    if luhn(&digits) || la_poste {
        Ok(digits)
    } else {
        Err(Problem::field("siret", "error.siret_key"))
    }
}

/// An amount in euros ("350", "120,50"), None when empty.
pub fn parse_fee(field: &'static str, s: &str) -> Result<Option<i64>, Problem> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    parse_price(s).map(Some).map_err(|p| Problem {
        field: Some(field),
        ..p
    })
}

/// A website: https:// or http://, no spaces.
pub fn parse_website(s: &str) -> Result<String, Problem> {
    let s = s.trim();
    let ok = s.is_empty()
        || ((s.starts_with("https://") || s.starts_with("http://"))
            && s.len() <= 300
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '"'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(Problem::field("website", "error.url"))
    }
}

/// The fees a speaker asks, in cents, each when known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fees {
    pub talk: Option<i64>,
    pub workshop: Option<i64>,
    pub day: Option<i64>,
}

impl Fees {
    /// The lowest known fee: what booking them costs at least.
    pub fn lowest(&self) -> Option<i64> {
        [self.talk, self.workshop, self.day]
            .into_iter()
            .flatten()
            .min()
    }
}

/// What the directory knows about a speaker beyond name and contacts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub kind: SpeakerKind,
    pub website: String,
    pub town: String,
    pub postcode: String,
    /// Empty for France.
    pub country: String,
    /// Theme categories (`THEME_CATEGORIES`) the speaker covers.
    pub categories: Vec<String>,
    /// Subjects in their own words.
    pub subjects: String,
    pub formats: Vec<Format>,
    pub audiences: Vec<Audience>,
    pub ages: AgeRange,
    pub fees: Fees,
    pub travel_cents: Option<i64>,
    pub accommodation: bool,
    pub travel_notes: String,
    pub siret: String,
    /// Charges VAT (otherwise "TVA non applicable, art. 293 B du CGI").
    pub vat: bool,
    /// Who to invoice and how (address, purchase order, Chorus Pro…).
    pub invoicing: String,
}

/// A speaker's form as typed, every field a string: name and contacts
/// (parsed by the web layer with the e-mail check it shares), then the
/// profile. One flat struct, as forms post repeated keys for lists.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawSpeaker {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub town: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub subjects: String,
    #[serde(default)]
    pub formats: Vec<String>,
    #[serde(default)]
    pub audiences: Vec<String>,
    #[serde(default)]
    pub age_min: String,
    #[serde(default)]
    pub age_max: String,
    #[serde(default)]
    pub fee_talk: String,
    #[serde(default)]
    pub fee_workshop: String,
    #[serde(default)]
    pub fee_day: String,
    #[serde(default)]
    pub travel: String,
    #[serde(default)]
    pub accommodation: Option<String>,
    #[serde(default)]
    pub travel_notes: String,
    #[serde(default)]
    pub siret: String,
    #[serde(default)]
    pub vat: Option<String>,
    #[serde(default)]
    pub invoicing: String,
}

fn parse_slugs<T: Copy>(
    field: &'static str,
    values: &[String],
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, Problem> {
    values
        .iter()
        .filter(|v| !v.trim().is_empty())
        .map(|v| parse(v).ok_or_else(|| Problem::field(field, "error.choose")))
        .collect()
}

impl Profile {
    pub fn parse(raw: &RawSpeaker) -> Result<Profile, Problems> {
        let mut p = Problems::new();
        let kind = if raw.kind.trim().is_empty() {
            Some(SpeakerKind::Person)
        } else {
            SpeakerKind::parse(&raw.kind)
        };
        if kind.is_none() {
            p.push(Problem::field("kind", "error.choose"));
        }
        let country = p.take(parse_line("country", &raw.country, 60));
        let in_france = country.as_deref().is_none_or(is_france);
        let ages = match AgeRange::parse(&raw.age_min, &raw.age_max, false) {
            Ok(a) => Some(a),
            Err(e) => {
                p.0.extend(e.0);
                None
            }
        };
        let profile = Profile {
            kind: kind.unwrap_or_default(),
            website: p.take(parse_website(&raw.website)).unwrap_or_default(),
            town: p
                .take(parse_line("town", &raw.town, 120))
                .unwrap_or_default(),
            postcode: p
                .take(parse_postcode("postcode", &raw.postcode, in_france))
                .unwrap_or_default(),
            country: country.filter(|c| !is_france(c)).unwrap_or_default(),
            categories: p
                .take(parse_categories(&raw.categories))
                .unwrap_or_default(),
            subjects: p
                .take(parse_text("subjects", &raw.subjects, 2000))
                .unwrap_or_default(),
            formats: p
                .take(parse_slugs("formats", &raw.formats, Format::parse))
                .unwrap_or_default(),
            audiences: p
                .take(parse_slugs("audiences", &raw.audiences, Audience::parse))
                .unwrap_or_default(),
            ages: ages.unwrap_or_default(),
            fees: Fees {
                talk: p.take(parse_fee("fee_talk", &raw.fee_talk)).flatten(),
                workshop: p
                    .take(parse_fee("fee_workshop", &raw.fee_workshop))
                    .flatten(),
                day: p.take(parse_fee("fee_day", &raw.fee_day)).flatten(),
            },
            travel_cents: p.take(parse_fee("travel", &raw.travel)).flatten(),
            accommodation: raw.accommodation.is_some(),
            travel_notes: p
                .take(parse_text("travel_notes", &raw.travel_notes, 1000))
                .unwrap_or_default(),
            siret: p.take(parse_siret(&raw.siret)).unwrap_or_default(),
            vat: raw.vat.is_some(),
            invoicing: p
                .take(parse_text("invoicing", &raw.invoicing, 2000))
                .unwrap_or_default(),
        };
        p.into_result(|| profile)
    }
}

slug_enum!(
    /// Where a speaker stands for one project: to contact → contacted →
    /// proposal sent → dates agreed → agreement signed → held → paid →
    /// evaluated, or declined / later.
    Stage {
        ToContact = "to_contact",
        Contacted = "contacted",
        ProposalSent = "proposal_sent",
        DatesAgreed = "dates_agreed",
        AgreementSigned = "agreement_signed",
        Held = "held",
        Paid = "paid",
        Evaluated = "evaluated",
        Declined = "declined",
        Later = "later",
    }
);

impl Stage {
    /// The stages a project may move to. One step forward at a time, so
    /// each is dated; until the session is held either side may still
    /// decline or put it off; a declined or postponed project starts again
    /// from "to contact"; an evaluated one is finished.
    pub fn next(self) -> &'static [Stage] {
        use Stage::*;
        match self {
            ToContact => &[Contacted, Declined, Later],
            Contacted => &[ProposalSent, Declined, Later],
            ProposalSent => &[DatesAgreed, Declined, Later],
            DatesAgreed => &[AgreementSigned, Declined, Later],
            AgreementSigned => &[Held, Declined, Later],
            Held => &[Paid],
            Paid => &[Evaluated],
            Evaluated => &[],
            Declined | Later => &[ToContact],
        }
    }

    pub fn may_become(self, to: Stage) -> bool {
        self.next().contains(&to)
    }
}

/// A step's date as typed; empty is today.
pub fn parse_step_date(field: &'static str, s: &str, today: Date) -> Result<Date, Problem> {
    if s.trim().is_empty() {
        return Ok(today);
    }
    parse_date(s).ok_or_else(|| Problem::field(field, "error.date"))
}

/// A next action ("relancer par téléphone") and its date: both or neither.
pub fn parse_next_action(text: &str, date: &str) -> Result<Option<(String, Date)>, Problems> {
    let mut p = Problems::new();
    let text = p
        .take(parse_line("next_action", text, 200))
        .unwrap_or_default();
    let on = if date.trim().is_empty() {
        None
    } else {
        p.take(parse_date(date).ok_or_else(|| Problem::field("next_action_on", "error.date")))
    };
    if p.is_empty() {
        match (text.is_empty(), on) {
            (true, None) => return Ok(None),
            (false, Some(d)) => return Ok(Some((text, d))),
            (false, None) => p.push(Problem::field("next_action_on", "error.next_action_date")),
            (true, Some(_)) => p.push(Problem::field("next_action", "error.required")),
        }
    }
    Err(p)
}

/// A project's name: "Samedi de l'innovation de mars : IA et musique".
pub fn parse_project(s: &str) -> Result<String, Problem> {
    parse_name("project", s, 200)
}

/// The team's rating of a speaker after a session, 1 to 5.
pub fn parse_rating(s: &str) -> Result<u8, Problem> {
    match s.trim().parse::<u8>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ => Err(Problem::field("rating", "error.rating")),
    }
}

/// How full a session was: participants over capacity, when both are known.
pub fn fill_rate(participants: Option<u32>, capacity: Option<u32>) -> Option<f64> {
    match (participants, capacity) {
        (Some(p), Some(c)) if c > 0 => Some(f64::from(p) / f64::from(c)),
        _ => None,
    }
}

/// When a speaker was last booked, seen from today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Booking {
    Never,
    /// Last session more than twelve months ago: time to invite them again.
    Lapsed,
    Recent,
}

impl Booking {
    /// From the date of their latest session (past or coming).
    pub fn of(last_session: Option<Date>, today: Date) -> Booking {
        match last_session {
            None => Booking::Never,
            Some(d) if d < today.checked_sub(12.months()).unwrap_or(today) => Booking::Lapsed,
            Some(_) => Booking::Recent,
        }
    }
}

/// What the directory knows of one speaker to filter on.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts<'a> {
    pub categories: &'a [String],
    pub region: Option<Region>,
    pub lowest_fee: Option<i64>,
    pub booking: Booking,
    pub rating: Option<f64>,
}

/// The directory's and the pipeline's filters; each empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct RawFilter {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub region: String,
    /// The most a speaker may ask, in euros.
    #[serde(default)]
    pub max_fee: String,
    /// `never` or `lapsed`.
    #[serde(default)]
    pub booking: String,
    #[serde(default)]
    pub min_rating: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub category: Option<String>,
    pub region: Option<Region>,
    pub max_fee: Option<i64>,
    pub booking: Option<Booking>,
    pub min_rating: Option<u8>,
}

impl Filter {
    /// Filters come from links and selects: an unknown value filters
    /// nothing rather than failing the page. `fees_visible` drops the fee
    /// filter for those who may not see fees, so it cannot reveal them.
    pub fn parse(raw: &RawFilter, fees_visible: bool) -> Filter {
        Filter {
            category: THEME_CATEGORIES
                .iter()
                .find(|c| **c == raw.category.trim())
                .map(|c| c.to_string()),
            region: Region::parse(&raw.region),
            max_fee: if fees_visible {
                parse_fee("max_fee", &raw.max_fee).ok().flatten()
            } else {
                None
            },
            booking: match raw.booking.trim() {
                "never" => Some(Booking::Never),
                "lapsed" => Some(Booking::Lapsed),
                _ => None,
            },
            min_rating: parse_rating(&raw.min_rating).ok(),
        }
    }

    pub fn matches(&self, f: &Facts<'_>) -> bool {
        self.category
            .as_ref()
            .is_none_or(|c| f.categories.contains(c))
            && self.region.is_none_or(|r| f.region == Some(r))
            && self
                .max_fee
                .is_none_or(|m| f.lowest_fee.is_some_and(|fee| fee <= m))
            && self.booking.is_none_or(|b| f.booking == b)
            && self
                .min_rating
                .is_none_or(|m| f.rating.is_some_and(|r| r >= f64::from(m)))
    }

    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn departements_from_postcodes() {
        assert_eq!(departement("93200").as_deref(), Some("93"));
        assert_eq!(departement("01000").as_deref(), Some("01"));
        assert_eq!(departement("20000").as_deref(), Some("2A"), "Ajaccio");
        assert_eq!(departement("20137").as_deref(), Some("2A"), "Porto-Vecchio");
        assert_eq!(departement("20200").as_deref(), Some("2B"), "Bastia");
        assert_eq!(departement("20600").as_deref(), Some("2B"));
        assert_eq!(
            departement("97400").as_deref(),
            Some("974"),
            "Saint-Denis de La Réunion"
        );
        assert_eq!(departement("97600").as_deref(), Some("976"), "Mayotte");
        for bad in ["", "9320", "932000", "9A200", "00100", "99100"] {
            assert_eq!(departement(bad), None, "{bad}");
        }
    }

    #[test]
    fn regions_seen_from_the_library() {
        let lib = "93200"; // Saint-Denis
        assert_eq!(
            region(lib, "93100", ""),
            Some(Region::Local),
            "Montreuil, same département"
        );
        assert_eq!(region(lib, "75011", "France"), Some(Region::IleDeFrance));
        assert_eq!(region(lib, "95000", ""), Some(Region::IleDeFrance));
        assert_eq!(region(lib, "69001", ""), Some(Region::France));
        assert_eq!(
            region(lib, "97200", ""),
            Some(Region::France),
            "Martinique is in France"
        );
        assert_eq!(region(lib, "20200", ""), Some(Region::France));
        assert_eq!(region(lib, "1000", "Belgique"), Some(Region::Abroad));
        assert_eq!(region(lib, "98000", ""), Some(Region::Abroad), "Monaco");
        assert_eq!(region(lib, "", ""), None);
        // Corsica: Ajaccio's library sees Porto-Vecchio as local, Bastia not.
        assert_eq!(region("20000", "20137", ""), Some(Region::Local));
        assert_eq!(region("20000", "20200", ""), Some(Region::France));
        // Overseas: Saint-Pierre and Saint-Denis of La Réunion are both 974.
        assert_eq!(region("97410", "97400", ""), Some(Region::Local));
        assert_eq!(region("97410", "97100", ""), Some(Region::France));
        // A library in Paris: Paris is local, the rest of the region is IDF.
        assert_eq!(region("75004", "75018", ""), Some(Region::Local));
        assert_eq!(region("75004", "92100", ""), Some(Region::IleDeFrance));
        // No library postcode: nobody is local.
        assert_eq!(region("", "93100", ""), Some(Region::IleDeFrance));
    }

    #[test]
    fn postcodes_are_checked_in_france_only() {
        assert_eq!(
            parse_postcode("postcode", " 93200 ", true).unwrap(),
            "93200"
        );
        assert_eq!(
            parse_postcode("postcode", "9320", true).unwrap_err().key,
            "error.postcode"
        );
        assert_eq!(
            parse_postcode("postcode", "00000", true).unwrap_err().key,
            "error.postcode"
        );
        assert_eq!(
            parse_postcode("postcode", "B-1000", false).unwrap(),
            "B-1000"
        );
        assert_eq!(parse_postcode("postcode", "", true).unwrap(), "");
    }

    #[test]
    fn sirets_carry_a_luhn_key_except_la_postes() {
        assert_eq!(parse_siret("443 061 841 00047").unwrap(), "44306184100047");
        assert_eq!(parse_siret("73282932000074").unwrap(), "73282932000074");
        assert_eq!(parse_siret("").unwrap(), "");
        assert_eq!(
            parse_siret("44306184100048").unwrap_err().key,
            "error.siret_key"
        );
        assert_eq!(
            parse_siret("4430618410004").unwrap_err().key,
            "error.siret_digits"
        );
        assert_eq!(
            parse_siret("4430618410004A").unwrap_err().key,
            "error.siret_digits"
        );
        // La Poste's head office passes Luhn; its other establishments pass
        // by the sum of their digits (here 35, no Luhn).
        assert_eq!(parse_siret("35600000000048").unwrap(), "35600000000048");
        assert!(!luhn("35600000049837"));
        assert_eq!(parse_siret("35600000049837").unwrap(), "35600000049837");
        assert_eq!(
            parse_siret("35600000000049").unwrap_err().key,
            "error.siret_key"
        );
        // The same digit sum elsewhere proves nothing.
        assert_eq!(
            parse_siret("12345678901234").unwrap_err().key,
            "error.siret_key"
        );
    }

    fn raw() -> RawSpeaker {
        RawSpeaker {
            kind: "organisation".into(),
            town: "Montreuil".into(),
            postcode: "93100".into(),
            categories: vec!["image".into(), "code".into()],
            formats: vec!["talk".into(), "workshop".into()],
            audiences: vec!["teens".into()],
            age_min: "12".into(),
            fee_talk: "350".into(),
            fee_workshop: "250,50".into(),
            siret: "44306184100047".into(),
            vat: Some("on".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_profile_parses() {
        let p = Profile::parse(&raw()).unwrap();
        assert_eq!(p.kind, SpeakerKind::Organisation);
        assert_eq!(
            p.fees,
            Fees {
                talk: Some(35_000),
                workshop: Some(25_050),
                day: None
            }
        );
        assert_eq!(p.fees.lowest(), Some(25_050));
        assert_eq!(p.formats, vec![Format::Talk, Format::Workshop]);
        assert_eq!(p.ages.min, Some(12));
        assert!(p.vat && !p.accommodation);
        assert_eq!(p.country, "");
    }

    #[test]
    fn every_profile_problem_is_reported_next_to_its_field() {
        let r = RawSpeaker {
            kind: "robot".into(),
            postcode: "123".into(),
            fee_day: "beaucoup".into(),
            siret: "123".into(),
            website: "javascript:alert(1)".into(),
            formats: vec!["concert".into()],
            age_min: "15".into(),
            age_max: "10".into(),
            ..raw()
        };
        let e = Profile::parse(&r).unwrap_err();
        for field in [
            "kind", "postcode", "fee_day", "siret", "website", "formats", "age_max",
        ] {
            assert!(e.for_field(field).next().is_some(), "{field}: {e:?}");
        }
        // Abroad, the postcode is free and the country kept.
        let p = Profile::parse(&RawSpeaker {
            country: "Belgique".into(),
            postcode: "B-1000".into(),
            ..raw()
        })
        .unwrap();
        assert_eq!(
            (p.country.as_str(), p.postcode.as_str()),
            ("Belgique", "B-1000")
        );
        let p = Profile::parse(&RawSpeaker {
            country: "france".into(),
            ..raw()
        })
        .unwrap();
        assert_eq!(p.country, "", "France is the default, stored empty");
    }

    #[test]
    fn every_pipeline_move_allowed_or_refused() {
        use Stage::*;
        let forward = [
            (ToContact, Contacted),
            (Contacted, ProposalSent),
            (ProposalSent, DatesAgreed),
            (DatesAgreed, AgreementSigned),
            (AgreementSigned, Held),
            (Held, Paid),
            (Paid, Evaluated),
        ];
        let mut allowed: Vec<(Stage, Stage)> = forward.to_vec();
        for s in [
            ToContact,
            Contacted,
            ProposalSent,
            DatesAgreed,
            AgreementSigned,
        ] {
            allowed.push((s, Declined));
            allowed.push((s, Later));
        }
        allowed.push((Declined, ToContact));
        allowed.push((Later, ToContact));
        for &from in Stage::ALL {
            for &to in Stage::ALL {
                assert_eq!(
                    from.may_become(to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        assert!(Evaluated.next().is_empty());
    }

    #[test]
    fn next_actions_need_text_and_date() {
        let today = date(2025, 3, 1);
        assert_eq!(parse_next_action("", "").unwrap(), None);
        assert_eq!(
            parse_next_action("Relancer", "12/03/2025").unwrap(),
            Some(("Relancer".into(), date(2025, 3, 12)))
        );
        assert_eq!(
            parse_next_action("Relancer", "").unwrap_err().0[0].key,
            "error.next_action_date"
        );
        assert_eq!(
            parse_next_action("", "2025-03-12").unwrap_err().0[0].field,
            Some("next_action")
        );
        assert_eq!(
            parse_next_action("Relancer", "32/03").unwrap_err().0[0].key,
            "error.date"
        );
        assert_eq!(parse_step_date("on", "", today).unwrap(), today);
        assert_eq!(
            parse_step_date("on", "05/03/2025", today).unwrap(),
            date(2025, 3, 5)
        );
    }

    #[test]
    fn ratings_and_fill_rates() {
        assert_eq!(parse_rating("4").unwrap(), 4);
        for bad in ["0", "6", "", "quatre"] {
            assert_eq!(parse_rating(bad).unwrap_err().key, "error.rating");
        }
        assert_eq!(fill_rate(Some(18), Some(20)), Some(0.9));
        assert_eq!(fill_rate(Some(18), None), None);
        assert_eq!(fill_rate(None, Some(20)), None);
        assert_eq!(fill_rate(Some(3), Some(0)), None);
    }

    #[test]
    fn booked_never_recently_or_a_year_ago() {
        let today = date(2025, 3, 10);
        assert_eq!(Booking::of(None, today), Booking::Never);
        assert_eq!(Booking::of(Some(date(2024, 3, 9)), today), Booking::Lapsed);
        assert_eq!(Booking::of(Some(date(2024, 3, 10)), today), Booking::Recent);
        assert_eq!(
            Booking::of(Some(date(2025, 6, 1)), today),
            Booking::Recent,
            "booked for a coming session"
        );
    }

    #[test]
    fn filters() {
        let cats = vec!["image".to_string()];
        let facts = Facts {
            categories: &cats,
            region: Some(Region::Local),
            lowest_fee: Some(30_000),
            booking: Booking::Lapsed,
            rating: Some(4.5),
        };
        let f = |raw: RawFilter| Filter::parse(&raw, true).matches(&facts);
        assert!(f(RawFilter::default()));
        assert!(f(RawFilter {
            category: "image".into(),
            region: "local".into(),
            ..Default::default()
        }));
        assert!(!f(RawFilter {
            category: "son".into(),
            ..Default::default()
        }));
        assert!(!f(RawFilter {
            region: "abroad".into(),
            ..Default::default()
        }));
        assert!(f(RawFilter {
            max_fee: "300".into(),
            ..Default::default()
        }));
        assert!(!f(RawFilter {
            max_fee: "299,99".into(),
            ..Default::default()
        }));
        assert!(f(RawFilter {
            booking: "lapsed".into(),
            ..Default::default()
        }));
        assert!(!f(RawFilter {
            booking: "never".into(),
            ..Default::default()
        }));
        assert!(f(RawFilter {
            min_rating: "4".into(),
            ..Default::default()
        }));
        assert!(!f(RawFilter {
            min_rating: "5".into(),
            ..Default::default()
        }));
        // Unknown values filter nothing; the fee filter is dropped for those who may not see fees.
        assert!(
            Filter::parse(
                &RawFilter {
                    region: "mars".into(),
                    category: "x".into(),
                    ..Default::default()
                },
                true
            )
            .is_empty()
        );
        assert!(
            Filter::parse(
                &RawFilter {
                    max_fee: "10".into(),
                    ..Default::default()
                },
                false
            )
            .is_empty()
        );
    }

    proptest! {
        #[test]
        fn any_french_postcode_has_a_region(n in 1000u32..96_000) {
            let pc = format!("{n:05}");
            prop_assert!(region("93200", &pc, "").is_some());
        }

        #[test]
        fn a_luhn_digit_can_always_be_completed(prefix in "[0-9]{13}") {
            let ok: Vec<char> = ('0'..='9').filter(|d| luhn(&format!("{prefix}{d}"))).collect();
            prop_assert_eq!(ok.len(), 1);
            let siret = format!("{prefix}{}", ok[0]);
            prop_assert!(parse_siret(&siret).is_ok());
        }
    }
}
