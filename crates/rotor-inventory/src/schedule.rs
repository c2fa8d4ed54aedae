//! A fabric's rotation schedule, as an operator sets it (`rotor schedule set`), and the pure
//! decisions of the scheduler that runs it (the orchestrator, which stores [`Progress`] with the
//! schedule and reads the clock; nothing here does).
//!
//! A [`ScheduleSpec`] says **when a run is due** ([`Trigger`]: a period after the last scheduled
//! start, or a 5-field cron expression), **when it may start** (maintenance [`Window`]s, weekly,
//! in local time), the IANA time zone both are read in, what runs and for which users. The rules:
//! - every instant at the interface is Unix milliseconds (`i64`); the calendar arithmetic
//!   (jiff, with its bundled time zone database) stays inside this module;
//! - windows are laid out per local day, a window crossing midnight (`22:00-04:00`) belonging to
//!   the day it starts; a window contains `t` when `start <= t < end`. No windows at all: each
//!   local day, all day, is one window (so a refused run is tried again the next day);
//! - a local time that does not exist (the hour skipped when daylight saving time starts) moves
//!   forward to the first instant after the skip (`02:30` is `03:00` on that day in
//!   Europe/Paris, like cron); one that exists twice (when it ends) is the earlier instant;
//! - a run that is due starts at once inside a window open at that moment, even one that opened
//!   before the run became due; otherwise at the next window's opening;
//! - a run **refused** in a window (a guardrail said no) is not tried again in that window, nor
//!   in any window that opened before it: the next attempt is at the opening of a later window;
//! - windows that opened after the run was due and closed with no attempt in them (the
//!   scheduler was down) are **missed**: [`decide`] reports them, oldest first, before anything
//!   else, and each only once ([`after_missed`]);
//! - every search is bounded (windows and fire times: 400 days ahead, a cron expression's next
//!   match: 8 years, to reach a 29 February); nothing loops forever. [`ScheduleSpec::validate`]
//!   refuses a calendar expression that has no fire time inside a window in the next 400 days,
//!   since it would never run.
//!
//! A spec that fails [`ScheduleSpec::validate`] never panics the decisions either: an unknown
//! time zone is read as UTC and a bad calendar expression never fires.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, Weekday as CivilWeekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use serde::{Deserialize, Serialize};

use crate::check_username;

/// How far ahead windows and in-window fire times are looked for, in days.
pub const HORIZON_DAYS: u32 = 400;
/// How far ahead a calendar expression's next match is looked for, in days (8 years: the
/// longest gap between two 29 Februaries).
pub const CALENDAR_HORIZON_DAYS: u32 = 8 * 366;
/// The longest period of an [`Trigger::Every`] schedule, in seconds (10 years of 365 days).
pub const MAX_PERIOD_SECONDS: u64 = 10 * 365 * DAY_SECONDS;
/// The most missed windows one [`Decision::Missed`] carries.
pub const MAX_MISSED_PER_DECISION: usize = 100;
/// The `due_ms` of a schedule that will never run again (a calendar expression with no match
/// in [`CALENDAR_HORIZON_DAYS`]).
pub const NEVER_MS: i64 = i64::MAX;

const MINUTE_SECONDS: u64 = 60;
const HOUR_SECONDS: u64 = 60 * MINUTE_SECONDS;
const DAY_SECONDS: u64 = 24 * HOUR_SECONDS;
const WEEK_SECONDS: u64 = 7 * DAY_SECONDS;
const DAY_MINUTES: u16 = 24 * 60;
const DAY_MS: i64 = 86_400_000;

/// What an operator sets for a fabric (stored as JSON, camelCase).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduleSpec {
    /// When a run is due.
    pub trigger: Trigger,
    /// Maintenance windows; no scheduled run starts outside them. Empty: every day, all day,
    /// is one window (so a refused run is retried the next day).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<Window>,
    /// The IANA time zone the calendar expression and the windows are read in ("UTC" default).
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// What a scheduled run does.
    #[serde(default)]
    pub run: ScheduledRun,
    /// Users to rotate; empty: every mapped user.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
}

fn default_time_zone() -> String {
    "UTC".to_string()
}

/// What a scheduled run does (serde `"rotate"` | `"resync"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScheduledRun {
    /// Rotate the passwords (new versions).
    #[default]
    Rotate,
    /// Push the current passwords again (no new versions).
    Resync,
}

impl fmt::Display for ScheduledRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ScheduledRun::Rotate => "rotate",
            ScheduledRun::Resync => "resync",
        })
    }
}

/// When a scheduled run is due (JSON `{"every": {"seconds": 60}}` or
/// `{"calendar": {"expression": "0 3 * * sat"}}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Trigger {
    /// Every `seconds` after the start of the last scheduled run (first: after the schedule was
    /// set).
    Every {
        /// The period, 1 second to [`MAX_PERIOD_SECONDS`].
        seconds: u64,
    },
    /// A 5-field cron expression: minute hour day-of-month month day-of-week, read in the time
    /// zone. Supports `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n` and `a-b/n`, month
    /// names `jan`..`dec` and day names `sun`..`sat` (case-insensitive), 0 and 7 both Sunday;
    /// when both day fields are restricted (neither starts with `*`), a day matching either
    /// matches.
    Calendar {
        /// The expression, its fields separated by single spaces.
        expression: String,
    },
}

impl Trigger {
    /// Reads a period (`90d`, `12h`, `30m`, `45s`, `1d12h`, `2w`) into [`Trigger::Every`].
    pub fn parse_period(text: &str) -> Result<Trigger, String> {
        parse_period_seconds(text).map(|seconds| Trigger::Every { seconds })
    }

    /// Reads and checks a 5-field cron expression into [`Trigger::Calendar`] (its fields joined
    /// by single spaces).
    pub fn parse_calendar(expression: &str) -> Result<Trigger, String> {
        Cron::parse(expression)?;
        Ok(Trigger::Calendar {
            expression: expression.split_whitespace().collect::<Vec<_>>().join(" "),
        })
    }

    /// Reads the [`Display`](fmt::Display) form back: `every <period>` or
    /// `calendar <expression>`.
    pub fn parse(text: &str) -> Result<Trigger, String> {
        let text = text.trim();
        if let Some(period) = text.strip_prefix("every ") {
            Trigger::parse_period(period)
        } else if let Some(expression) = text.strip_prefix("calendar ") {
            Trigger::parse_calendar(expression)
        } else {
            Err(format!(
                "{text:?} is not a trigger: give \"every <period>\" (like \"every 90d\") or \"calendar <cron expression>\" (like \"calendar 0 3 * * sat\")"
            ))
        }
    }

    /// Checks the period's range or the expression's fields.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Trigger::Every { seconds } => check_period(*seconds),
            Trigger::Calendar { expression } => Cron::parse(expression).map(drop),
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Every { seconds } => write!(f, "every {}", format_period(*seconds)),
            Trigger::Calendar { expression } => write!(f, "calendar {expression}"),
        }
    }
}

const PERIOD_FORM: &str = "a period is numbers with units, largest first: w (weeks), d (days), h (hours), m (minutes), s (seconds), like \"90d\", \"12h\", \"1d12h\" or \"2w\"";

