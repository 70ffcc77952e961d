//! From a plan to a deployment: every camera's encoder settings, its recorder and volume, its
//! switch port and address, and the network that carries it, checked link by link.
//!
//! A plan counts units per kind of site; a deployment names things. Each copy of a site becomes
//! a site instance ("Store #03") with its own recorders, switches and addresses, so the rig can
//! find each camera and a technician can label each port. The network is a petgraph graph per
//! site instance: cameras → access switches → core → recorders, plus live-view clients. Every
//! stream is routed along its path and added to each link in its direction of travel, so a link's
//! load is exactly the sum of the streams that cross it; a link above its utilization limit, a
//! switch over its ports or PoE budget, and a recorder over a ceiling are reported with the
//! element, its load and its limit.
//!
//! Pure: no I/O. `generate` writes the files.

use std::collections::BTreeMap;

use petgraph::graph::{NodeIndex, UnGraph};
use sizing::ingest::on_the_wire as with_overhead;
use sizing::{Bitrate, Codec, Watts};

use crate::catalog::{Catalog, SwitchModel};
use crate::ids;
use crate::input::InputError;
use crate::plan::{Ceiling, Plan, RecorderUnit, Unit, Violation};
use crate::site::{RecordingKind, SiteFile};

pub use manifest::{
    Camera, Choice, Client, Credentials, Encoder, Link, MANIFEST_SCHEMA, Manifest, MatchedBy,
    Network, Recorder, RecordingSchedule, ReportedStreams, SiteInstance, SubStream, Switch,
    SwitchRole, Volume,
};

/// The ids a deployment gives its site instances and camera groups, and every renaming made to
/// keep them unique (see [`crate::ids`]).
#[derive(Debug, Clone, Default)]
pub struct IdPlan {
    /// Per `[[site]]`, per copy: the instance id.
    pub instances: Vec<Vec<String>>,
    /// Per `[[site]]`, per camera group: the group's word in camera ids.
    pub groups: Vec<Vec<String>>,
    /// Names that gave an id already taken: what they name ("camera group in site \"Campus\""),
    /// and the renaming.
    pub renamed: Vec<(String, ids::Renamed)>,
}

impl IdPlan {
    /// The ids of a site file's instances and groups, in file order.
    pub fn of(site: &SiteFile) -> IdPlan {
        let mut plan = IdPlan::default();
        let mut names = Vec::new();
        let mut owner = Vec::new();
        for (si, s) in site.sites.iter().enumerate() {
            for copy in 1..=s.copies.0 {
                names.push(if s.copies.0 > 1 {
                    format!("{} {copy:02}", s.name)
                } else {
                    s.name.clone()
                });
                owner.push(si);
            }
        }
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let (words, renamed) = ids::unique_words(&refs, |i| format!("site-{}", i + 1));
        plan.instances = vec![Vec::new(); site.sites.len()];
        for (w, si) in words.into_iter().zip(owner) {
            plan.instances[si].push(w);
        }
        plan.renamed
            .extend(renamed.into_iter().map(|r| (String::new(), r)));
        for s in &site.sites {
            let names: Vec<String> = s
                .cameras
                .iter()
                .enumerate()
                .map(|(gi, g)| {
                    g.name
                        .clone()
                        .unwrap_or_else(|| format!("group {}", gi + 1))
                })
                .collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let (words, renamed) = ids::unique_words(&refs, |gi| format!("group-{}", gi + 1));
            plan.groups.push(words);
            plan.renamed.extend(
                renamed
                    .into_iter()
                    .map(|r| (format!("in site {:?}", s.name), r)),
            );
        }
        plan
    }

    /// One sentence per renaming, for `generate` to print.
    pub fn notes(&self) -> Vec<String> {
        self.renamed
            .iter()
            .map(|(place, r)| {
                let what = if place.is_empty() {
                    format!("site {:?}", r.name)
                } else {
                    format!("camera group {:?} {place}", r.name)
                };
                format!(
                    "{what} gives the id {:?}, already taken by {:?}: it uses {:?}",
                    r.wanted, r.clashes_with, r.used
                )
            })
            .collect()
    }
}

/// Addresses of one site instance: a block out of 10.16.0.0 upwards, a /22 unless the site
/// needs more (a 10,000-camera site gets a /18), hosts numbered within it: recorders from .10,
/// live-view clients from .30 and cameras from .100 of the block, each range moved up when the
/// one before it is longer.
#[derive(Debug, Clone, Copy)]
struct Addresses {
    base: u32,
    prefix: u32,
    clients: u32,
    cameras: u32,
}

/// Where the first block starts (10.16.0.0) and where the address plan ends (10.255.255.255).
const FIRST_BLOCK: u32 = (10 << 24) | (16 << 16);
const LAST_ADDRESS: u32 = (10 << 24) | 0x00ff_ffff;

/// The smallest block: a /22.
const SMALLEST_BLOCK: u32 = 1024;

/// Hands out each site instance's block in turn, aligned to its size.
struct AddressPlan {
    next: u32,
}

impl AddressPlan {
    fn new() -> AddressPlan {
        AddressPlan { next: FIRST_BLOCK }
    }

    /// The block for a site of `recorders` recorders, `clients` live-view clients and
    /// `cameras` cameras, or `None` when the plan's space is used up.
    fn block(&mut self, recorders: u32, clients: u32, cameras: u32) -> Option<Addresses> {
        let client_base = 30u32.max(10 + recorders);
        let camera_base = 100u32.max((client_base + clients).div_ceil(100) * 100);
        // Cameras, the network's and broadcast addresses, and room for the switches.
        let needed = camera_base.checked_add(cameras)?.checked_add(2)?;
        let size = needed.checked_next_power_of_two()?.max(SMALLEST_BLOCK);
        let base = self.next.checked_next_multiple_of(size)?;
        let last = base.checked_add(size - 1)?;
        if last > LAST_ADDRESS {
            return None;
        }
        self.next = last + 1;
        Some(Addresses {
            base,
            prefix: 32 - size.trailing_zeros(),
            clients: client_base,
            cameras: camera_base,
        })
    }
}

impl Addresses {
    fn host(&self, n: u32) -> String {
        std::net::Ipv4Addr::from(self.base + n).to_string()
    }
    fn recorder(&self, index: u32) -> String {
        self.host(10 + index)
    }
    fn client(&self, index: u32) -> String {
        self.host(self.clients + index)
    }
    fn camera(&self, slot: u32) -> String {
        self.host(self.cameras + slot)
    }
    fn subnet(&self) -> String {
        format!("{}/{}", std::net::Ipv4Addr::from(self.base), self.prefix)
    }
}

#[derive(Debug, Clone)]
struct Node {
    id: String,
}

#[derive(Debug, Clone)]
struct Edge {
    /// Index into the manifest's links.
    link: usize,
}

/// One site instance's graph and the flows routed over it.
struct SiteGraph {
    graph: UnGraph<Node, Edge>,
    /// Per destination, each node's next hop towards it, as a breadth-first search found it,
    /// with the node and edge counts the graph had then.
    towards: std::cell::RefCell<BTreeMap<NodeIndex, Hops>>,
}

/// Next hops towards one destination.
struct Hops {
    next: Vec<Option<NodeIndex>>,
    nodes: usize,
    edges: usize,
}

impl SiteGraph {
    /// Adds `bps` to every link on the path from `from` to `to`, in the direction of travel.
    fn route(
        &self,
        links: &mut [Link],
        from: NodeIndex,
        to: NodeIndex,
        bps: u64,
    ) -> Result<(), String> {
        let path = self.path(from, to).ok_or_else(|| {
            format!(
                "no network path from {} to {}",
                self.graph[from].id, self.graph[to].id
            )
        })?;
        for pair in path.windows(2) {
            let Some(e) = self.graph.find_edge(pair[0], pair[1]) else {
                continue;
            };
            let link = &mut links[self.graph[e].link];
            if link.from == self.graph[pair[0]].id {
                link.forward_bps += bps;
            } else {
                link.reverse_bps += bps;
            }
        }
        Ok(())
    }

    /// The shortest path from `from` to `to`. A site's network is a tree (cameras on switches
    /// or recorders, switches and recorders on the core), so one breadth-first search from `to`
    /// serves every camera routed to it, including cameras added since as leaves; anything else
    /// added since searches again.
    fn path(&self, from: NodeIndex, to: NodeIndex) -> Option<Vec<NodeIndex>> {
        let (nodes, edges) = (self.graph.node_count(), self.graph.edge_count());
        let mut towards = self.towards.borrow_mut();
        let fresh = towards
            .get(&to)
            .is_some_and(|h| edges - h.edges == nodes - h.nodes);
        if !fresh {
            towards.insert(to, self.search_from(to));
        }
        let hops = towards.get(&to)?;
        // Leaves added since the search: climb to a node the search saw.
        let mut path = vec![from];
        let mut at = from;
        while at.index() >= hops.nodes {
            let mut up = self.graph.neighbors(at);
            let parent = up.next()?;
            if up.next().is_some() {
                return None;
            }
            path.push(parent);
            at = parent;
        }
        while at != to {
            at = hops.next.get(at.index()).copied().flatten()?;
            path.push(at);
        }
        Some(path)
    }

    fn search_from(&self, to: NodeIndex) -> Hops {
        let mut next = vec![None; self.graph.node_count()];
        let mut seen = vec![false; self.graph.node_count()];
        let mut queue = std::collections::VecDeque::from([to]);
        seen[to.index()] = true;
        while let Some(n) = queue.pop_front() {
            for m in self.graph.neighbors(n) {
                if !seen[m.index()] {
                    seen[m.index()] = true;
                    next[m.index()] = Some(n);
                    queue.push_back(m);
                }
            }
        }
        Hops {
            next,
            nodes: self.graph.node_count(),
            edges: self.graph.edge_count(),
        }
    }
}

