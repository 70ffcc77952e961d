//! Fault injection for the simulated fleet: a plan of per-camera faults read from TOML, and the
//! timeline that switches them on and off.
//!
//! Why: the rig's validator must be proven against cameras that misbehave the way field cameras
//! do (a stream that drops, freezes, arrives late, loses packets, under-delivers its bitrate,
//! refuses a password that worked yesterday, or reboots), and those misbehaviours have to happen
//! on cue so that a test can say what the validator should have seen. The plan format is
//! documented in `docs/rig.md` ("Simulator faults").
//!
//! The plan is checked as a whole before anything listens: every problem is reported as
//! `file:line:col: fault[i].field: message`, and camera names are checked against the fleet
//! in [`FaultPlan::check_cameras`]. While the fleet runs, a single task walks the timeline and
//! publishes each camera's [`ActiveFaults`] on a watch channel; the RTSP connections and the
//! ONVIF server of that camera read it. Cameras that no fault names get no channel at all, so
//! a fleet without faults pays nothing per packet.

use std::fmt;
use std::future::Future;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};
use toml::Spanned;

/// What a fault does to its camera. See `docs/rig.md` for the exact semantics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultKind {
    /// Every RTSP connection of the camera is closed at the start; new ones are refused while
    /// the fault lasts.
    Drop,
    /// Sessions stay open and requests are answered, but no media is sent.
    Stall,
    /// Every RTP packet is sent `delay` ± `jitter` late, never out of order.
    Latency {
        /// Mean added delay.
        delay: Duration,
        /// Largest deviation from `delay`, either way; at most `delay`.
        jitter: Duration,
    },
    /// This share of RTP packets sent over UDP is dropped; TCP is unaffected.
    UdpLoss {
        /// Percent of packets lost, 0 to 100.
        percent: f64,
    },
    /// The stream's real bitrate becomes `factor` × the configured one, which ONVIF still
    /// reports.
    Bitrate {
        /// Multiplier of the configured bitrate, above 0.
        factor: f64,
    },
    /// ONVIF and RTSP refuse the camera's own credentials.
    RefuseCredentials,
    /// Every connection is closed at the start and ONVIF and RTSP refuse the camera while the
    /// fault lasts; it then serves again with its settings unchanged.
    Reboot,
}

impl FaultKind {
    /// The name used in the plan file.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Drop => "drop",
            FaultKind::Stall => "stall",
            FaultKind::Latency { .. } => "latency",
            FaultKind::UdpLoss { .. } => "udp-loss",
            FaultKind::Bitrate { .. } => "bitrate",
            FaultKind::RefuseCredentials => "refuse-credentials",
            FaultKind::Reboot => "reboot",
        }
    }
}

/// The kinds a plan may name, in the order the docs list them.
const KINDS: [&str; 7] = [
    "drop",
    "stall",
    "latency",
    "udp-loss",
    "bitrate",
    "refuse-credentials",
    "reboot",
];

/// One fault of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Camera name, or `*` for every camera.
    pub camera: String,
    /// What happens.
    pub kind: FaultKind,
    /// When it starts, from the moment the fleet listens.
    pub at: Duration,
    /// How long it lasts; `None` until the simulator stops.
    pub duration: Option<Duration>,
    /// Where `camera` and, for a bitrate fault, `factor` were written, for later errors.
    camera_span: Range<usize>,
    factor_span: Option<Range<usize>>,
}

impl Fault {
    /// When it ends, if it does.
    pub fn end(&self) -> Option<Duration> {
        self.duration.map(|d| self.at + d)
    }

    /// Whether it applies to the camera `name`.
    pub fn targets(&self, name: &str) -> bool {
        self.camera == "*" || self.camera == name
    }

    fn active_at(&self, t: Duration) -> bool {
        self.at <= t && self.end().is_none_or(|end| t < end)
    }
}

/// A problem in a fault plan, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultPlanError {
    /// The file as named by the user.
    pub file: String,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
    /// Field path such as `fault[1].factor`, when known.
    pub field: Option<String>,
    /// What is wrong and what is accepted.
    pub message: String,
}