/// Reads a period (`90d`, `12h`, `30m`, `45s`, `1d12h`, `2w`) into seconds: at least 1 second,
/// at most [`MAX_PERIOD_SECONDS`] (10 years).
pub fn parse_period_seconds(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let bad = |why: &str| format!("{text:?} is not a period ({why}): {PERIOD_FORM}");
    if text.is_empty() {
        return Err(bad("it is empty"));
    }
    const UNITS: [(char, u64); 5] = [
        ('w', WEEK_SECONDS),
        ('d', DAY_SECONDS),
        ('h', HOUR_SECONDS),
        ('m', MINUTE_SECONDS),
        ('s', 1),
    ];
    let mut total: u64 = 0;
    let mut next_unit = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad("a unit needs a number before it"));
        }
        let number: u64 = rest[..digits]
            .parse()
            .map_err(|_| bad("a number is too large"))?;
        let Some(unit) = rest[digits..].chars().next() else {
            return Err(bad("the last number has no unit"));
        };
        let Some(index) = UNITS.iter().position(|(name, _)| *name == unit) else {
            return Err(bad(&format!("{unit:?} is not a unit")));
        };
        if index < next_unit {
            return Err(bad("each unit once, largest first"));
        }
        next_unit = index + 1;
        total = number
            .checked_mul(UNITS[index].1)
            .and_then(|seconds| total.checked_add(seconds))
            .ok_or_else(|| bad("it is too long"))?;
        rest = &rest[digits + unit.len_utf8()..];
    }
    check_period(total).map_err(|why| format!("{text:?}: {why}"))?;
    Ok(total)
}

fn check_period(seconds: u64) -> Result<(), String> {
    if seconds == 0 {
        return Err("a period must be at least 1 second (like \"45s\")".to_string());
    }
    if seconds > MAX_PERIOD_SECONDS {
        return Err(format!(
            "a period must be at most 10 years ({}d)",
            MAX_PERIOD_SECONDS / DAY_SECONDS
        ));
    }
    Ok(())
}