/// Packs cameras (slot, PoE draw, load) onto switches of `model`, first-fit decreasing by draw
/// then load, within ports, the PoE budget, the per-port limit and the uplink's limit. `None`
/// if some camera alone exceeds what one switch offers.
fn pack_switches(
    model: &SwitchModel,
    cams: &[(usize, u64, u64)],
    uplink: Bitrate,
    utilization: f64,
) -> Option<Vec<Vec<usize>>> {
    let per_port = model.poe_per_port.unwrap_or(model.poe_budget).milliwatts();
    let budget = model.poe_budget.milliwatts();
    let limit = (uplink.bps() as f64 * utilization) as u64;
    let mut order = cams.to_vec();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    let mut bins: Vec<(Vec<usize>, u64, u64)> = Vec::new();
    for (slot, draw, load) in order {
        if (draw > 0 && (model.poe_ports == 0 || draw > per_port)) || draw > budget || load > limit
        {
            return None;
        }
        let fits = |b: &(Vec<usize>, u64, u64)| {
            (b.0.len() as u32) < model.ports && b.1 + draw <= budget && b.2 + load <= limit
        };
        match bins.iter_mut().find(|b| fits(b)) {
            Some(b) => {
                b.0.push(slot);
                b.1 += draw;
                b.2 += load;
            }
            None => bins.push((vec![slot], draw, load)),
        }
    }
    Some(
        bins.into_iter()
            .map(|(mut slots, _, _)| {
                slots.sort_unstable();
                slots
            })
            .collect(),
    )
}

/// The cheapest access layout for these cameras, counting the core switch a layout needs (a
/// single access switch with room for the recorders and clients is its own core).
fn choose_access<'a>(
    models: &[&'a SwitchModel],
    cams: &[(usize, u64, u64)],
    uplink: Option<Bitrate>,
    utilization: f64,
    core_price: &dyn Fn(u32, &SwitchModel) -> f64,
) -> Option<(&'a SwitchModel, Vec<Vec<usize>>)> {
    models
        .iter()
        .filter_map(|m| {
            let packed = pack_switches(m, cams, uplink.unwrap_or(m.uplink), utilization)?;
            let count = packed.len().max(1) as u32;
            Some((
                *m,
                packed,
                m.price * f64::from(count) + core_price(count, m),
            ))
        })
        .min_by(|a, b| a.2.total_cmp(&b.2))
        .map(|(m, p, _)| (m, p))
}

/// Builds the deployment of `choice` from a plan.
pub fn deploy(
    site: &SiteFile,
    catalog: &Catalog,
    plan: &Plan,
    choice: Choice,
) -> Result<Manifest, InputError> {
    let d = &catalog.defaults;
    let option_sites = match choice {
        Choice::Nvr => &plan.nvr.sites,
        Choice::Vms => &plan.vms.sites,
    };
    // An option the plan found cannot be built is not deployed: said once, with the plan's
    // reason, before any site (a site recording at another site's recorders would otherwise
    // be deployed first, towards recorders that do not exist).
    let (feasible, problem) = match choice {
        Choice::Nvr => (plan.nvr.feasible, &plan.nvr.problem),
        Choice::Vms => (plan.vms.feasible, &plan.vms.problem),
    };
    if !feasible {
        return Err(InputError {
            file: String::new(),
            line: None,
            column: None,
            field: None,
            message: format!(
                "the {} option cannot be built: {}",
                choice_name(choice),
                problem
                    .as_deref()
                    .unwrap_or("the plan found no recorders for it")
            ),
            hint: Some(
                "generate the other option with --option, or change the site's requirements".into(),
            ),
        });
    }
    let violations = match choice {
        Choice::Nvr => &plan.nvr.violations,
        Choice::Vms => &plan.vms.violations,
    };
    let violations = violations
        .iter()
        .filter(|v| !measured_here(plan, v))
        .cloned()
        .collect();
    let run = Run {
        catalog,
        access_models: catalog.switch.iter().filter(|s| !s.core).collect(),
        grown_now: match &plan.growth {
            Some(g) if g.sizing == crate::site::GrowthSizing::Now => &g.groups,
            _ => &[],
        },
        choice,
        overhead: d.network_overhead.value,
        utilization: d.link_utilization.value,
    };
    let manifest = Manifest {
        schema: MANIFEST_SCHEMA.to_string(),
        generated_by: format!("camscope {}", env!("CARGO_PKG_VERSION")),
        project: plan.project.clone(),
        option: choice,
        recommended: if plan.recommendation.choice == crate::plan::Choice::Nvr {
            Choice::Nvr
        } else {
            Choice::Vms
        },
        credentials: Credentials {
            username_env: d.camera_user_env.value.clone(),
            password_env: d.camera_password_env.value.clone(),
        },
        sites: Vec::new(),
        recorders: Vec::new(),
        cameras: Vec::new(),
        network: Network::default(),
        violations: Vec::new(),
        fits: false,
    };
    let mut deployment = Deployment {
        m: manifest,
        violations,
        run,
        site,
        plan,
        option_sites,
        ids: IdPlan::of(site),
        addresses: AddressPlan::new(),
        deployed: BTreeMap::new(),
        owners: option_sites
            .iter()
            .map(|r| match r.recorded_here.is_empty() {
                true => BTreeMap::new(),
                false => slot_owners(r),
            })
            .collect(),
        instance_sites: Vec::new(),
    };
    // Sites that record at another site's recorders first: the site recording them links
    // their WAN links to its core and routes their streams on to its recorders. (A failover
    // pool's failover server stands at the pool's first site, deployed before the others.)
    let elsewhere = |si: &usize| site.record_target(*si).is_some();
    let order: Vec<usize> = (0..site.sites.len())
        .filter(elsewhere)
        .chain((0..site.sites.len()).filter(|si| !elsewhere(si)))
        .collect();
    for si in order {
        deployment.site(si)?;
    }
    let Deployment {
        mut m,
        violations,
        instance_sites,
        ..
    } = deployment;
    // The site instances in file order, whatever order they were deployed in (a stable sort:
    // copies stay in order).
    let mut sites: Vec<(usize, SiteInstance)> = instance_sites.into_iter().zip(m.sites).collect();
    sites.sort_by_key(|(si, _)| *si);
    m.sites = sites.into_iter().map(|(_, s)| s).collect();
    m.fits = violations.is_empty();
    m.violations = violations;
    Ok(m)
}

/// A deployment under way: the manifest so far, the ceilings broken so far, and what the
/// sites deployed so far left for the sites recording them.
struct Deployment<'a> {
    m: Manifest,
    violations: Vec<Violation>,
    run: Run<'a>,
    site: &'a SiteFile,
    plan: &'a Plan,
    option_sites: &'a [crate::plan::SiteRecorders],
    ids: IdPlan,
    addresses: AddressPlan,
    /// Per instance id of a site recording elsewhere, what its deployment left.
    deployed: BTreeMap<String, Deployed>,
    /// Per site, which of its recorders records each camera slot.
    owners: Vec<BTreeMap<usize, usize>>,
    /// The site file position of each instance in `m.sites`, in deployment order.
    instance_sites: Vec<usize>,
}

/// Where copy `copy` of site `si` records when it records at another site: that site's
/// instance, which of its recorders records each of its camera slots, and where this copy's
/// cameras are among them.
fn records_at<'a>(
    site: &SiteFile,
    option_sites: &[crate::plan::SiteRecorders],
    ids: &IdPlan,
    owners: &'a [BTreeMap<usize, usize>],
    (si, copy): (usize, u32),
) -> Result<Option<RecordsAt<'a>>, InputError> {
    let Some(ti) = site.record_target(si) else {
        return Ok(None);
    };
    let first_slot = option_sites.get(ti).and_then(|t| {
        t.recorded_here
            .iter()
            .find(|h| h.site_index == si && h.copy == copy)
            .map(|h| h.first_slot)
    });
    let (Some(first_slot), Some(id), Some(of_slot)) = (
        first_slot,
        ids.instances.get(ti).and_then(|i| i.first()),
        owners.get(ti),
    ) else {
        return Err(route_error(format!(
            "site {:?} records at {:?}, whose recorders the plan did not size for it (a camscope bug; please report it)",
            site.sites[si].name, site.sites[ti].name
        )));
    };
    Ok(Some(RecordsAt {
        instance: id.clone(),
        of_slot,
        first_slot,
    }))
}

/// Which of a site's recorders records each camera slot.
fn slot_owners(recorders: &crate::plan::SiteRecorders) -> BTreeMap<usize, usize> {
    let mut owners = BTreeMap::new();
    for (ui, u) in recorders.units.iter().enumerate() {
        owners.extend(u.camera_slots.iter().map(|slot| (*slot, ui)));
    }
    owners
}

/// What the deployment of a site instance that records elsewhere leaves for the site whose
/// recorders record it: its core (the WAN link's end) and its cameras in the manifest.
#[derive(Debug, Clone)]
struct Deployed {
    core: String,
    cameras: std::ops::Range<usize>,
}