impl fmt::Display for FaultPlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        f.write_str(": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for FaultPlanError {}

/// A list of faults, each for one camera (or all) at a time offset.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    file: String,
    text: String,
    faults: Vec<Fault>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    #[serde(default)]
    fault: Vec<RawFault>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    camera: Spanned<String>,
    kind: Spanned<String>,
    at: Spanned<String>,
    #[serde(rename = "for")]
    duration: Option<Spanned<String>>,
    factor: Option<Spanned<f64>>,
    delay: Option<Spanned<String>>,
    jitter: Option<Spanned<String>>,
    percent: Option<Spanned<f64>>,
}

/// Parses `10s`, `1500ms`, `2m`, `1h` or `0.5s`: a non-negative decimal and a unit.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!(
            "{text:?} is not a duration: write a number and a unit (ms, s, m or h), e.g. \"1500ms\" or \"10s\""
        )
    };
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let scale = match unit.trim() {
        "ms" => 0.001,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(bad()),
    };
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return Err(bad());
    }
    let value: f64 = number.parse().map_err(|_| bad())?;
    let seconds = value * scale;
    // A week bounds any test plan and keeps the arithmetic far from overflow.
    if !(0.0..=604_800.0).contains(&seconds) {
        return Err(format!("{text:?} is longer than a week"));
    }
    // Whole microseconds: finer steps mean nothing to a tokio timer.
    Ok(Duration::from_micros((seconds * 1e6).round() as u64))
}