/// Writes a period in seconds the way [`parse_period_seconds`] reads it: whole weeks as `2w`,
/// otherwise days, hours, minutes and seconds, zeros left out (`90d`, `1d12h`, `0s` for 0).
pub fn format_period(seconds: u64) -> String {
    if seconds == 0 {
        return "0s".to_string();
    }
    if seconds.is_multiple_of(WEEK_SECONDS) {
        return format!("{}w", seconds / WEEK_SECONDS);
    }
    let mut text = String::new();
    let mut rest = seconds;
    for (unit, size) in [
        ('d', DAY_SECONDS),
        ('h', HOUR_SECONDS),
        ('m', MINUTE_SECONDS),
        ('s', 1),
    ] {
        if rest >= size {
            text.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    text
}

/// A day of the week (serde `"mon"` .. `"sun"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Every day, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// The day's three-letter name (`mon`).
    pub fn name(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    /// Reads a three-letter name (`mon` .. `sun`, case-insensitive).
    pub fn parse(text: &str) -> Result<Weekday, String> {
        let lower = text.trim().to_ascii_lowercase();
        Weekday::ALL
            .into_iter()
            .find(|day| day.name() == lower)
            .ok_or_else(|| format!("{text:?} is not a day (mon, tue, wed, thu, fri, sat, sun)"))
    }

    fn index(self) -> usize {
        self as usize
    }

    fn of(day: CivilWeekday) -> Weekday {
        Weekday::ALL[day.to_monday_zero_offset() as usize]
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const WINDOW_FORM: &str = "a window is [days] HH:MM-HH:MM, days a list of mon..sun and ranges (\"sat,sun\", \"mon-fri\") or \"daily\" (the default), like \"sat,sun 02:00-06:00\" or \"mon-fri 22:00-04:00\" (an end at or before the start is the next day; 24:00 is allowed as an end)";

/// A weekly maintenance window: on `days` (empty: every day), from `start_minute` to
/// `end_minute` local time, in minutes after midnight; `end_minute <= start_minute` means it
/// ends the next day (`22:00-04:00`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Window {
    /// The days the window opens on (the day it starts, for one crossing midnight); empty: every
    /// day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<Weekday>,
    /// When it opens, minutes after local midnight (0 to 1439).
    pub start_minute: u16,
    /// When it closes, minutes after local midnight (0 to 1440); at or before the start: the
    /// next day.
    pub end_minute: u16,
}

impl Window {
    /// Reads `sat,sun 02:00-06:00`, `mon-fri 22:00-04:00`, `daily 01:00-05:00` or `01:00-05:00`
    /// (every day). Day ranges may wrap (`fri-mon`); days come out sorted, Monday first, and all
    /// seven as none (every day).
    pub fn parse(text: &str) -> Result<Window, String> {
        let trimmed = text.trim();
        let bad = |why: String| format!("{trimmed:?} is not a window ({why}): {WINDOW_FORM}");
        let mut parts = trimmed.split_whitespace();
        let (days_text, times_text) = match (parts.next(), parts.next(), parts.next()) {
            (Some(times), None, None) => (None, times),
            (Some(days), Some(times), None) => (Some(days), times),
            (None, ..) => return Err(bad("it is empty".to_string())),
            _ => return Err(bad("too many parts".to_string())),
        };
        let days = match days_text {
            None => Vec::new(),
            Some(days) if days.eq_ignore_ascii_case("daily") => Vec::new(),
            Some(days) => parse_days(days).map_err(bad)?,
        };
        let (start, end) = times_text
            .split_once('-')
            .ok_or_else(|| bad(format!("{times_text:?} is not HH:MM-HH:MM")))?;
        let start_minute = parse_clock(start, false).map_err(bad)?;
        let end_minute = parse_clock(end, true).map_err(bad)?;
        let window = Window {
            days,
            start_minute,
            end_minute,
        };
        window.validate().map_err(bad)?;
        Ok(window)
    }

    /// Checks the minutes: a start from 00:00 to 23:59, an end from 00:00 to 24:00, not equal.
    pub fn validate(&self) -> Result<(), String> {
        if self.start_minute >= DAY_MINUTES {
            return Err(format!(
                "the start {} is after 23:59",
                clock(self.start_minute)
            ));
        }
        if self.end_minute > DAY_MINUTES {
            return Err(format!("the end {} is after 24:00", clock(self.end_minute)));
        }
        if self.start_minute == self.end_minute % DAY_MINUTES {
            return Err(format!(
                "the window {}-{} is empty or a whole day: give a start and an end that differ (no windows at all means any time)",
                clock(self.start_minute),
                clock(self.end_minute)
            ));
        }
        Ok(())
    }

    fn opens_on(&self, day: Weekday) -> bool {
        self.days.is_empty() || self.days.contains(&day)
    }

    /// The window's length in minutes from its start to its end (the next day when it crosses
    /// midnight).
    fn end_after_start(&self) -> u32 {
        let start = u32::from(self.start_minute);
        let end = u32::from(self.end_minute);
        if end > start {
            end
        } else {
            end + u32::from(DAY_MINUTES)
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut present = [false; 7];
        for day in &self.days {
            present[day.index()] = true;
        }
        if present.iter().all(|p| *p) || self.days.is_empty() {
            f.write_str("daily")?;
        } else {
            // Runs of consecutive days, three or more written as a range.
            let mut pieces = Vec::new();
            let mut index = 0;
            while index < 7 {
                if !present[index] {
                    index += 1;
                    continue;
                }
                let first = index;
                while index + 1 < 7 && present[index + 1] {
                    index += 1;
                }
                let (a, b) = (Weekday::ALL[first], Weekday::ALL[index]);
                match index - first {
                    0 => pieces.push(a.to_string()),
                    1 => pieces.push(format!("{a},{b}")),
                    _ => pieces.push(format!("{a}-{b}")),
                }
                index += 1;
            }
            f.write_str(&pieces.join(","))?;
        }
        write!(
            f,
            " {}-{}",
            clock(self.start_minute),
            clock(self.end_minute)
        )
    }
}

fn clock(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// The days of a list, sorted; all seven: empty (every day).
fn parse_days(text: &str) -> Result<Vec<Weekday>, String> {
    let mut present = [false; 7];
    for item in text.split(',') {
        match item.split_once('-') {
            Some((first, last)) => {
                let (first, last) = (Weekday::parse(first)?, Weekday::parse(last)?);
                let mut day = first.index();
                loop {
                    present[day] = true;
                    if day == last.index() {
                        break;
                    }
                    day = (day + 1) % 7;
                }
            }
            None => present[Weekday::parse(item)?.index()] = true,
        }
    }
    if present.iter().all(|p| *p) {
        return Ok(Vec::new());
    }
    Ok(Weekday::ALL
        .into_iter()
        .filter(|day| present[day.index()])
        .collect())
}

fn parse_clock(text: &str, is_end: bool) -> Result<u16, String> {
    let bad = || format!("{text:?} is not a time HH:MM");
    let (hours, minutes) = text.split_once(':').ok_or_else(bad)?;
    let digits = |s: &str, max_len: usize| {
        !s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(hours, 2) || minutes.len() != 2 || !digits(minutes, 2) {
        return Err(bad());
    }
    let (hours, minutes): (u16, u16) = (hours.parse().map_err(|_| bad())?, {
        minutes.parse().map_err(|_| bad())?
    });
    if minutes > 59 || hours > 24 || (hours == 24 && (minutes != 0 || !is_end)) {
        return Err(format!(
            "{text:?} is not a time of day (00:00 to 23:59{})",
            if is_end { ", or 24:00 as an end" } else { "" }
        ));
    }
    Ok(hours * 60 + minutes)
}

impl ScheduleSpec {
    /// Checks the whole spec, the calendar expression's reach measured from the system clock
    /// (see [`ScheduleSpec::validate_at`]).
    pub fn validate(&self) -> Result<(), String> {
        self.validate_at(Timestamp::now().as_millisecond())
    }

    /// Checks that the time zone exists, the trigger (period range, expression fields), each
    /// window and each user name (no duplicates), and that a calendar expression has at least
    /// one fire time inside a window in the [`HORIZON_DAYS`] after `now_ms` (else the schedule
    /// would never run).
    pub fn validate_at(&self, now_ms: i64) -> Result<(), String> {
        let tz = TimeZone::get(&self.time_zone).map_err(|_| {
            format!(
                "time zone {:?} is not an IANA time zone name (like \"UTC\", \"Europe/Paris\" or \"America/New_York\")",
                self.time_zone
            )
        })?;
        match &self.trigger {
            Trigger::Every { seconds } => {
                check_period(*seconds).map_err(|why| format!("every: {why}"))?
            }
            Trigger::Calendar { expression } => {
                Cron::parse(expression).map_err(|why| format!("calendar: {why}"))?;
            }
        }
        for window in &self.windows {
            window
                .validate()
                .map_err(|why| format!("window {window}: {why}"))?;
        }
        for (index, user) in self.users.iter().enumerate() {
            check_username(user).map_err(|why| format!("users: {why}"))?;
            if self.users[..index].contains(user) {
                return Err(format!("users: {user:?} is listed twice"));
            }
        }
        if let Trigger::Calendar { expression } = &self.trigger {
            let cron = Cron::parse(expression).map_err(|why| format!("calendar: {why}"))?;
            if next_fire(&cron, &tz, now_ms, HORIZON_DAYS).is_none() {
                return Err(format!(
                    "calendar: {expression:?} has no fire time in the next {HORIZON_DAYS} days (a day that does not exist, like 30 February?), so the schedule would never run"
                ));
            }
            if first_fire_in_window(self, &cron, &tz, now_ms).is_none() {
                return Err(format!(
                    "calendar: {expression:?} never fires inside a maintenance window ({}) in the next {HORIZON_DAYS} days, so the schedule would never run: change the expression or the windows",
                    self.windows
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
        }
        Ok(())
    }
}

/// The scheduler's memory of one schedule (stored with it, JSON camelCase).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Progress {
    /// When the next run becomes due (Unix ms; [`NEVER_MS`]: never).
    pub due_ms: i64,
    /// Start of the window in which a run was refused: not retried in it, nor in a window that
    /// opened before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_in_window_ms: Option<i64>,
    /// Missed windows ending at or before this were already reported (or had an attempt).
    pub reported_through_ms: i64,
}

/// What the scheduler should do now with one schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Start a run now: it is due and now is inside a window not already refused in.
    Start {
        /// The start of the window it starts in (Unix ms).
        window_start_ms: i64,
        /// The end of that window (Unix ms).
        window_end_ms: i64,
    },
    /// Windows (start, end; Unix ms) that opened after the run was due and closed at or before
    /// now with no attempt in them, oldest first, at most [`MAX_MISSED_PER_DECISION`]; the
    /// caller reports them and stores [`after_missed`] (then decides again).
    Missed {
        /// The missed windows, oldest first.
        windows: Vec<(i64, i64)>,
    },
    /// Nothing now.
    Wait {
        /// When the next run would start ([`next_run`]); None: never (in the next
        /// [`HORIZON_DAYS`]).
        next_run_ms: Option<i64>,
    },
}

/// The progress of a schedule set at `set_at_ms`: due a period later ([`Trigger::Every`]) or at
/// the expression's first match strictly after it ([`Trigger::Calendar`]).
pub fn first_progress(spec: &ScheduleSpec, set_at_ms: i64) -> Progress {
    Progress {
        due_ms: due_after(spec, set_at_ms),
        refused_in_window_ms: None,
        reported_through_ms: set_at_ms,
    }
}

/// What to do at `now_ms`: report missed windows first (those inside
/// `[max(due, reported_through), now]` that opened at or after the due time, except the refused
/// one and those before it), then start a due run inside an open window, else wait.
pub fn decide(spec: &ScheduleSpec, progress: &Progress, now_ms: i64) -> Decision {
    if progress.due_ms == NEVER_MS {
        return Decision::Wait { next_run_ms: None };
    }
    let tz = time_zone(spec);
    let missed = missed_windows(spec, &tz, progress, now_ms);
    if !missed.is_empty() {
        return Decision::Missed { windows: missed };
    }
    if now_ms >= progress.due_ms {
        let open = Windows::from(spec, &tz, now_ms, 3)
            .take_while(|(start, _)| *start <= now_ms)
            .find(|&(start, end)| now_ms < end && eligible(progress, start));
        if let Some((window_start_ms, window_end_ms)) = open {
            return Decision::Start {
                window_start_ms,
                window_end_ms,
            };
        }
    }
    Decision::Wait {
        next_run_ms: next_run(spec, progress, now_ms),
    }
}

/// The progress after a run started (was accepted) at `now_ms`: due a period later, or at the
/// expression's next match strictly after now; no refusal; everything up to now reported.
pub fn after_start(spec: &ScheduleSpec, progress: &Progress, now_ms: i64) -> Progress {
    Progress {
        due_ms: due_after(spec, now_ms),
        refused_in_window_ms: None,
        reported_through_ms: progress.reported_through_ms.max(now_ms),
    }
}

/// The progress after a run was refused in the window starting at `window_start_ms`: still due,
/// not tried again before a later window.
pub fn after_refusal(progress: &Progress, window_start_ms: i64) -> Progress {
    Progress {
        refused_in_window_ms: Some(window_start_ms),
        ..*progress
    }
}

/// The progress after `windows` (a [`Decision::Missed`]) were reported: not reported again.
pub fn after_missed(progress: &Progress, windows: &[(i64, i64)]) -> Progress {
    let through = windows
        .iter()
        .map(|(_, end)| *end)
        .max()
        .unwrap_or(progress.reported_through_ms);
    Progress {
        reported_through_ms: progress.reported_through_ms.max(through),
        ..*progress
    }
}

/// When the next run would start: the earliest instant at or after `max(due, now)` inside a
/// window, skipping the refused window (and those that opened before it); None if there is none
/// in the [`HORIZON_DAYS`] after that. What the fabric's status shows.
pub fn next_run(spec: &ScheduleSpec, progress: &Progress, now_ms: i64) -> Option<i64> {
    if progress.due_ms == NEVER_MS {
        return None;
    }
    let tz = time_zone(spec);
    let from = progress.due_ms.max(now_ms);
    Windows::from(spec, &tz, from, HORIZON_DAYS + 2)
        .find(|&(start, end)| end > from && eligible(progress, start))
        .map(|(start, _)| start.max(from))
}

fn eligible(progress: &Progress, window_start_ms: i64) -> bool {
    progress
        .refused_in_window_ms
        .is_none_or(|refused| window_start_ms > refused)
}

fn time_zone(spec: &ScheduleSpec) -> TimeZone {
    TimeZone::get(&spec.time_zone).unwrap_or(TimeZone::UTC)
}

/// When a run is due after one started (or the schedule was set) at `after_ms`.
fn due_after(spec: &ScheduleSpec, after_ms: i64) -> i64 {
    match &spec.trigger {
        Trigger::Every { seconds } => {
            let period_ms = i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
            after_ms.saturating_add(period_ms.max(1)).min(NEVER_MS - 1)
        }
        Trigger::Calendar { expression } => match Cron::parse(expression) {
            Ok(cron) => next_fire(&cron, &time_zone(spec), after_ms, CALENDAR_HORIZON_DAYS)
                .unwrap_or(NEVER_MS),
            Err(_) => NEVER_MS,
        },
    }
}

fn missed_windows(
    spec: &ScheduleSpec,
    tz: &TimeZone,
    progress: &Progress,
    now_ms: i64,
) -> Vec<(i64, i64)> {
    let low = progress.due_ms.max(progress.reported_through_ms);
    if low >= now_ms {
        return Vec::new();
    }
    // Windows missed more than the horizon ago are not reported.
    let from = low.max(now_ms.saturating_sub(i64::from(HORIZON_DAYS) * DAY_MS));
    let days = u32::try_from((now_ms - from) / DAY_MS + 3).unwrap_or(u32::MAX);
    Windows::from(spec, tz, from, days)
        .take_while(|(start, _)| *start < now_ms)
        .filter(|&(start, end)| start >= low && end <= now_ms && eligible(progress, start))
        .take(MAX_MISSED_PER_DECISION)
        .collect()
}

fn first_fire_in_window(
    spec: &ScheduleSpec,
    cron: &Cron,
    tz: &TimeZone,
    now_ms: i64,
) -> Option<i64> {
    let until = now_ms.saturating_add(i64::from(HORIZON_DAYS) * DAY_MS);
    let mut date = local_date(tz, now_ms)?;
    let mut windows = Windows::from(spec, tz, now_ms, HORIZON_DAYS + 2).peekable();
    let mut open: Vec<(i64, i64)> = Vec::new();
    for _ in 0..=HORIZON_DAYS {
        for fire in cron.fire_times(tz, date) {
            if fire <= now_ms || fire > until {
                continue;
            }
            while let Some(&window) = windows.peek() {
                if window.0 > fire {
                    break;
                }
                open.push(window);
                windows.next();
            }
            open.retain(|&(_, end)| end > fire);
            if !open.is_empty() {
                return Some(fire);
            }
        }
        date = date.tomorrow().ok()?;
    }
    None
}

/// The date at `ms` in `tz` (None outside jiff's range).
fn local_date(tz: &TimeZone, ms: i64) -> Option<Date> {
    let timestamp = Timestamp::from_millisecond(ms).ok()?;
    Some(tz.to_datetime(timestamp).date())
}

/// The instant of `minute` minutes after the local midnight starting `date` (1440 and more: the
/// following days). A local time skipped by a daylight saving change is the first instant
/// after the skip; one that happens twice is the earlier.
fn local_instant(tz: &TimeZone, date: Date, minute: u32) -> Option<i64> {
    let mut date = date;
    for _ in 0..minute / u32::from(DAY_MINUTES) {
        date = date.tomorrow().ok()?;
    }
    let minute = minute % u32::from(DAY_MINUTES);
    let datetime = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
    let timestamp = match tz.to_ambiguous_timestamp(datetime).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(datetime).ok()?,
        AmbiguousOffset::Gap { before, after } => {
            // Read with the offset after the skip, the time is before it; with the offset
            // before, after it. The skip itself is the first transition after the former.
            let earlier = after.to_timestamp(datetime).ok()?;
            let later = before.to_timestamp(datetime).ok()?;
            tz.following(earlier)
                .next()
                .map_or(later, |transition| transition.timestamp().min(later))
        }
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(datetime).ok()?,
    };
    Some(timestamp.as_millisecond())
}

/// The windows of a spec in order of their start, from those opening on the local day before
/// `from_ms`'s, over `days` local days.
struct Windows<'a> {
    windows: &'a [Window],
    tz: &'a TimeZone,
    date: Option<Date>,
    days_left: u32,
    today: std::vec::IntoIter<(i64, i64)>,
}

impl<'a> Windows<'a> {
    fn from(spec: &'a ScheduleSpec, tz: &'a TimeZone, from_ms: i64, days: u32) -> Windows<'a> {
        Windows {
            windows: &spec.windows,
            tz,
            date: local_date(tz, from_ms).and_then(|date| date.yesterday().ok()),
            days_left: days.saturating_add(1),
            today: Vec::new().into_iter(),
        }
    }

    /// The windows opening on `date`, by start; a window made empty by a daylight saving change
    /// is left out.
    fn on(&self, date: Date) -> Vec<(i64, i64)> {
        let whole_day = [Window {
            days: Vec::new(),
            start_minute: 0,
            end_minute: DAY_MINUTES,
        }];
        let windows = if self.windows.is_empty() {
            &whole_day[..]
        } else {
            self.windows
        };
        let day = Weekday::of(date.weekday());
        let mut found: Vec<(i64, i64)> = windows
            .iter()
            .filter(|window| window.opens_on(day))
            .filter_map(|window| {
                let start = local_instant(self.tz, date, u32::from(window.start_minute))?;
                let end = local_instant(self.tz, date, window.end_after_start())?;
                (end > start).then_some((start, end))
            })
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

impl Iterator for Windows<'_> {
    type Item = (i64, i64);

    fn next(&mut self) -> Option<(i64, i64)> {
        loop {
            if let Some(window) = self.today.next() {
                return Some(window);
            }
            if self.days_left == 0 {
                return None;
            }
            self.days_left -= 1;
            let date = self.date?;
            self.today = self.on(date).into_iter();
            self.date = date.tomorrow().ok();
        }
    }
}

/// The first fire time of `cron` strictly after `after_ms`, looking `days` local days ahead.
fn next_fire(cron: &Cron, tz: &TimeZone, after_ms: i64, days: u32) -> Option<i64> {
    let mut date = local_date(tz, after_ms)?.yesterday().ok()?;
    for _ in 0..days.saturating_add(2) {
        if let Some(fire) = cron
            .fire_times(tz, date)
            .into_iter()
            .find(|fire| *fire > after_ms)
        {
            return Some(fire);
        }
        date = date.tomorrow().ok()?;
    }
    None
}

const CRON_FORM: &str = "a calendar expression is 5 fields, minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or jan-dec) day-of-week (0-7 or sun-sat, 0 and 7 Sunday), each *, a number, a range a-b, a list a,b, or a step */n or a-b/n, like \"0 3 * * sat\" or \"*/15 1-4 * * mon-fri\"";

/// A parsed 5-field cron expression: the allowed values of each field as bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cron {
    minutes: u64,
    hours: u32,
    days_of_month: u32,
    months: u16,
    /// Bit 0 Sunday .. bit 6 Saturday.
    days_of_week: u8,
    /// Neither day field starts with `*`: a day matching either matches.
    either_day: bool,
}

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MONTH_NAMES: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAY_NAMES: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day-of-month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: &MONTH_NAMES,
    },
    Field {
        name: "day-of-week",
        min: 0,
        max: 7,
        names: &DAY_NAMES,
    },
];

impl Field {
    fn value(&self, text: &str) -> Result<u32, String> {
        let lower = text.to_ascii_lowercase();
        if let Some(index) = self.names.iter().position(|name| *name == lower) {
            return Ok(self.min + index as u32);
        }
        let value: u32 = text
            .parse()
            .map_err(|_| format!("{text:?} is not a number{}", self.named()))?;
        if value < self.min || value > self.max {
            return Err(format!("{value} is out of range {}-{}", self.min, self.max));
        }
        Ok(value)
    }

    fn named(&self) -> String {
        if self.names.is_empty() {
            String::new()
        } else {
            format!(
                " or a name ({}-{})",
                self.names[0],
                self.names[self.names.len() - 1]
            )
        }
    }

    /// The bits of the values a field allows (bit `v` for value `v`).
    fn parse(&self, text: &str) -> Result<u64, String> {
        let mut bits = 0u64;
        for item in text.split(',') {
            let (range, step) = match item.split_once('/') {
                Some((range, step)) => {
                    let step: u32 = step
                        .parse()
                        .ok()
                        .filter(|step| (1..=self.max).contains(step))
                        .ok_or_else(|| {
                            format!(
                                "{item:?}: the step {step:?} is not a number from 1 to {}",
                                self.max
                            )
                        })?;
                    (range, Some(step))
                }
                None => (item, None),
            };
            let (first, last) = if range == "*" {
                (self.min, self.max)
            } else if let Some((first, last)) = range.split_once('-') {
                let (first, last) = (self.value(first)?, self.value(last)?);
                if first > last {
                    return Err(format!("{item:?}: the range {range} runs backwards"));
                }
                (first, last)
            } else if step.is_some() {
                return Err(format!(
                    "{item:?}: a step goes after * or a range (like */15 or 0-30/10)"
                ));
            } else {
                let value = self.value(range)?;
                (value, value)
            };
            let step = step.unwrap_or(1);
            let mut value = first;
            while value <= last {
                bits |= 1 << value;
                value += step;
            }
        }
        Ok(bits)
    }
}

impl Cron {
    fn parse(expression: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "{:?} has {} fields: {CRON_FORM}",
                expression.trim(),
                fields.len()
            ));
        }
        let mut bits = [0u64; 5];
        for (index, (field, text)) in FIELDS.iter().zip(&fields).enumerate() {
            bits[index] = field
                .parse(text)
                .map_err(|why| format!("the {} field {text:?}: {why}; {CRON_FORM}", field.name))?;
        }
        // 7 is Sunday too.
        let days_of_week = ((bits[4] | (bits[4] >> 7)) & 0x7f) as u8;
        Ok(Cron {
            minutes: bits[0],
            hours: bits[1] as u32,
            days_of_month: bits[2] as u32,
            months: bits[3] as u16,
            days_of_week,
            either_day: !fields[2].starts_with('*') && !fields[4].starts_with('*'),
        })
    }

    fn matches_day(&self, date: Date) -> bool {
        if self.months & (1 << date.month()) == 0 {
            return false;
        }
        let by_month = self.days_of_month & (1 << date.day()) != 0;
        let by_week = self.days_of_week & (1 << date.weekday().to_sunday_zero_offset()) != 0;
        if self.either_day {
            by_month || by_week
        } else {
            by_month && by_week
        }
    }

    /// The fire times on a local date, in order (several skipped local times may be one
    /// instant).
    fn fire_times(&self, tz: &TimeZone, date: Date) -> Vec<i64> {
        if !self.matches_day(date) {
            return Vec::new();
        }
        let mut times = Vec::new();
        for hour in (0..24).filter(|hour| self.hours & (1 << hour) != 0) {
            for minute in (0..60).filter(|minute| self.minutes & (1 << minute) != 0) {
                if let Some(instant) = local_instant(tz, date, hour * 60 + minute) {
                    times.push(instant);
                }
            }
        }
        times.sort_unstable();
        times.dedup();
        times
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The instant of a local time in a zone ("2026-03-06 02:00").
    fn at(zone: &str, local: &str) -> i64 {
        let datetime: jiff::civil::DateTime = local.parse().unwrap();
        let zoned = datetime
            .to_zoned_datetime(TimeZone::get(zone).unwrap())
            .unwrap();
        zoned.timestamp().as_millisecond()
    }

    fn local(zone: &str, ms: i64) -> String {
        let tz = TimeZone::get(zone).unwrap();
        let datetime = tz.to_datetime(Timestamp::from_millisecond(ms).unwrap());
        datetime.strftime("%Y-%m-%d %H:%M:%S").to_string()
    }

    fn schedule(trigger: Trigger, windows: &[&str], zone: &str) -> ScheduleSpec {
        ScheduleSpec {
            trigger,
            windows: windows.iter().map(|w| Window::parse(w).unwrap()).collect(),
            time_zone: zone.to_string(),
            run: ScheduledRun::Rotate,
            users: Vec::new(),
        }
    }

    fn every(seconds: u64) -> Trigger {
        Trigger::Every { seconds }
    }

    fn calendar(expression: &str) -> Trigger {
        Trigger::parse_calendar(expression).unwrap()
    }

    fn next_match(expression: &str, zone: &str, after: &str) -> Option<String> {
        let cron = Cron::parse(expression).unwrap();
        let tz = TimeZone::get(zone).unwrap();
        next_fire(&cron, &tz, at(zone, after), CALENDAR_HORIZON_DAYS).map(|ms| local(zone, ms))
    }

    fn start_at(decision: Decision, zone: &str) -> (String, String) {
        match decision {
            Decision::Start {
                window_start_ms,
                window_end_ms,
            } => (local(zone, window_start_ms), local(zone, window_end_ms)),
            other => panic!("expected a start, got {other:?}"),
        }
    }

    fn wait_until(decision: Decision, zone: &str) -> Option<String> {
        match decision {
            Decision::Wait { next_run_ms } => next_run_ms.map(|ms| local(zone, ms)),
            other => panic!("expected a wait, got {other:?}"),
        }
    }

    #[test]
    fn periods_parse_display_and_round_trip() {
        for (text, seconds, shown) in [
            ("90d", 90 * 86_400, "90d"),
            ("12h", 12 * 3_600, "12h"),
            ("30m", 1_800, "30m"),
            ("45s", 45, "45s"),
            ("1d12h", 36 * 3_600, "1d12h"),
            ("36h", 36 * 3_600, "1d12h"),
            ("2w", 14 * 86_400, "2w"),
            (
                "1w2d3h4m5s",
                9 * 86_400 + 3 * 3_600 + 4 * 60 + 5,
                "9d3h4m5s",
            ),
        ] {
            let trigger = Trigger::parse_period(text).unwrap();
            assert_eq!(trigger, Trigger::Every { seconds }, "{text}");
            assert_eq!(format_period(seconds), shown);
            assert_eq!(trigger.to_string(), format!("every {shown}"));
            assert_eq!(Trigger::parse(&trigger.to_string()).unwrap(), trigger);
            assert_eq!(parse_period_seconds(shown).unwrap(), seconds);
        }
        assert_eq!(parse_period_seconds("3650d").unwrap(), MAX_PERIOD_SECONDS);
    }

    #[test]
    fn bad_periods_say_the_accepted_form() {
        for (text, says) in [
            ("", "empty"),
            ("90", "no unit"),
            ("d", "number before"),
            ("90x", "'x' is not a unit"),
            ("12h1d", "largest first"),
            ("1h1h", "largest first"),
            ("0s", "at least 1 second"),
            ("3651d", "at most 10 years"),
            ("99999999999999999999s", "too large"),
            ("-5m", "number before"),
        ] {
            let error = Trigger::parse_period(text).unwrap_err();
            assert!(error.contains(says), "{text:?}: {error}");
            assert!(
                error.contains("largest first")
                    || error.contains("second")
                    || error.contains("10 years"),
                "{text:?} should say the form: {error}"
            );
        }
        assert!(
            Trigger::parse("sometimes")
                .unwrap_err()
                .contains("every <period>")
        );
    }

    #[test]
    fn windows_parse_display_and_round_trip() {
        let weekend = Window::parse("sat,sun 02:00-06:00").unwrap();
        assert_eq!(
            weekend,
            Window {
                days: vec![Weekday::Sat, Weekday::Sun],
                start_minute: 120,
                end_minute: 360
            }
        );
        let nights = Window::parse("mon-fri 22:00-04:00").unwrap();
        assert_eq!(nights.days.len(), 5);
        assert_eq!((nights.start_minute, nights.end_minute), (22 * 60, 4 * 60));
        assert_eq!(
            Window::parse("daily 01:00-05:00").unwrap(),
            Window::parse("01:00-05:00").unwrap()
        );
        assert!(Window::parse("01:00-05:00").unwrap().days.is_empty());
        assert_eq!(Window::parse("22:00-24:00").unwrap().end_minute, 1440);
        assert_eq!(
            Window::parse("FRI-Mon 1:30-2:45").unwrap().days,
            vec![Weekday::Mon, Weekday::Fri, Weekday::Sat, Weekday::Sun]
        );
        for (text, shown) in [
            ("sat,sun 02:00-06:00", "sat,sun 02:00-06:00"),
            ("mon-fri 22:00-04:00", "mon-fri 22:00-04:00"),
            ("daily 01:00-05:00", "daily 01:00-05:00"),
            ("01:00-05:00", "daily 01:00-05:00"),
            ("mon-sun 01:00-05:00", "daily 01:00-05:00"),
            ("fri-mon 23:00-24:00", "mon,fri-sun 23:00-24:00"),
            ("wed,mon 1:05-2:00", "mon,wed 01:05-02:00"),
        ] {
            let window = Window::parse(text).unwrap();
            assert_eq!(window.to_string(), shown, "{text}");
            assert_eq!(Window::parse(shown).unwrap(), window, "{text}");
        }
    }

    #[test]
    fn bad_windows_say_the_accepted_form() {
        for (text, says) in [
            ("", "empty"),
            ("sat 02:00", "HH:MM-HH:MM"),
            ("sat 02:00-02:00", "differ"),
            ("00:00-24:00", "differ"),
            ("sat 24:00-02:00", "00:00 to 23:59)"),
            ("sat 02:00-24:30", "00:00 to 23:59"),
            ("sat 02:60-03:00", "00:00 to 23:59"),
            ("sat 2-3", "not a time HH:MM"),
            ("satur 02:00-03:00", "not a day"),
            ("sat sun 02:00-03:00", "too many parts"),
        ] {
            let error = Window::parse(text).unwrap_err();
            assert!(error.contains(says), "{text:?}: {error}");
            assert!(error.contains("HH:MM-HH:MM"), "{text:?}: {error}");
        }
    }

    #[test]
    fn calendar_expressions_parse_and_refuse_bad_fields() {
        assert_eq!(
            Trigger::parse_calendar("  0   3 * *  SAT ").unwrap(),
            Trigger::Calendar {
                expression: "0 3 * * SAT".to_string()
            }
        );
        let trigger = calendar("*/15 1-4 1,15 jan-mar mon-fri");
        assert_eq!(Trigger::parse(&trigger.to_string()).unwrap(), trigger);
        for (expression, says) in [
            ("0 3 * *", "has 4 fields"),
            (
                "60 3 * * *",
                "the minute field \"60\": 60 is out of range 0-59",
            ),
            ("0 24 * * *", "hour field"),
            ("0 3 0 * *", "day-of-month field"),
            ("0 3 * 13 *", "month field"),
            ("0 3 * * 8", "day-of-week field"),
            ("0 3 * foo *", "not a number or a name (jan-dec)"),
            ("0 3 * * 5-2", "runs backwards"),
            ("*/0 3 * * *", "step"),
            ("5/10 3 * * *", "a step goes after"),
            ("0 3 * * mon,", "not a number"),
        ] {
            let error = Trigger::parse_calendar(expression).unwrap_err();
            assert!(error.contains(says), "{expression:?}: {error}");
            assert!(error.contains("5 fields"), "{expression:?}: {error}");
        }
    }

    #[test]
    fn cron_next_match() {
        // 2026-03-06 is a Friday.
        assert_eq!(
            next_match("0 3 * * sat", "UTC", "2026-03-06 12:00").as_deref(),
            Some("2026-03-07 03:00:00")
        );
        assert_eq!(
            next_match("0 3 * * 6", "Europe/Paris", "2026-03-07 03:00").as_deref(),
            Some("2026-03-14 03:00:00"),
            "strictly after"
        );
        assert_eq!(
            next_match("*/15 * * * *", "UTC", "2026-03-06 12:07").as_deref(),
            Some("2026-03-06 12:15:00")
        );
        assert_eq!(
            next_match("*/15 * * * *", "UTC", "2026-03-06 23:50").as_deref(),
            Some("2026-03-07 00:00:00")
        );
        assert_eq!(
            next_match("10-40/15 * * * *", "UTC", "2026-03-06 12:26").as_deref(),
            Some("2026-03-06 12:40:00")
        );
        assert_eq!(
            next_match("30 2 1 JUN *", "UTC", "2026-03-06 12:00").as_deref(),
            Some("2026-06-01 02:30:00")
        );
        assert_eq!(
            next_match("0 0 * * Sun", "UTC", "2026-03-06 12:00").as_deref(),
            Some("2026-03-08 00:00:00")
        );
        assert_eq!(
            next_match("0 0 * * 7", "UTC", "2026-03-06 12:00"),
            next_match("0 0 * * 0", "UTC", "2026-03-06 12:00")
        );
        // Both day fields restricted: the 10th (a Tuesday) or any Sunday, whichever is first.
        assert_eq!(
            next_match("0 0 10 * sun", "UTC", "2026-03-06 12:00").as_deref(),
            Some("2026-03-08 00:00:00")
        );
        assert_eq!(
            next_match("0 0 7 * sun", "UTC", "2026-03-06 12:00").as_deref(),
            Some("2026-03-07 00:00:00")
        );
        // A day field starting with * does not restrict: both must hold.
        assert_eq!(
            next_match("0 0 */1 * sun", "UTC", "2026-03-06 12:00").as_deref(),
            Some("2026-03-08 00:00:00")
        );
        assert_eq!(
            next_match("0 0 13 * *", "UTC", "2026-03-06 12:00").as_deref(),
            Some("2026-03-13 00:00:00")
        );
        assert_eq!(next_match("0 0 30 2 *", "UTC", "2026-03-06 12:00"), None);
        assert_eq!(
            next_match("0 0 29 feb *", "UTC", "2026-03-06 12:00").as_deref(),
            Some("2028-02-29 00:00:00")
        );
        // The skipped hour of spring forward: the first instant after it.
        assert_eq!(
            next_match("30 2 * * *", "Europe/Paris", "2026-03-29 00:00").as_deref(),
            Some("2026-03-29 03:00:00")
        );
    }

    #[test]
    fn validate_refuses_what_would_never_run() {
        let now = at("UTC", "2026-03-06 12:00");
        let good = schedule(
            calendar("0 3 * * sat"),
            &["sat,sun 02:00-06:00"],
            "Europe/Paris",
        );
        good.validate_at(now).unwrap();
        good.validate().unwrap();

        let feb30 = schedule(calendar("0 0 30 2 *"), &[], "UTC");
        let error = feb30.validate_at(now).unwrap_err();
        assert!(error.contains("never run"), "{error}");
        assert!(error.contains("no fire time"), "{error}");

        let outside = schedule(calendar("0 12 * * *"), &["02:00-03:00"], "UTC");
        let error = outside.validate_at(now).unwrap_err();
        assert!(
            error.contains("never fires inside a maintenance window"),
            "{error}"
        );

        let wrong_day = schedule(calendar("* * * * mon"), &["sun 02:00-03:00"], "UTC");
        assert!(wrong_day.validate_at(now).is_err());
        let crossing = schedule(calendar("30 1 * * mon"), &["sun 22:00-02:00"], "UTC");
        crossing.validate_at(now).unwrap();
    }

    #[test]
    fn validate_checks_zone_windows_users_and_trigger() {
        let now = at("UTC", "2026-03-06 12:00");
        let mut bad_zone = schedule(every(60), &[], "Mars/Olympus_Mons");
        let error = bad_zone.validate_at(now).unwrap_err();
        assert!(error.contains("Mars/Olympus_Mons"), "{error}");
        assert!(error.contains("IANA"), "{error}");
        bad_zone.time_zone = "America/New_York".to_string();
        bad_zone.validate_at(now).unwrap();

        let mut users = schedule(every(60), &[], "UTC");
        users.users = vec!["admin".into(), "Root!".into()];
        assert!(
            users
                .validate_at(now)
                .unwrap_err()
                .contains("not a valid user name")
        );
        users.users = vec!["admin".into(), "admin".into()];
        assert!(users.validate_at(now).unwrap_err().contains("listed twice"));

        let mut window = schedule(every(60), &[], "UTC");
        window.windows.push(Window {
            days: vec![],
            start_minute: 1500,
            end_minute: 60,
        });
        assert!(window.validate_at(now).unwrap_err().contains("after 23:59"));

        let zero = schedule(every(0), &[], "UTC");
        assert!(
            zero.validate_at(now)
                .unwrap_err()
                .contains("at least 1 second")
        );
        let cron = schedule(
            Trigger::Calendar {
                expression: "0 3 * *".into(),
            },
            &[],
            "UTC",
        );
        assert!(cron.validate_at(now).unwrap_err().contains("4 fields"));
    }

    #[test]
    fn specs_and_progress_are_camel_case_json() {
        let mut spec = schedule(
            calendar("0 3 * * sat"),
            &["sat,sun 02:00-06:00"],
            "Europe/Paris",
        );
        spec.run = ScheduledRun::Resync;
        spec.users = vec!["admin".into()];
        let json = serde_json::to_value(&spec).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "trigger": {"calendar": {"expression": "0 3 * * sat"}},
                "windows": [{"days": ["sat", "sun"], "startMinute": 120, "endMinute": 360}],
                "timeZone": "Europe/Paris",
                "run": "resync",
                "users": ["admin"],
            })
        );
        assert_eq!(serde_json::from_value::<ScheduleSpec>(json).unwrap(), spec);
        let minimal: ScheduleSpec =
            serde_json::from_str(r#"{"trigger": {"every": {"seconds": 60}}}"#).unwrap();
        assert_eq!(minimal.time_zone, "UTC");
        assert_eq!(minimal.run, ScheduledRun::Rotate);

        let progress = Progress {
            due_ms: 5,
            refused_in_window_ms: Some(3),
            reported_through_ms: 2,
        };
        let json = serde_json::to_string(&progress).unwrap();
        assert_eq!(
            json,
            r#"{"dueMs":5,"refusedInWindowMs":3,"reportedThroughMs":2}"#
        );
        assert_eq!(serde_json::from_str::<Progress>(&json).unwrap(), progress);
    }

    #[test]
    fn short_period_runs_only_inside_its_window() {
        let zone = "Europe/Paris";
        let spec = schedule(every(60), &["02:00-03:00"], zone);
        let progress = first_progress(&spec, at(zone, "2026-06-10 01:00"));
        assert_eq!(local(zone, progress.due_ms), "2026-06-10 01:01:00");

        assert_eq!(
            wait_until(decide(&spec, &progress, at(zone, "2026-06-10 01:59")), zone).as_deref(),
            Some("2026-06-10 02:00:00")
        );
        let now = at(zone, "2026-06-10 02:00");
        assert_eq!(
            start_at(decide(&spec, &progress, now), zone),
            ("2026-06-10 02:00:00".into(), "2026-06-10 03:00:00".into())
        );
        let progress = after_start(&spec, &progress, now);
        assert_eq!(local(zone, progress.due_ms), "2026-06-10 02:01:00");
        assert_eq!(progress.reported_through_ms, now);

        assert_eq!(
            wait_until(
                decide(&spec, &progress, at(zone, "2026-06-10 02:00:30")),
                zone
            )
            .as_deref(),
            Some("2026-06-10 02:01:00")
        );
        let now = at(zone, "2026-06-10 02:01");
        start_at(decide(&spec, &progress, now), zone);
        let progress = after_start(&spec, &progress, now);

        assert_eq!(
            wait_until(decide(&spec, &progress, at(zone, "2026-06-10 03:00")), zone).as_deref(),
            Some("2026-06-11 02:00:00"),
            "not outside the window"
        );
        assert_eq!(
            next_run(&spec, &progress, at(zone, "2026-06-10 03:00")),
            Some(at(zone, "2026-06-11 02:00"))
        );
    }

    #[test]
    fn a_refused_run_waits_for_the_next_window() {
        let zone = "Europe/Paris";
        let spec = schedule(every(7 * 86_400), &["sat,sun 02:00-06:00"], zone);
        // Set on Friday 2026-03-06 at noon: due a week later, Friday the 13th.
        let progress = first_progress(&spec, at(zone, "2026-03-06 12:00"));
        let now = at(zone, "2026-03-14 02:00");
        let (window_start, _) = start_at(decide(&spec, &progress, now), zone);
        assert_eq!(window_start, "2026-03-14 02:00:00");
        let progress = after_refusal(&progress, at(zone, "2026-03-14 02:00"));
        assert_eq!(
            progress.due_ms,
            first_progress(&spec, at(zone, "2026-03-06 12:00")).due_ms
        );

        for later in ["2026-03-14 02:00", "2026-03-14 03:00", "2026-03-14 05:59"] {
            assert_eq!(
                wait_until(decide(&spec, &progress, at(zone, later)), zone).as_deref(),
                Some("2026-03-15 02:00:00"),
                "{later}"
            );
        }
        // The refused window closing is not a missed one.
        assert_eq!(
            wait_until(decide(&spec, &progress, at(zone, "2026-03-14 23:00")), zone).as_deref(),
            Some("2026-03-15 02:00:00")
        );
        let now = at(zone, "2026-03-15 02:00");
        assert_eq!(
            start_at(decide(&spec, &progress, now), zone),
            ("2026-03-15 02:00:00".into(), "2026-03-15 06:00:00".into())
        );
        let progress = after_start(&spec, &progress, now);
        assert_eq!(progress.refused_in_window_ms, None);
        assert_eq!(local(zone, progress.due_ms), "2026-03-22 02:00:00");
    }

    #[test]
    fn windows_passed_while_down_are_missed_once() {
        let zone = "Europe/Paris";
        let spec = schedule(every(3_600), &["02:00-03:00"], zone);
        let progress = first_progress(&spec, at(zone, "2026-06-10 00:00"));
        // Down from before the first window until after the second.
        let now = at(zone, "2026-06-11 12:00");
        let missed = vec![
            (at(zone, "2026-06-10 02:00"), at(zone, "2026-06-10 03:00")),
            (at(zone, "2026-06-11 02:00"), at(zone, "2026-06-11 03:00")),
        ];
        assert_eq!(
            decide(&spec, &progress, now),
            Decision::Missed {
                windows: missed.clone()
            }
        );
        let progress = after_missed(&progress, &missed);
        assert_eq!(progress.reported_through_ms, missed[1].1);
        assert_eq!(
            wait_until(decide(&spec, &progress, now), zone).as_deref(),
            Some("2026-06-12 02:00:00"),
            "not reported twice"
        );
        assert_eq!(
            start_at(decide(&spec, &progress, at(zone, "2026-06-12 02:00")), zone).0,
            "2026-06-12 02:00:00"
        );
    }

    #[test]
    fn missed_windows_come_a_hundred_at_a_time() {
        let spec = schedule(every(60), &[], "UTC");
        let progress = first_progress(&spec, at("UTC", "2026-01-01 00:00"));
        let now = at("UTC", "2026-06-01 12:00");
        let Decision::Missed { windows } = decide(&spec, &progress, now) else {
            panic!("expected missed windows");
        };
        assert_eq!(windows.len(), MAX_MISSED_PER_DECISION);
        // The first day was open when the run became due (00:01): not missed.
        assert_eq!(windows[0].0, at("UTC", "2026-01-02 00:00"));
        assert!(windows.windows(2).all(|pair| pair[0].1 == pair[1].0));
        let progress = after_missed(&progress, &windows);
        let Decision::Missed { windows: more } = decide(&spec, &progress, now) else {
            panic!("expected more missed windows");
        };
        assert_eq!(more[0].0, windows[99].1);
        assert_eq!(more.last().unwrap().1, at("UTC", "2026-06-01 00:00"));
        let progress = after_missed(&progress, &more);
        assert_eq!(
            decide(&spec, &progress, now),
            Decision::Start {
                window_start_ms: at("UTC", "2026-06-01 00:00"),
                window_end_ms: at("UTC", "2026-06-02 00:00")
            }
        );
    }

    #[test]
    fn spring_forward_window_starts_after_the_skip() {
        let zone = "Europe/Paris";
        // 2026-03-29: 02:00 CET becomes 03:00 CEST.
        let spec = schedule(every(60), &["02:30-03:30"], zone);
        let progress = first_progress(&spec, at(zone, "2026-03-28 12:00"));
        assert_eq!(
            wait_until(decide(&spec, &progress, at(zone, "2026-03-29 01:00")), zone).as_deref(),
            Some("2026-03-29 03:00:00")
        );
        let now = at(zone, "2026-03-29 03:00");
        assert_eq!(now, at("UTC", "2026-03-29 01:00"));
        assert_eq!(
            start_at(decide(&spec, &progress, now), zone),
            ("2026-03-29 03:00:00".into(), "2026-03-29 03:30:00".into())
        );
        // A window entirely inside the skip is empty that day, the next day's is whole.
        let skipped = schedule(every(60), &["02:00-03:00"], zone);
        assert_eq!(
            next_run(&skipped, &progress, at(zone, "2026-03-29 01:00")),
            Some(at(zone, "2026-03-30 02:00"))
        );
        // Fall back (2026-10-25, 03:00 CEST becomes 02:00 CET): the earlier 02:30.
        let fall = schedule(every(60), &["02:30-04:00"], zone);
        let progress = first_progress(&fall, at(zone, "2026-10-24 12:00"));
        let next = next_run(&fall, &progress, at(zone, "2026-10-25 00:00")).unwrap();
        assert_eq!(next, at("UTC", "2026-10-25 00:30"));
        let end = match decide(&fall, &progress, next) {
            Decision::Start { window_end_ms, .. } => window_end_ms,
            other => panic!("expected a start, got {other:?}"),
        };
        assert_eq!(
            end,
            at("UTC", "2026-10-25 03:00"),
            "02:30 CEST to 04:00 CET"
        );
    }

    #[test]
    fn a_window_across_midnight_belongs_to_the_day_it_starts() {
        let zone = "Europe/Paris";
        let spec = schedule(every(60), &["fri 22:00-02:00"], zone);
        let progress = first_progress(&spec, at(zone, "2026-03-06 12:00"));
        // Saturday 01:00 is inside Friday's window.
        assert_eq!(
            start_at(decide(&spec, &progress, at(zone, "2026-03-07 01:00")), zone),
            ("2026-03-06 22:00:00".into(), "2026-03-07 02:00:00".into())
        );
        // Friday 01:00 is not (Thursday has no window).
        let progress = first_progress(&spec, at(zone, "2026-03-05 12:00"));
        assert_eq!(
            wait_until(decide(&spec, &progress, at(zone, "2026-03-06 01:00")), zone).as_deref(),
            Some("2026-03-06 22:00:00")
        );
        let daily = schedule(every(60), &["22:00-02:00"], zone);
        assert_eq!(
            next_run(&daily, &progress, at(zone, "2026-03-06 01:00")),
            Some(at(zone, "2026-03-06 01:00"))
        );
    }

    #[test]
    fn without_windows_any_time_and_a_refusal_waits_a_day() {
        let zone = "America/New_York";
        let spec = schedule(every(3_600), &[], zone);
        let progress = first_progress(&spec, at(zone, "2026-03-06 12:00"));
        assert_eq!(
            wait_until(decide(&spec, &progress, at(zone, "2026-03-06 12:30")), zone).as_deref(),
            Some("2026-03-06 13:00:00")
        );
        let now = at(zone, "2026-03-06 13:00");
        assert_eq!(
            start_at(decide(&spec, &progress, now), zone),
            ("2026-03-06 00:00:00".into(), "2026-03-07 00:00:00".into())
        );
        let progress = after_refusal(&progress, at(zone, "2026-03-06 00:00"));
        assert_eq!(
            wait_until(decide(&spec, &progress, at(zone, "2026-03-06 23:59")), zone).as_deref(),
            Some("2026-03-07 00:00:00")
        );
        assert_eq!(
            start_at(decide(&spec, &progress, at(zone, "2026-03-07 00:00")), zone).0,
            "2026-03-07 00:00:00"
        );
    }

    #[test]
    fn calendar_schedule_is_due_at_its_fire_times() {
        let zone = "Europe/Paris";
        let spec = schedule(calendar("0 3 * * sat"), &["sat 02:00-06:00"], zone);
        let progress = first_progress(&spec, at(zone, "2026-03-06 12:00"));
        assert_eq!(local(zone, progress.due_ms), "2026-03-07 03:00:00");
        assert_eq!(
            wait_until(decide(&spec, &progress, at(zone, "2026-03-07 02:30")), zone).as_deref(),
            Some("2026-03-07 03:00:00"),
            "the window is open, the run is not due yet"
        );
        let now = at(zone, "2026-03-07 03:00:05");
        start_at(decide(&spec, &progress, now), zone);
        let progress = after_start(&spec, &progress, now);
        assert_eq!(local(zone, progress.due_ms), "2026-03-14 03:00:00");

        let never = schedule(calendar("0 0 30 2 *"), &[], zone);
        let progress = first_progress(&never, at(zone, "2026-03-06 12:00"));
        assert_eq!(progress.due_ms, NEVER_MS);
        assert_eq!(
            decide(&never, &progress, at(zone, "2027-03-06 12:00")),
            Decision::Wait { next_run_ms: None }
        );
    }

    #[test]
    fn invalid_specs_do_not_panic() {
        let mut spec = schedule(every(u64::MAX), &[], "Nowhere/Land");
        spec.windows.push(Window {
            days: vec![],
            start_minute: u16::MAX,
            end_minute: u16::MAX,
        });
        let progress = first_progress(&spec, i64::MAX - 5);
        decide(&spec, &progress, i64::MAX - 1);
        next_run(&spec, &progress, i64::MIN);
        let progress = first_progress(&spec, 0);
        decide(&spec, &progress, i64::MAX);
        decide(&spec, &progress, i64::MIN);
        let bad_cron = schedule(
            Trigger::Calendar {
                expression: "nonsense".into(),
            },
            &[],
            "UTC",
        );
        assert_eq!(first_progress(&bad_cron, 0).due_ms, NEVER_MS);
    }
}