impl Deployment<'_> {
    /// Deploys every copy of site `si`.
    fn site(&mut self, si: usize) -> Result<(), InputError> {
        let (site, plan, run) = (self.site, self.plan, &self.run);
        let d = &run.catalog.defaults;
        let s = &site.sites[si];
        let Some(recorders) = self.option_sites.get(si) else {
            return Ok(());
        };
        if recorders.units.is_empty() && recorders.records_at.is_none() {
            let problem = match run.choice {
                Choice::Nvr => plan.nvr.problem.clone(),
                Choice::Vms => plan.vms.problem.clone(),
            };
            return Err(InputError {
                file: String::new(),
                line: None,
                column: None,
                field: Some(format!("site[{si}]")),
                message: format!(
                    "the {} option has no recorders for site {:?}: {}",
                    choice_name(run.choice),
                    s.name,
                    problem.unwrap_or_default()
                ),
                hint: Some(
                    "generate the other option with --option, or change the site's requirements"
                        .into(),
                ),
            });
        }
        // The site's cameras in slot order, as the plan numbered them.
        let groups = plan
            .groups
            .iter()
            .filter(|g| g.site == s.name)
            .collect::<Vec<_>>();
        let mut slots = Vec::new();
        for (gi, g) in s.cameras.iter().enumerate() {
            for k in 0..g.count.0 {
                slots.push((gi, k + 1));
            }
        }
        let clients = s
            .network
            .viewing_clients
            .map_or(d.viewing_clients.value, |c| c.0);
        let units = recorders.units.len() as u32;
        for copy in 1..=s.copies.0 {
            let name = if s.copies.0 > 1 {
                format!("{} #{copy:02}", s.name)
            } else {
                s.name.clone()
            };
            let id = self.ids.instances[si][copy as usize - 1].clone();
            let addr = self
                .addresses
                .block(units, clients, slots.len() as u32)
                .ok_or_else(|| InputError {
                    file: String::new(),
                    line: None,
                    column: None,
                    field: Some(format!("site[{si}]")),
                    message: format!(
                        "{name:?} does not fit the address plan: every site's block comes out of 10.16.0.0 to 10.255.255.255, and the sites before it used that up"
                    ),
                    hint: Some("plan fewer site copies or cameras per run".into()),
                })?;
            self.instance_sites.push(si);
            self.m.sites.push(SiteInstance {
                id: id.clone(),
                name: name.clone(),
                site: s.name.clone(),
                copy,
                subnet: addr.subnet(),
            });
            let inst = Instance {
                site_index: si,
                id: &id,
                addr: &addr,
                site: s,
                groups: &groups,
                slots: &slots,
                group_words: &self.ids.groups[si],
                units: &recorders.units,
                covered_elsewhere: &pool_servers(site, &self.ids, self.option_sites, si),
                records_at: records_at(
                    site,
                    self.option_sites,
                    &self.ids,
                    &self.owners,
                    (si, copy),
                )?,
                recorded_here: self.recorded_here(recorders)?,
                pool_host: self.pool_host(si)?,
            };
            let deployed = deploy_instance(&mut self.m, &mut self.violations, &self.run, inst)?;
            self.deployed.insert(id, deployed);
        }
        Ok(())
    }

    /// When site `si` is in a failover pool whose failover server stands at another site
    /// (deployed already, being the pool's first), that site and the link to it: capacity (the
    /// site's `wan-uplink`, else what the plan found it needs) and what crosses it when the
    /// site's busiest server fails. VMS option only.
    fn pool_host(&self, si: usize) -> Result<Option<PoolHost>, InputError> {
        let here = &self.site.sites[si].name;
        let link = self.plan.vms.pool_links.iter().find(|l| &l.site == here);
        let Some(l) = link.filter(|_| self.run.choice == Choice::Vms) else {
            return Ok(None);
        };
        let deployed = self
            .site
            .sites
            .iter()
            .position(|s| s.name == l.host)
            .and_then(|hi| self.ids.instances.get(hi)?.first())
            .and_then(|id| self.deployed.get(id).map(|d| (id, d)));
        let Some((id, d)) = deployed else {
            return Err(route_error(format!(
                "{here} is in failover pool {:?}, whose failover server at {} was not deployed before it (a camscope bug; please report it)",
                l.pool, l.host
            )));
        };
        Ok(Some(PoolHost {
            core: d.core.clone(),
            instance: id.clone(),
            capacity: Bitrate(l.uplink_bps.unwrap_or(l.needed_bps)),
            load_bps: l.load_bps,
        }))
    }

    /// The copies of other sites these recorders record, as deployed already, each with the
    /// capacity of its WAN link: the site file's `wan-uplink`, else what the plan found it
    /// needs (after the growth, when the site file sizes growth now: the link is bought today
    /// with the switches that keep ports for the added cameras).
    fn recorded_here(
        &self,
        recorders: &crate::plan::SiteRecorders,
    ) -> Result<Vec<Remote>, InputError> {
        recorders
            .recorded_here
            .iter()
            .map(|h| {
                let id = self
                    .ids
                    .instances
                    .get(h.site_index)
                    .and_then(|i| i.get(h.copy as usize - 1));
                let deployed = id.and_then(|id| self.deployed.get(id));
                let wan = self
                    .plan
                    .central_recording
                    .iter()
                    .find(|w| w.site == h.site)
                    .map(|w| w.uplink_bps.unwrap_or(w.as_bought(self.plan.grows_now()).2));
                match (deployed, wan) {
                    (Some(d), Some(wan)) => Ok(Remote {
                        core: d.core.clone(),
                        cameras: d.cameras.clone(),
                        first_slot: h.first_slot,
                        wan: Bitrate(wan),
                    }),
                    _ => Err(route_error(format!(
                        "{} copy {} records at {:?} but was not deployed before it (a camscope bug; please report it)",
                        h.site, h.copy, recorders.site
                    ))),
                }
            })
            .collect()
    }
}

/// The servers at other sites that a failover server at site `si` stands by for (its failover
/// pool's other sites, which have one copy each), with their instance ids.
fn pool_servers<'a>(
    site: &SiteFile,
    ids: &IdPlan,
    option_sites: &'a [crate::plan::SiteRecorders],
    si: usize,
) -> Vec<(String, &'a [RecorderUnit])> {
    let here = &site.sites[si].name;
    let Some(recorders) = option_sites.get(si) else {
        return Vec::new();
    };
    recorders
        .units
        .iter()
        .filter_map(|u| u.covers.as_ref())
        .flat_map(|c| c.sites.iter().filter(|name| *name != here))
        .filter_map(|name| {
            let sj = site.sites.iter().position(|s| &s.name == name)?;
            Some((
                ids.instances.get(sj)?.first()?.clone(),
                option_sites.get(sj)?.units.as_slice(),
            ))
        })
        .collect()
}

fn choice_name(c: Choice) -> &'static str {
    match c {
        Choice::Nvr => "NVR",
        Choice::Vms => "VMS",
    }
}

/// What is the same for every site instance of one deployment.
struct Run<'a> {
    catalog: &'a Catalog,
    access_models: Vec<&'a SwitchModel>,
    /// Sized now for growth: each group's cameras today and grown, per copy. The access
    /// switches keep ports and PoE for the added cameras.
    grown_now: &'a [crate::growth::GroupGrowth],
    choice: Choice,
    overhead: f64,
    utilization: f64,
}

/// One site instance to deploy: its place in the site file, its plan and its recorders.
struct Instance<'a> {
    site_index: usize,
    id: &'a str,
    addr: &'a Addresses,
    site: &'a crate::site::Site,
    groups: &'a [&'a crate::plan::GroupPlan],
    slots: &'a [(usize, u32)],
    /// Each camera group's word in camera ids, unique within the site.
    group_words: &'a [String],
    units: &'a [RecorderUnit],
    /// The servers at the other sites of a failover pool whose failover server is here, with
    /// their instance ids.
    covered_elsewhere: &'a [(String, &'a [RecorderUnit])],
    /// Central recording: the site whose recorders record this instance's cameras.
    records_at: Option<RecordsAt<'a>>,
    /// Central recording: the instances of other sites whose cameras these recorders record.
    recorded_here: Vec<Remote>,
    /// The site of the failover server of this instance's failover pool, when elsewhere.
    pool_host: Option<PoolHost>,
}

/// The site of the failover server of an instance's failover pool: its instance, its core (the
/// far end of the instance's link to it), the link's capacity, and the streams that cross it
/// when the instance's busiest server fails.
struct PoolHost {
    instance: String,
    core: String,
    capacity: Bitrate,
    load_bps: u64,
}

/// The recorders at another site that record an instance's cameras (central recording).
struct RecordsAt<'a> {
    /// That site's instance id.
    instance: String,
    /// Which of its recorders records each of their camera slots.
    of_slot: &'a BTreeMap<usize, usize>,
    /// Where this instance's cameras are among their camera slots: its slot `k` is theirs
    /// `first_slot + k`.
    first_slot: usize,
}

impl RecordsAt<'_> {
    /// The id of the recorder that records camera slot `slot` of the instance, if any.
    fn recorder_of(&self, slot: usize, kind: &str) -> Option<String> {
        let ui = self.of_slot.get(&(self.first_slot + slot))?;
        Some(format!("{}/{kind}-{}", self.instance, ui + 1))
    }
}

/// An instance of another site recorded here, as deployed: its core (the far end of its WAN
/// link), its cameras in the manifest, where they are among these recorders' camera slots, and
/// its WAN link's capacity.
struct Remote {
    core: String,
    cameras: std::ops::Range<usize>,
    first_slot: usize,
    wan: Bitrate,
}

/// Deploys one site instance, stage by stage: its recorders, the access layout its cameras
/// need, the switches that carry it, the links to the core, its cameras and their streams, the
/// live view, and finally every ceiling the result breaks.
fn deploy_instance(
    m: &mut Manifest,
    violations: &mut Vec<Violation>,
    run: &Run,
    inst: Instance,
) -> Result<Deployed, InputError> {
    let camera_base = m.cameras.len();
    let link_base = m.network.links.len();
    let mut graph = SiteGraph {
        graph: UnGraph::new_undirected(),
        towards: std::cell::RefCell::default(),
    };
    let recorders = place_recorders(m, violations, run, &inst, &mut graph);
    let layout = choose_layout(run, &inst, &recorders)?;
    let switches = place_switches(m, run, &inst, &layout, &mut graph)?;
    let client_nodes = link_to_core(m, run, &inst, &recorders, &layout, &switches, &mut graph);
    let camera_nodes = place_cameras(m, run, &inst, &recorders, &layout, &switches, &mut graph)?;
    route_recorded_here(m, run, &inst, &recorders, &switches, &mut graph)?;
    link_pool_host(m, violations, run, &inst, &switches, &mut graph);
    route_live_view(
        m,
        run,
        &recorders,
        &client_nodes,
        layout.tiles,
        (camera_base, &camera_nodes),
        &graph,
    )?;
    check_ceilings(m, violations, run, &inst, camera_base, link_base);
    Ok(Deployed {
        core: graph.graph[switches.core_node].id.clone(),
        cameras: camera_base..m.cameras.len(),
    })
}