impl FaultPlan {
    /// Reads and checks the plan at `path`; errors name the path as given.
    pub fn load(path: &Path) -> Result<FaultPlan, FaultPlanError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| FaultPlanError {
            file: file.clone(),
            position: None,
            field: None,
            message: format!("cannot read the fault plan: {e}"),
        })?;
        FaultPlan::parse(&file, &text)
    }

    /// Parses and checks a plan; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<FaultPlan, FaultPlanError> {
        let plan = FaultPlan {
            file: file.to_owned(),
            text: text.to_owned(),
            faults: Vec::new(),
        };
        let deserializer = toml::de::Deserializer::parse(text)
            .map_err(|e| plan.error(e.span(), None, e.message().trim().to_owned()))?;
        let raw: RawPlan = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            // Spanned fields add a private segment to the path; people need the field name.
            let path = e.path().to_string();
            let path = path
                .split(".$__serde_spanned_private")
                .next()
                .unwrap_or(&path)
                .to_owned();
            let path = (path != ".").then_some(path);
            let inner = e.into_inner();
            plan.error(inner.span(), path, inner.message().trim().to_owned())
        })?;
        let mut faults = Vec::with_capacity(raw.fault.len());
        for (i, r) in raw.fault.into_iter().enumerate() {
            faults.push(plan.check_fault(i, r)?);
        }
        Ok(FaultPlan { faults, ..plan })
    }

    /// The faults, in file order.
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// The file name errors use.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Fails on the first fault whose camera is not in `names` (`*` matches any fleet).
    pub fn check_cameras(&self, names: &[&str]) -> Result<(), FaultPlanError> {
        for (i, f) in self.faults.iter().enumerate() {
            if f.camera != "*" && !names.contains(&f.camera.as_str()) {
                let listed = match names {
                    [] => "none".to_owned(),
                    [one] => (*one).to_owned(),
                    [first, .., last] if names.len() > 6 => {
                        format!("{first} … {last}, {} in all", names.len())
                    }
                    _ => names.join(", "),
                };
                return Err(self.error_at(
                    i,
                    "camera",
                    format!(
                        "no camera named {:?} in the fleet (cameras: {listed}; \"*\" means every camera)",
                        f.camera
                    ),
                ));
            }
        }
        Ok(())
    }

    /// An error about field `field` (`camera` or `factor`) of fault `index`, at its place in
    /// the file.
    pub(crate) fn error_at(&self, index: usize, field: &str, message: String) -> FaultPlanError {
        let span = self.faults.get(index).and_then(|f| match field {
            "factor" => f.factor_span.clone(),
            _ => Some(f.camera_span.clone()),
        });
        self.error(span, Some(format!("fault[{index}].{field}")), message)
    }

    fn error(
        &self,
        span: Option<Range<usize>>,
        field: Option<String>,
        message: String,
    ) -> FaultPlanError {
        FaultPlanError {
            file: self.file.clone(),
            position: span.map(|s| line_col(&self.text, s.start)),
            field,
            message,
        }
    }

    /// A bitrate fault's `factor`: above 0 and at most 100.
    fn check_factor(&self, i: usize, f: &Spanned<f64>) -> Result<f64, FaultPlanError> {
        let factor = *f.get_ref();
        let why = if factor.is_nan() || factor <= 0.0 {
            format!("must be > 0, not {factor}")
        } else if factor > 100.0 {
            format!("must be at most 100, not {factor}")
        } else {
            return Ok(factor);
        };
        Err(self.error(Some(f.span()), Some(format!("fault[{i}].factor")), why))
    }

    /// An error about `field` of fault `i`, at `span`.
    fn field_error(
        &self,
        i: usize,
        field: &str,
        span: Range<usize>,
        message: String,
    ) -> FaultPlanError {
        self.error(Some(span), Some(format!("fault[{i}].{field}")), message)
    }

    /// Field `field` of fault `i` read as a duration.
    fn duration_field(
        &self,
        i: usize,
        field: &str,
        v: &Spanned<String>,
    ) -> Result<Duration, FaultPlanError> {
        parse_duration(v.get_ref()).map_err(|m| self.field_error(i, field, v.span(), m))
    }

    /// Checks one `[[fault]]` table and turns it into a [`Fault`]: its camera, times, kind
    /// and the parameters that kind takes.
    fn check_fault(&self, i: usize, r: RawFault) -> Result<Fault, FaultPlanError> {
        let camera = r.camera.get_ref().trim().to_owned();
        if camera.is_empty() {
            return Err(self.field_error(
                i,
                "camera",
                r.camera.span(),
                "name a camera, or \"*\" for every camera".into(),
            ));
        }
        let at = self.duration_field(i, "at", &r.at)?;
        let span_for = r.duration.as_ref().map(Spanned::span);
        let length = r
            .duration
            .as_ref()
            .map(|d| self.duration_field(i, "for", d))
            .transpose()?;
        let kind_name = r.kind.get_ref().as_str();
        self.check_parameters(i, &r, kind_name)?;
        let kind = self.fault_kind(i, &r, kind_name)?;
        if kind == FaultKind::Reboot && length.is_none() {
            return Err(self.field_error(
                i,
                "kind",
                r.kind.span(),
                "a reboot needs `for` (how long the camera is away); a camera that never comes \
                 back is kind = \"drop\" without `for`"
                    .into(),
            ));
        }
        if let (FaultKind::Reboot, Some(span), Some(Duration::ZERO)) = (kind, span_for, length) {
            return Err(self.field_error(
                i,
                "for",
                span,
                "a reboot takes time: give a duration above 0".into(),
            ));
        }
        Ok(Fault {
            camera,
            kind,
            at,
            duration: length,
            camera_span: r.camera.span(),
            factor_span: r.factor.as_ref().map(Spanned::span),
        })
    }

    /// Checks that fault `i`'s kind is known and that it is given no parameter its kind does
    /// not take: anything else is a mistake to report, not to ignore.
    fn check_parameters(
        &self,
        i: usize,
        r: &RawFault,
        kind_name: &str,
    ) -> Result<(), FaultPlanError> {
        let takes: &[&str] = match kind_name {
            "latency" => &["delay", "jitter"],
            "udp-loss" => &["percent"],
            "bitrate" => &["factor"],
            k if KINDS.contains(&k) => &[],
            other => {
                return Err(self.field_error(
                    i,
                    "kind",
                    r.kind.span(),
                    format!(
                        "unknown kind {other:?}; expected one of {}",
                        KINDS.join(", ")
                    ),
                ));
            }
        };
        let given = [
            ("factor", r.factor.as_ref().map(Spanned::span)),
            ("delay", r.delay.as_ref().map(Spanned::span)),
            ("jitter", r.jitter.as_ref().map(Spanned::span)),
            ("percent", r.percent.as_ref().map(Spanned::span)),
        ];
        for (name, span) in given {
            if let Some(span) = span
                && !takes.contains(&name)
            {
                let which = match takes {
                    [] => "no parameters".to_owned(),
                    _ => takes.join(" and "),
                };
                return Err(self.field_error(
                    i,
                    name,
                    span,
                    format!("a {kind_name} fault takes {which}, not {name}"),
                ));
            }
        }
        Ok(())
    }

    /// Fault `i`'s kind with its parameters, each present and in range; `kind_name` is one
    /// [`check_parameters`](Self::check_parameters) accepted.
    fn fault_kind(
        &self,
        i: usize,
        r: &RawFault,
        kind_name: &str,
    ) -> Result<FaultKind, FaultPlanError> {
        let missing = |name: &str| {
            self.field_error(
                i,
                "kind",
                r.kind.span(),
                format!("a {kind_name} fault needs `{name}`"),
            )
        };
        Ok(match kind_name {
            "drop" => FaultKind::Drop,
            "stall" => FaultKind::Stall,
            "refuse-credentials" => FaultKind::RefuseCredentials,
            "reboot" => FaultKind::Reboot,
            "latency" => {
                let delay_v = r.delay.as_ref().ok_or_else(|| missing("delay"))?;
                let delay = self.duration_field(i, "delay", delay_v)?;
                let jitter = match &r.jitter {
                    Some(j) => {
                        let jitter = self.duration_field(i, "jitter", j)?;
                        if jitter > delay {
                            return Err(self.field_error(
                                i,
                                "jitter",
                                j.span(),
                                format!(
                                    "must not exceed delay ({:?}): a packet cannot leave early",
                                    delay
                                ),
                            ));
                        }
                        jitter
                    }
                    None => Duration::ZERO,
                };
                FaultKind::Latency { delay, jitter }
            }
            "udp-loss" => {
                let p = r.percent.as_ref().ok_or_else(|| missing("percent"))?;
                let percent = *p.get_ref();
                if !(0.0..=100.0).contains(&percent) {
                    return Err(self.field_error(
                        i,
                        "percent",
                        p.span(),
                        format!("must be between 0 and 100, not {percent}"),
                    ));
                }
                FaultKind::UdpLoss { percent }
            }
            _ => {
                let f = r.factor.as_ref().ok_or_else(|| missing("factor"))?;
                FaultKind::Bitrate {
                    factor: self.check_factor(i, f)?,
                }
            }
        })
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// What is wrong with one camera right now: the combined effect of its active faults. When two
/// active faults set the same parameter, the later one in the file wins.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ActiveFaults {
    /// Counts the drops and reboots that have started; a connection opened under an older
    /// count is closed.
    pub epoch: u64,
    /// RTSP requests for the camera's streams get 503 and their connection is closed.
    pub refuse_rtsp: bool,
    /// The camera's ONVIF server closes every connection it accepts.
    pub refuse_onvif: bool,
    /// ONVIF and RTSP refuse even the right credentials.
    pub refuse_credentials: bool,
    /// No media leaves the camera.
    pub stall: bool,
    /// Every RTP packet is delayed by `.0` ± `.1`.
    pub latency: Option<(Duration, Duration)>,
    /// Percent of RTP packets over UDP that are dropped.
    pub udp_loss_percent: Option<f64>,
    /// Multiplier of the configured bitrate.
    pub bitrate_factor: Option<f64>,
}

