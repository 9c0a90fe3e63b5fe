//! Staff members, their roles, and what each role may do. The web layer asks
//! `Role::may` before every write; nothing else decides rights.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Coordinator,
    Mediator,
    It,
    Communication,
    Viewer,
}

/// What a request wants to do. Reading the programme is open to every role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ReadProgramme,
    /// Events, sessions and themes.
    EditProgramme,
    /// Series, rooms, the library's settings.
    EditSetup,
    EditSpeakers,
    ManageStaff,
    ManageApiTokens,
    ReadAudit,
    /// The statistics dashboard and the season review.
    ReadStatistics,
    /// Move a technical need's status and comment on it (IT and the team).
    TrackNeeds,
    /// Speakers' contacts, invoicing details, notes and the team's ratings.
    ReadSpeakerPrivate,
    /// Costs summed in the statistics and the season review: those who book
    /// and the direction (viewers), who receive the review.
    ReadCosts,
    /// Find, export and erase everything about one person (RGPD requests).
    ManagePersonalData,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Coordinator,
        Role::Mediator,
        Role::It,
        Role::Communication,
        Role::Viewer,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Mediator => "mediator",
            Role::It => "it",
            Role::Communication => "communication",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.slug() == s.trim().to_ascii_lowercase())
    }

    pub fn may(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            ReadProgramme => true,
            EditProgramme => matches!(self, Admin | Coordinator | Mediator),
            EditSetup | EditSpeakers | ReadAudit | ManagePersonalData => {
                matches!(self, Admin | Coordinator)
            }
            ManageApiTokens => matches!(self, Admin | Coordinator | Mediator | It | Communication),
            ManageStaff => self == Admin,
            ReadStatistics => self != It,
            TrackNeeds => matches!(self, Admin | Coordinator | Mediator | It),
            ReadSpeakerPrivate => matches!(self, Admin | Coordinator | Mediator),
            ReadCosts => matches!(self, Admin | Coordinator | Viewer),
        }
    }

    /// Speakers' fees, session by session: coordinators and admins,
    /// mediators when the library allows it; never IT, communication or
    /// viewers.
    pub fn sees_costs(self, mediators_allowed: bool) -> bool {
        matches!(self, Role::Admin | Role::Coordinator)
            || (self == Role::Mediator && mediators_allowed)
    }

    /// An API token carries its creator's role or the read-only viewer role;
    /// only an admin may hand out any role.
    pub fn may_grant(self, other: Role) -> bool {
        self == Role::Admin || other == self || other == Role::Viewer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_staff() {
        for r in Role::ALL {
            assert_eq!(r.may(Action::ManageStaff), r == Role::Admin, "{r:?}");
        }
    }

    #[test]
    fn viewer_it_and_communication_cannot_edit_the_programme() {
        for r in [Role::Viewer, Role::It, Role::Communication] {
            assert!(!r.may(Action::EditProgramme));
            assert!(r.may(Action::ReadProgramme));
        }
        assert!(Role::Mediator.may(Action::EditProgramme));
        assert!(!Role::Mediator.may(Action::EditSetup));
    }

    #[test]
    fn everyone_but_it_reads_statistics_and_only_bookers_and_direction_their_costs() {
        for r in Role::ALL {
            assert_eq!(r.may(Action::ReadStatistics), r != Role::It, "{r:?}");
            assert_eq!(
                r.may(Action::ReadCosts),
                matches!(r, Role::Admin | Role::Coordinator | Role::Viewer),
                "{r:?}"
            );
        }
    }

    #[test]
    fn fees_and_private_details_stay_with_those_who_book() {
        for r in Role::ALL {
            let booking = matches!(r, Role::Admin | Role::Coordinator);
            assert_eq!(r.sees_costs(false), booking, "{r:?}");
            assert_eq!(r.sees_costs(true), booking || r == Role::Mediator, "{r:?}");
        }
        for r in [Role::It, Role::Communication, Role::Viewer] {
            assert!(!r.may(Action::ReadSpeakerPrivate), "{r:?}");
        }
        assert!(Role::It.may(Action::TrackNeeds));
        assert!(!Role::Communication.may(Action::TrackNeeds));
    }

    #[test]
    fn slugs_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.slug()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn tokens_never_exceed_their_creator() {
        assert!(Role::Mediator.may_grant(Role::Viewer));
        assert!(!Role::Mediator.may_grant(Role::Coordinator));
        assert!(!Role::Mediator.may_grant(Role::Admin));
        assert!(Role::Admin.may_grant(Role::Admin));
    }
}