/// The word in a recorder's id for the kind of recorder `choice` deploys.
fn recorder_kind(choice: Choice) -> &'static str {
    match choice {
        Choice::Nvr => "nvr",
        Choice::Vms => "server",
    }
}

/// The recorders of one site instance as placed: their graph nodes, where they start in the
/// manifest, which recorder records each camera slot and which powers it from its own ports.
struct PlacedRecorders {
    nodes: Vec<NodeIndex>,
    base: usize,
    of_slot: BTreeMap<usize, usize>,
    nvr_powered: BTreeMap<usize, usize>,
}

/// Stage 1: the recorders, each with its volume, and whether each standby can take over every
/// primary.
fn place_recorders(
    m: &mut Manifest,
    violations: &mut Vec<Violation>,
    run: &Run,
    inst: &Instance,
    graph: &mut SiteGraph,
) -> PlacedRecorders {
    let units = inst.units;
    let kind = recorder_kind(run.choice);
    let mut placed = PlacedRecorders {
        nodes: Vec::new(),
        base: m.recorders.len(),
        of_slot: BTreeMap::new(),
        nvr_powered: BTreeMap::new(),
    };
    for (ui, u) in units.iter().enumerate() {
        let rid = format!("{}/{kind}-{}", inst.id, ui + 1);
        for slot in &u.camera_slots {
            placed.of_slot.insert(*slot, ui);
        }
        for slot in &u.poe_slots {
            placed.nvr_powered.insert(*slot, ui);
        }
        let node = graph.graph.add_node(Node { id: rid.clone() });
        placed.nodes.push(node);
        if u.failover {
            violations.extend(standby_violations(&rid, u, inst, kind));
        }
        m.recorders.push(Recorder {
            id: rid.clone(),
            site: inst.id.to_string(),
            kind: if run.choice == Choice::Nvr {
                "nvr".into()
            } else {
                "recording-server".into()
            },
            role: if u.failover {
                "failover".into()
            } else {
                "primary".into()
            },
            model_id: u.model_id.clone(),
            model: u.model.clone(),
            address: inst.addr.recorder(ui as u32),
            camera_limit: u.camera_limit,
            ingest_limit_bps: u.ingest_limit_bps,
            ingest_bps: u.ingest_bps,
            poe_used_mw: u.poe_used_mw,
            poe_budget_mw: u.poe_budget_mw,
            volume: Volume {
                id: volume_id(&rid),
                layout: u.layout.clone(),
                drives: u.drives,
                drive_size_bytes: u.drive_size_bytes,
                usable_bytes: u.usable_bytes,
                needed_bytes: u.capacity_needed_bytes,
            },
            cameras: Vec::new(),
        });
    }
    placed
}

/// What keeps a failover server from taking over a server it stands by for (each server of its
/// site, or the one it pairs with, and those of the other sites of its failover pool): that
/// server's cameras, ingest or link load over its ceilings, or drives short of the failover days
/// of recordings it was sized for.
fn standby_violations(rid: &str, u: &RecorderUnit, inst: &Instance, kind: &str) -> Vec<Violation> {
    let only = u.covers.as_ref().and_then(|c| c.server);
    fn numbered(units: &[RecorderUnit]) -> Vec<(u32, &RecorderUnit)> {
        units
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.failover)
            .map(|(pi, p)| (pi as u32 + 1, p))
            .collect()
    }
    let mut targets: Vec<(String, &RecorderUnit)> = numbered(inst.units)
        .into_iter()
        .filter(|(n, _)| only.is_none_or(|o| o == *n))
        .map(|(n, p)| (format!("{}/{kind}-{n}", inst.id), p))
        .collect();
    for (id, units) in inst.covered_elsewhere {
        targets.extend(
            numbered(units)
                .into_iter()
                .map(|(n, p)| (format!("{id}/{kind}-{n}"), p)),
        );
    }
    let mut v = Vec::new();
    for (name, p) in targets {
        let short = [
            (
                u64::from(p.cameras),
                u64::from(u.camera_limit),
                Unit::Cameras,
                format!("{} cameras on {} channels", p.cameras, u.camera_limit),
            ),
            (
                p.ingest_bps,
                u.ingest_limit_bps,
                Unit::BitsPerSecond,
                format!(
                    "ingest {} over its limit of {}",
                    Bitrate(p.ingest_bps),
                    Bitrate(u.ingest_limit_bps)
                ),
            ),
            (
                p.link_bps,
                u.link_limit_bps,
                Unit::BitsPerSecond,
                format!(
                    "{} on its link, over its limit of {}",
                    Bitrate(p.link_bps),
                    Bitrate(u.link_limit_bps)
                ),
            ),
        ]
        .into_iter()
        .find(|(load, limit, _, _)| load > limit);
        if let Some((load, limit, unit, what)) = short {
            v.push(Violation {
                element: rid.to_string(),
                ceiling: Ceiling::Failover,
                load,
                limit,
                unit,
                message: format!("{rid} cannot take over {name}: {what}"),
            });
        }
    }
    if u.capacity_needed_bytes > u.usable_bytes {
        let days = u.covers.as_ref().map_or(0, |c| c.retention_days);
        v.push(Violation {
            element: rid.to_string(),
            ceiling: Ceiling::Failover,
            load: u.capacity_needed_bytes,
            limit: u.usable_bytes,
            unit: Unit::Bytes,
            message: format!(
                "{rid} cannot keep {days} days of a failed server's recordings: they need {} usable, its drives give {}",
                sizing::Bytes(u.capacity_needed_bytes),
                sizing::Bytes(u.usable_bytes)
            ),
        });
    }
    v
}

/// The access layer chosen for one site instance: the model, the camera slots on each access
/// switch, and the live-view clients.
struct Layout<'a> {
    model: Option<&'a SwitchModel>,
    switch_cams: Vec<Vec<usize>>,
    switch_poe: Vec<u64>,
    clients: u32,
    tiles: u32,
    /// The distribution tier, when the access switches outnumber what one core can join.
    tier: Option<Tier<'a>>,
    /// Per access switch, the ports kept for cameras a site sized now for growth adds later.
    reserved: Vec<u32>,
    /// The core's port for the WAN router (1 when the site records elsewhere or records other
    /// sites' cameras, else 0).
    wan: u32,
}

/// A distribution tier: aggregation switches of one model, each carrying a block of access
/// switches and the recorders of their cameras, so recordings stay within the block and the
/// core joins only the aggregation switches, the failover servers and the clients.
struct Tier<'a> {
    model: &'a SwitchModel,
    blocks: Vec<Block>,
}

/// One aggregation switch's block: its access switches (indices into the layout's
/// `switch_cams`) and the recorders (unit indices) that record their cameras.
struct Block {
    switches: Vec<usize>,
    recorders: Vec<usize>,
}

/// The PoE draw of a camera slot, milliwatts.
fn slot_draw(inst: &Instance, slot: usize) -> u64 {
    inst.groups.get(inst.slots[slot].0).map_or(0, |g| g.poe_mw)
}