/// The fault state of one camera as its servers read it, with the seed that makes its random
/// choices (loss, jitter) repeat from run to run.
#[derive(Debug, Clone)]
pub(crate) struct FaultFeed {
    pub(crate) seed: u64,
    pub(crate) state: watch::Receiver<ActiveFaults>,
}

/// FNV-1a of a camera name: a stable seed (std's hashers are randomly keyed per process).
pub(crate) fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Walks a plan's timeline for a fleet, publishing each camera's [`ActiveFaults`].
#[derive(Debug)]
pub(crate) struct Injector {
    faults: Vec<Fault>,
    /// Per camera: its name, and its channel if some fault names it.
    cameras: Vec<(String, Option<watch::Sender<ActiveFaults>>)>,
}

impl Injector {
    /// Channels for the cameras `names` (in fleet order) that some fault targets: `None` for
    /// the others. The plan must have passed [`FaultPlan::check_cameras`].
    pub(crate) fn new(plan: &FaultPlan, names: &[String]) -> (Injector, Vec<Option<FaultFeed>>) {
        let mut cameras = Vec::with_capacity(names.len());
        let mut feeds = Vec::with_capacity(names.len());
        for name in names {
            if plan.faults.iter().any(|f| f.targets(name)) {
                let (tx, rx) = watch::channel(ActiveFaults::default());
                cameras.push((name.clone(), Some(tx)));
                feeds.push(Some(FaultFeed {
                    seed: seed_of(name),
                    state: rx,
                }));
            } else {
                cameras.push((name.clone(), None));
                feeds.push(None);
            }
        }
        (
            Injector {
                faults: plan.faults.clone(),
                cameras,
            },
            feeds,
        )
    }