/// Stage 2: the access switches the cameras not powered by an NVR plug into: the cheapest
/// model and packing, or the model and count the site file fixes.
fn choose_layout<'a>(
    run: &Run<'a>,
    inst: &Instance,
    recorders: &PlacedRecorders,
) -> Result<Layout<'a>, InputError> {
    let catalog = run.catalog;
    let d = &catalog.defaults;
    let net = &inst.site.network;
    let (slots, units) = (inst.slots, inst.units);
    // Cameras that need a switch port: everything not powered by an NVR's own port.
    let on_switch: Vec<usize> = (0..slots.len())
        .filter(|slot| !recorders.nvr_powered.contains_key(slot))
        .collect();
    let draw = |slot: usize| slot_draw(inst, slot);
    let load = |slot: usize| -> u64 {
        inst.groups
            .get(slots[slot].0)
            .map_or(0, |g| with_overhead(g.ingest_bps, run.overhead))
    };
    let cams: Vec<(usize, u64, u64)> = on_switch.iter().map(|s| (*s, draw(*s), load(*s))).collect();
    let fixed_model = match &net.access_switch {
        Some(id) => Some(catalog.switch.iter().find(|m| &m.id == id).ok_or_else(|| {
            let ids: Vec<&str> = catalog.switch.iter().map(|m| m.id.as_str()).collect();
            InputError {
                file: String::new(),
                line: None,
                column: None,
                field: Some(format!("site[{}].network.access-switch", inst.site_index)),
                message: format!("{id:?} is not a switch in the catalog"),
                hint: Some(format!("one of: {}", ids.join(", "))),
            }
        })?),
        None => None,
    };
    // Clients.
    let clients = net.viewing_clients.map_or(d.viewing_clients.value, |c| c.0);
    let tiles = d.viewing_tiles.value.min(slots.len() as u32);
    // A site that records at another site, or records other sites' cameras, has a WAN router
    // on its core.
    let wan = u32::from(inst.site.record_at.is_some() || !inst.recorded_here.is_empty());
    let others = units.len() as u32 + clients + wan;
    // The core a layout needs: the cheapest core switch with a port for everything; when none
    // has enough ports, as many of the largest as it takes (one port of each joins it to the
    // next), so a layout of many small access switches pays for the core ports it consumes
    // instead of looking cheapest.
    let cheapest_core = |ports: u32| {
        let single = catalog
            .switch
            .iter()
            .filter(|m| m.core && m.ports >= ports)
            .map(|m| m.price)
            .min_by(f64::total_cmp);
        let stacked = || {
            let largest = catalog
                .switch
                .iter()
                .filter(|m| m.core && m.ports > 1)
                .max_by_key(|m| m.ports)?;
            let per = f64::from(largest.ports - 1);
            Some((f64::from(ports) / per).ceil() * largest.price)
        };
        single.or_else(stacked).unwrap_or(f64::MAX / 4.0)
    };
    // Sized now for growth: the added cameras the recorders' own PoE ports will not take are
    // packed too, as stand-ins, so the switches bought today have their ports and PoE.
    let reserved = reserved_ports(run, inst, units);
    let switch_ports = (on_switch.len() + reserved.len()) as u32;
    let core_price = |count: u32, m: &SwitchModel| {
        if count == 1 && net.uplink.is_none() && switch_ports + others <= m.ports {
            0.0
        } else {
            cheapest_core(count + others)
        }
    };
    let candidates: Vec<&SwitchModel> = match fixed_model {
        Some(m) => vec![m],
        None => run.access_models.clone(),
    };
    let packing: Vec<(usize, u64, u64)> = cams.iter().chain(&reserved).copied().collect();
    let chosen = if on_switch.is_empty() && reserved.is_empty() {
        None
    } else {
        choose_access(
            &candidates,
            &packing,
            net.uplink,
            run.utilization,
            &core_price,
        )
        .map(|(m, packed)| (m, without_stand_ins(packed, slots.len())))
    };
    let (chosen, reserved_on) = match chosen {
        Some((m, (packed, kept_for))) => (Some((m, packed)), kept_for),
        None => (None, Vec::new()),
    };
    let (model, switch_cams): (Option<&SwitchModel>, Vec<Vec<usize>>) =
        match (net.access_switches, chosen) {
            // A fixed count (switches already installed): spread the cameras over them, and report
            // whatever does not fit.
            (Some(n), _) if !on_switch.is_empty() => {
                let model = fixed_model.or_else(|| candidates.first().copied());
                let ports = model.map_or(u32::MAX, |m| m.ports);
                (model, spread_over(n.0 as usize, ports, &on_switch, draw))
            }
            (_, Some((m, packed))) => (Some(m), packed),
            // No model can take some camera (a draw above every switch's per-port limit): put them
            // all on the biggest and let the checks below report it.
            (_, None) if !on_switch.is_empty() => {
                let m =
                    fixed_model.or_else(|| candidates.iter().max_by_key(|m| m.poe_budget).copied());
                (m, vec![on_switch.clone()])
            }
            _ => (None, Vec::new()),
        };
    let (model, switch_cams, tier) = match (model, net.access_switches) {
        (Some(m), None) => {
            let (m, packed, tier) = regroup_if_too_large(
                run,
                inst,
                recorders,
                (m, &candidates),
                &cams,
                switch_cams,
                others,
            );
            (Some(m), packed, tier)
        }
        _ => (model, switch_cams, None),
    };
    let switch_poe = switch_cams
        .iter()
        .map(|b| b.iter().map(|s| draw(*s)).sum())
        .collect();
    // The reservation holds for the layout chosen with it, not for a fixed count or a tier.
    let reserved = if tier.is_none()
        && net.access_switches.is_none()
        && reserved_on.len() == switch_cams.len()
    {
        reserved_on
    } else {
        vec![0; switch_cams.len()]
    };
    Ok(Layout {
        model,
        switch_cams,
        switch_poe,
        clients,
        tiles,
        tier,
        reserved,
        wan,
    })
}

/// The added cameras of a site sized now for growth that need a switch port, as stand-ins
/// (slots numbered after the site's own) with their group's PoE draw and load: each group's
/// added cameras, less those the NVRs' free PoE ports can power.
fn reserved_ports(run: &Run, inst: &Instance, units: &[RecorderUnit]) -> Vec<(usize, u64, u64)> {
    let mut added: Vec<(u64, u64)> = Vec::new();
    for g in run.grown_now.iter().filter(|g| g.site == inst.site.name) {
        let Some(plan) = inst.groups.iter().find(|p| p.name == g.group) else {
            continue;
        };
        let load = with_overhead(plan.ingest_bps, run.overhead);
        for _ in g.today..g.grown {
            added.push((plan.poe_mw, load));
        }
    }
    // What the NVRs' own ports have left: ports, per-port limit and budget.
    let mut free: Vec<(u32, u64, u64)> = units
        .iter()
        .filter_map(|u| {
            let model = run.catalog.nvr.iter().find(|m| m.id == u.model_id)?;
            let per_port = model.poe_per_port.unwrap_or(model.poe_budget).milliwatts();
            let ports = model.poe_ports.saturating_sub(u.poe_slots.len() as u32);
            Some((
                ports,
                per_port,
                u.poe_budget_mw.saturating_sub(u.poe_used_mw),
            ))
        })
        .collect();
    added.sort_by_key(|a| std::cmp::Reverse(a.0));
    let mut out = Vec::new();
    for (draw, load) in added {
        let on_nvr = draw > 0
            && free.iter_mut().any(|f| {
                let fits = f.0 > 0 && draw <= f.1 && draw <= f.2;
                if fits {
                    f.0 -= 1;
                    f.2 -= draw;
                }
                fits
            });
        if !on_nvr {
            out.push((inst.slots.len() + out.len(), draw, load));
        }
    }
    out
}

/// The packed access switches without the stand-ins (slots from `real` on), with how many
/// ports each keeps for them; a switch bought only for added cameras stays, empty.
fn without_stand_ins(packed: Vec<Vec<usize>>, real: usize) -> (Vec<Vec<usize>>, Vec<u32>) {
    packed
        .into_iter()
        .map(|b| {
            let kept: Vec<usize> = b.iter().copied().filter(|s| *s < real).collect();
            let reserved = (b.len() - kept.len()) as u32;
            (kept, reserved)
        })
        .unzip()
}

/// Keeps the flat access layout while the largest core switch has a port for every access
/// switch, recorder and client (`others`); otherwise the distribution tier, over the candidate
/// access models, that costs least as built.
fn regroup_if_too_large<'a>(
    run: &Run<'a>,
    inst: &Instance,
    recorders: &PlacedRecorders,
    (chosen, candidates): (&'a SwitchModel, &[&'a SwitchModel]),
    cams: &[(usize, u64, u64)],
    flat: Vec<Vec<usize>>,
    others: u32,
) -> (&'a SwitchModel, Vec<Vec<usize>>, Option<Tier<'a>>) {
    let largest_core = run
        .catalog
        .switch
        .iter()
        .filter(|m| m.core)
        .map(|m| m.ports)
        .max();
    if largest_core.is_none_or(|p| flat.len() as u32 + others <= p) {
        return (chosen, flat, None);
    }
    // The tier each access model gives, priced as built: its access switches, aggregation
    // switches and the core that joins them (the flat layout's estimate of a stacked core is
    // no guide to how a model's switches fall into blocks).
    let primaries = inst.units.iter().filter(|u| !u.failover).count() as u32;
    let best = candidates
        .iter()
        .filter_map(|m| {
            let (packed, tier) = distribution_tier(run, inst, recorders, m, cams)?;
            let blocks = tier.blocks.len() as u32;
            let core_needs = blocks + others.saturating_sub(primaries);
            let core = core_model(run, core_needs, packed.len() as u32)?;
            let price =
                m.price * packed.len() as f64 + tier.model.price * f64::from(blocks) + core.price;
            Some((*m, packed, tier, price))
        })
        .min_by(|a, b| a.3.total_cmp(&b.3));
    match best {
        Some((m, packed, tier, _)) => (m, packed, Some(tier)),
        None => (chosen, flat, None),
    }
}

/// Stage 2b: the distribution tier of a site too large for one core. The aggregation model is
/// the core model with the most ports (fewest blocks); each keeps one port for its uplink to the
/// core. Primary recorders are taken in order, each with its cameras, into the current block
/// while its access switches (packed together) and recorders fit the aggregation switch's
/// ports; a recorder that does not fit starts the next block. Returns the access switches'
/// camera slots, block by block, and the tier; `None` if the catalog has no such model or the
/// cameras cannot be packed.
fn distribution_tier<'a>(
    run: &Run<'a>,
    inst: &Instance,
    recorders: &PlacedRecorders,
    access: &SwitchModel,
    cams: &[(usize, u64, u64)],
) -> Option<(Vec<Vec<usize>>, Tier<'a>)> {
    let agg = run
        .catalog
        .switch
        .iter()
        .filter(|m| m.core && m.ports > 2)
        .max_by(|a, b| a.ports.cmp(&b.ports).then(b.price.total_cmp(&a.price)))?;
    let room = agg.ports - 1;
    let uplink = inst.site.network.uplink.unwrap_or(access.uplink);
    let mut of_unit: BTreeMap<usize, Vec<(usize, u64, u64)>> = BTreeMap::new();
    for c in cams {
        let ui = *recorders.of_slot.get(&c.0)?;
        of_unit.entry(ui).or_default().push(*c);
    }
    let primaries = (0..inst.units.len()).filter(|ui| !inst.units[*ui].failover);
    /// A block being formed: its recorders, their cameras and their packed access switches.
    struct Forming {
        recorders: Vec<usize>,
        cams: Vec<(usize, u64, u64)>,
        packed: Vec<Vec<usize>>,
    }
    let mut blocks: Vec<Forming> = Vec::new();
    for ui in primaries {
        let own = of_unit.remove(&ui).unwrap_or_default();
        if let Some(last) = blocks.last_mut() {
            let mut joined = last.cams.clone();
            joined.extend(own.iter().copied());
            let packed = pack_switches(access, &joined, uplink, run.utilization)?;
            // Its access switches and recorders, the new one included, within the room.
            if packed.len() + last.recorders.len() < room as usize {
                last.recorders.push(ui);
                last.cams = joined;
                last.packed = packed;
                continue;
            }
        }
        let packed = pack_switches(access, &own, uplink, run.utilization)?;
        blocks.push(Forming {
            recorders: vec![ui],
            cams: own,
            packed,
        });
    }
    let mut switch_cams = Vec::new();
    let blocks = blocks
        .into_iter()
        .map(|f| {
            let first = switch_cams.len();
            switch_cams.extend(f.packed);
            Block {
                switches: (first..switch_cams.len()).collect(),
                recorders: f.recorders,
            }
        })
        .collect();
    Some((switch_cams, Tier { model: agg, blocks }))
}