    /// Applies the plan with `start` as time zero until `stop` completes or the plan is over.
    pub(crate) async fn run(self, start: Instant, stop: impl Future<Output = ()>) {
        let mut moments: Vec<Duration> = self
            .faults
            .iter()
            .flat_map(|f| std::iter::once(f.at).chain(f.end()))
            .collect();
        moments.sort_unstable();
        moments.dedup();
        tokio::pin!(stop);
        for t in moments {
            tokio::select! {
                () = &mut stop => return,
                () = sleep_until(start + t) => {}
            }
            self.step(t);
        }
    }

    /// Publishes every camera's state at offset `t`, logging the faults that start or end then.
    fn step(&self, t: Duration) {
        for (name, tx) in &self.cameras {
            let Some(tx) = tx else { continue };
            let mut next = ActiveFaults {
                epoch: tx.borrow().epoch,
                ..ActiveFaults::default()
            };
            for f in self.faults.iter().filter(|f| f.targets(name)) {
                if f.at == t {
                    log_fault(name, f, "fault starts");
                    if matches!(f.kind, FaultKind::Drop | FaultKind::Reboot) {
                        next.epoch += 1;
                    }
                }
                if f.end() == Some(t) {
                    log_fault(name, f, "fault ends");
                }
                if !f.active_at(t) {
                    continue;
                }
                match f.kind {
                    FaultKind::Drop => next.refuse_rtsp = true,
                    FaultKind::Reboot => {
                        next.refuse_rtsp = true;
                        next.refuse_onvif = true;
                    }
                    FaultKind::Stall => next.stall = true,
                    FaultKind::RefuseCredentials => next.refuse_credentials = true,
                    FaultKind::Latency { delay, jitter } => next.latency = Some((delay, jitter)),
                    FaultKind::UdpLoss { percent } => next.udp_loss_percent = Some(percent),
                    FaultKind::Bitrate { factor } => next.bitrate_factor = Some(factor),
                }
            }
            tx.send_if_modified(|current| {
                let changed = *current != next;
                *current = next;
                changed
            });
        }
    }
}

fn log_fault(camera: &str, f: &Fault, what: &str) {
    let lasts = match f.duration {
        Some(d) => format!("{d:?}"),
        None => "until the simulator stops".to_owned(),
    };
    match f.kind {
        FaultKind::Latency { delay, jitter } => tracing::info!(
            camera, kind = "latency", ?delay, ?jitter, at = ?f.at, lasts, "{what}"
        ),
        FaultKind::UdpLoss { percent } => {
            tracing::info!(camera, kind = "udp-loss", percent, at = ?f.at, lasts, "{what}");
        }
        FaultKind::Bitrate { factor } => {
            tracing::info!(camera, kind = "bitrate", factor, at = ?f.at, lasts, "{what}");
        }
        _ => tracing::info!(camera, kind = f.kind.name(), at = ?f.at, lasts, "{what}"),
    }
}

/// A small, fast, seeded generator for loss and jitter decisions (SplitMix64): reproducible
/// from the camera name, which `rand`'s thread generator is not.
#[derive(Debug, Clone)]
pub(crate) struct Dice(u64);

impl Dice {
    pub(crate) fn new(seed: u64) -> Self {
        Dice(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with probability `percent` / 100.
    pub(crate) fn percent(&mut self, percent: f64) -> bool {
        // 53 random bits as a fraction in [0, 1).
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit * 100.0 < percent
    }

    /// A duration uniformly in `base - spread ..= base + spread` (`spread` ≤ `base`).
    pub(crate) fn around(&mut self, base: Duration, spread: Duration) -> Duration {
        let spread_us = u64::try_from(spread.as_micros()).unwrap_or(u64::MAX / 4);
        if spread_us == 0 {
            return base;
        }
        let offset = self.next_u64() % (2 * spread_us + 1);
        (base + Duration::from_micros(offset)).saturating_sub(spread)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(text: &str) -> String {
        FaultPlan::parse("faults.toml", text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("0.25s"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        for bad in ["10", "s", "-1s", "1.s", ".5s", "10 parsecs", "", "1e3s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
        }
        assert!(parse_duration("9000h").unwrap_err().contains("week"));
    }

    #[test]
    fn a_full_plan_parses_with_every_kind() {
        let plan = FaultPlan::parse(
            "faults.toml",
            r#"
[[fault]]
camera = "cam3"
kind = "bitrate"
at = "10s"
for = "5s"
factor = 0.5

[[fault]]
camera = "*"
kind = "latency"
at = "1500ms"
delay = "200ms"
jitter = "50ms"

[[fault]]
camera = "cam1"
kind = "udp-loss"
at = "0s"
percent = 5

[[fault]]
camera = "cam0"
kind = "reboot"
at = "2m"
for = "30s"

[[fault]]
camera = "cam0"
kind = "drop"
at = "3m"
for = "0s"

[[fault]]
camera = "cam2"
kind = "stall"
at = "1s"

[[fault]]
camera = "cam2"
kind = "refuse-credentials"
at = "1s"
for = "1s"
"#,
        )
        .unwrap();
        let f = plan.faults();
        assert_eq!(f.len(), 7);
        assert_eq!(f[0].kind, FaultKind::Bitrate { factor: 0.5 });
        assert_eq!(f[0].end(), Some(Duration::from_secs(15)));
        assert_eq!(
            f[1].kind,
            FaultKind::Latency {
                delay: Duration::from_millis(200),
                jitter: Duration::from_millis(50)
            }
        );
        assert!(f[1].targets("anything"));
        assert_eq!(f[2].kind, FaultKind::UdpLoss { percent: 5.0 });
        assert_eq!(f[2].end(), None);
        assert_eq!(f[3].at, Duration::from_secs(120));
        assert_eq!(f[4].duration, Some(Duration::ZERO));
        assert_eq!(f[5].kind, FaultKind::Stall);
        assert_eq!(f[6].kind, FaultKind::RefuseCredentials);
        assert!(
            plan.check_cameras(&["cam0", "cam1", "cam2", "cam3"])
                .is_ok()
        );
        assert!(
            FaultPlan::parse("empty.toml", "")
                .unwrap()
                .faults()
                .is_empty()
        );
    }

    #[test]
    fn errors_name_file_line_column_and_field() {
        let cases = [
            (
                "[[fault]]\ncamera = \"cam0\"\nkind = \"bitrate\"\nat = \"0s\"\n\n[[fault]]\ncamera = \"cam1\"\nkind = \"bitrate\"\nat = \"1s\"\nfactor = 0\n",
                "faults.toml:3:8: fault[0].kind: a bitrate fault needs `factor`",
            ),
            (
                "[[fault]]\ncamera = \"cam0\"\nkind = \"bitrate\"\nat = \"0s\"\nfactor = 1.0\n\n[[fault]]\ncamera = \"cam1\"\nkind = \"bitrate\"\nat = \"1s\"\nfactor = -2\n",
                "faults.toml:11:10: fault[1].factor: must be > 0, not -2",
            ),
            (
                "[[fault]]\ncamera = \"cam0\"\nkind = \"explode\"\nat = \"0s\"\n",
                "faults.toml:3:8: fault[0].kind: unknown kind \"explode\"; expected one of drop, stall,",
            ),
            (
                "[[fault]]\ncamera = \"cam0\"\nkind = \"drop\"\nat = \"0s\"\nwhen = 3\n",
                "faults.toml:5:1: fault[0].when: unknown field `when`",
            ),
            (
                "[[fault]]\ncamera = \"cam0\"\nkind = \"drop\"\nat = \"10 seconds\"\n",
                "faults.toml:4:6: fault[0].at: \"10 seconds\" is not a duration",
            ),
            (
                "[[fault]]\ncamera = \"cam0\"\nkind = \"udp-loss\"\nat = \"0s\"\npercent = 101\n",
                "faults.toml:5:11: fault[0].percent: must be between 0 and 100, not 101",
            ),
            (
                "[[fault]]\ncamera = \"cam0\"\nkind = \"stall\"\nat = \"0s\"\ndelay = \"1s\"\n",
                "faults.toml:5:9: fault[0].delay: a stall fault takes no parameters, not delay",
            ),
            (
                "[[fault]]\ncamera = \"cam0\"\nkind = \"bitrate\"\nat = \"0s\"\nfactor = 2.0\njitter = \"1s\"\n",
                "faults.toml:6:10: fault[0].jitter: a bitrate fault takes factor, not jitter",
            ),
            (
                "[[fault]]\ncamera = \"cam0\"\nkind = \"latency\"\nat = \"0s\"\ndelay = \"100ms\"\njitter = \"200ms\"\n",
                "faults.toml:6:10: fault[0].jitter: must not exceed delay",
            ),
            (
                "[[fault]]\ncamera = \"cam0\"\nkind = \"reboot\"\nat = \"0s\"\n",
                "faults.toml:3:8: fault[0].kind: a reboot needs `for`",
            ),
            (
                "[[fault]]\ncamera = \"cam0\"\nkind = \"drop\"\n",
                "faults.toml:1:1: fault[0]: missing field `at`",
            ),
            (
                "[[fault]]\ncamera = \"cam0\"\nkind = \"drop\"\nat = 5\n",
                "faults.toml:4:6: fault[0].at: invalid type: integer `5`, expected a string",
            ),
            (
                "[[faults]]\ncamera = \"cam0\"\n",
                "faults.toml:1:3: faults: unknown field `faults`, expected `fault`",
            ),
            ("[[fault]\n", "faults.toml:1:9: unclosed array table"),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .map(|(text, expected)| (parse_err(text), expected))
            .filter(|(e, expected)| !e.starts_with(*expected))
            .map(|(e, expected)| format!("{e}\n  expected {expected}"))
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn unknown_cameras_are_named_with_their_place() {
        let plan = FaultPlan::parse(
            "f.toml",
            "[[fault]]\ncamera = \"*\"\nkind = \"drop\"\nat = \"0s\"\n[[fault]]\n  camera = \"cam9\"\nkind = \"stall\"\nat = \"1s\"\n",
        )
        .unwrap();
        let e = plan.check_cameras(&["cam0", "cam1"]).unwrap_err();
        assert_eq!(e.position, Some((6, 12)));
        assert_eq!(e.field.as_deref(), Some("fault[1].camera"));
        assert!(
            e.to_string().starts_with(
                "f.toml:6:12: fault[1].camera: no camera named \"cam9\" in the fleet (cameras: cam0, cam1;"
            ),
            "{e}"
        );
    }

    fn plan(text: &str) -> FaultPlan {
        FaultPlan::parse("t.toml", text).unwrap()
    }

    #[test]
    fn the_timeline_combines_faults_and_counts_drops() {
        let plan = plan(
            r#"
[[fault]]
camera = "a"
kind = "drop"
at = "1s"
for = "0s"
[[fault]]
camera = "*"
kind = "stall"
at = "2s"
for = "1s"
[[fault]]
camera = "a"
kind = "reboot"
at = "2500ms"
for = "1s"
[[fault]]
camera = "b"
kind = "bitrate"
at = "0s"
factor = 0.5
"#,
        );
        let names = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let (injector, feeds) = Injector::new(&plan, &names);
        assert!(feeds.iter().all(Option::is_some), "* names every camera");
        let state = |i: usize| *feeds[i].as_ref().unwrap().state.borrow();
        injector.step(Duration::ZERO);
        assert_eq!(state(1).bitrate_factor, Some(0.5));
        assert_eq!(state(0), ActiveFaults::default());
        injector.step(Duration::from_secs(1));
        // A drop for 0 s closes what is open and refuses nothing.
        assert_eq!(
            state(0),
            ActiveFaults {
                epoch: 1,
                ..ActiveFaults::default()
            }
        );
        injector.step(Duration::from_secs(2));
        assert!(state(0).stall && state(1).stall && state(2).stall);
        injector.step(Duration::from_millis(2500));
        let a = state(0);
        assert!(a.refuse_rtsp && a.refuse_onvif && a.stall);
        assert_eq!(a.epoch, 2);
        injector.step(Duration::from_secs(3));
        assert!(!state(0).stall && state(0).refuse_onvif);
        injector.step(Duration::from_millis(3500));
        assert_eq!(
            state(0),
            ActiveFaults {
                epoch: 2,
                ..ActiveFaults::default()
            }
        );
        assert_eq!(state(1).bitrate_factor, Some(0.5), "no `for`: still on");
    }

    #[test]
    fn cameras_no_fault_names_get_no_channel() {
        let plan = plan("[[fault]]\ncamera = \"b\"\nkind = \"stall\"\nat = \"0s\"\n");
        let names = ["a".to_owned(), "b".to_owned()];
        let (_, feeds) = Injector::new(&plan, &names);
        assert!(feeds[0].is_none() && feeds[1].is_some());
    }

    #[test]
    fn dice_are_reproducible_and_fair() {
        let mut a = Dice::new(seed_of("cam3"));
        let mut b = Dice::new(seed_of("cam3"));
        let hits: Vec<bool> = (0..10_000).map(|_| a.percent(20.0)).collect();
        assert!(
            hits.iter()
                .zip((0..10_000).map(|_| b.percent(20.0)))
                .all(|(x, y)| *x == y)
        );
        let share = hits.iter().filter(|h| **h).count() as f64 / 100.0;
        assert!((share - 20.0).abs() < 1.5, "{share}%");
        assert_ne!(seed_of("cam3"), seed_of("cam4"));
        let base = Duration::from_millis(200);
        let spread = Duration::from_millis(50);
        let draws: Vec<Duration> = (0..1000).map(|_| a.around(base, spread)).collect();
        assert!(
            draws
                .iter()
                .all(|d| *d >= base - spread && *d <= base + spread)
        );
        assert!(draws.iter().any(|d| *d < Duration::from_millis(160)));
        assert!(draws.iter().any(|d| *d > Duration::from_millis(240)));
        assert!(!(0..1000).any(|_| a.percent(0.0)));
        assert!((0..1000).all(|_| a.percent(100.0)));
    }
}