/// Spreads camera slots over `n` installed switches of `ports` ports, heaviest PoE draw first,
/// each onto the switch with room that would draw least; what finds no room goes onto the
/// emptiest switch, for the checks to report.
fn spread_over(
    n: usize,
    ports: u32,
    on_switch: &[usize],
    draw: impl Fn(usize) -> u64,
) -> Vec<Vec<usize>> {
    let mut bins: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut poe = vec![0u64; n];
    let mut order = on_switch.to_vec();
    order.sort_by_key(|s| std::cmp::Reverse(draw(*s)));
    for slot in order {
        let free = (0..bins.len())
            .filter(|i| (bins[*i].len() as u32) < ports)
            .min_by_key(|i| (poe[*i] + draw(slot), bins[*i].len()));
        if let Some(i) = free.or_else(|| (0..bins.len()).min_by_key(|i| bins[*i].len())) {
            bins[i].push(slot);
            poe[i] += draw(slot);
        }
    }
    for b in &mut bins {
        b.sort_unstable();
    }
    bins
}

/// The switches of one site instance as placed: access switches' nodes, the core's node and the
/// speed of its ports, and whether the single access switch is the core.
struct PlacedSwitches {
    access_nodes: Vec<NodeIndex>,
    /// The aggregation switches' nodes, block by block (empty without a distribution tier).
    agg_nodes: Vec<NodeIndex>,
    /// The core switch each aggregation switch uplinks to.
    agg_core: Vec<NodeIndex>,
    core_node: NodeIndex,
    core_speed: Bitrate,
    single_is_core: bool,
}

/// Stage 3: the access switches and the core: the single access switch when it has room for
/// recorders and clients; otherwise a core switch with a port for every access switch, recorder
/// and client.
fn place_switches(
    m: &mut Manifest,
    run: &Run,
    inst: &Instance,
    layout: &Layout,
    graph: &mut SiteGraph,
) -> Result<PlacedSwitches, InputError> {
    let net = &inst.site.network;
    let units = inst.units;
    let clients = layout.clients;
    let access_count = layout.switch_cams.len() as u32;
    // The core joins every access switch, recorder and client; with a distribution tier, the
    // aggregation switches, the recorders outside every block (failover servers) and clients.
    let core_needs = match &layout.tier {
        Some(t) => {
            let in_blocks: usize = t.blocks.iter().map(|b| b.recorders.len()).sum();
            t.blocks.len() as u32 + (units.len() - in_blocks) as u32 + clients + layout.wan
        }
        None => access_count + units.len() as u32 + clients + layout.wan,
    };
    // A fixed uplink says there is a core beyond the access switch.
    let single_is_core = access_count == 1
        && net.uplink.is_none()
        && layout.model.is_some_and(|mdl| {
            layout.switch_cams[0].len() as u32
                + layout.reserved[0]
                + units.len() as u32
                + clients
                + layout.wan
                <= mdl.ports
        });
    let mut access_nodes = Vec::new();
    for (i, cams) in layout.switch_cams.iter().enumerate() {
        let Some(model) = layout.model else { break };
        let sid = format!("{}/access-{}", inst.id, i + 1);
        let node = graph.graph.add_node(Node { id: sid.clone() });
        access_nodes.push(node);
        let extra = if single_is_core {
            units.len() as u32 + clients + layout.wan
        } else {
            1
        };
        m.network.switches.push(Switch {
            id: sid,
            site: inst.id.to_string(),
            role: if single_is_core {
                SwitchRole::AccessCore
            } else {
                SwitchRole::Access
            },
            model_id: model.id.clone(),
            model: model.name.clone(),
            ports: model.ports,
            ports_used: cams.len() as u32
                + extra.min(model.ports.saturating_sub(cams.len() as u32)),
            poe_budget_mw: model.poe_budget.milliwatts(),
            poe_used_mw: layout.switch_poe[i],
        });
    }
    // The core and the speed of its ports: the one access switch, or a switch of its own.
    if let Some(model) = layout.model.filter(|_| single_is_core) {
        return Ok(PlacedSwitches {
            core_node: access_nodes[0],
            access_nodes,
            agg_nodes: Vec::new(),
            agg_core: Vec::new(),
            core_speed: model.port_speed,
            single_is_core,
        });
    }
    let agg_nodes = layout
        .tier
        .as_ref()
        .map(|t| place_aggregation(m, inst, t, graph))
        .unwrap_or_default();
    let model = core_model(run, core_needs, access_count);
    let Some(model) = model else {
        return Err(InputError {
            file: String::new(),
            line: None,
            column: None,
            field: Some("switch".into()),
            message: "the catalog has no switch to use as the site's core".into(),
            hint: Some("add a [[switch]] with core = true".into()),
        });
    };
    let blocks = agg_nodes.len() as u32;
    let (node, agg_core) = place_core(m, run, inst, model, (core_needs, blocks), graph);
    Ok(PlacedSwitches {
        access_nodes,
        agg_nodes,
        agg_core,
        core_node: node,
        core_speed: model.port_speed,
        single_is_core,
    })
}

/// Stage 3c: the core. One switch of `model` when it has the ports; with a distribution tier of
/// `blocks` aggregation switches that one switch cannot join, a star of as many switches of the
/// model as it takes: the main core (`core`) holds the failover servers, clients and WAN router
/// and one port per further core (`core-2` …), each of which joins aggregation switches on the
/// rest of its ports and uplinks to the main one. Returns the main core's node and the core
/// node each aggregation switch uplinks to.
fn place_core(
    m: &mut Manifest,
    run: &Run,
    inst: &Instance,
    model: &SwitchModel,
    (core_needs, blocks): (u32, u32),
    graph: &mut SiteGraph,
) -> (NodeIndex, Vec<NodeIndex>) {
    let ports = model.ports;
    let stacked = blocks > 0 && core_needs > ports && ports > 2;
    // Star of k: the main core gives k - 1 ports to the others, each other core one to it.
    let k = match stacked {
        true => (2..=blocks + 1)
            .find(|k| k * ports - 2 * (k - 1) >= core_needs)
            .unwrap_or(blocks + 1),
        false => 1,
    };
    let outside = core_needs.saturating_sub(blocks);
    let main_aggs = if k == 1 {
        blocks
    } else {
        (ports - (k - 1)).saturating_sub(outside).min(blocks)
    };
    let push = |m: &mut Manifest, graph: &mut SiteGraph, id: String, used: u32| {
        let node = graph.graph.add_node(Node { id: id.clone() });
        m.network.switches.push(Switch {
            id,
            site: inst.id.to_string(),
            role: SwitchRole::Core,
            model_id: model.id.clone(),
            model: model.name.clone(),
            ports,
            ports_used: used,
            poe_budget_mw: model.poe_budget.milliwatts(),
            poe_used_mw: 0,
        });
        node
    };
    let main_used = if k == 1 {
        core_needs
    } else {
        outside + main_aggs + (k - 1)
    };
    let main_index = m.network.switches.len();
    let main = push(m, graph, format!("{}/core", inst.id), main_used);
    let mut agg_core = vec![main; main_aggs as usize];
    let mut left = blocks - main_aggs;
    for j in 2..=k {
        let here = left.min(ports - 1);
        left -= here;
        let node = push(m, graph, format!("{}/core-{j}", inst.id), here + 1);
        graph.link(
            &mut m.network.links,
            (node, main),
            model.port_speed,
            run.utilization,
        );
        agg_core.extend(std::iter::repeat_n(node, here as usize));
    }
    // What no core has a port for stays on the main core, for the checks to report.
    agg_core.resize(blocks as usize, main);
    m.network.switches[main_index].ports_used += left;
    (main, agg_core)
}

/// The site's core switch for `core_needs` ports: the cheapest core model with that many, or
/// the largest (its ports are then checked); a site with no access switches (every camera on
/// the NVR) takes the smallest access switch with room for its recorders and clients.
fn core_model<'a>(run: &Run<'a>, core_needs: u32, access_count: u32) -> Option<&'a SwitchModel> {
    let catalog = run.catalog;
    let smallest_lan = run
        .access_models
        .iter()
        .filter(|m| m.ports >= core_needs)
        .min_by(|a, b| a.price.total_cmp(&b.price))
        .copied();
    let core = catalog
        .switch
        .iter()
        .filter(|m| m.core && m.ports >= core_needs)
        .min_by(|a, b| a.price.total_cmp(&b.price))
        .or_else(|| {
            catalog
                .switch
                .iter()
                .filter(|m| m.core)
                .max_by_key(|m| m.ports)
        });
    if access_count == 0 {
        smallest_lan.or(core)
    } else {
        core.or(smallest_lan)
    }
}

/// Stage 3b: the aggregation switches of a distribution tier, each with a port for its access
/// switches, its recorders and its uplink to the core. Returns their nodes, block by block.
fn place_aggregation(
    m: &mut Manifest,
    inst: &Instance,
    tier: &Tier,
    graph: &mut SiteGraph,
) -> Vec<NodeIndex> {
    let mut nodes = Vec::new();
    for (b, block) in tier.blocks.iter().enumerate() {
        let sid = format!("{}/aggregation-{}", inst.id, b + 1);
        nodes.push(graph.graph.add_node(Node { id: sid.clone() }));
        m.network.switches.push(Switch {
            id: sid,
            site: inst.id.to_string(),
            role: SwitchRole::Aggregation,
            model_id: tier.model.id.clone(),
            model: tier.model.name.clone(),
            ports: tier.model.ports,
            ports_used: (block.switches.len() + block.recorders.len() + 1) as u32,
            poe_budget_mw: tier.model.poe_budget.milliwatts(),
            poe_used_mw: 0,
        });
    }
    nodes
}

impl SiteGraph {
    /// Adds a link from `a` to `b` of `capacity`, its limit at `utilization`, to the graph and
    /// the manifest's links.
    fn link(
        &mut self,
        links: &mut Vec<Link>,
        (a, b): (NodeIndex, NodeIndex),
        capacity: Bitrate,
        utilization: f64,
    ) {
        let link = links.len();
        links.push(Link {
            from: self.graph[a].id.clone(),
            to: self.graph[b].id.clone(),
            capacity_bps: capacity.bps(),
            limit_bps: sizing::ingest::link_limit(capacity, utilization),
            forward_bps: 0,
            reverse_bps: 0,
        });
        self.graph.add_edge(a, b, Edge { link });
    }
}

/// Stage 4: what plugs into the core: access uplinks, recorders and live-view clients (which are
/// added here). Returns the clients' nodes.
fn link_to_core(
    m: &mut Manifest,
    run: &Run,
    inst: &Instance,
    recorders: &PlacedRecorders,
    layout: &Layout,
    switches: &PlacedSwitches,
    graph: &mut SiteGraph,
) -> Vec<NodeIndex> {
    let utilization = run.utilization;
    let (core_node, core_speed) = (switches.core_node, switches.core_speed);
    let nic = run.catalog.defaults.recorder_nic.value;
    // Where each access switch and recorder plugs in, and at what speed: the core, or its
    // block's aggregation switch (itself on the core).
    let mut access_up = vec![(core_node, core_speed); switches.access_nodes.len()];
    let mut recorder_up = vec![(core_node, core_speed); recorders.nodes.len()];
    if let Some(tier) = &layout.tier {
        let speed = tier.model.port_speed;
        for (b, (block, agg)) in tier.blocks.iter().zip(&switches.agg_nodes).enumerate() {
            let core = switches.agg_core.get(b).copied().unwrap_or(core_node);
            graph.link(
                &mut m.network.links,
                (*agg, core),
                speed.min(core_speed),
                utilization,
            );
            for i in &block.switches {
                access_up[*i] = (*agg, speed);
            }
            for ui in &block.recorders {
                recorder_up[*ui] = (*agg, speed);
            }
        }
    }
    // Access uplinks.
    if let (false, Some(model)) = (switches.single_is_core, layout.model) {
        for (node, (up, up_speed)) in switches.access_nodes.iter().zip(&access_up) {
            let speed = inst.site.network.uplink.unwrap_or(model.uplink);
            let speed = if layout.tier.is_some() {
                speed.min(*up_speed)
            } else {
                speed
            };
            graph.link(&mut m.network.links, (*node, *up), speed, utilization);
        }
    }
    // Recorders.
    for (node, (up, up_speed)) in recorders.nodes.iter().zip(&recorder_up) {
        graph.link(
            &mut m.network.links,
            (*up, *node),
            nic.min(*up_speed),
            utilization,
        );
    }
    // Clients on the core.
    let mut client_nodes = Vec::new();
    for c in 0..layout.clients {
        let cid = format!("{}/client-{}", inst.id, c + 1);
        let node = graph.graph.add_node(Node { id: cid.clone() });
        client_nodes.push(node);
        m.network.clients.push(Client {
            id: cid,
            site: inst.id.to_string(),
            address: inst.addr.client(c),
            streams: layout.tiles,
            load_bps: 0,
        });
        graph.link(
            &mut m.network.links,
            (core_node, node),
            nic.min(core_speed),
            utilization,
        );
    }
    client_nodes
}

/// Stage 5: every camera with its encoder settings, recorder, port and address, its streams
/// routed to its recorder (or, for an instance that records at another site, to its core, the
/// WAN link's end). Returns the cameras' nodes.
fn place_cameras(
    m: &mut Manifest,
    run: &Run,
    inst: &Instance,
    recorders: &PlacedRecorders,
    layout: &Layout,
    switches: &PlacedSwitches,
    graph: &mut SiteGraph,
) -> Result<Vec<NodeIndex>, InputError> {
    let d = &run.catalog.defaults;
    let core_id = graph.graph[switches.core_node].id.clone();
    let mut nodes = Vec::new();
    let mut port_on_switch: BTreeMap<usize, (usize, u32)> = BTreeMap::new();
    for (i, cams) in layout.switch_cams.iter().enumerate() {
        for (p, slot) in cams.iter().enumerate() {
            port_on_switch.insert(*slot, (i, p as u32 + 1));
        }
    }
    // Ports on each NVR's built-in switch, numbered per NVR in camera order.
    let mut nvr_port: BTreeMap<usize, u32> = BTreeMap::new();
    let mut next_port: BTreeMap<usize, u32> = BTreeMap::new();
    for (slot, ui) in &recorders.nvr_powered {
        let n = next_port.entry(*ui).or_insert(0);
        *n += 1;
        nvr_port.insert(*slot, *n);
    }
    for (slot, (gi, k)) in inst.slots.iter().enumerate() {
        let cid = format!("{}/{}-{k}", inst.id, inst.group_words[*gi]);
        let unassigned = || {
            route_error(format!(
                "camera {cid} was not assigned a recorder (a camscope bug; please report it)"
            ))
        };
        // Its recorder: one of the instance's, or one at the site it records at (which lists
        // the camera when its streams arrive there over the WAN link).
        let (recorder_id, volume, to) = match &inst.records_at {
            None => {
                let ui = *recorders.of_slot.get(&slot).ok_or_else(unassigned)?;
                let r = &mut m.recorders[recorders.base + ui];
                r.cameras.push(cid.clone());
                (r.id.clone(), r.volume.id.clone(), recorders.nodes[ui])
            }
            Some(at) => {
                let rid = at
                    .recorder_of(slot, recorder_kind(run.choice))
                    .ok_or_else(unassigned)?;
                (rid.clone(), volume_id(&rid), switches.core_node)
            }
        };
        let node = graph.graph.add_node(Node { id: cid.clone() });
        nodes.push(node);
        let (switch_id, port, attach, speed) = match (
            recorders.nvr_powered.get(&slot),
            port_on_switch.get(&slot),
            layout.model,
        ) {
            (Some(u), _, _) => (
                recorder_id.clone(),
                nvr_port[&slot],
                recorders.nodes[*u],
                d.nvr_poe_port_speed.value,
            ),
            (None, Some((i, p)), Some(model)) => (
                graph.graph[switches.access_nodes[*i]].id.clone(),
                *p,
                switches.access_nodes[*i],
                model.port_speed,
            ),
            _ => (core_id.clone(), 0, switches.core_node, switches.core_speed),
        };
        graph.link(&mut m.network.links, (node, attach), speed, run.utilization);
        let placed = Placement {
            id: cid,
            address: inst.addr.camera(slot as u32),
            recorder: recorder_id,
            volume,
            switch: switch_id,
            port,
        };
        let camera = camera_of(run, inst, *gi, placed);
        let ingest = camera.ingest_bps;
        m.cameras.push(camera);
        // The camera's streams travel to its recorder.
        graph
            .route(
                &mut m.network.links,
                node,
                to,
                with_overhead(ingest, run.overhead),
            )
            .map_err(route_error)?;
    }
    Ok(nodes)
}

/// Stage 5c, failover pools: an instance whose pool's failover server stands at another site
/// gets its link from its core to that site's core. It carries nothing until a server here
/// fails; then that server's streams cross it, which is checked against its limit as a
/// failover ceiling.
fn link_pool_host(
    m: &mut Manifest,
    violations: &mut Vec<Violation>,
    run: &Run,
    inst: &Instance,
    switches: &PlacedSwitches,
    graph: &mut SiteGraph,
) {
    let Some(p) = &inst.pool_host else {
        return;
    };
    let node = graph.graph.add_node(Node { id: p.core.clone() });
    let core = switches.core_node;
    graph.link(
        &mut m.network.links,
        (core, node),
        p.capacity,
        run.utilization,
    );
    let limit = sizing::ingest::link_limit(p.capacity, run.utilization);
    if p.load_bps > limit {
        let element = format!("{} → {}", graph.graph[core].id, p.core);
        violations.push(Violation {
            message: format!(
                "link {element}: when a server at {} fails, up to {} of its streams cross it to the failover server at {}, over its limit of {} ({:.0}% of {})",
                inst.id,
                Bitrate(p.load_bps),
                p.instance,
                Bitrate(limit),
                run.utilization * 100.0,
                p.capacity
            ),
            element,
            ceiling: Ceiling::Failover,
            load: p.load_bps,
            limit,
            unit: Unit::BitsPerSecond,
        });
    }
}

/// A recorder's volume id.
fn volume_id(recorder: &str) -> String {
    format!("{recorder}/vol-1")
}

/// Stage 5b, central recording: for each instance of another site recorded here, its WAN link
/// from its core to this core, and its cameras' streams routed over it to the recorders here,
/// which list them.
fn route_recorded_here(
    m: &mut Manifest,
    run: &Run,
    inst: &Instance,
    recorders: &PlacedRecorders,
    switches: &PlacedSwitches,
    graph: &mut SiteGraph,
) -> Result<(), InputError> {
    for r in &inst.recorded_here {
        let node = graph.graph.add_node(Node { id: r.core.clone() });
        graph.link(
            &mut m.network.links,
            (node, switches.core_node),
            r.wan,
            run.utilization,
        );
        for (k, ci) in r.cameras.clone().enumerate() {
            let camera = &m.cameras[ci];
            let (cid, bps) = (
                camera.id.clone(),
                with_overhead(camera.ingest_bps, run.overhead),
            );
            let ui = recorders.of_slot.get(&(r.first_slot + k)).copied();
            let rec_index = ui.map(|ui| recorders.base + ui);
            let Some((ui, rec_index)) = ui.zip(rec_index).filter(|(_, ri)| {
                m.recorders
                    .get(*ri)
                    .is_some_and(|rec| rec.id == camera.recorder)
            }) else {
                return Err(route_error(format!(
                    "camera {cid} records to {}, which {} does not hold (a camscope bug; please report it)",
                    camera.recorder, inst.id
                )));
            };
            m.recorders[rec_index].cameras.push(cid);
            graph
                .route(&mut m.network.links, node, recorders.nodes[ui], bps)
                .map_err(route_error)?;
        }
    }
    Ok(())
}

/// Where one camera goes: its id, address, recorder, volume, switch and port.
struct Placement {
    id: String,
    address: String,
    recorder: String,
    volume: String,
    switch: String,
    port: u32,
}

/// One camera of group `gi`, with the encoder settings and schedule its group's plan gives.
fn camera_of(run: &Run, inst: &Instance, gi: usize, placed: Placement) -> Camera {
    let d = &run.catalog.defaults;
    let g = &inst.site.cameras[gi];
    let gp = inst.groups[gi];
    let gop_seconds = d.gop_seconds.value;
    let fps = gp.fps;
    let (gop, profile) = match g.codec {
        Codec::Mjpeg => (0, String::new()),
        Codec::H264 | Codec::H264Smart => (
            (fps * gop_seconds).round().max(1.0) as u32,
            d.h264_profile.value.clone(),
        ),
        Codec::H265 | Codec::H265Smart => (
            (fps * gop_seconds).round().max(1.0) as u32,
            d.h265_profile.value.clone(),
        ),
    };
    let hours = match g.mode() {
        sizing::RecordingMode::Schedule { hours_per_day }
        | sizing::RecordingMode::Motion { hours_per_day, .. } => hours_per_day,
        _ => 24.0,
    };
    let cid = placed.id;
    Camera {
        id: cid.clone(),
        site: inst.id.to_string(),
        group: gp.name.clone(),
        brand: g.brand.clone(),
        model: g.model.clone(),
        address: placed.address,
        main_stream_path: format!("/{cid}/main"),
        sub_stream_path: g.substream_kbps.map(|_| format!("/{cid}/sub")),
        reported_streams: None,
        encoder: Encoder {
            codec: g.codec,
            width: g.resolution.width,
            height: g.resolution.height,
            resolution: g.resolution.to_string(),
            fps,
            bitrate_cap_kbps: gp.main_bps.div_ceil(1000),
            gop,
            profile,
        },
        substream: g.substream_kbps.map(|k| SubStream {
            bitrate_kbps: k.0,
            recorded: g.record_substream,
        }),
        audio: g.audio,
        ingest_bps: gp.ingest_bps,
        recording: RecordingSchedule {
            mode: serde_json::to_value(g.recording)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            hours_per_day: if g.recording == RecordingKind::Events {
                24.0
            } else {
                hours
            },
            duty_cycle: g.duty_cycle.map(|v| v.0),
            events_per_day: g.events_per_day.map(|v| v.0),
            pre_seconds: g.pre_seconds.map(|v| v.0),
            post_seconds: g.post_seconds.map(|v| v.0),
            recorded_seconds_per_day: gp.recorded_seconds_per_day,
        },
        retention_days: gp.retention_days,
        recorder: placed.recorder,
        volume: placed.volume,
        switch: placed.switch,
        port: placed.port,
        poe_mw: gp.poe_mw,
    }
}

/// Stage 6: live view: each client shows the first `tiles` cameras, sub-streams where there are,
/// routed from their recorders (from the cameras themselves where they record at another
/// site).
fn route_live_view(
    m: &mut Manifest,
    run: &Run,
    recorders: &PlacedRecorders,
    client_nodes: &[NodeIndex],
    tiles: u32,
    (camera_base, camera_nodes): (usize, &[NodeIndex]),
    graph: &SiteGraph,
) -> Result<(), InputError> {
    for (c, client) in client_nodes.iter().enumerate() {
        let mut total = 0;
        for (i, cam) in m.cameras[camera_base..]
            .iter()
            .take(tiles as usize)
            .enumerate()
        {
            let bps = match &cam.substream {
                Some(sub) => sub.bitrate_kbps * 1000,
                None => cam.encoder.bitrate_cap_kbps * 1000,
            };
            let bps = with_overhead(bps, run.overhead);
            let here = m.recorders[recorders.base..]
                .iter()
                .take(recorders.nodes.len())
                .position(|r| r.id == cam.recorder);
            // A camera recorded at another site is shown from the camera itself, on the
            // instance's own network.
            let Some(from) = here
                .map(|ri| recorders.nodes[ri])
                .or_else(|| camera_nodes.get(i).copied())
            else {
                continue;
            };
            graph
                .route(&mut m.network.links, from, *client, bps)
                .map_err(route_error)?;
            total += bps;
        }
        let ci = m.network.clients.len() - client_nodes.len() + c;
        m.network.clients[ci].load_bps = total;
    }
    Ok(())
}

/// Whether plan finding `v` is about a link the deployment models and checks itself, each
/// copy's link by its own ids: a WAN uplink or failover-pool link the site file gives too
/// small. The deployment's finding replaces the plan's, so one link is not reported twice. (A
/// WAN uplink too small only after a growth bought in a later step stays the plan's: today's
/// cameras are deployed.)
fn measured_here(plan: &Plan, v: &Violation) -> bool {
    plan.central_recording
        .iter()
        .filter(|w| w.fits == Some(false))
        .any(|w| w.element() == v.element)
        || plan
            .vms
            .pool_links
            .iter()
            .filter(|l| l.fits == Some(false))
            .any(|l| l.element() == v.element)
}

/// Stage 7: every link, switch PoE budget and switch port count of the instance over its limit.
fn check_ceilings(
    m: &Manifest,
    violations: &mut Vec<Violation>,
    run: &Run,
    inst: &Instance,
    camera_base: usize,
    link_base: usize,
) {
    let utilization = run.utilization;
    for l in &m.network.links[link_base..] {
        if l.load_bps() > l.limit_bps {
            violations.push(Violation {
                element: format!("{} → {}", l.from, l.to),
                ceiling: Ceiling::Link,
                load: l.load_bps(),
                limit: l.limit_bps,
                unit: Unit::BitsPerSecond,
                message: format!(
                    "link {} → {} carries {}, over its limit of {} ({:.0}% of {})",
                    l.from,
                    l.to,
                    Bitrate(l.load_bps()),
                    Bitrate(l.limit_bps),
                    utilization * 100.0,
                    Bitrate(l.capacity_bps)
                ),
            });
        }
    }
    let site_switches = m.network.switches.iter().filter(|sw| sw.site == inst.id);
    for sw in site_switches {
        if sw.poe_used_mw > sw.poe_budget_mw {
            violations.push(Violation {
                element: sw.id.clone(),
                ceiling: Ceiling::Poe,
                load: sw.poe_used_mw,
                limit: sw.poe_budget_mw,
                unit: Unit::Milliwatts,
                message: format!(
                    "switch {} ({}) supplies {} of PoE, over its budget of {}",
                    sw.id,
                    sw.model,
                    Watts(sw.poe_used_mw),
                    Watts(sw.poe_budget_mw)
                ),
            });
        }
        let wanted = m.cameras[camera_base..]
            .iter()
            .filter(|c| c.switch == sw.id)
            .count() as u32;
        if wanted > sw.ports {
            violations.push(Violation {
                element: sw.id.clone(),
                ceiling: Ceiling::Ports,
                load: u64::from(wanted),
                limit: u64::from(sw.ports),
                unit: Unit::Ports,
                message: format!(
                    "switch {} ({}) has {} cameras for {} ports",
                    sw.id, sw.model, wanted, sw.ports
                ),
            });
        } else if sw.ports_used > sw.ports {
            // A core or aggregation switch with a port for everything it joins.
            let (what, remedy) = match sw.role {
                SwitchRole::Aggregation => (
                    "access switches, recorders and its uplink",
                    "one recorder's cameras need more access switches than an aggregation switch of the catalog can join",
                ),
                _ if m
                    .network
                    .switches
                    .iter()
                    .any(|s| s.site == inst.id && s.role == SwitchRole::Aggregation) =>
                {
                    (
                        "aggregation switches, failover servers and clients",
                        "the site needs a larger core than the catalog offers, or a further tier",
                    )
                }
                _ => (
                    "access switches, recorders and clients",
                    "the site needs a larger core than the catalog offers",
                ),
            };
            violations.push(Violation {
                element: sw.id.clone(),
                ceiling: Ceiling::Ports,
                load: u64::from(sw.ports_used),
                limit: u64::from(sw.ports),
                unit: Unit::Ports,
                message: format!(
                    "switch {} ({}) must join {} {what} on {} ports: {remedy}",
                    sw.id, sw.model, sw.ports_used, sw.ports
                ),
            });
        }
    }
}

fn route_error(message: String) -> InputError {
    InputError {
        file: String::new(),
        line: None,
        column: None,
        field: None,
        message,
        hint: None,
    }
}
